"""What each table indexes. Every table has ``seq`` (insertion order: lists are newest first by it),
``id`` and ``data`` (the whole object as JSON); the columns below are copied out of ``data`` so lists,
filters and search run on indexes.

A ``scoped`` table (the default) holds an account's data: it also has ``account_id`` and ``livemode``
columns, which the store sets on insert and adds to every query from the transaction's scope (migration
0005). A new table of account data needs both columns and the ``(account_id, livemode, seq)`` index.
Unscoped tables (accounts, API keys, dashboard sessions) are read and written only in the SYSTEM
scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Getter = Callable[[dict[str, Any]], Any]


def _field(name: str) -> Getter:
    return lambda doc: doc.get(name)


def _error_field(name: str) -> Getter:
    return lambda doc: (doc.get("last_finalization_error") or {}).get(name)


@dataclass(frozen=True)
class Table:
    name: str
    kind: str  # the Stripe object name used in "No such <kind>" messages
    columns: dict[str, Getter]
    scoped: bool = True


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("customers", "customer", {c: _field(c) for c in ("created", "email", "name", "phone", "test_clock")}),
        Table(
            "invoices",
            "invoice",
            {
                **{c: _field(c) for c in (
                    "customer", "status", "collection_method", "created", "due_date", "number",
                    "currency", "total", "receipt_number",
                )},
                "amount_remaining": _field("amount_remaining"),
                "finalized_at": lambda doc: doc["status_transitions"]["finalized_at"],
                "next_payment_attempt": _field("next_payment_attempt"),
                "automatically_finalizes_at": _field("automatically_finalizes_at"),
                "test_clock": _field("test_clock"),
                "subscription": lambda doc: None,
                "last_finalization_error_code": _error_field("code"),
                "last_finalization_error_type": _error_field("type"),
            },
        ),
        Table("invoiceitems", "invoiceitem", {
            "customer": _field("customer"), "invoice": _field("invoice"), "created": _field("date"),
        }),
        Table("balance_transactions", "customer_balance_transaction", {
            c: _field(c) for c in ("customer", "invoice", "created")
        }),
        Table("events", "event", {c: _field(c) for c in ("type", "created")}),
        Table("webhook_endpoints", "webhook endpoint", {c: _field(c) for c in ("created", "status")}),
        Table("webhook_deliveries", "webhook delivery", {
            c: _field(c) for c in ("event", "endpoint", "created", "status", "next_attempt_at")
        }),
        Table("webhook_attempts", "webhook attempt", {
            c: _field(c) for c in ("delivery", "event", "endpoint", "created")
        }),
        Table("idempotency_keys", "idempotency key", {"created": _field("created")}),
        Table("test_clocks", "test clock", {"created": _field("created")}),
        # the stubs {id, object, deleted: true} of deleted objects Stripe still answers for (customers)
        Table("deleted_objects", "deleted object", {"object": _field("object")}),
        Table("scheduler_marks", "scheduler mark", {}, scoped=False),  # the scheduler's own, not an account's
        Table("ledger_entries", "ledger entry", {
            c: _field(c)
            for c in ("entry", "kind", "created", "account", "currency", "amount", "invoice", "customer", "event")
        }),
        # the catalog (migration 0009)
        Table("products", "product", {c: _field(c) for c in ("created", "active", "name")}),
        Table("prices", "price", {c: _field(c) for c in ("created", "product", "active", "currency", "type",
                                                          "lookup_key")}),
        Table("coupons", "coupon", {"created": _field("created")}),
        Table("promotion_codes", "promotion code", {
            **{c: _field(c) for c in ("created", "code", "active", "customer")},
            "coupon": lambda doc: (doc.get("promotion") or {}).get("coupon"),  # promotion[coupon] since clover
        }),
        Table("discounts", "discount", {  # a discount has no created: it has start
            "created": _field("start"), **{c: _field(c) for c in ("customer", "invoice", "invoice_item")},
        }),
        Table("tax_rates", "tax rate", {c: _field(c) for c in ("created", "active", "inclusive")}),
        Table("tax_ids", "tax id", {c: _field(c) for c in ("created", "customer", "type")}),
        Table("accounts", "account", {c: _field(c) for c in ("created", "platform")}, scoped=False),
        Table("api_keys", "API key", {c: _field(c) for c in ("hash", "account", "created", "revoked")},
              scoped=False),
        # signed-in dashboard sessions: a row while the session lasts (api/dashboard/session.py)
        Table("dashboard_sessions", "dashboard session", {c: _field(c) for c in ("created", "expires")},
              scoped=False),
    )
}
