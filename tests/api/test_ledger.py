"""The bad-debt books through the API: every change posts a balanced entry in its own transaction, and
the reports (aging, bad debt, journal) read them back. Runs on both backends."""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.support.server import KEY, Server

DAY = 86400


def get(server: Server, path: str, **params: Any) -> httpx.Response:
    response = httpx.get(server.url + path, params=params, headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.text
    return response


def journal(server: Server, invoice: str | None = None) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(get(server, "/_arrears/v1/reports/journal", format="csv").text)))
    return [r for r in rows if invoice is None or r["invoice"] == invoice]


def net(rows: list[dict[str, str]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row["account"]] += int(row["debit"]) - int(row["credit"])
    return Counter({k: v for k, v in totals.items() if v})


def test_the_whole_journal_always_balances(server: Server, client: stripe.StripeClient) -> None:
    factories.invoice_in(client, "uncollectible")
    factories.invoice_in(client, "paid")
    rows = journal(server)
    assert rows
    assert sum(int(r["debit"]) for r in rows) == sum(int(r["credit"]) for r in rows)
    for entry in {r["entry"] for r in rows}:
        lines = [r for r in rows if r["entry"] == entry]
        assert sum(int(r["debit"]) - int(r["credit"]) for r in lines) == 0, lines


def test_write_off_then_late_payment_is_booked_as_a_recovery(server: Server, client: stripe.StripeClient) -> None:
    # Given the docs scenario: 10.99 invoiced, 5.00 of credit applied, 5.99 written off
    cus = factories.customer(client, balance=-500)
    inv = factories.invoice_in(client, "uncollectible", cus=cus)
    assert net(journal(server, inv.id)) == {"customer_balance": 500, "revenue": -1099, "bad_debt_expense": 599}
    # When it is paid out of band after all
    client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
    rows = journal(server, inv.id)
    # Then the write-off stays, a recovery is recognised and the cash is in
    assert net(rows) == {"customer_balance": 500, "revenue": -1099, "bad_debt_expense": 599,
                         "bad_debt_recovered": -599, "cash": 599}
    assert [r["kind"] for r in rows] == ["finalization"] * 3 + ["write_off"] * 2 + ["recovery"] * 2 + ["payment"] * 2
    events = {e.id for e in client.v1.events.list(params={"limit": 100}).data if e.data.object.id == inv.id}
    assert {r["event"] for r in rows} <= events


def test_voiding_an_uncollectible_invoice_reverses_it_in_the_books(server: Server, client: stripe.StripeClient) -> None:
    cus = factories.customer(client, balance=-500)
    inv = factories.invoice_in(client, "uncollectible", cus=cus)
    client.v1.invoices.void_invoice(inv.id)
    rows = journal(server, inv.id)
    assert net(rows) == Counter()
    assert rows[-1]["kind"] == "void"


def test_a_refused_transition_posts_nothing(server: Server, client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "paid")
    before = journal(server, inv.id)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.mark_uncollectible(inv.id)
    assert journal(server, inv.id) == before


def test_bad_debt_report_counts_write_offs_and_recoveries_per_customer(
    server: Server, client: stripe.StripeClient,
) -> None:
    cus = factories.customer(client)
    written = factories.invoice_in(client, "uncollectible", cus=cus, amount=1000)
    factories.invoice_in(client, "uncollectible", cus=cus, amount=250)
    client.v1.invoices.pay(written.id, params={"paid_out_of_band": True})
    report = get(server, "/_arrears/v1/reports/bad_debt", group_by="customer").json()
    mine = [r for r in report["rows"] if r["customer"] == cus.id]
    assert mine == [{"period": None, "customer": cus.id, "currency": "usd", "written_off": 1250,
                     "recovered": 1000, "net": 250}]
    by_month = get(server, "/_arrears/v1/reports/bad_debt", period="month").json()["rows"]
    this_month = time.strftime("%Y-%m", time.gmtime())
    assert any(r["period"] == this_month and r["written_off"] >= 1250 for r in by_month)
    quarter = get(server, "/_arrears/v1/reports/bad_debt", period="quarter").json()["rows"]
    month = time.gmtime().tm_mon
    assert any(r["period"] == f"{time.gmtime().tm_year}-Q{(month + 2) // 3}" for r in quarter)


def test_aging_buckets_open_receivables_by_days_past_due(server: Server, client: stripe.StripeClient) -> None:
    # On a test clock that stays put, so the server's dunning scheduler does not write the old ones off
    now = int(time.time())
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": now})
    cus = factories.customer(client, test_clock=clock.id)
    for days_late, amount in ((-5, 100), (10, 200), (45, 300), (75, 400), (120, 500)):
        inv = factories.draft(client, cus=cus, amount=amount, collection_method="send_invoice",
                              due_date=now - days_late * DAY)
        client.v1.invoices.finalize_invoice(inv.id)
    written_off = factories.invoice_in(client, "uncollectible", cus=cus, amount=999)
    assert written_off.status == "uncollectible"
    report = get(server, "/_arrears/v1/reports/aging", as_of=now).json()
    row = next(r for r in report["rows"] if r["customer"] == cus.id)
    assert row == {"customer": cus.id, "currency": "usd", "current": 100, "1_30": 200, "31_60": 300,
                   "61_90": 400, "over_90": 500, "total": 1500}
    csv_rows = list(csv.DictReader(io.StringIO(get(server, "/_arrears/v1/reports/aging", as_of=now,
                                                   format="csv").text)))
    assert next(r for r in csv_rows if r["customer"] == cus.id)["over_90"] == "500"


def test_reports_refuse_bad_parameters(server: Server) -> None:
    response = httpx.get(server.url + "/_arrears/v1/reports/bad_debt", params={"period": "week"},
                         headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "period"
