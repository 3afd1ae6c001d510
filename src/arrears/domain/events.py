"""Event types arrears emits, and which operation emits which (shared/reference §5.2)."""

from __future__ import annotations

from typing import Final

EMITTED: Final = frozenset({
    "customer.created", "customer.updated", "customer.deleted",
    "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized", "invoice.paid",
    "invoice.payment_succeeded", "invoice.payment_failed", "invoice.sent", "invoice.voided",
    "invoice.marked_uncollectible", "invoice.overdue",
    "invoiceitem.created", "invoiceitem.deleted",
    "product.created", "product.updated", "product.deleted", "price.created", "price.updated",
    "coupon.created", "coupon.updated", "coupon.deleted", "promotion_code.created", "promotion_code.updated",
    "customer.discount.created", "customer.discount.updated", "customer.discount.deleted",
    "tax_rate.created", "tax_rate.updated", "customer.tax_id.created", "customer.tax_id.deleted",
})


def matches(enabled_events: list[str], event_type: str) -> bool:
    return "*" in enabled_events or event_type in enabled_events
