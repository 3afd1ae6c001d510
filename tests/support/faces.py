"""Helpers for the face tests: the seed scenario in each dialect over plain HTTP (as the providers' docs
show it), and a strict check of a JSON body against a face's OpenAPI response schema."""

from __future__ import annotations

import copy
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from tests.support.answers import ok
from tests.support.server import KEY

FLEX_KEY = "fsk_test_arrears"
FLEX = {"Authorization": f"Bearer {FLEX_KEY}", "Content-Type": "application/json"}
YORLET = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
STRIPE = {"Authorization": f"Bearer {KEY}"}


def flex_seed(url: str) -> tuple[dict[str, Any], str]:
    """Customer with 5.00 credit, a 10.99 item, an invoice taking it in, finalized. (open invoice, cust id)"""
    base = url + "/flex/v1"
    cus = ok(httpx.post(base + "/customers", headers=FLEX, json={"customer": {
        "first_name": "Jenny", "last_name": "Rosen", "email": "jenny@example.com", "balance": -500}}))["customer"]
    ok(httpx.post(base + "/invoice_items", headers=FLEX, json={"invoice_item": {
        "customer": cus["customer_id"], "amount": 1099, "currency": "usd"}}))
    inv = ok(httpx.post(base + "/invoices", headers=FLEX, json={"invoice": {
        "customer": cus["customer_id"], "pending_invoice_items_behavior": "include"}}))["invoice"]
    inv = ok(httpx.post(f"{base}/invoices/{inv['invoice_id']}/finalize", headers=FLEX))["invoice"]
    return inv, cus["customer_id"]


def yorlet_seed(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    base = url + "/yorlet/v1"
    h = headers or YORLET
    cus = ok(httpx.post(base + "/customers", headers=h, json={"email": "jenny@example.com", "balance": -500}))
    ok(httpx.post(base + "/invoice_items", headers=h, json={"customer": cus["id"], "amount": 1099, "currency": "usd",
                                                            "description": "Rent"}))
    inv = ok(httpx.post(base + "/invoices", headers=h, json={"customer": cus["id"],
                                                             "pending_invoice_items_behavior": "include"}))
    return dict(ok(httpx.post(f"{base}/invoices/{inv['id']}/finalize", headers=h)))


def stripe_open_invoice(url: str) -> dict[str, Any]:
    """The seed up to an open invoice through the Stripe face over plain HTTP (form bodies)."""
    cus = ok(httpx.post(url + "/v1/customers", headers=STRIPE, data={"balance": "-500"}))
    ok(httpx.post(url + "/v1/invoiceitems", headers=STRIPE,
                  data={"customer": cus["id"], "amount": "1099", "currency": "usd"}))
    inv = ok(httpx.post(url + "/v1/invoices", headers=STRIPE,
                        data={"customer": cus["id"], "pending_invoice_items_behavior": "include"}))
    return dict(ok(httpx.post(f"{url}/v1/invoices/{inv['id']}/finalize", headers=STRIPE)))


def _closed(schema: Any) -> Any:
    """Every object schema that lists its properties also forbids undeclared ones."""
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


def check_against(doc: dict[str, Any], schema: dict[str, Any], body: Any) -> list[str]:
    """Problems of ``body`` against ``schema`` (refs into ``doc``'s components), undeclared keys included."""
    root = _closed({**copy.deepcopy(schema), "components": doc["components"]})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(root).iter_errors(body)]


def response_schema(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return dict(doc["paths"][path][method.lower()]["responses"]["200"]["content"]["application/json"]["schema"])
