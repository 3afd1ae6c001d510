"""A small closed-loop HTTP/1.1 load generator (asyncio, keep-alive), for machines without wrk and for the
smoke test. It runs the same ``Load`` modes as the wrk Lua scripts and prints wrk's ``--latency`` report
shape, so ``wrk.parse`` reads both. It spends ~50 µs of its own CPU per request (wrk ~10 µs): use it to
check the harness, not to measure a server."""

from __future__ import annotations

import asyncio
import random
import re
import time
from urllib.parse import urlsplit

from bench.harness.wrk import Load

_ID = re.compile(rb'"id":\s*"(in_\w+)"')
_STATUS = re.compile(rb'"status":\s*"([a-z]+)"')
_NOTHING_DUE = re.compile(rb'"amount_due":\s*0[,}]')


def _fmt_ms(ms: float) -> str:
    if ms < 1:
        return f"{ms * 1000:.2f}us"
    if ms < 1000:
        return f"{ms:.2f}ms"
    return f"{ms / 1000:.2f}s"


def _fmt_bytes(n: int) -> str:
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return f"{n}.00B"


class _Requests:
    """The next request of a ``Load``, shared by all connections (like wrk's per-thread script)."""

    def __init__(self, load: Load, host: str, headers: dict[str, str]) -> None:
        self.load = load
        self.host = host
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.ids = load.ids.read_text().split() if load.ids else []
        self.next_index = load.offset
        self.todo: list[tuple[str, str]] = []
        self.sequences = 0

    def build(self, method: str, path: str, body: str) -> bytes:
        extra = f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n" \
            if method == "POST" else ""
        return f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.headers}{extra}\r\n{body}".encode()

    def next(self) -> bytes:
        ld = self.load
        if ld.mode == "fixed":
            return self.build(ld.method, ld.path, ld.body)
        if ld.mode == "random":
            return self.build(ld.method, ld.prefix + random.choice(self.ids) + ld.suffix, ld.body)
        if ld.mode == "walk":
            obj = self.ids[self.next_index % len(self.ids)]
            self.next_index += 1
            return self.build(ld.method, ld.prefix + obj + ld.suffix, ld.body)
        if self.todo:
            return self.build("POST", *self.todo.pop())
        return self.build("POST", ld.path, ld.body)

    def answered(self, status: int, body: bytes) -> None:
        if self.load.mode != "sequence" or status != 200:
            return
        found_id, found_status = _ID.search(body), _STATUS.search(body)
        if found_id is None or found_status is None:
            return
        key = found_status.group(1).decode()
        if key == "draft" and "draft0" in self.load.steps and _NOTHING_DUE.search(body):
            key = "draft0"
        action = self.load.steps.get(key)
        if action:
            name, _, action_body = action.partition("|")
            self.todo.append((f"{self.load.prefix}{found_id.group(1).decode()}/{name}", action_body))
        else:
            self.sequences += 1


async def _connection(host: str, port: int, reqs: _Requests, stop_at: float, lat: list[float],
                      stats: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < stop_at:
            payload = reqs.next()
            t0 = time.perf_counter()
            writer.write(payload)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
            body = await reader.readexactly(int(m.group(1))) if m else b""
            lat.append((time.perf_counter() - t0) * 1000)
            stats["bytes"] += len(head) + len(body)
            if not 200 <= status < 400:
                stats["non2xx"] += 1
            reqs.answered(status, body)
    except (ConnectionError, asyncio.IncompleteReadError):
        stats["read_errors"] += 1
    finally:
        writer.close()


async def _run(base_url: str, load: Load, connections: int, seconds: float, headers: dict[str, str]) -> str:
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    reqs = _Requests(load, f"{host}:{port}", headers)
    lat: list[float] = []
    stats = {"bytes": 0, "non2xx": 0, "read_errors": 0}
    started = time.monotonic()
    await asyncio.gather(*(_connection(host, port, reqs, started + seconds, lat, stats)
                           for _ in range(connections)))
    elapsed = time.monotonic() - started
    lat.sort()
    n = len(lat)

    def pct(p: float) -> float:
        return lat[min(n - 1, int(p / 100 * n))] if n else 0.0

    mean = sum(lat) / n if n else 0.0
    sd = (sum((x - mean) ** 2 for x in lat) / n) ** 0.5 if n else 0.0
    lines = [
        f"Running {seconds:g}s test @ {base_url} (python loadgen)",
        f"  1 threads and {connections} connections",
        "  Thread Stats   Avg      Stdev     Max   +/- Stdev",
        f"    Latency   {_fmt_ms(mean)}  {_fmt_ms(sd)}  {_fmt_ms(lat[-1] if n else 0)}   0.00%",
        "  Latency Distribution",
        *(f"     {p}%  {_fmt_ms(pct(p))}" for p in (50, 75, 90, 99)),
        f"  {n} requests in {elapsed:.2f}s, {_fmt_bytes(stats['bytes'])} read",
    ]
    if stats["read_errors"]:
        lines.append(f"  Socket errors: connect 0, read {stats['read_errors']}, write 0, timeout 0")
    if stats["non2xx"]:
        lines.append(f"  Non-2xx or 3xx responses: {stats['non2xx']}")
    lines.append(f"Requests/sec: {n / elapsed:10.2f}")
    if load.mode == "sequence":
        lines.append(f"SEQUENCES {reqs.sequences}")
    return "\n".join(lines) + "\n"


def run(base_url: str, load: Load, *, connections: int, seconds: float, headers: dict[str, str]) -> str:
    """Drive ``load`` for ``seconds`` over ``connections`` keep-alive connections; wrk's report shape."""
    return asyncio.run(_run(base_url, load, connections, seconds, headers))
