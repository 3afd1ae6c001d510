"""Thin Yorlet handlers: call one service (or load), answer with the Yorlet object."""

from __future__ import annotations

from arrears.api.cycle import Call, page
from arrears.api.yorlet import render
from arrears.api.yorlet import requests as rq
from arrears.domain import Doc
from arrears.services import customers, invoiceitems, invoices, transitions
from arrears.services.loading import load
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter

CONTEXT_HEADERS = ("yorlet-context", "yorlet-account")


def account(call: Call) -> str | None:
    """The account named by ``Yorlet-Context`` (or the older ``Yorlet-Account``), if any."""
    return next((call.headers[h] for h in CONTEXT_HEADERS if call.headers.get(h)), None)


async def create_customer(tx: Tx, call: Call) -> Doc:
    return render.customer(await customers.create(tx, call.ctx, call.params), account(call))


async def retrieve_customer(tx: Tx, call: Call) -> Doc:
    return render.customer(await load(tx, "customers", call.path["id"], param="id"), account(call))


async def create_invoice_item(tx: Tx, call: Call) -> Doc:
    item = await invoiceitems.create(tx, call.ctx, rq.invoice_item_params(call.params))
    return render.invoice_item(item, account(call))


async def create_invoice(tx: Tx, call: Call) -> Doc:
    return render.invoice(await invoices.create(tx, call.ctx, call.params), account(call))


async def retrieve_invoice(tx: Tx, call: Call) -> Doc:
    return render.invoice(await load(tx, "invoices", call.path["id"], param="id"), account(call))


async def list_invoices(tx: Tx, call: Call) -> Doc:
    p = call.params
    conds = [Cond(name, "=", p[name]) for name in ("customer", "status") if p.get(name) is not None]
    if p.get("past_due"):
        conds += [Cond("status", "=", "open"), Cond("due_date", "<", call.ctx.now)]
    flt = Filter(tuple(conds))
    result = await tx.list("invoices", flt, page(p, default_limit=rq.DEFAULT_LIMIT))
    return {"object": "list", "data": [render.invoice(inv, account(call)) for inv in result.docs],
            "has_more": result.has_more, "count": await tx.count("invoices", flt), "url": call.url}


async def finalize_invoice(tx: Tx, call: Call) -> Doc:
    return render.invoice(await transitions.finalize(tx, call.ctx, call.path["id"], {}), account(call))


async def pay_invoice(tx: Tx, call: Call) -> Doc:
    inv = await transitions.pay(tx, call.ctx, call.path["id"], rq.pay_params(call.params))
    return render.invoice(inv, account(call))


async def void_invoice(tx: Tx, call: Call) -> Doc:
    return render.invoice(await transitions.void(tx, call.ctx, call.path["id"], {}), account(call))


async def mark_uncollectible(tx: Tx, call: Call) -> Doc:
    return render.invoice(await transitions.mark_uncollectible(tx, call.ctx, call.path["id"], {}), account(call))
