"""stripe-mock as a bench peer: the ratios arrears ÷ stripe-mock and the table that says it keeps no state
(pure), and stripe-mock itself started as the bench starts it, both listeners on 127.0.0.1 (when
``bash bench/setup.sh`` has installed it)."""

from __future__ import annotations

import re
import ssl
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from bench.harness import report, servers


def scenario(name: str, system: str, rps: float, cpu: float) -> dict[str, Any]:
    return {"name": name, "system": system, "rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "cpu_ms_per_req": cpu,
            "peak_rss_mb": 100.0, "non2xx": 0, "db_invoices": 0}


def test_arrears_is_divided_by_the_stripe_mock_scenario_of_the_same_requests() -> None:
    by_name = {r["name"]: r for r in [
        scenario("arrears.get", "arrears", 9000, 0.2), scenario("stripe-mock.get", "stripe-mock", 3000, 0.5),
        scenario("arrears.mark_uncollectible", "arrears", 1500, 0.7),
        scenario("stripe-mock.mark_uncollectible", "stripe-mock", 2500, 0.5),
    ]}

    versus = report.ratios(by_name)["arrears_vs_stripe_mock"]

    assert versus["arrears.get"]["versus"] == "stripe-mock.get"
    assert (versus["arrears.get"]["rps"], versus["arrears.get"]["cpu_ms_per_req"]) == (3.0, 0.4)
    assert versus["arrears.mark_uncollectible"]["rps"] == 0.6
    assert "arrears.create" not in versus  # not measured in this run: no ratio


def test_the_summary_table_says_stripe_mock_answers_without_state() -> None:
    results = [scenario("arrears.create", "arrears", 2000, 0.5),
               scenario("stripe-mock.create", "stripe-mock", 1000, 0.5)]
    doc = {"started": "now", "mode": "quick", "machine": {"nproc": 2, "cpu_model": "cpu"},
           "settings": {"loadgen": "wrk", "connections": 64, "warmup_s": 1, "duration_s": 3,
                        "arrears_server": "granian", "server_workers": 2},
           "scenarios": results, "skipped": [], "ratios": report.ratios({r["name"]: r for r in results}),
           "growth": {"sizes": [1, 2], "large_over_small": {}}, "targets": []}

    text = report.summary_markdown(doc)

    assert "| arrears.create | stripe-mock.create (stateless, canned 200) | 2.00× | 1.00× |" in text


@pytest.mark.slow
def test_stripe_mock_listens_on_loopback_only_with_both_its_listeners(tmp_path: Path) -> None:
    if not servers.stripe_mock_available():
        pytest.skip("stripe-mock is not installed: bash bench/setup.sh installs it (needs Go)")
    with servers.stripe_mock(tmp_path) as srv:
        deadline = time.monotonic() + 10
        while "HTTPS" not in srv.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = srv.log.read_text()
        http = re.search(r"Listening for HTTP at address: (\S+)", log)
        https = re.search(r"Listening for HTTPS at address: (\S+)", log)
        assert http and https, log
        assert http.group(1) == f"127.0.0.1:{srv.port}"
        assert https.group(1).startswith("127.0.0.1:") and https.group(1) != http.group(1)
        # Both answer: plain HTTP, and TLS with stripe-mock's own self-signed certificate.
        request = urllib.request.Request(srv.url + "/v1/invoices/in_any", headers=servers.AUTH)
        with urllib.request.urlopen(request, timeout=10) as reply:
            assert reply.status == 200
        unverified = ssl.create_default_context()
        unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
        tls = urllib.request.Request(f"https://{https.group(1)}/v1/invoices/in_any", headers=servers.AUTH)
        with urllib.request.urlopen(tls, timeout=10, context=unverified) as reply:
            assert reply.status == 200
