"""API versions over HTTP (domain/versions.py, domain/api_changes.py): the mission scenario answered in the
shape of the version asked for, older request parameters accepted only at their versions, the behaviours
that changed by version, the account's default version, and events shown in their own version.

The SDK-era checks (each stripe-python and stripe-node major against the version it pins) are
tests/versions/; these drive raw HTTP so any version can be asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.test_webhooks import QUICK
from tests.support.answers import ok
from tests.support.receiver import Receiver
from tests.support.server import KEY, Server

BASIL_INVOICE_GONE = ("parent", "payments", "total_taxes", "amount_overpaid", "confirmation_secret")
PRE_BASIL_INVOICE = ("paid", "charge", "discount", "payment_intent", "subscription", "tax", "total_tax_amounts",
                     "application_fee_amount", "paid_out_of_band", "quote", "transfer_data")
PRE_BASIL_LINE = ("price", "type", "invoice_item", "proration", "tax_amounts", "plan", "tax_rates",
                  "amount_excluding_tax", "unit_amount_excluding_tax", "proration_details")


def at(version: str | None) -> dict[str, str]:
    return {"Stripe-Version": version} if version else {}


def written_off(http: httpx.Client, version: str | None = None) -> dict[str, Any]:
    """The mission's scenario (balance −500, one 1099 usd item, invoice, finalize, mark_uncollectible), every
    request at ``version``: the final answer."""
    h = at(version)
    balance_param = "account_balance" if version and version < "2019-10-17" else "balance"
    cus = ok(http.post("/v1/customers", data={balance_param: -500, "email": "old@example.com"}, headers=h))
    ok(http.post("/v1/invoiceitems", data={"customer": cus["id"], "amount": 1099, "currency": "usd"}, headers=h))
    behaviour = {} if version and version < "2022-08-01" else {"pending_invoice_items_behavior": "include"}
    inv = ok(http.post("/v1/invoices", data={"customer": cus["id"], **behaviour}, headers=h))
    ok(http.post(f"/v1/invoices/{inv['id']}/finalize", headers=h))
    return ok(http.post(f"/v1/invoices/{inv['id']}/mark_uncollectible", headers=h))


def test_the_latest_version_shows_the_basil_shape_and_status_details(http: httpx.Client) -> None:
    inv = written_off(http)
    assert inv["status"] == "uncollectible" and inv["status_details"] == {"uncollectible": {"reason": "user_forgiven"}}
    for key in BASIL_INVOICE_GONE:
        assert key in inv
    for key in PRE_BASIL_INVOICE:
        assert key not in inv
    line = inv["lines"]["data"][0]
    assert line["parent"]["type"] == "invoice_item_details" and "pricing" in line and "price" not in line


def test_the_2023_shape_of_the_reference_page_field_by_field(http: httpx.Client) -> None:
    response = http.post("/v1/customers", data={"email": "x@example.com"}, headers=at("2023-10-16"))
    assert response.headers["Stripe-Version"] == "2023-10-16"
    inv = written_off(http, "2023-10-16")
    assert inv["status"] == "uncollectible" and "status_details" not in inv
    assert inv["paid"] is False and inv["charge"] is None and inv["payment_intent"] is None
    assert inv["subscription"] is None and inv["discount"] is None and inv["tax"] is None
    assert inv["total_tax_amounts"] == [] and inv["application_fee_amount"] is None
    for key in BASIL_INVOICE_GONE:
        assert key not in inv
    line = inv["lines"]["data"][0]
    for key in PRE_BASIL_LINE:
        assert key in line, key
    assert line["type"] == "invoiceitem" and line["proration"] is False and line["invoice_item"].startswith("ii_")
    assert line["price"]["object"] == "price" and line["price"]["unit_amount"] == 1099
    assert line["price"]["type"] == "one_time" and line["price"]["currency"] == "usd"
    assert "parent" not in line and "pricing" not in line and "taxes" not in line
    item = ok(http.get(f"/v1/invoiceitems/{line['invoice_item']}", headers=at("2023-10-16")))
    assert item["unit_amount"] == 1099 and item["price"]["id"] == line["price"]["id"] and "pricing" not in item


def test_before_2018_11_08_an_uncollectible_invoice_is_closed_and_forgiven(http: httpx.Client) -> None:
    inv = written_off(http, "2018-02-28")
    assert inv["closed"] is True and inv["forgiven"] is True and inv["paid"] is False
    assert "status" not in inv and "auto_advance" not in inv
    assert "date" in inv and "created" not in inv  # 2019-03-14 renamed date to created
    assert inv["billing"] == "charge_automatically" and "collection_method" not in inv  # 2019-10-17
    latest = ok(http.get(f"/v1/invoices/{inv['id']}"))
    assert latest["status"] == "uncollectible" and latest["created"] == inv["date"]


def test_a_version_between_two_changes_answers_like_the_older_neighbour(http: httpx.Client) -> None:
    inv = written_off(http)
    acacia = ok(http.get(f"/v1/invoices/{inv['id']}", headers=at("2025-02-24.acacia")))
    june = ok(http.get(f"/v1/invoices/{inv['id']}", headers=at("2024-06-20")))
    clover = ok(http.get(f"/v1/invoices/{inv['id']}", headers=at("2026-01-28.clover")))
    assert set(acacia) == set(june) and "paid" in acacia
    assert "parent" in clover and "status_details" not in clover
    assert "quantity_decimal" not in clover["lines"]["data"][0]


@pytest.mark.parametrize("version", ["garbage", "1999-01-01", "2099-01-01.zulu", "2024-09-30", "2026-10-28.basil"])
def test_an_unknown_version_is_refused_with_stripes_message(http: httpx.Client, version: str) -> None:
    response = http.get("/v1/customers", headers=at(version))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"] == f"Invalid Stripe API version: {version}"


def test_old_parameters_are_taken_at_their_versions_and_refused_after(http: httpx.Client) -> None:
    cus = ok(http.post("/v1/customers", data={"account_balance": -300}, headers=at("2019-02-19")))
    assert cus["account_balance"] == -300 and "balance" not in cus
    assert ok(http.get(f"/v1/customers/{cus['id']}"))["balance"] == -300
    refused = http.post("/v1/customers", data={"account_balance": -300}, headers=at("2019-10-17"))
    assert refused.status_code == 400 and refused.json()["error"]["message"] == (
        "Received unknown parameter: account_balance")
    inv = ok(http.post("/v1/invoices", data={"customer": cus["id"], "billing": "send_invoice", "days_until_due": 3,
                                             "pending_invoice_items_behavior": "exclude"}, headers=at("2019-08-14")))
    assert inv["billing"] == "send_invoice"
    assert http.post("/v1/invoices", data={"customer": cus["id"], "billing": "send_invoice"}).status_code == 400
    item = ok(http.post("/v1/invoiceitems", data={"customer": cus["id"], "unit_amount": 250, "quantity": 2,
                                                  "currency": "usd"}, headers=at("2024-06-20")))
    assert item["amount"] == 500 and item["unit_amount"] == 250
    later = http.post("/v1/invoiceitems", data={"customer": cus["id"], "unit_amount": 250, "currency": "usd"})
    assert later.status_code == 400 and later.json()["error"]["param"] == "unit_amount"


def test_search_needs_2020_08_27(http: httpx.Client) -> None:
    refused = http.get("/v1/customers/search", params={"query": "email:'a@b.c'"}, headers=at("2020-03-02"))
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "The minimum supported API Version to use search is 2020-08-27."
    ok(http.get("/v1/customers/search", params={"query": "email:'a@b.c'"}, headers=at("2020-08-27")))


def _voided_balance(http: httpx.Client, version: str) -> tuple[int, list[dict[str, Any]]]:
    h = at(version)
    cus = ok(http.post("/v1/customers", data={"balance": -500}))
    ok(http.post("/v1/invoiceitems", data={"customer": cus["id"], "amount": 1099, "currency": "usd"}))
    inv = ok(http.post("/v1/invoices", data={"customer": cus["id"], "pending_invoice_items_behavior": "include"}))
    ok(http.post(f"/v1/invoices/{inv['id']}/finalize"))
    assert ok(http.get(f"/v1/customers/{cus['id']}"))["balance"] == 0
    ok(http.post(f"/v1/invoices/{inv['id']}/void", headers=h))
    rows = [r for r in ok(http.get("/_arrears/v1/reports/journal"))["rows"] if r["invoice"] == inv["id"]]
    return int(ok(http.get(f"/v1/customers/{cus['id']}"))["balance"]), rows


def test_voiding_gives_the_balance_back_only_from_2019_12_03(http: httpx.Client) -> None:
    given_back, books_now = _voided_balance(http, "2019-12-03")
    kept, books_then = _voided_balance(http, "2019-11-05")
    assert (given_back, kept) == (-500, 0)
    for rows in (books_now, books_then):  # the books balance either way; before, the credit is forfeited
        for entry in {r["entry"] for r in rows}:
            assert sum(r["debit"] - r["credit"] for r in rows if r["entry"] == entry) == 0
    net = {}
    for r in books_then:
        net[r["account"]] = net.get(r["account"], 0) + r["debit"] - r["credit"]
    assert net.get("balance_adjustments", 0) != 0


def test_pending_items_are_included_and_required_by_default_before_2022_08_01(http: httpx.Client) -> None:
    cus = ok(http.post("/v1/customers", data={"email": "p@example.com"}))
    ok(http.post("/v1/invoiceitems", data={"customer": cus["id"], "amount": 700, "currency": "usd"}))
    old = ok(http.post("/v1/invoices", data={"customer": cus["id"]}, headers=at("2020-08-27")))
    assert old["amount_due"] == 700
    nothing = http.post("/v1/invoices", data={"customer": cus["id"]}, headers=at("2020-08-27"))
    assert nothing.status_code == 400 and nothing.json()["error"]["code"] == "invoice_no_customer_line_items"
    ok(http.post("/v1/invoiceitems", data={"customer": cus["id"], "amount": 700, "currency": "usd"}))
    new = ok(http.post("/v1/invoices", data={"customer": cus["id"]}, headers=at("2022-08-01")))
    assert new["amount_due"] == 0
    refused = http.post("/v1/invoices", data={"customer": cus["id"],
                                              "pending_invoice_items_behavior": "include_and_require"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "pending_invoice_items_behavior"


def test_events_keep_the_version_they_were_made_in(http: httpx.Client) -> None:
    inv = written_off(http, "2023-10-16")  # the request's version does not decide the event's
    found = ok(http.get("/v1/events", params={"type": "invoice.marked_uncollectible", "limit": 100}))
    event = next(e for e in found["data"] if e["data"]["object"]["id"] == inv["id"])
    assert event["api_version"] == "2026-10-28.endive" and "status_details" in event["data"]["object"]
    old_reader = ok(http.get(f"/v1/events/{event['id']}", headers=at("2023-10-16")))
    assert old_reader["data"]["object"] == event["data"]["object"]


# --- servers of their own: account defaults and webhook endpoints at three versions -----------------

@pytest.fixture()
def old_server(database: str, tmp_path: Path) -> Iterator[Server]:
    env = {"ARREARS_API_VERSION": "2024-06-20", "ARREARS_WEBHOOK_SCHEDULE": QUICK}
    with Server(database=database, log=tmp_path / "serve.log", env=env) as server:
        yield server


def test_without_stripe_version_a_request_gets_the_accounts_default(old_server: Server) -> None:
    with httpx.Client(base_url=old_server.url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        response = http.get("/v1/account")
        assert response.headers["Stripe-Version"] == "2024-06-20" and ok(response)["api_version"] == "2024-06-20"
        inv = written_off(http)
        assert inv["paid"] is False and "parent" not in inv
        assert "parent" in ok(http.get(f"/v1/invoices/{inv['id']}", headers=at("2026-10-28.endive")))
        events = ok(http.get("/v1/events", params={"type": "invoice.marked_uncollectible"}))["data"]
        assert events[0]["api_version"] == "2024-06-20" and "paid" in events[0]["data"]["object"]


def test_an_account_made_with_a_version_answers_in_it(database: str, tmp_path: Path) -> None:
    env_db = {"ARREARS_DATABASE_URL": database}

    def arrears(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True,
                              env={**os.environ, **env_db}, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    arrears("migrate")
    account = json.loads(arrears("accounts", "create", "--name", "legacy", "--api-version", "2019-02-19",
                                 "--format", "json"))
    key = arrears("keys", "create", "--account", account["id"]).splitlines()[0]
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_AUTH": "strict"}) as server, \
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as http:
        cus = ok(http.post("/v1/customers", data={"account_balance": -100}))
        assert cus["account_balance"] == -100 and "sources" in cus
        assert ok(http.get("/v1/account"))["api_version"] == "2019-02-19"


def test_webhook_endpoints_at_three_versions_get_one_event_in_three_shapes(old_server: Server) -> None:
    versions = {"2018-02-28": None, "2024-09-30.acacia": None, "2026-10-28.endive": None}
    with httpx.Client(base_url=old_server.url, headers={"Authorization": f"Bearer {KEY}"}) as http, \
            Receiver() as a, Receiver() as b, Receiver() as c:
        receivers = dict(zip(versions, (a, b, c), strict=True))
        for version, receiver in receivers.items():
            endpoint = ok(http.post("/v1/webhook_endpoints", data={
                "url": receiver.url, "enabled_events[]": "invoice.marked_uncollectible", "api_version": version}))
            assert endpoint["api_version"] == version
            receiver.secret = endpoint["secret"]
        refused = http.post("/v1/webhook_endpoints", data={"url": a.url, "enabled_events[]": "*",
                                                           "api_version": "2019-01-01"})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "api_version"
        inv = written_off(http)
        shapes = {}
        for version, receiver in receivers.items():
            event = receiver.wait_for(1)[0]  # verified with stripe.Webhook.construct_event by the receiver
            assert event["api_version"] == version and event["data"]["object"]["id"] == inv["id"]
            shapes[version] = event["data"]["object"]
    assert shapes["2018-02-28"]["forgiven"] is True and "status" not in shapes["2018-02-28"]
    assert shapes["2024-09-30.acacia"]["paid"] is False and "parent" not in shapes["2024-09-30.acacia"]
    assert shapes["2026-10-28.endive"]["status_details"]["uncollectible"]["reason"] == "user_forgiven"


def test_serve_api_version_reaches_every_worker(database: str, tmp_path: Path) -> None:
    """The option, not only the environment variable: workers build the app from the environment, so the
    flag must be handed on (it once was not, and the workers answered the latest version)."""
    server = Server(database=database, log=tmp_path / "serve.log", workers=2, args=("--api-version", "2024-06-20"))
    with server as srv, httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {KEY}"}) as http:
        for _ in range(6):  # requests land on either worker
            response = http.get("/v1/account")
            assert response.headers["Stripe-Version"] == "2024-06-20"
            assert ok(response)["api_version"] == "2024-06-20"
        bad = subprocess.run([sys.executable, "-m", "arrears", "serve", "--api-version", "2024-13-01",
                              "--database", database, "--port", "1"], capture_output=True, text=True, timeout=60)
        assert bad.returncode != 0 and "2024-13-01" in bad.stderr and "Traceback" not in bad.stderr
