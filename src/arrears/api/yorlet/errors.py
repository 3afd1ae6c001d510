"""Domain errors → Yorlet's error body ``{"error": {"message", "param", "type"}, "status": <int>}``. One table.

Yorlet documents the type ``invalid_request`` and the statuses 400, 401, 403, 404, 429 and 5xx (no 409
or 422): a state error is a 400, as on Stripe. The other types are arrears' choice."""

from __future__ import annotations

from typing import Any

from arrears.domain import errors as e

# error class -> (HTTP status, Yorlet error type); the first class in MRO order wins.
STATUS: dict[type[e.ArrearsError], tuple[int, str]] = {
    e.TooLarge: (413, "invalid_request"),
    e.InvalidRequest: (400, "invalid_request"),
    e.NotFound: (404, "invalid_request"),
    e.AuthenticationError: (401, "authentication_error"),
    e.PermissionDenied: (403, "permission_error"),
    e.CardError: (400, "card_error"),
    e.Conflict: (400, "invalid_request"),
    e.RateLimited: (429, "rate_limit_error"),
}


def render(exc: e.ArrearsError) -> tuple[int, dict[str, Any]]:
    status, kind = next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)
    return status, {"error": {"message": exc.message, "param": exc.param, "type": kind}, "status": status}


def internal(request_id: str) -> tuple[int, dict[str, Any]]:
    return 500, {"error": {"message": f"An unknown error occurred; the request ({request_id}) was not applied.",
                           "param": None, "type": "api_error"}, "status": 500}
