"""Currencies are Stripe's: an ISO 4217 code from Stripe's list, read in lowercase (``USD`` is ``usd``),
anything else a 400 with ``param: currency`` and Stripe's message listing the codes it supports. The rule
lives in the domain (domain/currency.py); every face and report filter reads codes through it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
import stripe

from arrears.domain import currency
from arrears.domain.errors import ParamError
from tests.support.answers import ok, refused
from tests.support.faces import FLEX, YORLET
from tests.support.server import KEY, Server

STRIPE_LIST_START = "usd, aed, afn, all, amd, ang, aoa, ars, aud, awg, azn, bam"
STRIPE = {"Authorization": f"Bearer {KEY}"}


def stripe_message(code: str) -> str:
    return f"Invalid currency: {code}. Stripe currently supports these currencies: {', '.join(currency.SUPPORTED)}"


# --- the rule ---------------------------------------------------------------------------------------------

def test_the_rule_lowercases_a_supported_code() -> None:
    assert currency.parse("USD") == "usd"
    assert currency.parse("Eur") == "eur"
    assert currency.parse("usdc") == "usdc"  # Stripe's list is not only three letters


@pytest.mark.parametrize("given", ["XXX", "us", "u$d", "usd ", "zzz", "", "dollars"])
def test_the_rule_refuses_anything_else_with_stripes_message(given: str) -> None:
    with pytest.raises(ParamError) as raised:
        currency.parse(given)
    assert raised.value.param == "currency"
    assert raised.value.message == stripe_message(given.lower())


def test_the_list_is_stripes_in_stripes_order() -> None:
    assert ", ".join(currency.SUPPORTED).startswith(STRIPE_LIST_START)
    assert len(set(currency.SUPPORTED)) == len(currency.SUPPORTED)
    assert {"gbp", "eur", "jpy", "sek", "xcg"} <= set(currency.SUPPORTED)
    assert "xxx" not in currency.SUPPORTED


# --- the Stripe face, through the SDK -----------------------------------------------------------------------

def test_an_uppercase_currency_is_stored_and_answered_in_lowercase(client: stripe.StripeClient,
                                                                    customer: stripe.Customer) -> None:
    # Given an invoice item created with currency USD
    item = client.v1.invoice_items.create(params={"customer": customer.id, "amount": 500, "currency": "USD"})
    # Then it is answered, and kept, as usd
    assert item.currency == "usd"
    assert client.v1.invoice_items.retrieve(item.id).currency == "usd"
    invoice = client.v1.invoices.create(params={"customer": customer.id, "currency": "USD",
                                                "pending_invoice_items_behavior": "include"})
    assert invoice.currency == "usd"
    assert [line.amount for line in invoice.lines.data] == [500]  # the usd item matched the USD invoice
    txn = client.v1.customers.balance_transactions.create(customer.id, params={"amount": -100, "currency": "USD"})
    assert txn.currency == "usd"
    assert client.v1.customers.retrieve(customer.id).currency == "usd"


@pytest.mark.parametrize("given", ["XXX", "us", "u$d"])
def test_an_unsupported_currency_is_a_400_naming_the_param(client: stripe.StripeClient,
                                                           customer: stripe.Customer, given: str) -> None:
    calls = [
        lambda: client.v1.invoice_items.create(params={"customer": customer.id, "amount": 500, "currency": given}),
        lambda: client.v1.invoices.create(params={"customer": customer.id, "currency": given}),
        lambda: client.v1.customers.balance_transactions.create(customer.id,
                                                                params={"amount": 100, "currency": given}),
    ]
    for call in calls:
        error = refused(call)
        assert error.param == "currency"
        assert error.user_message == stripe_message(given.lower())
    # And nothing was written
    assert client.v1.invoice_items.list(params={"customer": customer.id}).data == []
    assert client.v1.customers.retrieve(customer.id).balance == 0


# --- the report filters -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_usd_invoice(server: Server) -> dict[str, Any]:
    cus = ok(httpx.post(server.url + "/v1/customers", headers=STRIPE, data={"email": "aging@example.com"}))
    ok(httpx.post(server.url + "/v1/invoiceitems", headers=STRIPE,
                  data={"customer": cus["id"], "amount": "1234", "currency": "usd"}))
    inv = ok(httpx.post(server.url + "/v1/invoices", headers=STRIPE,
                        data={"customer": cus["id"], "pending_invoice_items_behavior": "include"}))
    return dict(ok(httpx.post(f"{server.url}/v1/invoices/{inv['id']}/finalize", headers=STRIPE)))


def test_an_uppercase_report_filter_matches_lowercase_invoices(server: Server,
                                                               open_usd_invoice: dict[str, Any]) -> None:
    report = ok(httpx.get(server.url + "/_arrears/v1/reports/aging", headers=STRIPE, params={"currency": "USD"}))
    assert report["currency"] == "usd"
    assert open_usd_invoice["customer"] in {row["customer"] for row in report["rows"]}
    bad_debt = httpx.get(server.url + "/_arrears/v1/reports/bad_debt", headers=STRIPE, params={"currency": "XXX"})
    assert bad_debt.status_code == 400
    assert bad_debt.json()["error"] == {"type": "invalid_request_error", "param": "currency",
                                        "message": stripe_message("xxx")}


def test_the_report_command_reads_an_uppercase_currency(server: Server, open_usd_invoice: dict[str, Any]) -> None:
    run = subprocess.run([sys.executable, "-m", "arrears", "report", "aging", "--currency", "USD", "--format",
                          "json", "--database", server.database], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert open_usd_invoice["customer"] in run.stdout
    refused_run = subprocess.run([sys.executable, "-m", "arrears", "report", "aging", "--currency", "XXX",
                                  "--database", server.database], capture_output=True, text=True, timeout=60)
    assert refused_run.returncode == 2
    assert "Invalid currency: xxx." in refused_run.stderr


# --- the dialect faces --------------------------------------------------------------------------------------

def test_flex_reads_currencies_by_the_same_rule(server: Server) -> None:
    base = server.url + "/flex/v1"
    cus = ok(httpx.post(base + "/customers", headers=FLEX, json={"customer": {"email": "flex@example.com"}}))
    customer_id = cus["customer"]["customer_id"]
    item = ok(httpx.post(base + "/invoice_items", headers=FLEX, json={"invoice_item": {
        "customer": customer_id, "amount": 100, "currency": "USD"}}))
    assert item["invoice_item"]["currency"] == "usd"
    refused = httpx.post(base + "/invoice_items", headers=FLEX, json={"invoice_item": {
        "customer": customer_id, "amount": 100, "currency": "u$d"}})
    assert refused.status_code == 400
    assert refused.json() == {"error": {"code": "invalid_request", "type": "invalid_request_error",
                                        "param": "invoice_item[currency]", "message": stripe_message("u$d")}}


def test_yorlet_reads_its_own_currencies_in_any_case(server: Server) -> None:
    base = server.url + "/yorlet/v1"
    cus = ok(httpx.post(base + "/customers", headers=YORLET, json={"email": "yorlet@example.com"}))
    item = ok(httpx.post(base + "/invoice_items", headers=YORLET,
                         json={"customer": cus["id"], "amount": 100, "currency": "GBP"}))
    assert item["currency"] == "gbp"
    refused = httpx.post(base + "/invoice_items", headers=YORLET,
                         json={"customer": cus["id"], "amount": 100, "currency": "JPY"})
    assert refused.status_code == 400
    assert refused.json() == {"error": {"param": "currency", "type": "invalid_request",
                                        "message": "Invalid currency: jpy. This API supports these currencies: "
                                                   "gbp, usd, eur, sek"}, "status": 400}
