"""Request bodies bounded before they are read: ``BodyLimit``, a pure ASGI middleware in front of every face.

- A GET or HEAD passes untouched: the read path pays one comparison.
- A body whose ``Content-Length`` is over the limit is refused with a 413 at once, before a byte of it is
  read. One within the limit passes untouched too: the HTTP server delivers no more than it declared.
- A body of no declared length (``Transfer-Encoding: chunked``) is counted as the app reads it. The read
  that passes the limit answers the 413 and raises ``BodyTooLarge`` into the app; whatever the app sends
  afterwards is dropped. At most the limit plus one chunk is ever held.

The 413 is in the shape of the face the path belongs to: ``refusal(scope, limit)`` builds it (app.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Refusal = Callable[[Scope, int], Response]  # (the request, the limit) -> the face's 413
_BODILESS = frozenset({"GET", "HEAD"})


class BodyTooLarge(BaseException):
    """Raised from ``receive`` once a streamed body passes the limit. A BaseException, as
    asyncio.CancelledError is, so that the faces' catch-all handlers (which log a failure and answer 500)
    let it through to the middleware, which has already answered."""


def declared_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The body length the request declares, or None when it declares none (or a chunked one)."""
    length = None
    for name, value in headers:
        if name == b"content-length":
            length = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            return None
    return length


class BodyLimit:
    def __init__(self, app: ASGIApp, *, limit: int, refusal: Refusal) -> None:
        self.app = app
        self.limit = limit
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _BODILESS:
            await self.app(scope, receive, send)
            return
        length = declared_length(scope["headers"])
        if length is None:
            await _Counted(self, scope, receive, send).run()
        elif length > self.limit:
            await self.refusal(scope, self.limit)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class _Counted:
    """One request whose body is counted as it is read."""

    __slots__ = ("outer", "_receive", "refused", "scope", "seen", "_send", "started")

    def __init__(self, middleware: BodyLimit, scope: Scope, receive: Receive, send: Send) -> None:
        self.outer = middleware
        self.scope = scope
        self._receive = receive
        self._send = send
        self.seen = 0
        self.refused = False
        self.started = False  # a response has begun: too late for the 413

    async def run(self) -> None:
        try:
            await self.outer.app(self.scope, self.receive, self.send)
        except BaseException as exc:
            if not (self.refused and _only_refusals(exc)):
                raise

    async def receive(self) -> Message:
        if self.refused:
            raise BodyTooLarge
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.outer.limit:
                self.refused = True
                if not self.started:
                    self.started = True
                    await self.outer.refusal(self.scope, self.outer.limit)(self.scope, self._receive, self._send)
                raise BodyTooLarge
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


def _only_refusals(exc: BaseException) -> bool:
    """Whether ``exc`` is the refusal itself, or a group of nothing else (a task group in the MCP SDK)."""
    if isinstance(exc, BodyTooLarge):
        return True
    return isinstance(exc, BaseExceptionGroup) and exc.split(BodyTooLarge)[1] is None
