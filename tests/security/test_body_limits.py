"""Request bodies are bounded before they are read (api/limits.py): a body over ARREARS_MAX_BODY_BYTES
(1 MiB by default) is a 413 in the face's own error shape, at once when ``Content-Length`` announces it and
as soon as the bound is passed when it streams (chunked), so the server holds at most the bound per
request. A body at the bound is served as before.

The requests go over raw sockets: an HTTP client that sends the whole body before reading (as httpx and
the SDKs do) cannot see an answer that arrives while it is still sending."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from arrears.api.limits import declared_length
from arrears.config import DEFAULT_MAX_BODY_BYTES, ConfigError, from_env
from tests.support.faces import FLEX_KEY
from tests.support.server import KEY, Server

LIMIT = DEFAULT_MAX_BODY_BYTES
STRIPE_MESSAGE = f"The request body is larger than {LIMIT} bytes, the most this server accepts."
CHUNK = b"a" * 65536


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    sent: int = 0  # body bytes the client got out before the answer (or the closed connection) stopped it

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Post:
    """One POST over a raw socket: the head, then the body as announced or as chunks, while a reader
    thread waits for the answer. Sending stops as soon as the answer has come."""

    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)

    def _open(self, framing: str) -> tuple[socket.socket, bytearray, threading.Thread]:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        head = f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{framing}"
        head += "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()) + "\r\n"
        sock.sendall(head.encode())
        got = bytearray()

        def read() -> None:
            try:
                while data := sock.recv(65536):
                    got.extend(data)
                    if _complete(got):
                        return
            except OSError:
                pass

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        return sock, got, reader

    def announced(self, length: int, body: bytes = b"", *, wait: float = 10) -> Answer:
        """Announce ``length`` bytes, send ``body`` (often none of them), and wait for the answer."""
        sock, got, reader = self._open(f"Content-Length: {length}\r\n")
        try:
            if body:
                with contextlib.suppress(OSError):  # the server answered and closed without reading it all
                    sock.sendall(body)
            reader.join(wait)
            return _parse(bytes(got), len(body))
        finally:
            sock.close()

    def chunked(self, total: int, body: bytes | None = None) -> Answer:
        """Stream ``body`` (or ``total`` bytes of padding) in 64 KiB chunks, stopping once answered."""
        sock, got, reader = self._open("Transfer-Encoding: chunked\r\n")
        sent = 0
        try:
            try:
                while sent < total and not got:
                    piece = CHUNK if body is None else body[sent:sent + len(CHUNK)]
                    sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                    sent += len(piece)
                if not got:
                    sock.sendall(b"0\r\n\r\n")
            except OSError:  # the server closed the connection after answering
                pass
            reader.join(30)
            return _parse(bytes(got), sent)
        finally:
            sock.close()


def _complete(raw: bytes | bytearray) -> bool:
    head, sep, rest = bytes(raw).partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(rest) >= int(value)
    return False


def _parse(raw: bytes, sent: int) -> Answer:
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep, f"no answer from the server (got {raw[:200]!r})"
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", len(rest)))
    return Answer(int(lines[0].split()[1]), headers, rest[:length], sent)


def padded_json(doc: dict[str, Any], size: int) -> bytes:
    """``doc`` as JSON, padded with trailing spaces (JSON whitespace) to exactly ``size`` bytes."""
    text = orjson.dumps(doc)
    assert len(text) <= size
    return text + b" " * (size - len(text))


STRIPE_AUTH = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/x-www-form-urlencoded"}
JSON_AUTH = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}


def check_stripe_413(answer: Answer) -> None:
    assert answer.status == 413, answer
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["request-id"].startswith("req_")
    assert answer.json() == {"error": {"type": "invalid_request_error", "message": STRIPE_MESSAGE}}


def check_flex_413(answer: Answer) -> None:
    assert answer.status == 413, answer
    assert answer.json() == {"error": {"code": "request_too_large", "type": "invalid_request_error",
                                       "message": STRIPE_MESSAGE}}


def check_yorlet_413(answer: Answer) -> None:
    assert answer.status == 413, answer
    assert answer.json() == {"error": {"message": STRIPE_MESSAGE, "param": None, "type": "invalid_request"},
                             "status": 413}


def check_dashboard_413(answer: Answer) -> None:
    assert answer.status == 413, answer
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.body.decode() == STRIPE_MESSAGE


# (path, headers, how its 413 looks): the Stripe face, Flex, Yorlet, the dashboard's sign-in form (no key
# needed) and the MCP endpoint (a valid key: MCP checks it before the SDK reads anything).
FACES = {
    "stripe": ("/v1/customers", STRIPE_AUTH, check_stripe_413),
    "flex": ("/flex/v1/customers", {"Authorization": f"Bearer {FLEX_KEY}", "Content-Type": "application/json"},
             check_flex_413),
    "yorlet": ("/yorlet/v1/customers", JSON_AUTH, check_yorlet_413),
    "dashboard": ("/dashboard/sign-in", {"Content-Type": "application/x-www-form-urlencoded"},
                  check_dashboard_413),
    "mcp": ("/mcp", {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json",
                     "Accept": "application/json, text/event-stream"}, check_stripe_413),
}


@pytest.mark.parametrize("face", FACES)
def test_a_body_announced_over_the_limit_is_a_413_before_any_of_it_is_sent(server: Server, face: str) -> None:
    path, headers, check = FACES[face]
    # Given a request that announces a gigabyte and sends none of it
    started = time.monotonic()
    answer = Post(server.port, path, headers).announced(1 << 30)
    # Then the answer comes at once: the server never waited for the body
    check(answer)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("face", FACES)
def test_a_chunked_body_over_the_limit_is_a_413_once_the_limit_is_passed(server: Server, face: str) -> None:
    path, headers, check = FACES[face]
    # Given a 50 MB body streamed in chunks, with no length announced
    answer = Post(server.port, path, headers).chunked(50_000_000)
    # Then the 413 comes while it is still streaming: the server stopped reading near the limit
    check(answer)
    assert answer.sent < 50_000_000


def test_a_body_exactly_at_the_limit_is_served_announced_or_chunked(server: Server) -> None:
    for how in ("announced", "chunked"):
        # Given a customer create whose JSON body is padded to exactly the limit
        email = f"at-the-limit-{how}@example.com"
        body = padded_json({"email": email}, LIMIT)
        post = Post(server.port, "/v1/customers", JSON_AUTH)
        answer = post.announced(len(body), body) if how == "announced" else post.chunked(len(body), body)
        # Then it is created as usual
        assert answer.status == 200, (how, answer)
        assert answer.json()["email"] == email


def test_a_body_one_byte_over_the_limit_is_refused_announced_or_chunked(server: Server) -> None:
    body = padded_json({"email": "over@example.com"}, LIMIT + 1)
    post = Post(server.port, "/v1/customers", JSON_AUTH)
    check_stripe_413(post.announced(len(body), body))
    check_stripe_413(post.chunked(len(body), body))


def test_the_sdk_sees_a_stripe_error_for_a_body_over_the_limit(server: Server) -> None:
    # The ordinary path of a client: httpx sends the whole (announced) body, then reads the 413
    response = httpx.post(server.url + "/v1/customers", content=b"description=" + b"a" * LIMIT,
                          headers=STRIPE_AUTH, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"] == {"type": "invalid_request_error", "message": STRIPE_MESSAGE}


def test_each_413_carries_its_own_request_id(server: Server) -> None:
    path, headers, _ = FACES["stripe"]
    ids = {Post(server.port, path, headers).announced(LIMIT + 1).headers["request-id"] for _ in range(3)}
    assert len(ids) == 3


def test_the_limit_is_set_by_ARREARS_MAX_BODY_BYTES(database: str, tmp_path: Path) -> None:  # noqa: N802
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_MAX_BODY_BYTES": "4096"}) as srv:
        post = Post(srv.port, "/v1/customers", JSON_AUTH)
        # A body at the configured bound is served; one byte more is refused, announced or chunked
        assert post.announced(4096, padded_json({"email": "small@example.com"}, 4096)).status == 200
        over = padded_json({"email": "small@example.com"}, 4097)
        for answer in (post.announced(4097, over), post.chunked(4097, over)):
            assert answer.status == 413
            assert answer.json()["error"]["message"] == (
                "The request body is larger than 4096 bytes, the most this server accepts.")


@pytest.mark.parametrize("value", ["0", "-5", "1MB"])
def test_a_body_limit_that_is_not_a_positive_whole_number_stops_the_server_at_start(
        monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ARREARS_MAX_BODY_BYTES", value)
    with pytest.raises(ConfigError, match="ARREARS_MAX_BODY_BYTES"):
        from_env()


def test_only_a_valid_content_length_without_chunking_counts_as_declared() -> None:
    assert declared_length([(b"host", b"x"), (b"content-length", b"12")]) == 12
    assert declared_length([(b"content-length", b"12"), (b"transfer-encoding", b"chunked")]) is None
    assert declared_length([(b"content-length", b"-1")]) is None
    assert declared_length([(b"host", b"x")]) is None


# --- memory ---------------------------------------------------------------------------------------------

def tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (the server and its workers), in KiB."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent and p not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for member in tree:
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def test_concurrent_big_streamed_bodies_leave_the_servers_memory_small(server: Server) -> None:
    assert server.proc is not None and os.path.exists(f"/proc/{server.proc.pid}")
    pid = server.proc.pid
    before = tree_rss_kib(pid)
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # When four clients at once stream 50 MB bodies, two to the API and two to the keyless sign-in form
    answers: list[Answer] = []
    targets = [FACES["stripe"], FACES["stripe"], FACES["dashboard"], FACES["dashboard"]]

    def stream(path: str, headers: dict[str, str]) -> None:
        answers.append(Post(server.port, path, headers).chunked(50_000_000))

    clients = [threading.Thread(target=stream, args=(path, headers)) for path, headers, _ in targets]
    for client in clients:
        client.start()
    for client in clients:
        client.join(60)
    time.sleep(0.2)
    done.set()
    sampler.join()
    after = tree_rss_kib(pid)
    # Then every one is refused, and the server's memory grew by far less than one body, during and after
    assert sorted(a.status for a in answers) == [413] * 4
    assert peak - before < 32 * 1024, f"RSS grew from {before} KiB to a peak of {peak} KiB"
    assert after - before < 32 * 1024, f"RSS grew from {before} KiB to {after} KiB"
