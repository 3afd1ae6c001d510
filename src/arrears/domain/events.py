"""Event types arrears emits, and which operation emits which (shared/reference §5.2)."""

from __future__ import annotations

from typing import Final

EMITTED: Final = frozenset({
    "customer.created", "customer.updated", "customer.deleted",
    "invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized", "invoice.paid",
    "invoice.payment_succeeded", "invoice.payment_failed", "invoice.sent", "invoice.voided",
    "invoice.marked_uncollectible", "invoice.overdue",
    "invoiceitem.created", "invoiceitem.deleted",
})


def matches(enabled_events: list[str], event_type: str) -> bool:
    return "*" in enabled_events or event_type in enabled_events
