"""API keys. In the default (open) mode any well-formed ``sk_test_`` key is accepted, as stripe-mock
does, so existing test suites work unchanged; registered keys and accounts come with strict mode."""

from __future__ import annotations

import base64
import binascii

from arrears.domain.errors import AuthenticationError

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, "
    "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details."
)


def _masked(key: str) -> str:
    return key[:8] + "*" * max(len(key) - 12, 4) + key[-4:] if len(key) > 12 else key[:4] + "****"


def api_key(authorization: str | None) -> str:
    """The key carried by an Authorization header (Bearer, or Basic with the key as user name)."""
    if not authorization:
        raise AuthenticationError(NO_KEY)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        key = value
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(value, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError(
                "Invalid Basic authorization header: use the API key as the user name and an empty password."
            ) from None
    else:
        raise AuthenticationError(NO_KEY)
    if not key:
        raise AuthenticationError(NO_KEY)
    return key


def check_open_mode(key: str) -> bool:
    """livemode of the request; any ``sk_test_`` key with something after the prefix is accepted."""
    if key.startswith("sk_test_") and len(key) > len("sk_test_") and key.isprintable() and " " not in key:
        return False
    raise AuthenticationError(f"Invalid API Key provided: {_masked(key)}")
