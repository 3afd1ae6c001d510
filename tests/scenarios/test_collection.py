"""Automatic collection ending in uncollectible, told as business stories on Stripe test clocks.

Policy under test (the server's default): failed automatic payments are retried 3, 5 and 7 days later,
then the invoice is written off (max_payment_attempts); a sent invoice unpaid 30 days after its due date
is written off (payment_not_received). Both backends."""

from __future__ import annotations

import time
from typing import Any

import httpx
import stripe

from tests.support.server import KEY, Server

DAY = 86400
T0 = 1_800_000_000  # a fixed start, so the stories do not depend on today's date


def on_clock(client: stripe.StripeClient, **customer: Any) -> tuple[Any, Any]:
    clock = client.v1.test_helpers.test_clocks.create(params={"frozen_time": T0, "name": "collection story"})
    cus = client.v1.customers.create(params={"test_clock": clock.id, "email": "late@example.com", **customer})
    return clock, cus


def advance(client: stripe.StripeClient, clock: Any, to: int) -> Any:
    advanced = client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": to})
    assert (advanced.status, advanced.frozen_time) == ("ready", to)
    return advanced


def events_of(client: stripe.StripeClient, invoice_id: str) -> list[str]:
    found = client.v1.events.list(params={"limit": 100, "type": "invoice.*"}).auto_paging_iter()
    return [e.type for e in reversed(list(found)) if e.data.object.id == invoice_id]


def bad_debt_of(server: Server, customer_id: str) -> dict[str, Any]:
    report = httpx.get(server.url + "/_arrears/v1/reports/bad_debt", params={"group_by": "customer"},
                       headers={"Authorization": f"Bearer {KEY}"}).json()
    return next(r for r in report["rows"] if r["customer"] == customer_id)


def test_a_sent_invoice_nobody_pays_goes_overdue_then_is_written_off_and_can_still_be_recovered(
    server: Server, client: stripe.StripeClient,
) -> None:
    # Given a customer on a test clock and a 120.00 invoice sent with 30 days to pay
    clock, cus = on_clock(client)
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 12000, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include",
                                            "collection_method": "send_invoice", "days_until_due": 30})
    inv = client.v1.invoices.send_invoice(inv.id)
    assert inv.created == T0 and inv.due_date == T0 + 30 * DAY
    # When the due date passes
    advance(client, clock, T0 + 31 * DAY)
    # Then the invoice is overdue and the customer delinquent, but nothing is written off yet
    assert client.v1.invoices.retrieve(inv.id).status == "open"
    assert client.v1.customers.retrieve(cus.id).delinquent is True
    assert events_of(client, inv.id)[-1] == "invoice.overdue"
    # When 30 more days pass without payment
    advance(client, clock, T0 + 61 * DAY)
    # Then it is uncollectible because payment was not received, written off at the policy's time
    late = client.v1.invoices.retrieve(inv.id)
    assert late.status == "uncollectible"
    assert late.status_details.uncollectible.reason == "payment_not_received"
    assert late.status_transitions.marked_uncollectible_at == T0 + 60 * DAY
    assert late.amount_remaining == 12000
    assert bad_debt_of(server, cus.id)["written_off"] == 12000
    assert client.v1.customers.retrieve(cus.id).delinquent is True  # dunning does not reset it
    # When the customer pays after all
    paid = client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
    # Then the write-off is recovered and the customer is in good standing again
    assert paid.status == "paid" and paid.status_transitions.paid_at == T0 + 61 * DAY
    assert bad_debt_of(server, cus.id) | {"period": None} == {
        "period": None, "customer": cus.id, "currency": "usd", "written_off": 12000, "recovered": 12000, "net": 0}
    assert client.v1.customers.retrieve(cus.id).delinquent is False
    assert events_of(client, inv.id) == ["invoice.created", "invoice.finalized", "invoice.sent", "invoice.overdue",
                                         "invoice.marked_uncollectible", "invoice.paid"]


def test_a_card_that_keeps_failing_exhausts_the_retries_and_ends_uncollectible(client: stripe.StripeClient) -> None:
    # Given an auto-advancing invoice charged to a card that is always declined
    clock, cus = on_clock(client, invoice_settings={"default_payment_method": "pm_card_chargeDeclined"})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 5000, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include",
                                            "auto_advance": True})
    assert inv.automatically_finalizes_at == T0 + 3601
    # When an hour passes it is finalized; an hour later the first attempt fails
    advance(client, clock, T0 + 2 * 3600 + 1)
    first = client.v1.invoices.retrieve(inv.id)
    assert first.status == "open" and first.status_transitions.finalized_at == T0 + 3601
    assert (first.attempted, first.attempt_count) == (True, 1)
    assert first.next_payment_attempt == T0 + 3601 + 3600 + 3 * DAY
    assert client.v1.customers.retrieve(cus.id).delinquent is True
    # When the retries 3, 5 and 7 days apart all fail
    advance(client, clock, T0 + 20 * DAY)
    final = client.v1.invoices.retrieve(inv.id)
    # Then it is written off for reaching the maximum of payment attempts
    assert final.status == "uncollectible"
    assert final.status_details.uncollectible.reason == "max_payment_attempts"
    assert final.attempt_count == 4 and final.next_payment_attempt is None
    assert final.status_transitions.marked_uncollectible_at == T0 + 3601 + 3600 + 15 * DAY
    assert events_of(client, inv.id).count("invoice.payment_failed") == 4
    assert client.v1.customers.retrieve(cus.id).delinquent is True


def test_a_good_card_is_charged_automatically_when_the_clock_reaches_the_attempt(client: stripe.StripeClient) -> None:
    clock, cus = on_clock(client, invoice_settings={"default_payment_method": "pm_card_visa"})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 700, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include",
                                            "auto_advance": True})
    advance(client, clock, T0 + DAY)
    paid = client.v1.invoices.retrieve(inv.id)
    assert paid.status == "paid" and paid.status_transitions.paid_at == T0 + 3601 + 3600
    assert (paid.attempted, paid.attempt_count, paid.amount_paid) == (True, 1, 700)
    assert events_of(client, inv.id)[-2:] == ["invoice.paid", "invoice.payment_succeeded"]


def test_a_test_clock_only_moves_forward(client: stripe.StripeClient) -> None:
    clock, _ = on_clock(client)
    try:
        client.v1.test_helpers.test_clocks.advance(clock.id, params={"frozen_time": T0 - 1})
    except stripe.InvalidRequestError as err:
        assert err.param == "frozen_time"
    else:
        raise AssertionError("moving a test clock back was accepted")
    assert client.v1.test_helpers.test_clocks.retrieve(clock.id).frozen_time == T0


def test_the_server_scheduler_writes_off_invoices_on_no_clock(database: str) -> None:
    # Given a server whose policy writes off sent invoices as soon as they are due
    env = {"ARREARS_UNCOLLECTIBLE_DAYS_AFTER_DUE": "0", "ARREARS_WEBHOOKS": "off"}
    with Server(database=database, env=env) as server:
        client = stripe.StripeClient(KEY, base_addresses={"api": server.url}, max_network_retries=0)
        cus = client.v1.customers.create(params={"email": "gone@example.com"})
        client.v1.invoice_items.create(params={"customer": cus.id, "amount": 900, "currency": "usd"})
        inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include",
                                                "collection_method": "send_invoice", "due_date": int(time.time()) - 60})
        client.v1.invoices.finalize_invoice(inv.id)
        # When the scheduler's next rounds come
        deadline = time.monotonic() + 15
        while client.v1.invoices.retrieve(inv.id).status == "open" and time.monotonic() < deadline:
            time.sleep(0.2)
        # Then it was marked overdue and written off for payment not received
        done = client.v1.invoices.retrieve(inv.id)
        assert done.status == "uncollectible"
        assert done.status_details.uncollectible.reason == "payment_not_received"
        assert events_of(client, inv.id)[-2:] == ["invoice.overdue", "invoice.marked_uncollectible"]
