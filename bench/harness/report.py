"""The results document (machine, versions, settings, scenarios, ratios, growth, targets) and its
Markdown: the summary table printed at the end and the generated section of bench/README.md."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.harness.servers import STRIPE_MOCK, STRIPE_MOCK_VERSION

START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"
# arrears scenario -> (localstripe scenario it is compared with, what that comparison is)
VERSUS_LOCALSTRIPE = {
    "arrears.get": "localstripe.get",
    "arrears.create": "localstripe.create",
    "arrears.mark_uncollectible": "localstripe.pay",
    "arrears.sequence": "localstripe.sequence",
}
# arrears scenario -> the stripe-mock scenario that sends it the same requests (stripe-mock keeps no state)
VERSUS_STRIPE_MOCK = {
    "arrears.get": "stripe-mock.get",
    "arrears.create": "stripe-mock.create",
    "arrears.mark_uncollectible": "stripe-mock.mark_uncollectible",
}
GROWTH_OPS = ("get", "list", "search", "mark")


def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu_model": model, "mem_gib": round(mem_kb / 2**20, 1),
            "kernel": platform.release()}


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, Any]:
    out: dict[str, Any] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for dist in ("arrears", "starlette", "uvicorn", "granian", "orjson", "asyncpg", "uvloop", "httptools", "h11"):
        out[dist] = _version(dist)
    wrk = shutil.which("wrk")
    if wrk:
        first = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()
        out["wrk"] = first[0].split(" [")[0] if first else "?"
    ls = Path(__file__).resolve().parent.parent / ".work" / "localstripe" / "lib"
    found = sorted(ls.glob("python*/site-packages/localstripe-*.dist-info"))
    out["localstripe"] = found[0].name.removeprefix("localstripe-").removesuffix(".dist-info") if found else None
    out["stripe_mock"] = STRIPE_MOCK_VERSION if STRIPE_MOCK.exists() else None
    root = Path(__file__).resolve().parent.parent.parent
    git = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "src"], capture_output=True, text=True)
    out["arrears_commit"] = git.stdout.strip() or None
    out["arrears_src_uncommitted_files"] = len(dirty.stdout.splitlines())
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def _versus(by_name: dict[str, dict[str, Any]], pairs: dict[str, str]) -> dict[str, Any]:
    """arrears ÷ a peer, for each (arrears scenario, peer scenario) pair measured in this run."""
    out: dict[str, Any] = {}
    for ours, theirs in pairs.items():
        a, b = by_name.get(ours), by_name.get(theirs)
        if not a or not b:
            continue
        rate = "sequences_per_s" if "sequences_per_s" in a else "rps"
        out[ours] = {
            "versus": theirs, "rps": _ratio(a[rate], b.get(rate)),
            "cpu_ms_per_req": _ratio(a["cpu_ms_per_req"], b["cpu_ms_per_req"]),
            "p99_ms": _ratio(a["p99_ms"], b["p99_ms"]), "peak_rss_mb": _ratio(a["peak_rss_mb"], b["peak_rss_mb"]),
            **({"unit": "sequences/s"} if rate == "sequences_per_s" else {}),
        }
    return out


def ratios(by_name: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"arrears_vs_localstripe": _versus(by_name, VERSUS_LOCALSTRIPE),
                           "arrears_vs_stripe_mock": _versus(by_name, VERSUS_STRIPE_MOCK), "arrears_vs_ceiling": {}}
    ceiling = by_name.get("ceiling.get")
    if ceiling:
        for name, r in by_name.items():
            if r["system"].startswith("arrears") and not name.startswith("growth."):
                out["arrears_vs_ceiling"][name] = {"rps": _ratio(r["rps"], ceiling["rps"]),
                                                   "cpu_ms_per_req": _ratio(r["cpu_ms_per_req"],
                                                                            ceiling["cpu_ms_per_req"])}
    return out


def growth(by_name: dict[str, dict[str, Any]], sizes: tuple[int, int]) -> dict[str, Any]:
    small, large = sizes
    out: dict[str, Any] = {"sizes": list(sizes), "large_over_small": {}}
    for op in GROWTH_OPS:
        a, b = by_name.get(f"growth.{op}@{small}"), by_name.get(f"growth.{op}@{large}")
        if a and b:
            out["large_over_small"][op] = {k: _ratio(b[k], a[k]) for k in
                                           ("rps", "p50_ms", "p99_ms", "cpu_ms_per_req", "peak_rss_mb")}
    return out


def targets(by_name: dict[str, dict[str, Any]], grow: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured figure and whether it is met."""
    out: list[dict[str, Any]] = []

    def check(target: str, value: float | None, ok: bool | None) -> None:
        out.append({"target": target, "measured": value, "met": ok})

    mark = by_name.get("arrears.mark_uncollectible")
    check("mark_uncollectible on SQLite ≥ 6,000 req/s", mark and mark["rps"], mark and mark["rps"] >= 6000)
    check("mark_uncollectible on SQLite p99 ≤ 30 ms", mark and mark["p99_ms"], mark and mark["p99_ms"] <= 30)
    get = by_name.get("arrears.get")
    check("GET invoice ≥ 12,000 req/s", get and get["rps"], get and get["rps"] >= 12000)
    old = next((r for name, r in by_name.items() if name.startswith("arrears.get@")), None)
    cost = _ratio(get and get["rps"], old and old["rps"])
    check("GET at an old API version costs ≤ 1.2× the latest's (req/s latest ÷ old)", cost,
          None if cost is None else cost <= 1.2)
    create, ls_create = by_name.get("arrears.create"), by_name.get("localstripe.create")
    times = _ratio(create and create["rps"], ls_create and ls_create["rps"])
    check("create ≥ 100× localstripe's create rate", times, None if times is None else times >= 100)
    pg = by_name.get("postgres.mark_uncollectible")
    check("mark_uncollectible on PostgreSQL ≥ 2,000 req/s", pg and pg["rps"], pg and pg["rps"] >= 2000)
    for op, r in grow.get("large_over_small", {}).items():
        check(f"{op} at {grow['sizes'][1]:,}: p99 within 1.2× of {grow['sizes'][0]:,}", r["p99_ms"],
              None if r["p99_ms"] is None else r["p99_ms"] <= 1.2)
    large = [r for name, r in by_name.items() if name.startswith("growth.") and r.get("size") == grow["sizes"][1]]
    if large:
        peak = max(r["peak_rss_mb"] for r in large)
        check(f"server RSS ≤ 200 MB at {grow['sizes'][1]:,}", peak, peak <= 200)
    return out


def assemble(mode: str, plan: Any, results: list[dict[str, Any]], skipped: list[dict[str, str]],
             fixtures: dict[str, Any], started: float) -> dict[str, Any]:
    by_name = {r["name"]: r for r in results}
    grow = growth(by_name, plan.growth_sizes)
    from bench.harness.ceiling_app import arrears_server

    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "elapsed_s": round(time.time() - started, 1),
        "mode": mode,
        "machine": machine(),
        "versions": versions(),
        "settings": {
            "connections": plan.knobs.connections, "warmup_s": plan.knobs.warmup, "duration_s": plan.knobs.duration,
            "loadgen": plan.knobs.loadgen, "wrk_threads": 1, "server_workers": plan.workers,
            "arrears_server": arrears_server(), "sqlite_synchronous": "FULL (arrears' default)",
            "sqlite_journal_mode": "WAL", "postgres": "fsync=on, synchronous_commit=on, shared_buffers=512MB",
            "pinning": "none: servers, wrk and PostgreSQL share the machine's cores",
            "localstripe": "own venv, aiohttp app bound to 127.0.0.1, upstream access log on, store pickled on writes",
            "stripe_mock": "Go binary (go install), HTTP and HTTPS listeners on 127.0.0.1; stateless: every reply "
                           "is a canned fixture: what a Stripe-shaped reply costs with nothing stored behind it",
            "cpu_ms_per_req": "utime+stime of the server's process tree (/proc) over the measured run ÷ requests",
            "peak_rss_mb": "sum of VmHWM over the server's processes, window reset before the measured run",
        },
        "fixtures": fixtures,
        "scenarios": results,
        "skipped": skipped,
        "ratios": ratios(by_name),
        "growth": grow,
        "targets": targets(by_name, grow),
    }


def _f(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def summary_markdown(doc: dict[str, Any]) -> str:
    s = doc["settings"]
    lines = [
        f"Run {doc['started']} ({doc['mode']}), {doc['machine']['nproc']} × {doc['machine']['cpu_model']}, "
        f"{s['loadgen']} {s['connections']} connections, {s['warmup_s']:g} s warm-up + {s['duration_s']:g} s "
        f"measured per scenario; arrears on {s['arrears_server']} with {s['server_workers']} workers, "
        f"SQLite synchronous=FULL.",
        "",
        "| scenario | DB invoices | req/s | p50 ms | p99 ms | CPU ms/req | peak RSS MB | non-2xx | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in doc["scenarios"]:
        if r["name"].startswith("growth."):
            continue
        rate = _f(r["rps"])
        if "sequences_per_s" in r:
            rate += f" ({_f(r['sequences_per_s'])} seq/s)"
        note = r.get("note", "")
        if r.get("disturbed"):
            note = (note + "; " if note else "") + f"disturbed: {r['other_cores']} other cores busy"
        lines.append(f"| {r['name']} | {_f(r.get('db_invoices'))} | {rate} | {_ms(r['p50_ms'])} | {_ms(r['p99_ms'])} "
                     f"| {r['cpu_ms_per_req']:.3f} | {_f(r['peak_rss_mb'])} | {r['non2xx']} | {note} |")
    for skip in doc["skipped"]:
        lines.append(f"| {skip['name']} | | skipped | | | | | | {skip['reason']} |")
    lines += ["", "**Ratios (same run)**", "", "| arrears scenario | versus | req/s ratio | CPU ms/req ratio |",
              "|---|---|---:|---:|"]
    for name, r in doc["ratios"]["arrears_vs_localstripe"].items():
        unit = f" ({r['unit']})" if "unit" in r else ""
        lines.append(f"| {name} | {r['versus']}{unit} | {_f(r['rps'], 1)}× | {_f(r['cpu_ms_per_req'], 3)}× |")
    for name, r in doc["ratios"].get("arrears_vs_stripe_mock", {}).items():
        lines.append(f"| {name} | {r['versus']} (stateless, canned 200) | {_f(r['rps'], 2)}× "
                     f"| {_f(r['cpu_ms_per_req'], 2)}× |")
    for name, r in doc["ratios"]["arrears_vs_ceiling"].items():
        lines.append(f"| {name} | ceiling.get | {_f(r['rps'], 2)}× | {_f(r['cpu_ms_per_req'], 1)}× |")
    grow = doc["growth"]
    if grow["large_over_small"]:
        small, large = grow["sizes"]
        by_name = {r["name"]: r for r in doc["scenarios"]}
        source = by_name[f"growth.get@{small}"].get("from_run")
        lines += ["", f"**Growth: {large:,} vs {small:,} background invoices** (each database also holds the open "
                  "invoices the mark scenario walks)" + (f"; measured in the run of {source}" if source else ""), "",
                  "| op | req/s small → large | p99 ms small → large | p99 ratio | CPU ms/req ratio | RSS MB large |",
                  "|---|---|---|---:|---:|---:|"]
        for op, r in grow["large_over_small"].items():
            a, b = by_name[f"growth.{op}@{small}"], by_name[f"growth.{op}@{large}"]
            lines.append(f"| {op} | {_f(a['rps'])} → {_f(b['rps'])} | {_ms(a['p99_ms'])} → {_ms(b['p99_ms'])} | "
                         f"{_f(r['p99_ms'], 2)}× | {_f(r['cpu_ms_per_req'], 2)}× | {_f(b['peak_rss_mb'])} |")
    lines += ["", "**Targets (issue 5)**", "", "| target | measured | met |", "|---|---:|---|"]
    for t in doc["targets"]:
        met = "—" if t["met"] is None else ("yes" if t["met"] else "**no**")
        value = t["measured"]
        lines.append(f"| {t['target']} | {_f(value, 2 if value is not None and value < 100 else 0)} | {met} |")
    return "\n".join(lines) + "\n"


def write_readme(path: Path, doc: dict[str, Any], chart: Path | None) -> None:
    """Replace the generated section of ``path`` (between the markers) with this run's tables."""
    body = summary_markdown(doc)
    if chart is not None and chart.exists():
        body += f"\n![req/s per scenario]({os.path.relpath(chart, path.parent)})\n"
    section = f"{START}\n<!-- generated by `make bench` from results/latest.json; do not edit -->\n{body}{END}"
    text = path.read_text() if path.exists() else f"# Benchmark\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    path.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: section, text, flags=re.S))
