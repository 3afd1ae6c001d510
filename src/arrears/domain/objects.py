"""Builders of new objects in Stripe's latest shape (API 2026-10-28.endive), with every field the
official SDK declares. Only the fields arrears gives meaning to are filled from parameters; the rest
carry Stripe's defaults for an account without tax, discounts, subscriptions or Connect."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc

ADDRESS_KEYS = ("city", "country", "line1", "line2", "postal_code", "state")


def address(given: dict[str, Any] | None) -> Doc | None:
    """An address as Stripe shows it: every key present, null where not given."""
    return None if given is None else {k: given.get(k) for k in ADDRESS_KEYS}


def shipping(given: dict[str, Any] | None) -> Doc | None:
    if given is None:
        return None
    return {"address": address(given.get("address")), "carrier": given.get("carrier"), "name": given.get("name"),
            "phone": given.get("phone"), "tracking_number": given.get("tracking_number")}


def customer(obj_id: str, now: int, livemode: bool, prefix: str, p: dict[str, Any]) -> Doc:
    settings = p.get("invoice_settings") or {}
    return {
        "id": obj_id,
        "object": "customer",
        "address": address(p.get("address")),
        "balance": p.get("balance", 0),
        "business_name": p.get("business_name"),
        "created": now,
        "currency": None,
        "customer_account": None,
        "default_source": None,
        "delinquent": False,
        "description": p.get("description"),
        "discount": None,
        "email": p.get("email"),
        "individual_name": p.get("individual_name"),
        "invoice_prefix": p.get("invoice_prefix") or prefix,
        "invoice_settings": {
            "custom_fields": settings.get("custom_fields"),
            "default_payment_method": settings.get("default_payment_method"),
            "footer": settings.get("footer"),
            "rendering_options": None,
        },
        "livemode": livemode,
        "metadata": p.get("metadata") or {},
        "name": p.get("name"),
        "next_invoice_sequence": p.get("next_invoice_sequence", 1),
        "phone": p.get("phone"),
        "preferred_locales": p.get("preferred_locales") or [],
        "shipping": shipping(p.get("shipping")),
        "tax_exempt": p.get("tax_exempt") or "none",
        "test_clock": p.get("test_clock"),
    }


def deleted(obj_id: str, kind: str) -> Doc:
    return {"id": obj_id, "object": kind, "deleted": True}


def invoiceitem(
    obj_id: str, now: int, livemode: bool, *, customer: str, currency: str, amount: int,
    quantity: int, unit_amount_decimal: str | None, p: dict[str, Any],
) -> Doc:
    period = p.get("period") or {"start": now, "end": now}
    return {
        "id": obj_id,
        "object": "invoiceitem",
        "amount": amount,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "date": now,
        "description": p.get("description"),
        "discountable": p.get("discountable", amount >= 0),
        "discounts": [],
        "frozen_fields": None,
        "invoice": None,
        "invoicing_rules": None,
        "livemode": livemode,
        "metadata": p.get("metadata") or {},
        "net_amount": amount,
        "parent": None,
        "period": {"start": period["start"], "end": period["end"]},
        "pricing": {"type": "price_details", "price_details": None, "unit_amount_decimal": unit_amount_decimal},
        "proration": False,
        "proration_details": None,
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "tax_rates": [],
        "test_clock": p.get("test_clock"),
    }


def line_for_item(line_id: str, invoice_id: str, item: Doc) -> Doc:
    """The invoice line an invoice item becomes once it is on an invoice."""
    return {
        "id": line_id,
        "object": "line_item",
        "amount": item["amount"],
        "currency": item["currency"],
        "description": item["description"],
        "discount_amounts": [],
        "discountable": item["discountable"],
        "discounts": [],
        "invoice": invoice_id,
        "livemode": item["livemode"],
        "metadata": dict(item["metadata"] or {}),
        "parent": {
            "type": "invoice_item_details",
            "invoice_item_details": {
                "invoice_item": item["id"],
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": None,
            },
            "subscription_item_details": None,
        },
        "period": dict(item["period"]),
        "pretax_credit_amounts": [],
        "pricing": dict(item["pricing"]),
        "quantity": item["quantity"],
        "quantity_decimal": item["quantity_decimal"],
        "subscription": None,
        "subtotal": item["amount"],
        "taxes": [],
    }


def sync_line(line: Doc, item: Doc) -> None:
    """Copy an invoice item's billable fields onto its line after the item changed."""
    for key in ("amount", "description", "discountable", "period", "pricing", "quantity", "quantity_decimal"):
        line[key] = item[key]
    line["subtotal"] = item["amount"]
    line["metadata"] = dict(item["metadata"] or {})


def invoice(
    obj_id: str, now: int, livemode: bool, *, cust: Doc, currency: str, base_url: str, p: dict[str, Any]
) -> Doc:
    method = p.get("collection_method", "charge_automatically")
    due_date = p.get("due_date")
    if method == "send_invoice" and due_date is None and p.get("days_until_due") is not None:
        due_date = now + int(p["days_until_due"]) * 86400
    auto_advance = bool(p.get("auto_advance", False))
    return {
        "id": obj_id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "arrears",
        "account_tax_ids": None,
        "amount_due": 0,
        "amount_overpaid": 0,
        "amount_paid": 0,
        "amount_paid_off_stripe": 0,
        "amount_remaining": 0,
        "amount_shipping": 0,
        "application": None,
        "attempt_count": 0,
        "attempted": False,
        "auto_advance": auto_advance,
        "automatic_tax": {
            "disabled_reason": None, "enabled": False, "liability": None, "provider": None, "status": None,
        },
        "automatically_finalizes_at": now + 3601 if auto_advance else None,
        "billing_reason": "manual",
        "collection_method": method,
        "confirmation_secret": None,
        "created": now,
        "currency": currency,
        "custom_fields": p.get("custom_fields"),
        "customer": cust["id"],
        "customer_account": None,
        "customer_address": cust["address"],
        "customer_email": cust["email"],
        "customer_name": cust["name"],
        "customer_phone": cust["phone"],
        "customer_shipping": cust["shipping"],
        "customer_tax_exempt": cust["tax_exempt"],
        "customer_tax_ids": [],
        "default_payment_method": p.get("default_payment_method"),
        "default_source": None,
        "default_tax_rates": [],
        "description": p.get("description"),
        "discounts": [],
        "due_date": due_date if method == "send_invoice" else None,
        "effective_at": p.get("effective_at"),
        "ending_balance": None,
        "footer": p.get("footer") if p.get("footer") is not None else cust["invoice_settings"]["footer"],
        "from_invoice": None,
        "hosted_invoice_url": None,
        "invoice_pdf": None,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "lines": {"object": "list", "data": [], "has_more": False, "url": f"/v1/invoices/{obj_id}/lines"},
        "livemode": livemode,
        "metadata": p.get("metadata") or {},
        "next_payment_attempt": now + 3600 if auto_advance and method == "charge_automatically" else None,
        "number": p.get("number"),
        "on_behalf_of": None,
        "parent": None,
        "payment_settings": {"default_mandate": None, "payment_method_options": None, "payment_method_types": None},
        "payments": {"object": "list", "data": [], "has_more": False, "url": "/v1/invoice_payments"},
        "period_end": now,
        "period_start": now,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": None,
        "shipping_cost": None,
        "shipping_details": None,
        "starting_balance": cust["balance"] or 0,
        "statement_descriptor": p.get("statement_descriptor"),
        "status": "draft",
        "status_transitions": {
            "finalized_at": None, "marked_uncollectible_at": None, "paid_at": None, "voided_at": None,
        },
        "subtotal": 0,
        "subtotal_excluding_tax": 0,
        "test_clock": cust["test_clock"],
        "threshold_reason": None,
        "total": 0,
        "total_discount_amounts": [],
        "total_excluding_tax": 0,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": now,
    }


def balance_transaction(
    obj_id: str, now: int, livemode: bool, *, customer: str, amount: int, currency: str,
    ending_balance: int, kind: str, invoice: str | None = None, description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Doc:
    return {
        "id": obj_id,
        "object": "customer_balance_transaction",
        "amount": amount,
        "checkout_session": None,
        "created": now,
        "credit_note": None,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": description,
        "ending_balance": ending_balance,
        "invoice": invoice,
        "livemode": livemode,
        "metadata": metadata or {},
        "type": kind,
    }
