"""The ASGI application: every face's routes over one store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from arrears import housekeeping
from arrears.api import cycle, mcp_mount, pages
from arrears.api.auth import Authenticator
from arrears.api.dashboard import routes as dashboard
from arrears.api.env import Env
from arrears.api.flex import face as flex_face
from arrears.api.ratelimit import RateLimiter
from arrears.api.routing import IndexedRouter
from arrears.api.stripe import face as stripe_face
from arrears.api.stripe import openapi as stripe_openapi
from arrears.api.yorlet import face as yorlet_face
from arrears.clock import Clock, SystemClock
from arrears.config import Settings
from arrears.ids import IdGen
from arrears.store import open_store
from arrears.webhooks.worker import Deliverer


def build(settings: Settings, *, clock: Clock | None = None, ids: IdGen | None = None) -> Starlette:
    store = open_store(settings.database, synchronous=settings.synchronous, migrate=settings.auto_migrate,
                       pool_size=settings.pool_size)
    limiter = RateLimiter(live=settings.rate_limit, test=settings.test_rate_limit)
    authenticator = Authenticator(store, strict=settings.auth == "strict", cache_seconds=settings.key_cache_seconds,
                                  limiter=limiter)
    env = Env(store=store, clock=clock or SystemClock(), ids=ids or IdGen(), base_url=settings.base_url,
              policy=settings.collection, auth=authenticator)
    mcp = mcp_mount.McpMount(settings.base_url, settings.host, authenticator)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(housekeeping.prune_idempotency_keys(store, env.clock, stop))]
        if settings.webhooks:
            deliverer = Deliverer(store, env.clock, env.ids, schedule=settings.webhook_schedule)
            tasks.append(asyncio.create_task(deliverer.run_forever(stop)))
        if settings.scheduler:
            tasks.append(asyncio.create_task(housekeeping.collect(env, stop)))
        try:
            yield
        finally:
            stop.set()
            await mcp.close()
            await asyncio.gather(*tasks, return_exceptions=True)
            await store.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        for dialect in (flex_face.DIALECT, yorlet_face.DIALECT):
            if request.url.path.startswith(dialect.mount + "/"):
                return cycle.unrecognized(dialect, request)
        return stripe_face.unrecognized(request)

    # The dashboard signs in through env.auth and reads in the key's scope, in open and strict mode alike.
    dashboard_routes = dashboard.routes(env, settings.dashboard_secret)
    app = Starlette(
        routes=[*stripe_face.routes(env), *stripe_openapi.routes(), *flex_face.routes(env), *yorlet_face.routes(env),
                *pages.routes(env), *dashboard_routes, mcp.route],
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found, HTTPException: not_found},
    )
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)  # the same routes, found faster
    app.state.env = env
    mcp.bind(app)
    return app


def from_environment() -> Starlette:
    """Entry point for ASGI servers started by ``arrears serve`` (settings come through ARREARS_*)."""
    from arrears.config import from_env

    return build(from_env())
