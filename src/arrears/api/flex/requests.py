"""What the Flex face accepts, as Specs, and how a Flex request becomes the services' parameters.

Flex's documented calls are invoices get / list / mark_uncollectible and customers create / get. The
calls Flex does not document but the invoice lifecycle needs (invoice items, invoice create, finalize)
follow the same dialect: a JSON body wrapped in the object's name, Flex ids, snake_case fields."""

from __future__ import annotations

from typing import Any

import orjson

from arrears.api.flex import ids
from arrears.api.schema import Spec, amount, array, currency, enum, integer, metadata, obj, string
from arrears.domain.errors import ParamError

EXPAND = array(string(max_length=40), max_items=10,
               doc="customer to expand the customer; payment_intent and subscription are always null in arrears.")
SHIPPING = obj({k: string() for k in ("line1", "line2", "city", "state", "postal_code", "country")})

CUSTOMER_CREATE: dict[str, Spec] = {
    "first_name": string(max_length=128), "last_name": string(max_length=128), "email": string(max_length=512),
    "phone": string(max_length=20), "employer": string(max_length=150), "shipping": SHIPPING,
    "metadata": metadata(),
    "balance": amount(doc="arrears extension: starting balance in minor units; negative is credit."),
}
INVOICE_ITEM_CREATE: dict[str, Spec] = {
    "customer": string(required=True, doc="fcus_… id."), "amount": amount(required=True),
    "currency": currency(required=True), "description": string(), "metadata": metadata(),
}
INVOICE_CREATE: dict[str, Spec] = {
    "customer": string(required=True, doc="fcus_… id."),
    "collection_method": enum("charge_automatically", "send_invoice"),
    "days_until_due": integer(minimum=0, maximum=36500), "description": string(), "metadata": metadata(),
    "pending_invoice_items_behavior": enum("exclude", "include",
                                           doc="include takes the customer's pending invoice items."),
}
INVOICE_LIST: dict[str, Spec] = {
    "customer": string(doc="fcus_… id."), "starting_after": string(doc="fin_… id."),
    "ending_before": string(doc="fin_… id."), "limit": integer(minimum=1, maximum=100, doc="1-100; default 20."),
    "expand": EXPAND,
}
RETRIEVE: dict[str, Spec] = {"expand": EXPAND}
NO_PARAMS: dict[str, Spec] = {}
DEFAULT_LIMIT = 20


def expand(params: dict[str, Any]) -> set[str]:
    return set(params.get("expand") or ())


def _metadata(value: Any) -> Any:
    """Flex's examples send metadata as a JSON string; an object works too."""
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            raise ParamError("Invalid metadata: give an object of string values.", param="metadata") from None
    return value


def normalise(raw: dict[str, Any]) -> dict[str, Any]:
    """Flex spellings the Specs do not read directly: ``expand=customer`` (one value), string metadata."""
    out = dict(raw)
    if isinstance(out.get("expand"), str):
        out["expand"] = out["expand"].split(",")
    for body in [out, *(v for v in out.values() if isinstance(v, dict))]:
        if "metadata" in body:
            body["metadata"] = _metadata(body["metadata"])
    return out


def customer_params(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: p[k] for k in ("email", "phone", "metadata", "balance") if k in p}
    name = " ".join(part for part in (p.get("first_name"), p.get("last_name")) if part)
    if name:
        out["name"] = name
    if "employer" in p:
        out["business_name"] = p["employer"]
    if p.get("shipping") is not None:
        out["shipping"] = {"name": name or p.get("email") or "customer", "address": p["shipping"]}
    return out


def invoice_item_params(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "customer": ids.to_internal("customer", p["customer"])}


def invoice_params(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "customer": ids.to_internal("customer", p["customer"])}
