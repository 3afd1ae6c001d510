"""The Yorlet face: ``Authorization: Bearer KEY`` or the raw key (as Yorlet's curl samples send it), then
the shared request cycle over the Yorlet routes table. ``Yorlet-Context``/``Yorlet-Account`` name the
account shown on the objects (arrears keeps one account)."""

from __future__ import annotations

from starlette.routing import Route

from arrears.api import cycle
from arrears.api.env import Env
from arrears.api.yorlet import errors, openapi
from arrears.api.yorlet.routes import OPERATIONS
from arrears.domain.errors import AuthenticationError

MOUNT = "/yorlet"
NO_KEY = "No valid API key provided. Send 'Authorization: Bearer YOUR_API_KEY'."


def key(authorization: str | None) -> str:
    """The API key of ``Authorization: Bearer KEY`` or of a raw ``Authorization: KEY``."""
    value = (authorization or "").strip()
    scheme, _, rest = value.partition(" ")
    given = rest.strip() if scheme.lower() == "bearer" else value
    if not given:
        raise AuthenticationError(NO_KEY)
    return given


DIALECT = cycle.Dialect(mount=MOUNT, key=key, render_error=errors.render, internal_error=errors.internal,
                        not_found=f"The routes are in {MOUNT}/openapi.json.")


def routes(env: Env) -> list[Route]:
    return [*cycle.routes(OPERATIONS, env, DIALECT), *openapi.routes(MOUNT)]
