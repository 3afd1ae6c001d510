"""Stored objects in Yorlet's shape: Stripe's invoice plus Yorlet's top-level transition times, ``paid``,
``paid_off_platform``, ``period{start,end}``, ``issuer.type = owner`` and the fields Yorlet lists that
arrears has no value for (null). ``account`` appears only when the request named one."""

from __future__ import annotations

from arrears.domain import Doc, views

NULL_FIELDS = (
    "assignee", "credit_grant", "credit_grant_creation", "discount", "late_payment_failure_invoice",
    "number_transfer_reference", "off_platform_reference", "optimized_collection_date",
    "optimized_collection_reason", "part_payment_amount", "source_dispute", "transaction", "transfer_error",
)


def _account(doc: Doc, account: str | None) -> Doc:
    if account:
        doc["account"] = account
    return doc


def customer(cus: Doc, account: str | None) -> Doc:
    return _account(dict(cus), account)


def invoice_item(item: Doc, account: str | None) -> Doc:
    return _account({**item, "object": "invoice_item"}, account)


def invoice(inv: Doc, account: str | None) -> Doc:
    times = inv["status_transitions"]
    out = views.invoice(inv)
    out.update({
        "finalized_at": times["finalized_at"],
        "marked_uncollectible_at": times["marked_uncollectible_at"],
        "paid_at": times["paid_at"],
        "voided_at": times["voided_at"],
        "paid": inv["status"] == "paid",
        "paid_off_platform": inv["status"] == "paid" and (inv["amount_paid_off_stripe"] or 0) > 0,
        "pending_payment": False,
        "period": {"start": inv["period_start"], "end": inv["period_end"]},
        "issuer": {"type": "owner", "owner": None},
        "discount_amount": 0,
        **{name: None for name in NULL_FIELDS},
    })
    return _account(out, account)
