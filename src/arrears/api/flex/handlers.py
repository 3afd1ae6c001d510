"""Thin Flex handlers: map the request, call one service (or load), answer in Flex's envelope."""

from __future__ import annotations

from arrears.api.cycle import Call, page
from arrears.api.flex import ids, render
from arrears.api.flex import requests as rq
from arrears.domain import Doc
from arrears.services import customers, invoiceitems, invoices, transitions
from arrears.services.loading import load
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter


def _id(call: Call, kind: str) -> str:
    return ids.to_internal(kind, call.path["id"])


async def _invoice(tx: Tx, inv: Doc, call: Call) -> Doc:
    cust = None
    if "customer" in rq.expand(call.params):
        cust = await tx.get("customers", inv["customer"])
    return render.invoice(inv, cust)


# --- customers and invoice items ---------------------------------------------------------------------

async def create_customer(tx: Tx, call: Call) -> Doc:
    return {"customer": render.customer(await customers.create(tx, call.ctx, rq.customer_params(call.params)))}


async def get_customer(tx: Tx, call: Call) -> Doc:
    return {"customer": render.customer(await load(tx, "customers", _id(call, "customer"), param="id"))}


async def create_invoice_item(tx: Tx, call: Call) -> Doc:
    item = await invoiceitems.create(tx, call.ctx, rq.invoice_item_params(call.params))
    return {"invoice_item": render.invoice_item(item)}


# --- invoices ----------------------------------------------------------------------------------------

async def create_invoice(tx: Tx, call: Call) -> Doc:
    inv = await invoices.create(tx, call.ctx, rq.invoice_params(call.params))
    return {"invoice": await _invoice(tx, inv, call)}


async def get_invoice(tx: Tx, call: Call) -> Doc:
    inv = await load(tx, "invoices", _id(call, "invoice"), param="id")
    return {"invoice": await _invoice(tx, inv, call)}


async def list_invoices(tx: Tx, call: Call) -> Doc:
    p = call.params
    conds = []
    if p.get("customer"):
        conds.append(Cond("customer", "=", ids.to_internal("customer", p["customer"])))
    cursors = {k: ids.to_internal("invoice", p[k]) for k in ("starting_after", "ending_before") if p.get(k)}
    result = await tx.list("invoices", Filter(tuple(conds)), page({**p, **cursors}, default_limit=rq.DEFAULT_LIMIT))
    return {"invoices": [await _invoice(tx, inv, call) for inv in result.docs], "has_more": result.has_more}


async def finalize_invoice(tx: Tx, call: Call) -> Doc:
    inv = await transitions.finalize(tx, call.ctx, _id(call, "invoice"), {})
    return {"invoice": await _invoice(tx, inv, call)}


async def mark_uncollectible(tx: Tx, call: Call) -> Doc:
    inv = await transitions.mark_uncollectible(tx, call.ctx, _id(call, "invoice"), {})
    return {"invoice": await _invoice(tx, inv, call)}
