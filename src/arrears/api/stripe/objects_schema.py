"""The objects the Stripe face answers with, as JSON Schema (notation: ``arrears.api.openapi.shape``).

Every key the builders in ``domain/objects.py`` and the services write is listed, with its type;
tests/faces/test_openapi.py validates real responses against these schemas with undeclared keys
forbidden, so a field added to a builder and not here (or the reverse) fails the suite."""

from __future__ import annotations

from typing import Any

from arrears.api.openapi import Raw, Schema, nullable, obj, ref, shape
from arrears.api.stripe import catalog
from arrears.domain.invoice import STATUSES

ADDRESS = {k: "string?" for k in ("city", "country", "line1", "line2", "postal_code", "state")}
PERIOD = {"start": "integer", "end": "integer"}
# An expandable customer: its id, the customer, or the stub of a deleted one (Stripe's spec has the same three).
CUSTOMER_ID = Raw({"anyOf": [{"type": "string"}, ref("customer"), ref("deleted_customer")]})


SHIPPING = {"address": nullable(ADDRESS), "carrier": "string?", "name": "string?", "phone": "string?",
            "tracking_number": "string?"}


def listing(item: str, *, url: bool = True) -> dict[str, Any]:
    return {"object": "'list'", "data": f"[${item}]", "has_more": "boolean", **({"url": "string"} if url else {})}


CUSTOMER = {
    "id": "string", "object": "'customer'", "address": nullable(ADDRESS), "balance": "integer",
    "business_name": "string?", "created": "integer", "currency": "string?", "customer_account": "string?",
    "default_source": "string?", "delinquent": "boolean", "description": "string?", "discount": "object?",
    "email": "string?", "individual_name": "string?", "invoice_prefix": "string",
    "invoice_settings": {"custom_fields": "[object]?", "default_payment_method": "string?", "footer": "string?",
                         "rendering_options": "object?"},
    "livemode": "boolean", "metadata": "map", "name": "string?", "next_invoice_sequence": "integer",
    "phone": "string?", "preferred_locales": "[string]", "shipping": nullable(SHIPPING),
    "tax_exempt": "exempt/none/reverse", "test_clock": "string?",
    # includable: only with expand[]=tax_ids (items not a $ref: other faces reuse this schema without tax_id)
    "?tax_ids": {"object": "'list'", "data": "[object]", "has_more": "boolean", "url": "string"},
}

PRICING = {"type": "'price_details'", "price_details": "object?", "unit_amount_decimal": "string?"}

INVOICEITEM = {
    "id": "string", "object": "'invoiceitem'", "amount": "integer", "currency": "string",
    "customer": CUSTOMER_ID, "customer_account": "string?", "date": "integer", "description": "string?",
    "discountable": "boolean", "discounts": "array", "frozen_fields": "object?", "invoice": "$invoice|string?",
    "invoicing_rules": "object?", "livemode": "boolean", "metadata": "map", "net_amount": "integer",
    "parent": "object?", "period": PERIOD, "pricing": PRICING, "proration": "boolean",
    "proration_details": "object?", "quantity": "integer", "quantity_decimal": "string", "tax_rates": "array",
    "test_clock": "string?",
}

LINE_ITEM = {
    "id": "string", "object": "'line_item'", "amount": "integer", "currency": "string", "description": "string?",
    "discount_amounts": "array", "discountable": "boolean", "discounts": "array", "invoice": "string?",
    "livemode": "boolean", "metadata": "map", "parent": "object?", "period": PERIOD,
    "pretax_credit_amounts": "array", "pricing": PRICING, "quantity": "integer?", "quantity_decimal": "string?",
    "subscription": "string?", "subtotal": "integer", "taxes": "array",
}

STATUS_TRANSITIONS = {k: "integer?" for k in ("finalized_at", "marked_uncollectible_at", "paid_at", "voided_at")}

INVOICE: dict[str, Any] = {
    "id": "string", "object": "'invoice'", "account_country": "string?", "account_name": "string?",
    "account_tax_ids": "array?", "amount_due": "integer", "amount_overpaid": "integer", "amount_paid": "integer",
    "amount_paid_off_stripe": "integer?", "amount_remaining": "integer", "amount_shipping": "integer",
    "application": "string?", "attempt_count": "integer", "attempted": "boolean", "auto_advance": "boolean",
    "automatic_tax": "object", "automatically_finalizes_at": "integer?", "billing_reason": "string?",
    "collection_method": "charge_automatically/send_invoice", "?confirmation_secret": "object?",
    "created": "integer", "currency": "string", "custom_fields": "[object]?", "customer": CUSTOMER_ID,
    "customer_account": "string?", "customer_address": nullable(ADDRESS), "customer_email": "string?",
    "customer_name": "string?", "customer_phone": "string?", "customer_shipping": nullable(SHIPPING),
    "customer_tax_exempt": "string?", "customer_tax_ids": "array?", "default_payment_method": "string?",
    "default_source": "string?", "default_tax_rates": "array", "description": "string?", "discounts": "array",
    "due_date": "integer?", "effective_at": "integer?", "ending_balance": "integer?", "footer": "string?",
    "from_invoice": "object?", "hosted_invoice_url": "string?", "invoice_pdf": "string?", "issuer": "object",
    "last_finalization_error": "object?", "latest_revision": "$invoice|string?",
    "lines": listing("line_item"), "livemode": "boolean", "metadata": "map", "next_payment_attempt": "integer?",
    "number": "string?", "on_behalf_of": "string?", "parent": "object?", "payment_settings": "object",
    "?payments": {"object": "'list'", "data": "array", "has_more": "boolean", "url": "string"},
    "period_end": "integer", "period_start": "integer", "post_payment_credit_notes_amount": "integer",
    "pre_payment_credit_notes_amount": "integer", "receipt_number": "string?", "rendering": "object?",
    "shipping_cost": "object?", "shipping_details": "object?", "starting_balance": "integer",
    "statement_descriptor": "string?", "status": "/".join(STATUSES),
    "?status_details": {"uncollectible": {"reason": "string"}}, "status_transitions": STATUS_TRANSITIONS,
    "subtotal": "integer", "subtotal_excluding_tax": "integer?", "test_clock": "string?",
    "threshold_reason": "object?", "total": "integer", "total_discount_amounts": "array?",
    "total_excluding_tax": "integer?", "total_pretax_credit_amounts": "array?", "total_taxes": "array?",
    "webhooks_delivered_at": "integer?",
}

BALANCE_TRANSACTION = {
    "id": "string", "object": "'customer_balance_transaction'", "amount": "integer", "checkout_session": "string?",
    "created": "integer", "credit_note": "string?", "currency": "string", "customer": CUSTOMER_ID,
    "customer_account": "string?", "description": "string?", "ending_balance": "integer",
    "invoice": "$invoice|string?", "livemode": "boolean", "metadata": "map", "type": "string",
}

EVENT = {
    "id": "string", "object": "'event'", "?account": "string?", "api_version": "string?", "?context": "string?",
    "created": "integer", "data": {"object": "object", "?previous_attributes": "object"}, "livemode": "boolean",
    "pending_webhooks": "integer", "request": {"id": "string?", "idempotency_key": "string?"}, "type": "string",
}

WEBHOOK_ENDPOINT = {
    "id": "string", "object": "'webhook_endpoint'", "api_version": "string?", "application": "string?",
    "created": "integer", "description": "string?", "enabled_events": "[string]", "livemode": "boolean",
    "metadata": "map", "?secret": "string", "status": "enabled/disabled", "url": "string",
}

WEBHOOK_ATTEMPT = {
    "id": "string", "object": "'webhook_attempt'", "delivery": "string", "event": "string", "endpoint": "string",
    "created": "integer", "attempt": "integer", "url": "string?", "status_code": "integer?",
    "latency_ms": "integer", "error": "string?", "succeeded": "boolean",
}

TEST_CLOCK = {
    "id": "string", "object": "'test_helpers.test_clock'", "created": "integer", "deletes_after": "integer",
    "frozen_time": "integer", "livemode": "boolean", "name": "string?", "status": "advancing/internal_failure/ready",
    "status_details": {"?advancing": {"target_frozen_time": "integer"}},
}

_BUCKETS = {b: "integer" for b in ("current", "1_30", "31_60", "61_90", "over_90", "total")}
REPORT_ROWS = {
    "aging_row": {"customer": "string", "currency": "string", **_BUCKETS},
    "aging_total": {"currency": "string", **_BUCKETS},
    "bad_debt_row": {"period": "string?", "customer": "string?", "currency": "string", "written_off": "integer",
                     "recovered": "integer", "net": "integer"},
    "journal_line": {"date": "string", "entry": "string", "kind": "string", "account": "string",
                     "debit": "integer", "credit": "integer", "currency": "string", "invoice": "string?",
                     "customer": "string?", "event": "string?", "line": "string"},
}
AGING_REPORT = {"object": "'aging_report'", "as_of": "integer", "currency": "string?", "buckets": "[string]",
                "rows": "[$aging_row]", "totals": "[$aging_total]"}
BAD_DEBT_REPORT = {"object": "'bad_debt_report'", "period": "month/quarter", "group_by": "period/customer/currency",
                   "rows": "[$bad_debt_row]"}
JOURNAL = {"object": "'journal'", "has_more": "boolean", "rows": "[$journal_line]"}

ERROR = {"error": {"type": "api_error/card_error/idempotency_error/invalid_request_error", "message": "string",
                   "?code": "string", "?param": "string", "?doc_url": "string", "?decline_code": "string"}}


def deleted(kind: str) -> dict[str, Any]:
    return {"id": "string", "object": f"'{kind}'", "deleted": "boolean"}


ACCOUNT = {
    "id": "string", "object": "'account'", "api_version": "string", "business_profile": "object?",
    "business_type": "string?", "capabilities": "object", "charges_enabled": "boolean", "country": "string",
    "created": "integer?", "default_currency": "string", "details_submitted": "boolean", "email": "string?",
    "metadata": "map", "payouts_enabled": "boolean", "settings": "object?", "type": "string",
}

OBJECTS: dict[str, dict[str, Any]] = {
    **catalog.SCHEMAS,
    "account": ACCOUNT,
    "customer": CUSTOMER, "invoiceitem": INVOICEITEM, "line_item": LINE_ITEM, "invoice": INVOICE,
    "customer_balance_transaction": BALANCE_TRANSACTION, "event": EVENT, "webhook_endpoint": WEBHOOK_ENDPOINT,
    "webhook_attempt": WEBHOOK_ATTEMPT, "aging_report": AGING_REPORT, "bad_debt_report": BAD_DEBT_REPORT,
    "journal": JOURNAL, **REPORT_ROWS,
    "test_helpers.test_clock": TEST_CLOCK,
    **{f"deleted_{k}": deleted(k)
       for k in ("customer", "invoiceitem", "invoice", "webhook_endpoint", "test_helpers.test_clock")},
    "error": ERROR,
}


def schemas() -> dict[str, Schema]:
    return {name: obj(fields) for name, fields in OBJECTS.items()}


def response(returns: str) -> Schema:
    """The 200 body of an operation from its route-table ``returns`` ("invoice", "list:invoice", ...)."""
    kind, _, item = returns.partition(":")
    if kind == "list":
        return obj(listing(item))
    if kind == "search":
        return obj({"object": "'search_result'", "data": f"[${item}]", "has_more": "boolean",
                    "next_page": "string?", "url": "string", "?total_count": "integer"})
    if kind == "deleted":
        return shape(f"$deleted_{item}")
    name, _, alt = returns.partition("|")
    if alt == "deleted":  # an object still retrieved once deleted (a customer): the object or its stub
        return {"anyOf": [ref(name), ref(f"deleted_{name}")]}
    return shape(f"${returns}")
