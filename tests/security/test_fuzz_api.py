"""Fuzzing every operation of the three OpenAPI documents (/openapi.json, /flex/openapi.json,
/yorlet/openapi.json) with schemathesis, against a real server on each backend: requests generated from
the declared parameters (half of them aimed at real objects, so handlers run past the lookup), and
negative ones that break the declared schema. Every answer must be no 5xx, and a response of the
declared status, content type, headers and schema.

CI runs ARREARS_FUZZ_EXAMPLES=15 examples per operation and mode; docs/reliability.md has the longer run.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.generation import GenerationMode

from tests.conftest import BACKENDS, fresh_database, serve_in
from tests.support.faces import flex_seed, stripe_open_invoice
from tests.support.server import KEY, Server

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("ARREARS_FUZZ_EXAMPLES", "15"))
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.status_code_conformance]
# What the HTTP server (granian, uvicorn) answers, without a body, to a URL or headers over its limits
HEAD_TOO_LONG = (400, 414, 431)
DOCUMENTS = {"stripe": ("", f"Bearer {KEY}"), "flex": ("/flex", "Bearer fsk_test_fuzz"),
             "yorlet": ("/yorlet", f"Bearer {KEY}")}  # face -> (mount, Authorization)


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    yield from serve_in(folder, fresh_database(request.param, request, folder),
                        env={"ARREARS_WEBHOOKS": "off", "ARREARS_SCHEDULER": "off"})


def real_ids(server: Server) -> dict[str, str]:
    """Objects for the path parameters, so generated bodies reach the handlers."""
    inv = stripe_open_invoice(server.url)
    h = {"Authorization": f"Bearer {KEY}"}
    draft = httpx.post(server.url + "/v1/invoices", headers=h, data={"customer": inv["customer"]}).json()
    item = httpx.post(server.url + "/v1/invoiceitems", headers=h,
                      data={"customer": inv["customer"], "amount": "500", "currency": "usd",
                            "invoice": draft["id"]}).json()
    draft = httpx.get(server.url + f"/v1/invoices/{draft['id']}", headers=h).json()
    txn = httpx.get(server.url + f"/v1/customers/{inv['customer']}/balance_transactions", headers=h).json()
    endpoint = httpx.post(server.url + "/v1/webhook_endpoints", headers=h,
                          data={"url": "http://127.0.0.1:9/fuzz", "enabled_events[]": "*"}).json()
    clock = httpx.post(server.url + "/v1/test_helpers/test_clocks", headers=h,
                       data={"frozen_time": "1700000000"}).json()
    event = httpx.get(server.url + "/v1/events?limit=1", headers=h).json()["data"][0]
    flex_invoice, _ = flex_seed(server.url)
    return {"customer": inv["customer"], "invoice": draft["id"], "invoiceitem": item["id"],
            "line_item_id": draft["lines"]["data"][0]["id"], "transaction": txn["data"][0]["id"],
            "webhook_endpoint": endpoint["id"], "test_clock": clock["id"], "id": event["id"],
            "flex_id": flex_invoice["invoice_id"], "open_invoice": inv["id"]}


def fuzz_operation(server: Server, mount: str, operation: Any, mode: GenerationMode, auth: str,
                   ids: dict[str, str], count: Callable[[], None]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
    def run(case: Any, aim: bool) -> None:
        if aim and case.path_parameters:
            for name in case.path_parameters:
                case.path_parameters[name] = ids["flex_id"] if mount == "/flex" and name == "id" else \
                    ids.get(name, case.path_parameters[name])
        headers = {"Authorization": auth}
        response = case.call(base_url=server.url + mount, headers=headers, timeout=30)
        count()
        if response.status_code in HEAD_TOO_LONG and not response.content:
            return  # refused by the HTTP server before arrears: a request line or headers over its limits
        # Negative requests are not required to be refused: arrears is lenient where Stripe's clients
        # are (a JSON number for a string parameter becomes its text). Their answers are checked alike.
        case.validate_response(response, checks=CHECKS)

    run()


@pytest.mark.parametrize("face", sorted(DOCUMENTS))
def test_fuzzed_requests_never_get_a_5xx_or_an_answer_off_the_schema(
        fuzzed: Server, face: str, figures: Counter[str], tmp_path: Path) -> None:
    mount, auth = DOCUMENTS[face]
    schema = schemathesis.openapi.from_url(fuzzed.url + mount + "/openapi.json")
    ids = real_ids(fuzzed)
    cases = Counter[str]()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz_operation(fuzzed, mount, operation, mode, auth, ids, lambda mode=mode: cases.update([mode.value]))
    backend = "sqlite" if fuzzed.database.startswith("sqlite") else "postgres"
    figures[f"fuzz: schemathesis requests ({backend})"] += sum(cases.values())
    assert "Traceback" not in (fuzzed.log.read_text() if fuzzed.log else "")
