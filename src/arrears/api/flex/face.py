"""The Flex face: Bearer ``fsk_test_…`` keys, then the shared request cycle over the Flex routes table.

A Flex key is an arrears key with an ``f`` in front, as Flex spells its keys: ``fsk_test_X`` is the key
``sk_test_X`` (``frk_…`` a restricted one), so one registered key serves every face."""

from __future__ import annotations

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


def key(authorization: str | None) -> str:
    """The arrears key a Flex ``Authorization: Bearer f…`` header carries."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer" or not given:
        raise AuthenticationError(NO_KEY)
    if given.startswith(("fsk_", "frk_", "fpk_")):
        return given[1:]
    raise AuthenticationError(f"Invalid API key: Flex keys start with '{TEST_PREFIX}'.")


DIALECT = cycle.Dialect(mount=MOUNT, key=key, render_error=errors.render, internal_error=errors.internal,
                        normalise=normalise, not_found=f"The routes are in {MOUNT}/openapi.json.")


def routes(env: Env) -> list[Route]:
    return [*cycle.routes(OPERATIONS, env, DIALECT), *openapi.routes(MOUNT)]
