"""Every official SDK era against arrears: the mission scenario (customer balance -500, one 1099 usd invoice
item, invoice, finalize, mark_uncollectible) through each stripe-python and stripe-node release of
tests/versions/matrix.py, with typed access of every field that release declares on Invoice, InvoiceLineItem,
InvoiceItem and Customer, and the JSON keys arrears answered held against those declarations.

The releases are installed once per machine under tests/versions/.sdks/ (the session fixture below), and
each run is written to /tmp/versions-report.json and /tmp/versions-report.md (``ARREARS_VERSIONS_REPORT``
moves them): the differences by API version, for whoever renders the older shapes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import OwnServer
from tests.support.server import KEY, Server
from tests.versions import matrix
from tests.versions.matrix import Sdk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def installs() -> matrix.Installs:
    """Every release of the matrix, installed (or found installed) once for the session."""
    if shutil.which("node") is None:
        pytest.fail("node and npm are needed for the stripe-node majors: apt-get install nodejs npm",
                    pytrace=False)
    return matrix.install_all()


@pytest.fixture(scope="session")
def reports() -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    """The scenario's raw report per (SDK id, backend), for the stripe-python runs' twins."""
    yield {}


def backend_of(server: Server) -> str:
    return "sqlite" if server.database.startswith("sqlite") else "postgres"


def report_of(sdk: Sdk, server: Server, reports: dict[tuple[str, str], dict[str, Any]]) -> dict[str, Any]:
    key = (sdk.id, backend_of(server))
    if key not in reports:
        reports[key] = matrix.run_scenario(sdk, server.url, KEY)
    return reports[key]


def test_every_release_of_the_matrix_pins_a_version_of_its_own() -> None:
    pins = [sdk.pins for sdk in matrix.PYTHON]
    assert len(set(pins)) == len(pins)
    assert len({sdk.pins for sdk in matrix.NODE}) == len(matrix.NODE)
    assert all(sdk.twin in matrix.BY_ID for sdk in matrix.PYTHON)


@pytest.mark.parametrize("sdk", matrix.ALL, ids=lambda sdk: sdk.id)
def test_the_mission_scenario_answers_what_this_sdk_declares(
        sdk: Sdk, installs: matrix.Installs, server: Server,
        reports: dict[tuple[str, str], dict[str, Any]]) -> None:
    backend = backend_of(server)
    entry: dict[str, Any] = {"sdk": f"stripe-{sdk.language}", "sdk_id": sdk.id, "backend": backend,
                             "installs": {"seconds": installs.seconds, "fetched": installs.fetched}}
    try:
        report = report_of(sdk, server, reports)
        twin = report_of(matrix.BY_ID[sdk.twin], server, reports) if sdk.twin else None
    except AssertionError as failed:
        matrix.record(f"{sdk.id}[{backend}]", {**entry, "error": str(failed)})
        raise
    verdict = matrix.judge(report, matrix.optional_fields(report, twin))
    wrong = matrix.problems(verdict)
    entry.update({name: report[name] for name in ("sdk_version", "pinned_api_version", "answered_api_version",
                                                  "scenario", "links")})
    matrix.record(f"{sdk.id}[{backend}]", {**entry, "verdict": verdict, "problems": wrong})

    assert report["pinned_api_version"] == sdk.pins, "the release does not pin the version it was chosen for"
    assert report["scenario"] == {"status": "uncollectible", "amount_due": 599, "amount_remaining": 599}
    assert report["answered_api_version"] == sdk.pins, "the answer does not name the version the SDK asked"
    assert wrong == {}, f"arrears at {sdk.pins} differs from what {sdk.id} declares"
    seen = report["links"]
    assert seen["line_to_item"] == seen["invoice_item"], "the line does not lead to its invoice item"
    assert seen["item_to_invoice"] == seen["invoice"], "the invoice item does not lead to its invoice"
    assert seen["paid"] in (False, "not declared"), "an uncollectible invoice must not say it is paid"


def test_an_sdk_that_pins_no_version_is_answered_in_the_accounts_default(
        installs: matrix.Installs, database: str, own_server: OwnServer, tmp_path: Path) -> None:
    sdk = matrix.UNPINNED
    twin_sdk = matrix.BY_ID[str(sdk.twin)]
    srv = own_server(database, env={"ARREARS_API_VERSION": twin_sdk.pins})
    backend = "sqlite" if database.startswith("sqlite") else "postgres"
    twin = matrix.run_scenario(twin_sdk, srv.url, KEY)
    declared = tmp_path / "declared.json"
    declared.write_text(json.dumps({kind: twin["kinds"][kind]["declared"] for kind in matrix.KINDS}))
    report = matrix.run_scenario(sdk, srv.url, KEY, {"ARREARS_DECLARED": str(declared)})
    verdict = matrix.judge(report, matrix.optional_fields(report, twin))
    wrong = matrix.problems(verdict)
    matrix.record(f"{sdk.id}[{backend}]", {
        "sdk": "stripe-python", "sdk_id": sdk.id, "backend": backend, "account_default": twin_sdk.pins,
        **{name: report[name] for name in ("sdk_version", "pinned_api_version", "answered_api_version",
                                           "scenario", "links")},
        "installs": {"seconds": installs.seconds, "fetched": installs.fetched}, "verdict": verdict,
        "problems": wrong})

    assert report["pinned_api_version"] is None
    assert report["answered_api_version"] == twin_sdk.pins
    assert report["scenario"] == {"status": "uncollectible", "amount_due": 599, "amount_remaining": 599}
    assert wrong == {}, f"arrears at the account default {twin_sdk.pins} differs from {twin_sdk.id}'s fields"
    assert report["links"]["line_to_item"] == report["links"]["invoice_item"]
    assert report["links"]["paid"] is False
