"""The field effects of each invoice transition (reference stripe-invoices.md §3.1, §3.4, §4.2), through
the official SDK against a real server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.support.server import KEY, Server

BEFORE_ENDIVE = "2026-06-24.dahlia"
ENDIVE = "2026-10-28.endive"


# --- local factories ------------------------------------------------------------------------------

def unique_prefix() -> str:
    """A fresh invoice_prefix (3-12 uppercase letters or digits), so numbers never collide across tests."""
    return "T" + uuid.uuid4().hex[:9].upper()


def customer_with(client: stripe.StripeClient, **params: Any) -> stripe.Customer:
    return factories.customer(client, invoice_prefix=unique_prefix(), **params)


def balance_transactions(client: stripe.StripeClient, cus: stripe.Customer, inv: stripe.Invoice) -> list[Any]:
    return list(client.v1.customers.balance_transactions.list(cus.id, params={"invoice": inv.id}).data)


@contextmanager
def clock_window() -> Iterator[list[int]]:
    """Yields [start, end]: the Unix seconds around the calls made inside the block."""
    window = [int(time.time())]
    yield window
    window.append(int(time.time()) + 1)


def within(stamp: int | None, window: list[int]) -> bool:
    return stamp is not None and window[0] <= stamp <= window[1]


# --- finalize -------------------------------------------------------------------------------------

def test_given_a_draft_when_finalized_then_it_is_numbered_from_the_customers_prefix_and_sequence(
    client: stripe.StripeClient,
) -> None:
    # Given a customer whose next invoice sequence is 7
    cus = customer_with(client, next_invoice_sequence=7)
    first = factories.draft(client, cus=cus)
    second = factories.draft(client, cus=cus)
    assert first.number is None and second.number is None
    # When both drafts are finalized
    first = client.v1.invoices.finalize_invoice(first.id)
    second = client.v1.invoices.finalize_invoice(second.id)
    # Then they are numbered PREFIX-0007 and PREFIX-0008, and the customer's sequence moved on
    assert first.number == f"{cus.invoice_prefix}-0007"
    assert second.number == f"{cus.invoice_prefix}-0008"
    assert client.v1.customers.retrieve(cus.id).next_invoice_sequence == 9


def test_given_two_customers_when_each_finalizes_then_each_counts_its_own_sequence(
    client: stripe.StripeClient,
) -> None:
    alice, bob = customer_with(client), customer_with(client)
    a1 = client.v1.invoices.finalize_invoice(factories.draft(client, cus=alice).id)
    b1 = client.v1.invoices.finalize_invoice(factories.draft(client, cus=bob).id)
    a2 = client.v1.invoices.finalize_invoice(factories.draft(client, cus=alice).id)
    assert (a1.number, a2.number) == (f"{alice.invoice_prefix}-0001", f"{alice.invoice_prefix}-0002")
    assert b1.number == f"{bob.invoice_prefix}-0001"
    assert client.v1.customers.retrieve(bob.id).next_invoice_sequence == 2


def test_given_drafts_when_finalized_by_pay_send_and_zero_settlement_then_every_path_takes_a_number(
    client: stripe.StripeClient,
) -> None:
    cus = customer_with(client)
    by_finalize = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus).id)
    by_pay = client.v1.invoices.pay(factories.draft(client, cus=cus).id, params={"paid_out_of_band": True})
    by_send = client.v1.invoices.send_invoice(
        factories.draft(client, cus=cus, collection_method="send_invoice", days_until_due=30).id)
    by_zero = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=0).id)
    numbers = [inv.number for inv in (by_finalize, by_pay, by_send, by_zero)]
    assert numbers == [f"{cus.invoice_prefix}-000{n}" for n in (1, 2, 3, 4)]


def test_given_a_draft_when_finalized_then_it_is_open_with_timestamps_and_urls(client: stripe.StripeClient) -> None:
    # Given a draft: nothing of finalization is set yet
    draft = factories.draft(client, amount=1099)
    assert (draft.status_transitions.finalized_at, draft.effective_at) == (None, None)
    assert (draft.hosted_invoice_url, draft.invoice_pdf, draft.ending_balance) == (None, None, None)
    # When it is finalized
    with clock_window() as window:
        inv = client.v1.invoices.finalize_invoice(draft.id)
    # Then it is open, stamped, and has its hosted page and PDF
    assert inv.status == "open"
    assert within(inv.status_transitions.finalized_at, window)
    assert inv.effective_at == inv.status_transitions.finalized_at
    assert inv.status_transitions.paid_at is None
    assert inv.hosted_invoice_url and inv.invoice_pdf
    assert inv.ending_balance == 0
    assert (inv.amount_due, inv.amount_paid, inv.amount_remaining) == (1099, 0, 1099)
    assert (inv.attempted, inv.attempt_count) == (False, 0)  # finalizing makes no payment attempt


def test_given_a_finalized_invoice_then_its_hosted_page_and_pdf_answer(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")
    page = httpx.get(inv.hosted_invoice_url, timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert inv.number in page.text
    pdf = httpx.get(inv.invoice_pdf, timeout=10)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_given_customer_credit_when_finalized_then_it_is_applied_with_a_balance_transaction(
    client: stripe.StripeClient,
) -> None:
    # Given a customer with 5.00 credit and a 10.99 draft
    cus = customer_with(client, balance=-500)
    draft = factories.draft(client, cus=cus, amount=1099)
    assert draft.starting_balance == -500 and draft.ending_balance is None
    # When it is finalized
    inv = client.v1.invoices.finalize_invoice(draft.id)
    # Then the credit is used up on it: 10.99 - 5.00 = 5.99 due
    assert (inv.starting_balance, inv.ending_balance) == (-500, 0)
    assert (inv.total, inv.amount_due, inv.amount_remaining) == (1099, 599, 599)
    assert client.v1.customers.retrieve(cus.id).balance == 0
    # And the move is recorded as applied_to_invoice
    [txn] = balance_transactions(client, cus, inv)
    assert (txn.type, txn.amount, txn.ending_balance, txn.invoice) == ("applied_to_invoice", 500, 0, inv.id)


def test_given_more_credit_than_the_total_when_finalized_then_it_is_paid_and_the_rest_of_the_credit_stays(
    client: stripe.StripeClient,
) -> None:
    cus = customer_with(client, balance=-500)
    inv = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=300).id)
    assert (inv.starting_balance, inv.ending_balance, inv.amount_due) == (-500, -200, 0)
    assert inv.status == "paid"
    assert client.v1.customers.retrieve(cus.id).balance == -200
    [txn] = balance_transactions(client, cus, inv)
    assert (txn.type, txn.amount, txn.ending_balance) == ("applied_to_invoice", 300, -200)


def test_given_a_customer_who_owes_when_finalized_then_the_debt_is_added_to_the_amount_due(
    client: stripe.StripeClient,
) -> None:
    cus = customer_with(client, balance=300)
    inv = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=1099).id)
    assert (inv.starting_balance, inv.ending_balance) == (300, 0)
    assert (inv.total, inv.amount_due) == (1099, 1399)
    assert client.v1.customers.retrieve(cus.id).balance == 0
    [txn] = balance_transactions(client, cus, inv)
    assert (txn.type, txn.amount) == ("applied_to_invoice", -300)


def test_given_a_zero_draft_when_finalized_then_it_goes_straight_to_paid(client: stripe.StripeClient) -> None:
    draft = factories.draft(client, amount=0, auto_advance=True)
    with clock_window() as window:
        inv = client.v1.invoices.finalize_invoice(draft.id)
    assert inv.status == "paid"
    assert within(inv.status_transitions.paid_at, window)
    assert inv.status_transitions.paid_at == inv.status_transitions.finalized_at
    assert (inv.amount_due, inv.amount_paid, inv.amount_remaining) == (0, 0, 0)
    assert inv.number is not None
    assert inv.auto_advance is False


# --- pay ------------------------------------------------------------------------------------------

def test_given_a_draft_when_paid_then_it_is_finalized_and_paid_in_one_call(client: stripe.StripeClient) -> None:
    draft = factories.draft(client, amount=1099)
    with clock_window() as window:
        inv = client.v1.invoices.pay(draft.id, params={"paid_out_of_band": True})
    assert inv.status == "paid"
    assert within(inv.status_transitions.finalized_at, window)
    assert inv.status_transitions.finalized_at == inv.status_transitions.paid_at == inv.effective_at
    assert inv.number and inv.hosted_invoice_url and inv.invoice_pdf
    assert (inv.amount_paid, inv.amount_remaining) == (1099, 0)


def test_given_an_open_invoice_when_paid_out_of_band_then_it_is_paid_off_stripe_without_an_attempt(
    client: stripe.StripeClient,
) -> None:
    # Given an open invoice of 5.99 after 5.00 credit
    cus = customer_with(client, balance=-500)
    opened = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=1099).id)
    # When it is marked paid out of band
    with clock_window() as window:
        inv = client.v1.invoices.pay(opened.id, params={"paid_out_of_band": True})
    # Then the whole amount due is paid, off Stripe, and no attempt was made
    assert inv.status == "paid"
    assert (inv.amount_due, inv.amount_paid, inv.amount_remaining, inv.amount_paid_off_stripe) == (599, 599, 0, 599)
    assert (inv.attempted, inv.attempt_count) == (False, 0)
    assert within(inv.status_transitions.paid_at, window)
    assert inv.status_transitions.finalized_at == opened.status_transitions.finalized_at
    assert inv.number == opened.number  # paying does not renumber
    assert client.v1.customers.retrieve(cus.id).delinquent is False


def test_given_an_open_invoice_when_paid_with_a_test_card_then_the_attempt_is_counted(
    client: stripe.StripeClient,
) -> None:
    opened = factories.invoice_in(client, "open", amount=1099)
    inv = client.v1.invoices.pay(opened.id, params={"payment_method": "pm_card_visa"})
    assert inv.status == "paid"
    assert (inv.attempted, inv.attempt_count) == (True, 1)
    assert (inv.amount_paid, inv.amount_remaining, inv.amount_paid_off_stripe) == (1099, 0, 0)


def test_given_an_open_invoice_when_the_card_is_declined_then_it_is_a_card_error_and_the_invoice_stays_open(
    client: stripe.StripeClient,
) -> None:
    opened = factories.invoice_in(client, "open", amount=1099)
    with pytest.raises(stripe.CardError) as declined:
        client.v1.invoices.pay(opened.id, params={"payment_method": "pm_card_chargeDeclined"})
    err = declined.value
    assert err.http_status == 402
    assert err.code == "card_declined"
    assert err.json_body is not None
    assert err.json_body["error"]["type"] == "card_error"
    assert err.json_body["error"]["decline_code"] == "generic_decline"
    assert err.user_message == "Your card was declined."
    inv = client.v1.invoices.retrieve(opened.id)
    assert inv.status == "open"
    assert (inv.amount_paid, inv.amount_remaining) == (0, 1099)
    assert inv.status_transitions.paid_at is None


def test_given_an_open_invoice_when_the_card_is_declined_then_the_failed_attempt_is_recorded(
    client: stripe.StripeClient,
) -> None:
    # A declined /pay is a payment attempt ("Any payment attempt counts as the first attempt") and
    # Stripe emits invoice.payment_failed; the status does not change.
    opened = factories.invoice_in(client, "open", amount=1099)
    with pytest.raises(stripe.CardError):
        client.v1.invoices.pay(opened.id, params={"payment_method": "pm_card_chargeDeclined"})
    inv = client.v1.invoices.retrieve(opened.id)
    assert (inv.status, inv.attempted, inv.attempt_count) == ("open", True, 1)
    failed = client.v1.events.list(params={"type": "invoice.payment_failed", "limit": 100}).data
    assert [e.data.object.id for e in failed].count(opened.id) == 1


# --- mark_uncollectible ---------------------------------------------------------------------------

def test_given_an_open_invoice_when_marked_uncollectible_then_the_debt_is_written_off_but_still_owed(
    client: stripe.StripeClient,
) -> None:
    # Given an open, auto-advancing invoice of 5.99 after credit
    cus = customer_with(client, balance=-500)
    draft = factories.draft(client, cus=cus, amount=1099, auto_advance=True)
    opened = client.v1.invoices.finalize_invoice(draft.id)
    assert opened.auto_advance is True
    # When it is marked uncollectible
    with clock_window() as window:
        inv = client.v1.invoices.mark_uncollectible(opened.id)
    # Then it is uncollectible because the user forgave it
    assert inv.status == "uncollectible"
    assert inv.status_details.uncollectible.reason == "user_forgiven"
    assert within(inv.status_transitions.marked_uncollectible_at, window)
    assert (inv.status_transitions.paid_at, inv.status_transitions.voided_at) == (None, None)
    # And collection stops
    assert inv.auto_advance is False
    assert inv.next_payment_attempt is None
    # And the amounts are as they were: 5.99 is still owed
    amounts = ("total", "amount_due", "amount_paid", "amount_remaining", "starting_balance", "ending_balance")
    assert {k: inv[k] for k in amounts} == {k: opened[k] for k in amounts}
    assert inv.amount_remaining == 599
    assert inv.number == opened.number
    # And the customer is not delinquent, and the applied credit stays applied
    after = client.v1.customers.retrieve(cus.id)
    assert after.delinquent is False
    assert after.balance == 0


def test_given_an_uncollectible_invoice_when_paid_then_it_keeps_when_it_was_written_off(
    client: stripe.StripeClient,
) -> None:
    written_off = factories.invoice_in(client, "uncollectible", amount=1099)
    with clock_window() as window:
        inv = client.v1.invoices.pay(written_off.id, params={"paid_out_of_band": True})
    assert inv.status == "paid"
    assert within(inv.status_transitions.paid_at, window)
    assert inv.status_transitions.marked_uncollectible_at == written_off.status_transitions.marked_uncollectible_at
    assert "status_details" not in inv
    assert "status_details" not in client.v1.invoices.retrieve(inv.id)
    assert (inv.amount_paid, inv.amount_remaining) == (1099, 0)


# --- void -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["open", "uncollectible"])
def test_given_an_invoice_that_used_credit_when_voided_then_the_credit_goes_back_to_the_customer(
    client: stripe.StripeClient, status: str,
) -> None:
    # Given a customer whose 5.00 credit was applied to a finalized 10.99 invoice
    cus = customer_with(client, balance=-500)
    inv = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=1099).id)
    if status == "uncollectible":
        inv = client.v1.invoices.mark_uncollectible(inv.id)
    assert client.v1.customers.retrieve(cus.id).balance == 0
    # When it is voided
    with clock_window() as window:
        voided = client.v1.invoices.void_invoice(inv.id)
    # Then it is void, stamped, its amounts left as they were
    assert voided.status == "void"
    assert within(voided.status_transitions.voided_at, window)
    assert (voided.amount_due, voided.amount_paid, voided.amount_remaining) == (599, 0, 599)
    assert "status_details" not in voided
    # And the credit is back on the customer, through an unapplied_from_invoice transaction
    assert client.v1.customers.retrieve(cus.id).balance == -500
    newest = balance_transactions(client, cus, inv)[0]
    assert (newest.type, newest.amount, newest.ending_balance, newest.invoice) == (
        "unapplied_from_invoice", -500, -500, inv.id)


def test_given_an_invoice_that_carried_a_debt_when_voided_then_the_debt_goes_back_to_the_customer(
    client: stripe.StripeClient,
) -> None:
    cus = customer_with(client, balance=300)
    inv = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus, amount=1099).id)
    assert client.v1.customers.retrieve(cus.id).balance == 0
    client.v1.invoices.void_invoice(inv.id)
    assert client.v1.customers.retrieve(cus.id).balance == 300
    newest = balance_transactions(client, cus, inv)[0]
    assert (newest.type, newest.amount) == ("unapplied_from_invoice", 300)


def test_given_an_invoice_without_balance_when_voided_then_no_balance_transaction_is_written(
    client: stripe.StripeClient,
) -> None:
    cus = customer_with(client)
    inv = client.v1.invoices.finalize_invoice(factories.draft(client, cus=cus).id)
    client.v1.invoices.void_invoice(inv.id)
    assert balance_transactions(client, cus, inv) == []
    assert client.v1.customers.retrieve(cus.id).balance == 0


# --- auto_advance after every terminal transition -------------------------------------------------

TERMINAL: dict[str, Callable[[stripe.StripeClient, str], stripe.Invoice]] = {
    "pay_out_of_band": lambda c, i: c.v1.invoices.pay(i, params={"paid_out_of_band": True}),
    "pay_by_card": lambda c, i: c.v1.invoices.pay(i, params={"payment_method": "pm_card_visa"}),
    "mark_uncollectible": lambda c, i: c.v1.invoices.mark_uncollectible(i),
    "void": lambda c, i: c.v1.invoices.void_invoice(i),
    "mark_uncollectible_then_pay": lambda c, i: c.v1.invoices.pay(
        c.v1.invoices.mark_uncollectible(i).id, params={"paid_out_of_band": True}),
    "mark_uncollectible_then_void": lambda c, i: c.v1.invoices.void_invoice(c.v1.invoices.mark_uncollectible(i).id),
}


@pytest.mark.parametrize("transition", list(TERMINAL))
def test_given_an_auto_advancing_invoice_when_it_leaves_open_then_auto_advance_is_off(
    client: stripe.StripeClient, transition: str,
) -> None:
    opened = client.v1.invoices.finalize_invoice(factories.draft(client, auto_advance=True).id)
    assert opened.auto_advance is True and opened.next_payment_attempt is not None
    inv = TERMINAL[transition](client, opened.id)
    assert inv.status in ("paid", "uncollectible", "void")
    assert inv.auto_advance is False
    assert inv.next_payment_attempt is None
    assert client.v1.invoices.retrieve(inv.id).auto_advance is False


# --- status_details by API version ----------------------------------------------------------------

@pytest.fixture()
def uncollectible(client: stripe.StripeClient) -> stripe.Invoice:
    return factories.invoice_in(client, "uncollectible")


def test_status_details_is_absent_for_api_versions_before_endive(
    client: stripe.StripeClient, uncollectible: stripe.Invoice,
) -> None:
    old = {"stripe_version": BEFORE_ENDIVE}
    inv = client.v1.invoices.retrieve(uncollectible.id, options=old)
    assert inv.status == "uncollectible"
    assert "status_details" not in inv
    listed = client.v1.invoices.list(params={"customer": uncollectible.customer}, options=old)
    assert [("status_details" in i) for i in listed.data] == [False]


def test_status_details_is_present_from_endive_on(client: stripe.StripeClient, uncollectible: stripe.Invoice) -> None:
    for version in ("2026-09-30.endive", ENDIVE):
        inv = client.v1.invoices.retrieve(uncollectible.id, options={"stripe_version": version})
        assert inv.status_details.uncollectible.reason == "user_forgiven", version


def test_mark_uncollectible_answers_without_status_details_to_an_older_client(client: stripe.StripeClient) -> None:
    opened = factories.invoice_in(client, "open")
    inv = client.v1.invoices.mark_uncollectible(opened.id, options={"stripe_version": BEFORE_ENDIVE})
    assert inv.status == "uncollectible"
    assert "status_details" not in inv
    # the detail is kept all the same, and shown to a newer client
    assert client.v1.invoices.retrieve(opened.id).status_details.uncollectible.reason == "user_forgiven"


@pytest.mark.parametrize(("version", "shown"), [(BEFORE_ENDIVE, False), (ENDIVE, True)])
def test_status_details_follows_the_raw_stripe_version_header(
    server: Server, uncollectible: stripe.Invoice, version: str, shown: bool,
) -> None:
    response = httpx.get(f"{server.url}/v1/invoices/{uncollectible.id}", timeout=10,
                         headers={"Authorization": f"Bearer {KEY}", "Stripe-Version": version})
    assert response.status_code == 200
    assert response.headers["Stripe-Version"] == version
    body = response.json()
    assert body["status"] == "uncollectible"
    assert ("status_details" in body) is shown
    if shown:
        assert body["status_details"] == {"uncollectible": {"reason": "user_forgiven"}}
