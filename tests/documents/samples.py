"""Invoice documents as the store holds them, for the pure tests of ``api/documents.py`` and
``api/invoice_pdf.py`` (the server-driven tests make theirs through the SDK)."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc

NOV_3_2026 = 1793714400  # 2026-11-03 14:00 UTC


def line(description: str | None, amount: int, currency: str = "usd", quantity: int = 1,
         unit_amount_decimal: str | None = None, **extra: Any) -> Doc:
    return {"object": "line_item", "description": description, "amount": amount, "currency": currency,
            "quantity": quantity, "pricing": {"unit_amount_decimal": unit_amount_decimal},
            "discount_amounts": [], "taxes": [], **extra}


def invoice(*, currency: str = "usd", status: str = "open", lines: list[Doc] | None = None, **extra: Any) -> Doc:
    lines = lines if lines is not None else [line("Consulting", 1099, currency)]
    total = sum(item["amount"] for item in lines)
    paid = total if status == "paid" else 0
    remaining = 0 if status in ("paid", "void") else total
    moments: dict[str, int | None] = {"finalized_at": NOV_3_2026, "paid_at": None, "voided_at": None,
                                      "marked_uncollectible_at": None}
    moment = {"paid": "paid_at", "void": "voided_at", "uncollectible": "marked_uncollectible_at"}.get(status)
    if moment:
        moments[moment] = NOV_3_2026 + 86400
    return {
        "id": "in_sample", "object": "invoice", "number": "ABCD-0001", "status": status, "currency": currency,
        "account_name": "Acme Ltd", "account_country": "GB", "account_tax_ids": None,
        "customer": "cus_sample", "customer_name": "Zoë Café — 北京", "customer_email": "zoe@example.com",
        "customer_address": {"line1": "1 Rue de la Paix", "line2": None, "city": "Paris", "state": None,
                             "postal_code": "75002", "country": "FR"},
        "customer_tax_ids": [{"type": "eu_vat", "value": "FR12345678901"}],
        "created": NOV_3_2026, "effective_at": None, "due_date": NOV_3_2026 + 30 * 86400,
        "status_transitions": moments, "description": "Thank you for your business.",
        "custom_fields": [{"name": "PO number", "value": "PO-778"}], "footer": "Acme Ltd · Registered in England",
        "lines": {"object": "list", "data": lines, "has_more": False},
        "subtotal": total, "total": total, "total_discount_amounts": [], "total_taxes": [],
        "amount_due": total, "amount_paid": paid, "amount_remaining": remaining,
        "invoice_pdf": "http://127.0.0.1/i/in_sample/test_token/pdf", **extra,
    }
