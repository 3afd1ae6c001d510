"""One measured scenario: a warm-up, then a bounded load run while the server tree's CPU, its peak RSS,
the load generator's CPU and the machine's CPU are recorded."""

from __future__ import annotations

import resource
import subprocess
import time
from dataclasses import dataclass, replace
from typing import Any

from bench.harness import loadgen, procs
from bench.harness.servers import AUTH
from bench.harness.wrk import Load, parse, wrk_command

DISTURBED_CORES = 0.3  # CPU on the machine that is not ours, above which a run counts as disturbed


@dataclass(frozen=True)
class Knobs:
    warmup: float
    duration: float
    connections: int
    loadgen: str  # "wrk" or "python"
    wait_idle: bool  # wait for a quiet machine before each measured run


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def run_load(url: str, load: Load, seconds: float, knobs: Knobs) -> tuple[str, float]:
    """Run one load; (report text, the load generator's CPU seconds)."""
    if knobs.loadgen == "python":
        c0 = _self_cpu()
        text = loadgen.run(url, load, connections=knobs.connections, seconds=seconds, headers=AUTH)
        return text, _self_cpu() - c0
    cmd = wrk_command(url, load, connections=knobs.connections, seconds=seconds, headers=AUTH)
    c0 = _children_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}\n{done.stdout}")
    return done.stdout, _children_cpu() - c0


def measure(name: str, url: str, root_pid: int, load: Load, knobs: Knobs, *, extra_pid: int = 0,
            retry_disturbed: bool = True, **labels: Any) -> dict[str, Any]:
    """Warm up, then measure ``load`` against the server whose process tree starts at ``root_pid``.
    ``extra_pid`` is a second tree whose CPU counts as the server's backend (PostgreSQL)."""
    offset = load.offset
    if knobs.warmup > 0:
        text, _ = run_load(url, load, knobs.warmup, knobs)
        offset += parse(text)["requests"] + 2 * knobs.connections  # replies not yet read still used ids
    attempts = 2 if retry_disturbed and knobs.wait_idle else 1
    result: dict[str, Any] = {}
    for attempt in range(1, attempts + 1):
        measured = replace(load, offset=offset)
        idle_before = procs.wait_until_idle(timeout=60) if knobs.wait_idle else None
        procs.reset_peak_rss(root_pid)
        before = procs.TreeSample.take(root_pid)
        extra_before = procs.TreeSample.take(extra_pid) if extra_pid else None
        m0, _ = procs.machine_busy_seconds()
        t0 = time.monotonic()
        text, gen_cpu = run_load(url, measured, knobs.duration, knobs)
        wall = time.monotonic() - t0
        m1, _ = procs.machine_busy_seconds()
        after = procs.TreeSample.take(root_pid)
        per_pid = after.minus(before)
        server_cpu = sum(per_pid.values())
        extra_cpu = sum(procs.TreeSample.take(extra_pid).minus(extra_before).values()) if extra_before else 0.0
        figures = parse(text)
        requests = max(figures["requests"], 1)
        other = (m1 - m0 - server_cpu - extra_cpu - gen_cpu) / wall
        result = {
            "name": name, **labels,
            "loadgen": knobs.loadgen, "connections": knobs.connections, "duration_s": knobs.duration,
            "warmup_s": knobs.warmup, "requests": figures["requests"], "rps": round(figures["rps"], 1),
            "p50_ms": figures["latency_ms"]["p50"], "p99_ms": figures["latency_ms"]["p99"],
            "latency_ms": figures["latency_ms"], "non2xx": figures["non2xx"],
            "socket_errors": figures["socket_errors"],
            "cpu_ms_per_req": round(server_cpu * 1000 / requests, 4),
            "server_cores": round(server_cpu / wall, 3),
            "worker_cores": sorted((round(v / wall, 3) for v in per_pid.values() if v > 0.01 * wall), reverse=True),
            "peak_rss_mb": round(procs.peak_rss_mb(root_pid), 1),
            "loadgen_cores": round(gen_cpu / wall, 3), "other_cores": round(max(other, 0.0), 3),
            "disturbed": other > DISTURBED_CORES, "attempt": attempt, "raw": text,
        }
        if idle_before is not None:
            result["busy_cores_before"] = round(idle_before, 3)
        if extra_before is not None:
            result["backend_cpu_ms_per_req"] = round(extra_cpu * 1000 / requests, 4)
            result["backend_cores"] = round(extra_cpu / wall, 3)
        if "sequences" in figures:
            result["sequences"] = figures["sequences"]
            result["sequences_per_s"] = round(figures["sequences_per_s"], 1)
        if not result["disturbed"]:
            break
        offset += figures["requests"] + 2 * knobs.connections  # a walk goes on with fresh ids
    return result
