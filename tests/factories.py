"""Keyword-default factories over the official SDK: each returns the object in the state it names."""

from __future__ import annotations

import uuid
from typing import Any

import stripe


def customer(client: stripe.StripeClient, **params: Any) -> stripe.Customer:
    return client.v1.customers.create(params={"email": "jenny@example.com", **params})


def new_customer(client: stripe.StripeClient, **params: Any) -> stripe.Customer:
    """A customer with an email of its own, for tests that find it again on the shared server."""
    return client.v1.customers.create(params={"email": f"{uuid.uuid4().hex[:12]}@example.com", **params})


def draft(client: stripe.StripeClient, *, amount: int = 1099, currency: str = "usd",
          cus: stripe.Customer | None = None, **params: Any) -> stripe.Invoice:
    cus = cus or customer(client)
    if amount:
        client.v1.invoice_items.create(params={"customer": cus.id, "amount": amount, "currency": currency})
    return client.v1.invoices.create(params={
        "customer": cus.id, "currency": currency, "pending_invoice_items_behavior": "include", **params})


def invoice_in(client: stripe.StripeClient, status: str, **params: Any) -> stripe.Invoice:
    """An invoice brought to ``status`` through the public API."""
    inv = draft(client, **params)
    if status == "draft":
        return inv
    inv = client.v1.invoices.finalize_invoice(inv.id)
    if status == "open":
        return inv
    if status == "paid":
        return client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
    if status == "uncollectible":
        return client.v1.invoices.mark_uncollectible(inv.id)
    if status == "void":
        return client.v1.invoices.void_invoice(inv.id)
    raise ValueError(status)
