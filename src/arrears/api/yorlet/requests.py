"""What the Yorlet face accepts, as Specs, and how a Yorlet request becomes the services' parameters.
Yorlet ids are arrears' own (``in_…``, ``cus_…``, ``ii_…``): Yorlet documents no prefixes."""

from __future__ import annotations

from typing import Any

from arrears.api.schema import Spec, amount, boolean, currency, enum, integer, metadata, string, timestamp
from arrears.api.stripe import params as stripe_params
from arrears.domain.errors import ParamError
from arrears.domain.invoice import STATUSES

CURRENCIES = ("gbp", "usd", "eur", "sek")  # Yorlet's
CURRENCY = currency(only=CURRENCIES, doc="Three-letter ISO currency code (GBP is read as gbp).")
CUSTOMER_CREATE: dict[str, Spec] = {
    "name": string(max_length=256), "email": string(max_length=512), "phone": string(max_length=20),
    "description": string(), "address": stripe_params.ADDRESS, "metadata": metadata(),
    "balance": amount(doc="Starting balance in minor units; negative is credit."),
}
INVOICE_ITEM_CREATE: dict[str, Spec] = {
    "amount": amount(required=True, doc="In minor units."),
    "currency": currency(required=True, only=CURRENCIES),
    "customer": string(required=True), "description": string(), "invoice": string(), "metadata": metadata(),
    "period_start": timestamp(), "period_end": timestamp(),
    "tax_percent": integer(minimum=0, maximum=0, doc="arrears keeps no tax: only 0 is accepted."),
}
INVOICE_CREATE: dict[str, Spec] = {
    "customer": string(required=True), "currency": CURRENCY,
    "collection_method": enum("charge_automatically", "send_invoice"), "due_date": timestamp(),
    "days_until_due": integer(minimum=0, maximum=36500), "description": string(), "metadata": metadata(),
    "auto_advance": boolean(),
    "pending_invoice_items_behavior": enum("exclude", "include",
                                           doc="include takes the customer's pending invoice items."),
}
INVOICE_LIST: dict[str, Spec] = {
    "customer": string(), "status": enum(*STATUSES), "past_due": boolean(doc="Only open invoices past due."),
    "limit": integer(minimum=1, maximum=100, doc="1-100; default 10."), "starting_after": string(),
    "ending_before": string(),
}
INVOICE_PAY: dict[str, Spec] = {
    "paid_off_platform": boolean(doc="Record a payment made outside the platform (no transaction)."),
    "internal_reference": string(doc="Your reference for an off-platform payment (accepted, not stored)."),
    "payment_method": string(),
}
NO_PARAMS: dict[str, Spec] = {}
DEFAULT_LIMIT = 10


def invoice_item_params(p: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in p.items() if k not in ("period_start", "period_end", "tax_percent")}
    if "period_start" in p or "period_end" in p:
        if "period_start" not in p or "period_end" not in p:
            raise ParamError("Give both period_start and period_end.", param="period_end")
        out["period"] = {"start": p["period_start"], "end": p["period_end"]}
    return out


def pay_params(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"paid_out_of_band": bool(p.get("paid_off_platform"))}
    if p.get("payment_method"):
        out["payment_method"] = p["payment_method"]
    return out
