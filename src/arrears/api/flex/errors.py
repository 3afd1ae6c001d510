"""Domain errors → Flex's error envelope ``{"error": {"code", "type", "message"}}``. One table.

Flex documents ``{"error": {"code": "invalid_request", "message": …}}``; ``type`` follows the types
Flex clients model (invalid_request_error, authentication_error, card_error, idempotency_error,
api_error). Flex documents no status for a state error, so the Stripe rule applies: 400."""

from __future__ import annotations

from typing import Any

from arrears.api.flex.ids import in_text
from arrears.domain import errors as e

# error class -> (HTTP status, code, type); the first class in MRO order wins.
STATUS: dict[type[e.ArrearsError], tuple[int, str, str]] = {
    e.IdempotencyError: (400, "idempotency_error", "idempotency_error"),
    e.TooLarge: (413, "request_too_large", "invalid_request_error"),
    e.InvalidRequest: (400, "invalid_request", "invalid_request_error"),
    e.NotFound: (404, "not_found", "invalid_request_error"),
    e.AuthenticationError: (401, "unauthorized", "authentication_error"),
    e.PermissionDenied: (403, "forbidden", "invalid_request_error"),
    e.CardError: (402, "card_declined", "card_error"),
    e.Conflict: (409, "conflict", "invalid_request_error"),
    e.RateLimited: (429, "rate_limited", "invalid_request_error"),
}


def render(exc: e.ArrearsError) -> tuple[int, dict[str, Any]]:
    status, code, kind = next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)
    body: dict[str, Any] = {"code": code, "type": kind, "message": in_text(exc.message)}
    if exc.param is not None:
        body["param"] = exc.param
    return status, {"error": body}


def internal(request_id: str) -> tuple[int, dict[str, Any]]:
    return 500, {"error": {"code": "internal_error", "type": "api_error",
                           "message": f"An unknown error occurred; the request ({request_id}) was not applied."}}
