"""The ASGI application: every face's routes over one store."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Scope

from arrears import housekeeping
from arrears.api import arrears_ops, cycle, docs_page, forms, mcp_mount, pages
from arrears.api.auth import Authenticator
from arrears.api.dashboard import routes as dashboard
from arrears.api.dashboard.web import PREFIX as DASHBOARD
from arrears.api.env import Env
from arrears.api.flex import face as flex_face
from arrears.api.limits import BodyLimit
from arrears.api.ratelimit import RateLimiter
from arrears.api.routing import IndexedRouter
from arrears.api.stripe import face as stripe_face
from arrears.api.stripe import openapi as stripe_openapi
from arrears.api.yorlet import face as yorlet_face
from arrears.clock import Clock, SystemClock
from arrears.config import Settings
from arrears.domain.errors import TooLarge
from arrears.ids import IdGen
from arrears.store import open_store
from arrears.webhooks.worker import Deliverer

DIALECTS = (flex_face.DIALECT, yorlet_face.DIALECT)


def face_of(path: str) -> cycle.Dialect:
    """The face a path belongs to: the dialect mounted over it, else Stripe's."""
    return next((d for d in DIALECTS if path.startswith(d.mount + "/")), stripe_face.DIALECT)


def build(settings: Settings, *, clock: Clock | None = None, ids: IdGen | None = None) -> Starlette:
    store = open_store(settings.database, synchronous=settings.synchronous, migrate=settings.auto_migrate,
                       pool_size=settings.pool_size, rehearsal=settings.sqlite_rehearsal)
    limiter = RateLimiter(live=settings.rate_limit, test=settings.test_rate_limit)
    authenticator = Authenticator(store, strict=settings.auth == "strict", cache_seconds=settings.key_cache_seconds,
                                  limiter=limiter, api_version=settings.api_version)
    env = Env(store=store, clock=clock or SystemClock(), ids=ids or IdGen(), base_url=settings.base_url,
              policy=settings.collection, auth=authenticator, webhook_urls=settings.webhook_urls)
    mcp = mcp_mount.McpMount(settings.base_url, settings.host, authenticator)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        # What start-up built (routes, schemas, the agent tools, templates) lives as long as the process:
        # out of the collector's reach, so that its full collections scan only what requests allocate.
        gc.collect()
        gc.freeze()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(housekeeping.prune_idempotency_keys(store, env.clock, stop))]
        if settings.webhooks:
            deliverer = Deliverer.configured(store, env.clock, env.ids, settings)
            tasks.append(asyncio.create_task(deliverer.run_forever(stop)))
        if settings.scheduler:
            tasks.append(asyncio.create_task(housekeeping.collect(
                store, env.clock, env.ids, env.policy, stop, base_url=env.base_url,
                api_version=settings.api_version)))
        try:
            yield
        finally:
            stop.set()
            await mcp.close()
            await asyncio.gather(*tasks, return_exceptions=True)
            await store.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        return cycle.unrecognized(face_of(forms.url_path(request)), request, env.ids.new("req", 14))

    def too_large(scope: Scope, limit: int) -> Response:
        """The 413 for a body over ``limit``, in the shape of the face the path belongs to."""
        error = TooLarge(f"The request body is larger than {limit} bytes, the most this server accepts.")
        path: str = scope["path"]
        if path.startswith(DASHBOARD + "/"):
            return PlainTextResponse(error.message, status_code=413)
        return cycle.refuse(face_of(path), error, env.ids.new("req", 14), Headers(scope=scope))

    # The dashboard signs in through env.auth and reads in the key's scope, in open and strict mode alike.
    dashboard_routes = dashboard.routes(env, settings.dashboard_secret, trust_proxy=settings.trust_proxy)
    bell, request_log = arrears_ops.Bell(), arrears_ops.RequestLog()  # listen's and logs tail's long polls
    app = Starlette(
        routes=[*stripe_face.routes(env), *stripe_openapi.routes(), *flex_face.routes(env), *yorlet_face.routes(env),
                *pages.routes(env), *dashboard_routes, mcp.route, *arrears_ops.routes(env, bell, request_log),
                *docs_page.routes()],
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found, HTTPException: not_found},
        middleware=[Middleware(BodyLimit, limit=settings.max_body_bytes, refusal=too_large),
                    Middleware(arrears_ops.Tap, bell=bell, log=request_log, env=env)],
    )
    app.router = IndexedRouter(app.router.routes, lifespan=lifespan)  # the same routes, found faster
    app.state.env = env
    mcp.bind(app)
    return app


def from_environment() -> Starlette:
    """Entry point for ASGI servers started by ``arrears serve`` (settings come through ARREARS_*)."""
    from arrears.config import from_env

    return build(from_env())
