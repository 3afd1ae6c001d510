"""arrears' own endpoints for the Stripe CLI's loop (``arrears listen``, ``arrears logs tail``), under the
reserved prefix ``/_arrears/v1/``, and the ASGI middleware that feeds them.

- ``GET /_arrears/v1/events/wait?after=evt_…&timeout=25&types=a,b&latest=true``: a long poll. The events
  newer than ``after`` (oldest first, up to 100), as soon as there is one, or an empty list when
  ``timeout`` seconds (at most 60) pass. Without ``after`` it answers at once with the newest event's id
  as the ``cursor`` to start from (``*`` when there is none yet: from the first event on). The client
  passes the ``cursor`` of each answer as the next ``after``, so it neither misses nor repeats an event,
  across server restarts too (the cursor is an event id).
- ``GET /``: what this server is and where to go (JSON; a small page for a browser).
- ``GET /_arrears/v1/request_log/wait?after=CURSOR&timeout=25``: the same for the request log this process
  keeps while someone tails it: each finished request's method, path, status, request id, mode, latency
  and, for failures, the error. A reader sees only the requests of its own account and mode.

``Tap`` is the middleware: when a request that may have written finishes it rings the ``Bell`` the waiters
sleep on (requests served by other worker processes are seen by a re-read once a second), and while a
tail is active it records the request. Nothing is recorded, and nothing costs, when nobody tails."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import html
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from arrears import __version__
from arrears.api import cycle
from arrears.api.auth import api_key
from arrears.api.env import Env
from arrears.api.stripe import face as stripe_face
from arrears.domain import Doc, versions
from arrears.domain.errors import ArrearsError, ParamError
from arrears.store.base import Scope as StoreScope
from arrears.store.query import Cond, Filter, Page

PREFIX = "/_arrears/v1"
MAX_WAIT = 60.0
RECHECK = 1.0  # seconds between re-reads while waiting (events written by another worker process)
TAIL_GRACE = 90.0  # a tail keeps the log recording this long after its last read
LOG_SIZE = 2000
ERROR_BODY = 16384  # bytes of an error answer read for its message


class Bell:
    """Wakes every waiter when a request that may have written finishes in this process."""

    def __init__(self) -> None:
        self._rung: asyncio.Event | None = None

    def ring(self) -> None:
        if self._rung is not None:
            self._rung.set()
            self._rung = None

    async def wait(self, seconds: float) -> None:
        if self._rung is None:
            self._rung = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._rung.wait(), timeout=max(seconds, 0.0))


@dataclass
class RequestLog:
    """The last LOG_SIZE requests of this process, numbered, kept only while someone tails."""

    entries: collections.deque[Doc] = field(default_factory=lambda: collections.deque(maxlen=LOG_SIZE))
    seq: int = 0
    tailed_until: float = 0.0
    boot: str = field(default_factory=lambda: f"{time.time_ns():x}")  # cursors of another run start over

    def cursor(self, seq: int) -> str:
        return f"{self.boot}.{seq}"

    def position(self, cursor: str) -> int:
        """The number after which a cursor's reader has seen everything; 0 for a cursor of another run."""
        boot, _, seq = cursor.partition(".")
        return int(seq) if boot == self.boot else 0

    @property
    def active(self) -> bool:
        return time.monotonic() < self.tailed_until

    def touch(self) -> None:
        self.tailed_until = time.monotonic() + TAIL_GRACE

    def add(self, entry: Doc) -> None:
        self.seq += 1
        self.entries.append({"seq": self.seq, **entry})

    def after(self, seq: int, account: str, livemode: bool) -> Iterator[Doc]:
        for entry in self.entries:
            if entry["seq"] > seq and entry["account"] == account and entry["livemode"] == livemode:
                yield entry


class Tap:
    """Pure ASGI middleware: rings ``bell`` after writes, records requests into ``log`` while it is tailed."""

    def __init__(self, app: ASGIApp, bell: Bell, log: RequestLog, env: Env) -> None:
        self.app, self.bell, self.log, self.env = app, bell, log, env

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        recording = self.log.active and not scope["path"].startswith(PREFIX + "/request_log")
        if not recording:  # the usual case: nothing to see of the answer, so the answer is not wrapped
            if scope["method"] in ("GET", "HEAD", "OPTIONS"):
                await self.app(scope, receive, send)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                self.bell.ring()
            return
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 0, "request_id": None, "body": b""}

        async def tapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for name, value in message.get("headers") or ():
                    if name.lower() == b"request-id":
                        seen["request_id"] = value.decode("latin-1")
            elif recording and message["type"] == "http.response.body" and seen["status"] >= 400:
                seen["body"] = (seen["body"] + message.get("body", b""))[:ERROR_BODY]
            await send(message)

        try:
            await self.app(scope, receive, tapped)
        finally:
            if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.bell.ring()
            if recording:
                await self._record(scope, seen, started)

    async def _record(self, scope: Scope, seen: dict[str, Any], started: float) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        try:
            grant = await self.env.auth.grant(api_key(headers.get("authorization")))
            where = await self.env.auth.scope_for(grant, headers.get("stripe-account"))
        except Exception:  # noqa: BLE001 - no usable key (or no answer about it): the request is nobody's to read
            return
        error = None
        if seen["status"] >= 400:
            error = _error_of(seen["body"])
        self.log.add({
            "created": int(time.time()), "method": scope["method"], "path": scope["path"],
            "status": seen["status"], "request_id": seen["request_id"], "account": where.account,
            "livemode": where.livemode, "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "error_type": error and error.get("type"), "error_message": error and error.get("message"),
        })
        self.bell.ring()


def _error_of(body: bytes) -> dict[str, Any] | None:
    import orjson

    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {"type": None, "message": body[:200].decode("utf-8", "replace")}
    error = decoded.get("error") if isinstance(decoded, dict) else None
    return error if isinstance(error, dict) else None


def _timeout(request: Request) -> float:
    text = request.query_params.get("timeout") or "25"
    try:
        value = float(text)
    except ValueError:
        raise ParamError(f"Invalid timeout: {text[:40]!r} is not a number of seconds.", param="timeout") from None
    if not 0 <= value <= MAX_WAIT:
        raise ParamError(f"Invalid timeout: wait between 0 and {MAX_WAIT:g} seconds.", param="timeout")
    return value


def routes(env: Env, bell: Bell, log: RequestLog) -> list[Route]:
    async def authorized(request: Request, resource: str) -> StoreScope:
        key = api_key(request.headers.get("authorization"))
        _, where = await env.auth.authorize(key, path=resource, write=False, headers=request.headers)
        return where

    def refused(request: Request, exc: ArrearsError) -> Response:
        return cycle.refuse(stripe_face.DIALECT, exc, env.ids.new("req", 14), request.headers)

    async def wait_events(request: Request) -> Response:
        try:
            where = await authorized(request, "/v1/events")
            timeout = _timeout(request)
        except ArrearsError as exc:
            return refused(request, exc)
        after = request.query_params.get("after") or None
        types = tuple(t for t in (request.query_params.get("types") or "").split(",") if t)
        latest = request.query_params.get("latest") == "true"
        conds = (Cond("type", "in", types),) if types else ()

        async def newer(cursor: str | None, limit: int) -> list[Doc]:
            """Newest first: the ``limit`` events just after ``cursor`` ("*": the first ones ever)."""
            page = Page(limit=limit, oldest_first=True) if cursor == "*" else Page(limit=limit, ending_before=cursor)
            found = await env.store.read(lambda tx: tx.list("events", Filter(conds), page), scope=where)
            return found.docs[::-1] if cursor == "*" else found.docs

        if after is None:
            newest = await newer(None, 1)
            return cycle.answer(200, {"object": "list", "data": [], "cursor": newest[0]["id"] if newest else "*"},
                                env.ids.new("req", 14))
        deadline = time.monotonic() + timeout
        while True:
            docs = await newer(after, 100)
            if docs or time.monotonic() >= deadline:
                break
            await bell.wait(min(RECHECK, deadline - time.monotonic()))
        shown = [versions.event_at(d, versions.LATEST) if latest else versions.event(d) for d in reversed(docs)]
        body = {"object": "list", "data": shown, "cursor": shown[-1]["id"] if shown else after}
        return cycle.answer(200, body, env.ids.new("req", 14))

    async def wait_requests(request: Request) -> Response:
        try:
            where = await authorized(request, "/v1/events")
            timeout = _timeout(request)
            given = request.query_params.get("after")
            after = log.position(given) if given else -1
        except ValueError:
            return refused(request, ParamError("Invalid after: use the cursor of the previous answer.",
                                               param="after"))
        except ArrearsError as exc:
            return refused(request, exc)
        log.touch()
        if after < 0:  # start now: what happened before the tail began is not replayed
            return cycle.answer(200, {"object": "list", "data": [], "cursor": log.cursor(log.seq)},
                                env.ids.new("req", 14))
        deadline = time.monotonic() + timeout
        while True:
            found = list(log.after(after, where.account or "", where.livemode))
            if found or time.monotonic() >= deadline:
                break
            await bell.wait(deadline - time.monotonic())
        cursor = log.cursor(found[-1]["seq"] if found else after)
        return cycle.answer(200, {"object": "list", "data": found, "cursor": cursor}, env.ids.new("req", 14))

    async def home(request: Request) -> Response:
        """``GET /``: what this server is and where to go, as JSON (a small page for a browser)."""
        base = env.base_url
        about = {"object": "arrears_server", "name": "arrears", "version": __version__,
                 "description": "A Stripe-compatible invoicing server that keeps books on bad debt.",
                 "stripe_api": f"{base}/v1", "openapi": f"{base}/openapi.json", "dashboard": f"{base}/dashboard",
                 "mcp": f"{base}/mcp", "listen": f"arrears listen --api-base {base} --forward-to URL"}
        if "text/html" not in request.headers.get("accept", ""):
            return cycle.answer(200, about, env.ids.new("req", 14))
        items = "".join(f"<li>{html.escape(k)}: <code>{html.escape(str(v))}</code></li>" for k, v in about.items()
                        if k not in ("object", "name", "description"))
        page = (f"<!doctype html><meta charset=utf-8><title>arrears</title><h1>arrears {__version__}</h1>"
                f"<p>{html.escape(str(about['description']))}</p><ul>{items}</ul>")
        return HTMLResponse(page, headers={"Content-Security-Policy": "default-src 'none'"})

    return [Route("/", home, methods=["GET"]),
            Route(PREFIX + "/events/wait", wait_events, methods=["GET"]),
            Route(PREFIX + "/request_log/wait", wait_requests, methods=["GET"])]
