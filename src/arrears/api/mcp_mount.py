"""``/mcp``: the MCP server (streamable HTTP, stateless, JSON answers) inside ``arrears serve``.

Its tools are the agent tools of the Stripe face's OpenAPI document, called in-process through the
app itself (``httpx.ASGITransport``), so every call takes the face's full request cycle. The caller
authenticates with the same API keys as the REST face; a request without a usable key gets the
Stripe face's 401 before any MCP processing, and so does a publishable key, which may call no tool
(``tools/list`` included: the list of what an account's agent can do is not for browsers). A restricted
key needs at least one permission (else a 403); its tools' calls are then checked endpoint by endpoint.

The ``mcp`` SDK takes over a second to import, so it is loaded on the first request to /mcp, not at
start-up: servers that never see an agent start as fast as before."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import orjson
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from arrears.api import auth
from arrears.api.stripe import errors
from arrears.api.stripe import openapi as stripe_openapi
from arrears.domain import keys
from arrears.domain.errors import AuthenticationError, PermissionDenied

PATH = "/mcp"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def callable_by(grant: keys.Grant) -> None:
    """Raise unless the key may call some tool: never a publishable key (the API's 401), nor a restricted
    key without any permission (403)."""
    if grant.kind == "publishable":
        raise AuthenticationError(keys.PUBLISHABLE)
    if grant.kind == "restricted" and not grant.permissions:
        raise PermissionDenied(f"The provided key '{grant.shown}' has no permissions, so it may call no tool of "
                               f"this MCP server on account '{grant.account}'. Give it RESOURCE:read or "
                               "RESOURCE:write permissions, or use a secret key.")


class McpMount:
    """The ASGI app at /mcp: checks the key, then hands the request to the SDK's session manager, which
    runs in a task of its own from the first request until ``close``."""

    def __init__(self, base_url: str, host: str, authenticator: auth.Authenticator) -> None:
        self.base_url = base_url
        self.host = host
        self.auth = authenticator
        self.app: ASGIApp | None = None  # the app the tools call, set by ``bind``
        self._inner: ASGIApp | None = None
        self._lock = asyncio.Lock()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def route(self) -> Route:
        return Route(PATH, self)

    def bind(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        try:
            key = auth.api_key(headers.get("authorization"))
            # open or strict mode alike; the tools' calls are checked again, endpoint by endpoint, by the face
            callable_by(await self.auth.grant(key))
        except (AuthenticationError, PermissionDenied) as exc:
            status, body = errors.render(exc)
            answer_headers = [(b"content-type", b"application/json")]
            if status == 401:
                answer_headers.append((b"www-authenticate", b"Bearer"))
            await send({"type": "http.response.start", "status": status, "headers": answer_headers})
            await send({"type": "http.response.body", "body": orjson.dumps(body)})
            return
        async with self._lock:
            if self._inner is None:
                self._inner = await self._start()
        await self._inner(scope, receive, send)

    async def _start(self) -> ASGIApp:
        import httpx
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
        from mcp.server.transport_security import TransportSecuritySettings

        from arrears.agent.mcp_server import build
        from arrears.agent.tools import Toolset

        if self.app is None:
            raise RuntimeError("McpMount.bind(app) was not called")
        doc: dict[str, Any] = orjson.loads(stripe_openapi.document(self.base_url))
        toolset = Toolset.from_document(doc, base_url=self.base_url, transport=httpx.ASGITransport(app=self.app))
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
        ) if self.host in LOOPBACK else None
        manager = StreamableHTTPSessionManager(app=build(toolset), json_response=True, stateless=True,
                                               security_settings=security)
        ready = asyncio.Event()

        async def serve() -> None:
            async with manager.run():
                ready.set()
                await self._stop.wait()

        self._task = asyncio.create_task(serve())
        waiting = asyncio.ensure_future(ready.wait())
        await asyncio.wait({self._task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.is_set():
            waiting.cancel()
            self._task.result()  # raises what stopped the session manager
            raise RuntimeError("the MCP session manager stopped before it was ready")
        return StreamableHTTPASGIApp(manager)

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
