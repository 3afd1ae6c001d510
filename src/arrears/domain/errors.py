"""Errors raised by the rules. Each face maps them to its own wire shape (api/*/errors.py).

    ArrearsError                 a broken rule; carries message, param and a stable code
     ├── InvalidRequest          the request cannot be carried out as asked
     │    ├── ParamError         a parameter is unknown, missing, malformed or out of range
     │    ├── StateError         the object's status forbids the action (the transition table said no)
     │    ├── IdempotencyError   an Idempotency-Key was reused with other parameters
     │    └── TooLarge           the request body is larger than the server accepts (HTTP 413)
     ├── NotFound                no such object
     ├── AuthenticationError     no usable API key
     ├── PermissionDenied        the key may not do this
     ├── CardError               a payment attempt was declined
     ├── Conflict                a concurrent request holds what this one needs
     └── RateLimited             too many requests

``CommitThenRaise`` (keep the command's writes, then raise its error) is a signal to the store and lives
in ``store/base.py``; it is imported here too only until the faces import it from there.
"""

from __future__ import annotations


class ArrearsError(Exception):
    """Base of every rule the server enforces."""

    code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        if code is not None:
            self.code = code


class InvalidRequest(ArrearsError):
    pass


class ParamError(InvalidRequest):
    pass


class StateError(InvalidRequest):
    """A status forbids an action. ``obj_id``/``status``/``action`` say which cell of the table."""

    def __init__(
        self, message: str, *, obj_id: str, status: str, action: str, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.obj_id = obj_id
        self.status = status
        self.action = action


class IdempotencyError(InvalidRequest):
    code = None


class TooLarge(InvalidRequest):
    pass


class NotFound(ArrearsError):
    code: str | None = "resource_missing"


class AuthenticationError(ArrearsError):
    pass


class PermissionDenied(ArrearsError):
    pass


class CardError(ArrearsError):
    def __init__(
        self, message: str, *, code: str, decline_code: str | None = None, param: str | None = None
    ) -> None:
        super().__init__(message, param=param, code=code)
        self.decline_code = decline_code


class Conflict(ArrearsError):
    pass


class RateLimited(ArrearsError):
    code = "rate_limit"


def missing(kind: str, obj_id: str, param: str | None = None) -> NotFound:
    """Stripe's wording for an unknown id: "No such invoice: 'in_123'"."""
    return NotFound(f"No such {kind}: '{obj_id}'", param=param)

