"""The scenario of Stripe's docs for mark_uncollectible, end to end through the official SDK."""

from __future__ import annotations

import stripe


def test_uncollectible_invoice_keeps_the_debt_and_can_still_be_paid(client: stripe.StripeClient) -> None:
    # Given a customer with 5.00 of credit and a pending 10.99 invoice item
    cus = client.v1.customers.create(params={"email": "jenny@example.com", "balance": -500})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 1099, "currency": "usd"})
    # When the invoice takes the item in, is finalized and marked uncollectible
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    assert inv.status == "draft" and inv.total == 1099
    inv = client.v1.invoices.finalize_invoice(inv.id)
    assert inv.status == "open"
    inv = client.v1.invoices.mark_uncollectible(inv.id)
    # Then the debt is written off but still owed, exactly as in Stripe's example
    assert inv.status == "uncollectible"
    assert (inv.total, inv.amount_due, inv.amount_remaining, inv.amount_paid) == (1099, 599, 599, 0)
    assert inv.starting_balance == -500 and inv.ending_balance == 0
    assert inv.status_transitions.marked_uncollectible_at is not None
    assert inv.status_details.uncollectible.reason == "user_forgiven"
    assert inv.auto_advance is False
    assert inv.number and inv.hosted_invoice_url and inv.invoice_pdf
    assert client.v1.customers.retrieve(cus.id).balance == 0
    # And paying it out of band later settles it
    paid = client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
    assert paid.status == "paid"
    assert (paid.amount_paid, paid.amount_remaining) == (599, 0)
    assert paid.status_transitions.paid_at is not None
    assert paid.status_transitions.marked_uncollectible_at == inv.status_transitions.marked_uncollectible_at
    assert "status_details" not in paid


def test_uncollectible_invoice_can_be_voided_and_gives_the_credit_back(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={"balance": -500})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 1099, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    inv = client.v1.invoices.mark_uncollectible(client.v1.invoices.finalize_invoice(inv.id).id)
    voided = client.v1.invoices.void_invoice(inv.id)
    assert voided.status == "void"
    assert voided.status_transitions.voided_at is not None
    assert voided.amount_remaining == 599  # amounts are left as they were
    assert client.v1.customers.retrieve(cus.id).balance == -500
    txns = client.v1.customers.balance_transactions.list(cus.id).data
    assert [t.type for t in txns] == ["unapplied_from_invoice", "applied_to_invoice", "initial"]
    assert [t.amount for t in txns] == [-500, 500, -500]
