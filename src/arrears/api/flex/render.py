"""Stored objects in Flex's shape: ``<kind>_id`` keys, Flex ids, ``test_mode`` (not livemode) and ISO-8601
times. Every field Flex documents is present (null where arrears has nothing to put there)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from arrears.api.flex.ids import to_flex
from arrears.domain import Doc


def iso(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer(cus: Doc) -> Doc:
    first, _, last = (cus["name"] or "").partition(" ")
    shipping = cus["shipping"]
    address = (shipping or {}).get("address") or {}
    return {
        "customer_id": to_flex(cus["id"]),
        "first_name": first or None,
        "last_name": last or None,
        "email": cus["email"],
        "phone": cus["phone"],
        "employer": cus["business_name"],
        "shipping": None if shipping is None else {
            "shipping_address_id": None,
            **{k: address.get(k) for k in ("line1", "line2", "city", "state", "postal_code", "country")},
        },
        "balance": cus["balance"],
        "created_at": iso(cus["created"]),
        "test_mode": not cus["livemode"],
        "metadata": cus["metadata"],
    }


def invoice_item(item: Doc) -> Doc:
    return {
        "invoice_item_id": to_flex(item["id"]),
        "customer": to_flex(item["customer"]),
        "invoice": to_flex(item["invoice"]),
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "created_at": iso(item["date"]),
        "test_mode": not item["livemode"],
        "metadata": item["metadata"],
    }


def invoice(inv: Doc, expanded_customer: Doc | None = None) -> Doc:
    """``expanded_customer`` replaces the customer id when ``expand=customer`` was asked for."""
    cust: Any = customer(expanded_customer) if expanded_customer is not None else to_flex(inv["customer"])
    return {
        "invoice_id": to_flex(inv["id"]),
        "total": inv["total"],
        "amount_due": inv["amount_due"],
        "amount_paid": inv["amount_paid"],
        "amount_remaining": inv["amount_remaining"],
        "currency": inv["currency"],
        "number": inv["number"],
        "payment_intent": None,
        "charge": None,
        "customer": cust,
        "period_start": iso(inv["period_start"]),
        "period_end": iso(inv["period_end"]),
        "subscription": None,
        "status": inv["status"],
        "collection_method": inv["collection_method"],
        "test_mode": not inv["livemode"],
        "metadata": inv["metadata"],
        "created_at": iso(inv["created"]),
    }
