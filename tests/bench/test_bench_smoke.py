"""The benchmark harness, end to end in its quickest mode, so that it cannot rot: real arrears and
ceiling servers on loopback, fixtures written through arrears' code, every arrears scenario and the
growth comparison, the report and the README section. Load comes from the harness's small Python load
generator (no wrk needed), which prints wrk's report shape, so the wrk parser runs on every scenario;
a real wrk report is parsed below too. localstripe, stripe-mock and PostgreSQL are left out (their install
and cluster start take longer than the whole test); `make bench` runs them. Nothing here times anything:
the figures are checked for shape and sign only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench.harness import wrk
from bench.run import main as run_bench

# wrk 4.1.0 (Debian) against the ceiling app, `wrk --latency` with a Lua script; the Non-2xx line as wrk
# prints it, and the SEQUENCES line that bench/lua/sequence.lua adds.
WRK_REPORT = """\
Running 2s test @ http://127.0.0.1:18555
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    44.20ms    6.48ms  48.59ms   97.78%
    Req/Sec   180.60     35.11   242.00     75.00%
  Latency Distribution
     50%   43.95ms
     75%   47.78ms
     90%   47.95ms
     99%   48.55ms
  360 requests in 2.00s, 1.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    179.76
Transfer/sec:    561.91KB
SEQUENCES 120
"""

ARREARS = ("arrears.get", "arrears.create", "arrears.mark_uncollectible", "arrears.sequence")


def test_wrk_report_is_parsed() -> None:
    figures = wrk.parse(WRK_REPORT)

    assert figures["requests"] == 360
    assert figures["rps"] == 179.76
    assert figures["latency_ms"]["p50"] == 43.95
    assert figures["latency_ms"]["p99"] == 48.55
    assert figures["non2xx"] == 3
    assert figures["sequences"] == 120


@pytest.mark.slow
def test_quickest_run_reports_every_scenario_with_ratios(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Benchmark\n\n<!-- bench:results:start -->\nstale table\n<!-- bench:results:end -->\n\nkept\n")

    code = run_bench(["--smoke", "--no-localstripe", "--no-stripe-mock", "--no-postgres",
                      "--work", str(tmp_path / "work"), "--results", str(tmp_path / "results"),
                      "--readme", str(readme), "--chart", "-"])

    assert code == 0
    doc = json.loads((tmp_path / "results" / "latest.json").read_text())
    assert {"machine", "versions", "settings", "scenarios", "ratios", "growth", "targets", "skipped"} <= doc.keys()
    assert doc["machine"]["nproc"] >= 1
    by_name = {r["name"]: r for r in doc["scenarios"]}
    for name in ("ceiling.get", *ARREARS):
        r = by_name[name]
        assert r["requests"] > 0 and r["rps"] > 0, name
        assert 0 < r["p50_ms"] <= r["p99_ms"], name
        assert r["cpu_ms_per_req"] > 0 and r["peak_rss_mb"] > 0, name
        assert r["non2xx"] == 0, (name, r["raw"])
    assert by_name["arrears.sequence"]["sequences"] > 0
    for name in ARREARS:
        assert doc["ratios"]["arrears_vs_ceiling"][name]["rps"] > 0
    assert {s["name"] for s in doc["skipped"]} == {"localstripe.*", "stripe-mock.*", "postgres.mark_uncollectible"}
    for op in ("get", "list", "search", "mark"):
        assert doc["growth"]["large_over_small"][op]["p99_ms"] > 0, op
    text = readme.read_text()
    assert "stale table" not in text and "kept" in text and "| arrears.mark_uncollectible |" in text
