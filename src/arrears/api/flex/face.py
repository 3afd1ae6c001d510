"""The Flex face: Bearer ``fsk_test_…`` keys, then the shared request cycle over the Flex routes table."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.routing import Route

from arrears.api import cycle
from arrears.api.env import Env
from arrears.api.flex import errors, openapi
from arrears.api.flex.requests import normalise
from arrears.api.flex.routes import OPERATIONS
from arrears.domain.errors import AuthenticationError

MOUNT = "/flex"
TEST_PREFIX = "fsk_test_"
NO_KEY = "No API key provided. Send your Flex key as 'Authorization: Bearer fsk_test_…'."


def authenticate(headers: Mapping[str, str]) -> bool:
    """livemode of the request. Open mode, as on the Stripe face: any well-formed test key is accepted."""
    scheme, _, key = (headers.get("authorization") or "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise AuthenticationError(NO_KEY)
    if key.startswith(TEST_PREFIX) and len(key) > len(TEST_PREFIX) and key.isprintable() and " " not in key:
        return False
    if key.startswith("fsk_"):
        raise AuthenticationError("Live Flex keys are not accepted by arrears: use a fsk_test_… key.")
    raise AuthenticationError(f"Invalid API key: Flex keys start with '{TEST_PREFIX}'.")


DIALECT = cycle.Dialect(mount=MOUNT, authenticate=authenticate, render_error=errors.render,
                        internal_error=errors.internal, normalise=normalise)


def routes(env: Env) -> list[Route]:
    return [*cycle.routes(OPERATIONS, env, DIALECT), *openapi.routes(MOUNT)]
