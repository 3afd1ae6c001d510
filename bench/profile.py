"""Profile an arrears server under load with py-spy (sampling, --nonblocking, all worker processes):

    python -m bench.profile --op get|mark|create [--server stock|nodelay] [--seconds 10]

Starts arrears (``stock``: ``arrears serve --workers 2``; ``nodelay``: the same app with TCP_NODELAY,
bench/harness/whatif_app.py) on a copy of the main fixture, drives it with wrk, records collapsed
stacks to bench/.work/profiles/<op>-<server>.txt and a flame graph (.svg), and prints the wrk figures
and the functions with the most samples (self and inclusive)."""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import procs, servers
from bench.harness.fixtures import Fixture, sqlite_fixture
from bench.harness.wrk import Load, parse, wrk_command
from bench.run import BENCH, INV, _copy, _mark, plan_for

PY_SPY = BENCH / ".work" / "venv" / "bin" / "py-spy"
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def main_fixture_copy(name: str) -> tuple[Fixture, Path]:
    """The full run's main fixture (built and cached when missing) and a working copy of it."""
    work = BENCH / ".work"
    plan = plan_for("full", "wrk")
    fx = sqlite_fixture(work / "fixtures", invoices=plan.main_invoices,
                        targets=int(plan.mark_budget * plan.seconds * 1.2) + 4 * plan.knobs.connections)
    return fx, _copy(fx, work / "scratch", name)


def area(frame: str) -> str:
    """Which part of the stack a frame belongs to."""
    m = _FRAME.match(frame)
    path = m.group("file") if m else frame
    for needle, name in (("arrears/store", "arrears store"), ("arrears/api", "arrears api"),
                         ("arrears/services", "arrears services"), ("arrears/domain", "arrears domain"),
                         ("arrears/", "arrears other"), ("starlette", "starlette"), ("uvicorn", "uvicorn"),
                         ("h11", "h11"), ("asyncio", "asyncio"), ("concurrent/futures", "executor thread"),
                         ("threading", "executor thread"), ("sqlite3", "sqlite3")):
        if needle in path:
            return name
    return "other"


def summarize(raw: Path, top: int = 25) -> str:
    self_count: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    areas: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if " (" in f]  # drop process / thread labels
        if not frames:
            continue
        total += n
        self_count[frames[-1]] += n
        areas[area(frames[-1])] += n
        for f in set(frames):
            incl[f] += n
    out = [f"{total} samples", "", "self time by area:"]
    out += [f"  {100 * c / total:5.1f}%  {a}" for a, c in areas.most_common()]
    out += ["", "self time, top frames:"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_count.most_common(top)]
    out += ["", "inclusive time, top frames:"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in incl.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.profile")
    ap.add_argument("--op", choices=["get", "mark", "create"], required=True)
    ap.add_argument("--server", choices=["stock", "nodelay"], default="stock")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    ap.add_argument("--no-spy", action="store_true", help="measure only (no profiler attached)")
    args = ap.parse_args(argv)
    work = BENCH / ".work"
    fx, db = main_fixture_copy("profile")
    logs = work / "logs"
    if args.server == "stock":
        srv = servers.arrears(f"sqlite:///{db}", logs, workers=2)
    else:
        port = servers.free_port()
        srv = servers.Server("arrears-nodelay", [sys.executable, "-m", "bench.harness.whatif_app", "--port", str(port),
                                                 "--database", f"sqlite:///{db}", "--workers", "2"],
                             logs / f"arrears-nodelay-{port}.log", port)
    load = {"get": Load("random", "GET", prefix=INV, ids=fx.get_ids),
            "create": Load("fixed", "POST", path="/v1/invoices", body=f"customer={fx.customer}"),
            "mark": _mark(fx.targets)}[args.op]
    out = work / "profiles"
    out.mkdir(parents=True, exist_ok=True)
    raw = out / f"{args.op}-{args.server}.txt"
    headers = servers.AUTH
    with srv:
        subprocess.run(wrk_command(srv.url, load, connections=64, seconds=2, headers=headers), check=True,
                       capture_output=True)
        measured = load if args.op != "mark" else Load("walk", "POST", prefix=INV, suffix="/mark_uncollectible",
                                                        ids=fx.targets, offset=40_000)
        before = procs.TreeSample.take(srv.pid)
        wrk = subprocess.Popen(wrk_command(srv.url, measured, connections=64, seconds=args.seconds + 2,
                                           headers=headers), stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        if not args.no_spy:
            subprocess.run([str(PY_SPY), "record", "--pid", str(srv.pid), "--subprocesses", "--nonblocking",
                            "--rate", str(args.rate), "--duration", str(args.seconds), "--format", "raw",
                            "-o", str(raw)], check=True, capture_output=True)
        report, _ = wrk.communicate()
        cpu = procs.TreeSample.take(srv.pid).minus(before)
    figures = parse(report)
    spied = "" if args.no_spy else " (py-spy attached)"
    print(f"{args.op} on {args.server}: {figures['rps']:,.0f} req/s, p50 {figures['latency_ms']['p50']} ms, "
          f"p99 {figures['latency_ms']['p99']} ms, non-2xx {figures['non2xx']}, server CPU "
          f"{sum(cpu.values()) * 1000 / figures['requests']:.3f} ms/req{spied}, cores per process "
          f"{sorted((round(v / (args.seconds + 2), 2) for v in cpu.values()), reverse=True)}")
    if not args.no_spy:
        print(summarize(raw))
    _copy_cleanup = [Path(str(db) + s) for s in ("", "-wal", "-shm", ".lock")]
    for p in _copy_cleanup:
        p.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
