"""The mission scenario through one stripe-python major, run by that major's own interpreter (a venv under
tests/versions/.sdks/), against the arrears server at ARREARS_URL with the key ARREARS_KEY.

Customer with balance -500, one 1099 usd invoice item, an invoice that takes it, finalize, mark_uncollectible;
then the invoice, its first line, the invoice item and the customer are read back. For each of the four kinds
the script reads, by typed attribute access, every field the SDK's class declares (its annotations), and
compares those names with the JSON keys arrears answered (the raw body of the SDK's own last response).

It prints one JSON report on its last line. This file needs nothing but the standard library and the SDK: it
runs under stripe-python 5.x (no pinned version, no annotations) and 7.x (module-level ``stripe.api_base``, no
StripeClient) up to the current major (``StripeClient`` with ``base_addresses``, services under ``client.v1``
from 13.x)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import stripe

URL = os.environ["ARREARS_URL"]
KEY = os.environ["ARREARS_KEY"]
KINDS = {"invoice": "Invoice", "line_item": "InvoiceLineItem", "invoice_item": "InvoiceItem",
         "customer": "Customer"}


def declared(kind: str) -> list[str]:
    """The field names the SDK's class for ``kind`` declares (its own annotations, less class variables).
    Majors before 7.1 declare none: then the names come from the JSON file ARREARS_DECLARED (``{kind:
    [names]}``, another SDK's declarations of the same API version), if given."""
    cls = getattr(stripe, KINDS[kind])
    notes = cls.__dict__.get("__annotations__", {})
    if not notes and os.environ.get("ARREARS_DECLARED"):
        with open(os.environ["ARREARS_DECLARED"]) as given:
            names: list[str] = json.load(given)[kind]
        return sorted(names)
    return sorted(name for name, note in notes.items()
                  if not name.startswith("_") and "ClassVar" not in str(note))


def sdk_version() -> str:
    found = getattr(stripe, "VERSION", None)
    if found is None:  # majors before 6 keep it in stripe.version only
        from stripe.version import VERSION as found  # type: ignore[no-redef]
    return str(found)


def body(obj: Any) -> dict[str, Any]:
    """The JSON object arrears answered for ``obj`` (the raw body of the response that made it)."""
    answered: dict[str, Any] = json.loads(obj.last_response.body)
    return answered


def run_with_client() -> dict[str, Any]:
    client = stripe.StripeClient(KEY, base_addresses={"api": URL}, max_network_retries=0)
    v1 = getattr(client, "v1", client)
    customer = v1.customers.create(params={"email": "matrix@example.com", "balance": -500})
    item = v1.invoice_items.create(params={"customer": customer.id, "amount": 1099, "currency": "usd"})
    invoice = v1.invoices.create(params={"customer": customer.id, "pending_invoice_items_behavior": "include"})
    v1.invoices.finalize_invoice(invoice.id)
    marked = v1.invoices.mark_uncollectible(invoice.id)
    return {"invoice": marked, "invoice_item": v1.invoice_items.retrieve(item.id),
            "customer": v1.customers.retrieve(customer.id)}


def run_with_module() -> dict[str, Any]:
    stripe.api_key, stripe.api_base, stripe.max_network_retries = KEY, URL, 0
    customer = stripe.Customer.create(email="matrix@example.com", balance=-500)
    item = stripe.InvoiceItem.create(customer=customer.id, amount=1099, currency="usd")
    invoice = stripe.Invoice.create(customer=customer.id, pending_invoice_items_behavior="include")
    stripe.Invoice.finalize_invoice(invoice.id)
    marked = stripe.Invoice.mark_uncollectible(invoice.id)
    return {"invoice": marked, "invoice_item": stripe.InvoiceItem.retrieve(item.id),
            "customer": stripe.Customer.retrieve(customer.id)}


def kind_of(value: Any) -> str:
    """The JSON type of ``value``: object, array, string, integer, boolean or null."""
    if value is None:
        return "null"
    for name, types in (("boolean", bool), ("integer", int), ("string", str), ("object", dict), ("array", list)):
        if isinstance(value, types):
            return name
    return type(value).__name__


# A few key fields and the JSON types the SDK of every era expects for them, where that era declares them.
KEY_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "invoice": {"paid": ("boolean",), "status": ("string",), "amount_due": ("integer",),
                "lines": ("object",), "parent": ("object", "null")},
    "line_item": {"price": ("object", "null"), "type": ("string",), "amount": ("integer",),
                  "pricing": ("object", "null"), "parent": ("object", "null")},
    "invoice_item": {"price": ("object", "null"), "invoice": ("string", "null"), "pricing": ("object", "null")},
    "customer": {"balance": ("integer",), "invoice_settings": ("object",)},
}


def check(kind: str, obj: Any, answered: dict[str, Any]) -> dict[str, Any]:
    names = declared(kind)
    unreadable = []
    for name in names:  # typed attribute access, as an integration written against this SDK does
        try:
            getattr(obj, name)
        except AttributeError:
            unreadable.append(name)
    wrong = {name: kind_of(answered[name]) for name, allowed in KEY_TYPES[kind].items()
             if name in names and name in answered and kind_of(answered[name]) not in allowed}
    return {"declared": names, "answered": sorted(answered), "optional": [],
            "missing": sorted(set(names) - set(answered)), "extra": sorted(set(answered) - set(names)),
            "attribute_errors": unreadable, "wrong_type": wrong}


def links(seen: dict[str, Any]) -> dict[str, Any]:
    """Where the typed objects lead, the way this era's integrations walk them: from the invoice's line to
    its invoice item (``line.invoice_item`` before basil, ``line.parent.invoice_item_details`` from it),
    from the invoice item to its invoice, and whether the invoice says it is paid (before basil)."""
    line, item, invoice = seen["line_item"], seen["invoice_item"], seen["invoice"]
    names = declared("line_item")
    if "invoice_item" in names:
        to_item = getattr(line, "invoice_item", None)
    else:
        parent = getattr(line, "parent", None)
        details = getattr(parent, "invoice_item_details", None) if parent is not None else None
        to_item = getattr(details, "invoice_item", None) if details is not None else None
    return {"invoice": invoice.id, "invoice_item": item.id, "line_to_item": to_item,
            "item_to_invoice": getattr(item, "invoice", None),
            "paid": getattr(invoice, "paid", None) if "paid" in declared("invoice") else "not declared"}


def main() -> None:
    seen = run_with_client() if hasattr(stripe, "StripeClient") else run_with_module()
    invoice = seen["invoice"]
    answers = {kind: body(obj) for kind, obj in seen.items()}
    answers["line_item"] = answers["invoice"]["lines"]["data"][0]
    seen["line_item"] = invoice.lines.data[0]
    headers = invoice.last_response.headers
    report = {
        "sdk": "stripe-python", "sdk_version": sdk_version(), "pinned_api_version": stripe.api_version,
        "answered_api_version": headers.get("Stripe-Version") or headers.get("stripe-version"),
        "python": sys.version.split()[0],
        "scenario": {"status": answers["invoice"].get("status"), "amount_due": answers["invoice"].get("amount_due"),
                     "amount_remaining": answers["invoice"].get("amount_remaining")},
        "kinds": {kind: check(kind, seen[kind], answers[kind]) for kind in KINDS},
        "links": links(seen),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
