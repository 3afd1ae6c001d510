"""Which API version a request gets, seen over raw HTTP: ``Stripe-Version`` if it names a released version,
else the account's default; every answer names the version it was rendered in; anything else is refused
with Stripe's 400 before the request does anything."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest

from arrears import STRIPE_API_VERSION
from tests.conftest import OwnServer
from tests.support.server import KEY

AUTH = {"Authorization": f"Bearer {KEY}"}


def at(version: str | None) -> dict[str, str]:
    """The headers that ask for ``version`` (none: the account's default); the clients carry the key."""
    return {"Stripe-Version": version} if version else {}


def invoice_of(http: httpx.Client, version: str | None = None) -> httpx.Response:
    """An open invoice of one 1099 usd item, created and read back at ``version`` (no header if None)."""
    customer = http.post("/v1/customers", data={"email": "version@example.com"}, headers=at(version)).json()
    http.post("/v1/invoiceitems", data={"customer": customer["id"], "amount": "1099", "currency": "usd"},
              headers=at(version))
    made = http.post("/v1/invoices", data={"customer": customer["id"], "pending_invoice_items_behavior": "include"},
                     headers=at(version)).json()
    http.post(f"/v1/invoices/{made['id']}/finalize", headers=at(version))
    return http.get(f"/v1/invoices/{made['id']}", headers=at(version))


# Malformed, before the first version, a release name Stripe never used, a real day with the wrong name.
@pytest.mark.parametrize("version", ["garbage", "1999-01-01", "2099-01-01.zulu", "2024-06-20.acacia"])
def test_a_version_stripe_never_released_is_refused_with_stripes_message(http: httpx.Client, version: str) -> None:
    answer = http.get("/v1/customers", headers=at(version))
    assert answer.status_code == 400
    error: dict[str, Any] = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"] == f"Invalid Stripe API version: {version}"


def test_a_write_at_an_unknown_version_is_refused_before_it_writes(http: httpx.Client) -> None:
    email = "refused-version@example.com"
    answer = http.post("/v1/customers", data={"email": email}, headers=at("2099-01-01.zulu"))
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Invalid Stripe API version: 2099-01-01.zulu"
    listed = http.get("/v1/customers", params={"email": email}).json()
    assert listed["data"] == []


@pytest.mark.parametrize("version", ["2023-10-16", "2024-09-30.acacia", "2025-02-24.acacia", "2025-03-31.basil",
                                     STRIPE_API_VERSION])
def test_every_answer_names_the_version_it_was_rendered_in(http: httpx.Client, version: str) -> None:
    created = http.post("/v1/customers", data={"email": "named@example.com"}, headers=at(version))
    answers = [created, http.get(f"/v1/customers/{created.json()['id']}", headers=at(version)),
               http.get("/v1/customers", params={"limit": 1}, headers=at(version)),
               http.get("/v1/customers/cus_missing", headers=at(version)),
               http.post("/v1/customers", data={"balance": "lots"}, headers=at(version))]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 400]
    assert [a.headers.get("Stripe-Version") for a in answers] == [version] * len(answers)


def test_without_a_header_the_answer_is_in_the_open_accounts_default_the_latest(http: httpx.Client) -> None:
    answer = invoice_of(http)
    assert answer.headers["Stripe-Version"] == STRIPE_API_VERSION
    invoice = answer.json()
    assert "parent" in invoice and "paid" not in invoice  # the basil+ shape


def test_the_header_decides_the_shape_of_the_same_invoice(http: httpx.Client) -> None:
    old = invoice_of(http, "2024-06-20")
    assert old.headers["Stripe-Version"] == "2024-06-20"
    invoice = old.json()
    assert invoice["paid"] is False and "parent" not in invoice
    line = invoice["lines"]["data"][0]
    assert line["type"] == "invoiceitem" and "pricing" not in line
    latest = http.get(f"/v1/invoices/{invoice['id']}", headers=at(STRIPE_API_VERSION)).json()
    assert "paid" not in latest and latest["lines"]["data"][0]["parent"]["type"] == "invoice_item_details"


def test_a_version_between_two_changes_renders_like_its_older_neighbour(http: httpx.Client) -> None:
    between = invoice_of(http, "2025-02-24.acacia").json()
    acacia = http.get(f"/v1/invoices/{between['id']}", headers=at("2024-09-30.acacia")).json()
    assert set(between) == set(acacia)
    assert "paid" in between and "parent" not in between


def test_an_open_account_served_at_an_older_default_answers_in_it(database: str, own_server: OwnServer) -> None:
    srv = own_server(database, env={"ARREARS_API_VERSION": "2024-06-20"})
    with httpx.Client(base_url=srv.url, headers=AUTH, timeout=30) as client:
        answer = invoice_of(client)
        assert answer.headers["Stripe-Version"] == "2024-06-20"
        assert answer.json()["paid"] is False
        newer = client.get("/v1/customers", params={"limit": 1}, headers=at("2025-03-31.basil"))
        assert newer.headers["Stripe-Version"] == "2025-03-31.basil"


def arrears(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_account_made_at_an_older_version_is_answered_in_it_unless_a_request_asks(
        database: str, own_server: OwnServer) -> None:
    arrears("accounts", "create", "--database", database, "--id", "acct_old", "--api-version", "2024-06-20")
    key = json.loads(arrears("keys", "create", "--database", database, "--account", "acct_old",
                             "--format", "json"))["key"]
    srv = own_server(database)
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
        account = client.get("/v1/account")
        assert account.headers["Stripe-Version"] == "2024-06-20"
        assert (account.json()["id"], account.json()["api_version"]) == ("acct_old", "2024-06-20")
        answer = invoice_of(client)
        assert answer.headers["Stripe-Version"] == "2024-06-20" and answer.json()["paid"] is False
        asked = client.get(f"/v1/invoices/{answer.json()['id']}", headers={"Stripe-Version": "2025-03-31.basil"})
        assert asked.headers["Stripe-Version"] == "2025-03-31.basil" and "paid" not in asked.json()
