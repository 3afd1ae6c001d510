"""Load runs: what to send (``Load``), wrk's command line for it, and the parser of wrk's ``--latency``
report. The Python load generator (``loadgen.py``) prints the same report, so both go through
``parse``."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LUA = Path(__file__).resolve().parent.parent / "lua"
INSTALL_HINT = "wrk is not installed: `make bench` installs it (apt-get install wrk, Debian)."
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_SIZE = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


@dataclass(frozen=True)
class Load:
    """One kind of traffic. ``mode``:
    - ``fixed``: ``method path`` with ``body`` every time;
    - ``random``: ``method prefix+ID+suffix``, ID drawn at random from ``ids`` per request;
    - ``walk``: the same, taking the ids in order from ``offset``, each once;
    - ``sequence``: ``POST path`` (create) with ``body``, then per reply, the action that ``steps`` maps the
      invoice's status to (``POST prefix+ID+"/"+action``, with the body after a ``|`` in the action), until a
      status with no step: one sequence. The key ``draft0`` is a draft with nothing due.
    """

    mode: str
    method: str = "GET"
    path: str = "/"
    prefix: str = ""
    suffix: str = ""
    body: str = ""
    ids: Path | None = None
    offset: int = 0
    steps: dict[str, str] = field(default_factory=dict)

    def lua_args(self) -> list[str]:
        if self.mode == "fixed":
            return [self.method, self.path, self.body]
        if self.mode in ("random", "walk"):
            assert self.ids is not None
            return [str(self.ids), self.method, self.prefix, self.suffix, self.body, str(self.offset)]
        if self.mode == "sequence":
            return [self.path, self.body, self.prefix, *(f"{k} {v}" for k, v in self.steps.items())]
        raise ValueError(self.mode)


def wrk_command(base_url: str, load: Load, *, connections: int, seconds: float, headers: dict[str, str],
                threads: int = 1, timeout_s: int = 10) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError(INSTALL_HINT)
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
           "--timeout", f"{timeout_s}s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd += ["-s", str(LUA / f"{load.mode}.lua"), base_url, "--", *load.lua_args()]
    return cmd


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse(text: str) -> dict[str, Any]:
    """The figures of one wrk ``--latency`` report (or the Python load generator's, which has the same
    shape): requests, seconds, req/s, latency percentiles in ms, errors and non-2xx replies, and the
    ``SEQUENCES n`` line the sequence script adds."""
    out: dict[str, Any] = {"latency_ms": {}, "non2xx": 0, "socket_errors": {}}
    m = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMGT]?B) read", text, re.M)
    if not m:
        raise ValueError("no 'N requests in T' line in the load generator's report:\n" + text)
    out["requests"] = int(m.group(1))
    out["seconds"] = _ms(m.group(2) + m.group(3)) / 1000
    out["bytes_read"] = int(float(m.group(4)) * _SIZE[m.group(5)])
    m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    out["rps"] = float(m.group(1)) if m else out["requests"] / out["seconds"]
    dist = text.split("Latency Distribution", 1)
    if len(dist) == 2:
        for pct, value in re.findall(r"^\s+(\d+(?:\.\d+)?)%\s+(\S+)", dist[1], re.M):
            out["latency_ms"][f"p{pct.removesuffix('.000')}"] = _ms(value)
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    if m:
        out["latency_ms"]["mean"] = _ms(m.group(1))
        out["latency_ms"]["max"] = _ms(m.group(3))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non2xx"] = int(m.group(1))
    m = re.search(r"^SEQUENCES (\d+)", text, re.M)
    if m:
        out["sequences"] = int(m.group(1))
        out["sequences_per_s"] = int(m.group(1)) / out["seconds"]
    if "p50" not in out["latency_ms"] or "p99" not in out["latency_ms"]:
        raise ValueError("no latency distribution (run wrk with --latency):\n" + text)
    return out
