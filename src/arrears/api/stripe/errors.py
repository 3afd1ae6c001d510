"""Domain errors → Stripe's error envelope and HTTP status. One table; nothing else builds errors."""

from __future__ import annotations

from typing import Any

from arrears.domain import errors as e

# error class -> (HTTP status, Stripe error type); the first matching class in MRO order wins.
STATUS: dict[type[e.ArrearsError], tuple[int, str]] = {
    e.IdempotencyError: (400, "idempotency_error"),
    e.TooLarge: (413, "invalid_request_error"),
    e.InvalidRequest: (400, "invalid_request_error"),
    e.NotFound: (404, "invalid_request_error"),
    e.AuthenticationError: (401, "invalid_request_error"),
    e.PermissionDenied: (403, "invalid_request_error"),
    e.CardError: (402, "card_error"),
    e.Conflict: (409, "invalid_request_error"),
    e.RateLimited: (429, "invalid_request_error"),
}


def doc_url(code: str) -> str:
    return "https://stripe.com/docs/error-codes/" + code.replace("_", "-")


def render(exc: e.ArrearsError) -> tuple[int, dict[str, Any]]:
    status, kind = next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)
    body: dict[str, Any] = {"message": exc.message, "type": kind}
    if exc.param is not None:
        body["param"] = exc.param
    if exc.code is not None:
        body["code"] = exc.code
        body["doc_url"] = doc_url(exc.code)
    if isinstance(exc, e.CardError) and exc.decline_code:
        body["decline_code"] = exc.decline_code
    return status, {"error": body}


def internal(request_id: str) -> tuple[int, dict[str, Any]]:
    return 500, {"error": {
        "type": "api_error",
        "message": f"An unknown error occurred; the request ({request_id}) was not applied. "
                   "The server log has the details.",
    }}
