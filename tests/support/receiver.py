"""A real webhook endpoint on loopback for the tests.

``Receiver`` is an HTTP server in a thread on 127.0.0.1 that checks every POST with the official SDK
(``stripe.Webhook.construct_event``) against the secret it is given, the way a Stripe integration would.
It can answer 500 to its first ``fail_first`` requests, then 200, to play an endpoint that is down and
comes back; or, with ``dribble=seconds``, take every POST and then answer one byte every ``seconds``,
never finishing (a slow endpoint that would hold a worker forever without a deadline per attempt).
``Hangup`` is an open port that accepts connections and closes them without a word.

    with Receiver() as hook:
        endpoint = client.v1.webhook_endpoints.create(params={"url": hook.url, "enabled_events": ["*"]})
        hook.secret = endpoint.secret
        ...
        events = hook.wait_for(3)
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe


@dataclass(frozen=True)
class Delivery:
    """One POST as it arrived, and what the receiver answered."""

    body: bytes
    headers: dict[str, str]
    status: int
    event: stripe.Event | None  # None when the signature did not verify or the receiver failed on purpose
    error: str | None = None
    at: float = field(default_factory=time.monotonic)  # when it arrived (time.monotonic)


class Receiver:
    def __init__(self, secret: str | None = None, *, fail_first: int = 0, fail_status: int = 500,
                 dribble: float | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.dribble = dribble
        self._stopping = threading.Event()
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.server_names: list[str | None] = []  # with ``tls``: the name each client asked for (SNI)
        self.tls = tls
        if tls is not None:
            tls.sni_callback = lambda sock, name, ctx: self.server_names.append(name)  # type: ignore[assignment]
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/webhook"

    # --- what arrived -------------------------------------------------------------------------------
    @property
    def events(self) -> list[stripe.Event]:
        """Every event that verified and was acknowledged with 200, in arrival order."""
        with self._lock:
            return [d.event for d in self.deliveries if d.event is not None and d.status == 200]

    @property
    def rejected(self) -> list[Delivery]:
        """Requests whose signature did not verify."""
        with self._lock:
            return [d for d in self.deliveries if d.error is not None]

    def event_ids(self) -> list[str]:
        return [e.id for e in self.events]

    def wait_for(self, count: int, timeout: float = 15.0) -> list[stripe.Event]:
        """Block until ``count`` events were acknowledged (or fail after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                got = [d.event for d in self.deliveries if d.event is not None and d.status == 200]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.url} acknowledged {len(got)} of {count} events within {timeout}s; "
                        f"received {[(d.status, d.error) for d in self.deliveries]}")
                self._changed.wait(left)

    def wait_for_event(self, event_id: str, timeout: float = 15.0) -> stripe.Event:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for d in self.deliveries:
                    if d.event is not None and d.status == 200 and d.event.id == event_id:
                        return d.event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{self.url} did not acknowledge {event_id} within {timeout}s")
                self._changed.wait(left)

    # --- lifecycle ----------------------------------------------------------------------------------
    def start(self) -> Receiver:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="webhook-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the endpoint -------------------------------------------------------------------------------
    def _receive(self, body: bytes, headers: dict[str, str]) -> int:
        with self._changed:
            failing = sum(1 for d in self.deliveries if d.error is None and d.status != 200) < self.fail_first
            if failing:
                self.deliveries.append(Delivery(body, headers, self.fail_status, None))
                self._changed.notify_all()
                return self.fail_status
            secret = self.secret
        event: stripe.Event | None = None
        error: str | None = None
        if secret is None:
            error = "the receiver has no secret yet"
        else:
            try:
                event = stripe.Webhook.construct_event(body.decode("utf-8"), headers.get("stripe-signature", ""),
                                                       secret)
            except (stripe.SignatureVerificationError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"
        status = 400 if error else 200
        with self._changed:
            self.deliveries.append(Delivery(body, headers, status, event, error))
            self._changed.notify_all()
        return status

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if receiver.dribble is not None:
                    self._dribble(body, headers, receiver.dribble)
                    return
                status = receiver._receive(body, headers)
                reply = b'{"received": true}' if status == 200 else b'{"received": false}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def _dribble(self, body: bytes, headers: dict[str, str], every: float) -> None:
                """Record the POST, then answer a byte at a time until the receiver stops."""
                with receiver._changed:
                    receiver.deliveries.append(Delivery(body, headers, 0, None))
                    receiver._changed.notify_all()
                self.close_connection = True
                answer = b"HTTP/1.1 200 OK\r\nX-Dribble: "
                sent = 0
                while not receiver._stopping.is_set():
                    try:
                        self.wfile.write(answer[sent:sent + 1] if sent < len(answer) else b"a")
                        self.wfile.flush()
                    except OSError:  # the worker gave up and closed the connection
                        return
                    sent += 1
                    receiver._stopping.wait(every)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet the test output
                pass

        return Handler


class Hangup:
    """An open port on 127.0.0.1 that accepts every connection and closes it at once, without an answer
    (what a non-HTTP service, or one that drops the request, looks like to the worker)."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.05)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="webhook-hangup", daemon=True)
        self.connections = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/webhook"

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def __enter__(self) -> Hangup:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)
        self._sock.close()
