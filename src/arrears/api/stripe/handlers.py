"""Thin handlers: turn a validated call into a service call or a query. No rule lives here."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from arrears.api.stripe import search as search_lang
from arrears.domain import Doc
from arrears.domain.errors import ParamError, missing
from arrears.services import Ctx, customers, invoiceitems, invoices, lines, transitions, webhook_endpoints
from arrears.services.common import load
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

RANGE_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True, slots=True)
class Call:
    ctx: Ctx
    path: dict[str, str]
    params: dict[str, Any]
    url: str  # the request path, for list objects


Handler = Callable[[Tx, Call], Awaitable[Doc]]


# --- lists and search -----------------------------------------------------------------------------

def _page(params: dict[str, Any]) -> Page:
    if params.get("starting_after") and params.get("ending_before"):
        raise ParamError("You may only specify one of these parameters: ending_before, starting_after.",
                         param="ending_before", code="parameters_exclusive")
    return Page(limit=params.get("limit") or 10, starting_after=params.get("starting_after"),
                ending_before=params.get("ending_before"))


def _conds(params: dict[str, Any], equal: tuple[str, ...], ranges: tuple[str, ...] = ("created",)) -> list[Cond]:
    conds = [Cond(name, "=", params[name]) for name in equal if params.get(name) is not None]
    for name in ranges:
        value = params.get(name)
        if isinstance(value, dict):
            conds += [Cond(name, RANGE_OPS[op], bound) for op, bound in value.items()]  # type: ignore[arg-type]
        elif value is not None:
            conds.append(Cond(name, "=", value))
    return conds


async def _list(tx: Tx, call: Call, table: str, conds: list[Cond]) -> Doc:
    result = await tx.list(table, Filter(tuple(conds)), _page(call.params))
    return {"object": "list", "data": result.docs, "has_more": result.has_more, "url": call.url}


def _page_token(seq: int | None) -> str | None:
    return None if seq is None else base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _after_seq(token: str | None) -> int | None:
    if not token:
        return None
    try:
        kind, _, seq = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "seq":
            return int(seq)
    except ValueError:
        pass
    raise ParamError("Invalid page: use the next_page value of the previous search result.", param="page")


async def _search(tx: Tx, call: Call, table: str, fields: Any, resource: str) -> Doc:
    flt = search_lang.parse_search(call.params["query"], fields, resource)
    limit = call.params.get("limit") or 10
    docs, last = await tx.search(table, flt, limit, _after_seq(call.params.get("page")))
    result: Doc = {"object": "search_result", "data": docs, "has_more": last is not None,
                   "next_page": _page_token(last), "url": call.url}
    if call.params.get("_total_count"):
        result["total_count"] = await tx.count(table, flt)
    return result


# --- customers ------------------------------------------------------------------------------------

async def create_customer(tx: Tx, call: Call) -> Doc:
    return await customers.create(tx, call.ctx, call.params)


async def retrieve_customer(tx: Tx, call: Call) -> Doc:
    return await load(tx, "customers", call.path["customer"], param="customer")


async def update_customer(tx: Tx, call: Call) -> Doc:
    return await customers.update(tx, call.ctx, call.path["customer"], call.params)


async def delete_customer(tx: Tx, call: Call) -> Doc:
    return await customers.delete(tx, call.ctx, call.path["customer"])


async def list_customers(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "customers", _conds(call.params, ("email",)))


async def search_customers(tx: Tx, call: Call) -> Doc:
    return await _search(tx, call, "customers", search_lang.CUSTOMER_SEARCH_FIELDS, "customers")


async def create_balance_transaction(tx: Tx, call: Call) -> Doc:
    return await customers.add_balance_transaction(tx, call.ctx, call.path["customer"], call.params)


async def _owned_transaction(tx: Tx, call: Call) -> Doc:
    await load(tx, "customers", call.path["customer"], param="customer")
    txn = await load(tx, "balance_transactions", call.path["transaction"], param="transaction")
    if txn["customer"] != call.path["customer"]:
        raise missing("customer_balance_transaction", txn["id"], "transaction")
    return txn


async def retrieve_balance_transaction(tx: Tx, call: Call) -> Doc:
    return await _owned_transaction(tx, call)


async def update_balance_transaction(tx: Tx, call: Call) -> Doc:
    return await customers.update_balance_transaction(
        tx, call.ctx, call.path["customer"], call.path["transaction"], call.params)


async def list_balance_transactions(tx: Tx, call: Call) -> Doc:
    await load(tx, "customers", call.path["customer"], param="customer")
    conds = [Cond("customer", "=", call.path["customer"]), *_conds(call.params, ("invoice",))]
    return await _list(tx, call, "balance_transactions", conds)


# --- invoice items --------------------------------------------------------------------------------

async def create_invoiceitem(tx: Tx, call: Call) -> Doc:
    return await invoiceitems.create(tx, call.ctx, call.params)


async def retrieve_invoiceitem(tx: Tx, call: Call) -> Doc:
    return await load(tx, "invoiceitems", call.path["invoiceitem"], param="invoiceitem")


async def update_invoiceitem(tx: Tx, call: Call) -> Doc:
    return await invoiceitems.update(tx, call.ctx, call.path["invoiceitem"], call.params)


async def delete_invoiceitem(tx: Tx, call: Call) -> Doc:
    return await invoiceitems.delete(tx, call.ctx, call.path["invoiceitem"])


async def list_invoiceitems(tx: Tx, call: Call) -> Doc:
    conds = _conds(call.params, ("customer", "invoice"))
    pending = call.params.get("pending")
    if pending is not None:
        conds.append(Cond("invoice", "null" if pending else "notnull"))
    return await _list(tx, call, "invoiceitems", conds)


# --- invoices -------------------------------------------------------------------------------------

async def create_invoice(tx: Tx, call: Call) -> Doc:
    return await invoices.create(tx, call.ctx, call.params)


async def retrieve_invoice(tx: Tx, call: Call) -> Doc:
    return await load(tx, "invoices", call.path["invoice"], param="invoice")


async def update_invoice(tx: Tx, call: Call) -> Doc:
    return await invoices.update(tx, call.ctx, call.path["invoice"], call.params)


async def delete_invoice(tx: Tx, call: Call) -> Doc:
    return await invoices.delete(tx, call.ctx, call.path["invoice"])


async def list_invoices(tx: Tx, call: Call) -> Doc:
    conds = _conds(call.params, ("customer", "status", "collection_method"), ("created", "due_date"))
    return await _list(tx, call, "invoices", conds)


async def search_invoices(tx: Tx, call: Call) -> Doc:
    return await _search(tx, call, "invoices", search_lang.INVOICE_SEARCH_FIELDS, "invoices")


def _transition(command: Callable[[Tx, Ctx, str, dict[str, Any]], Awaitable[Doc]]) -> Handler:
    async def handler(tx: Tx, call: Call) -> Doc:
        return await command(tx, call.ctx, call.path["invoice"], call.params)

    handler.__name__ = command.__name__
    return handler


finalize_invoice = _transition(transitions.finalize)
pay_invoice = _transition(transitions.pay)
send_invoice = _transition(transitions.send)
void_invoice = _transition(transitions.void)
mark_uncollectible = _transition(transitions.mark_uncollectible)
add_lines = _transition(lines.add_lines)
remove_lines = _transition(lines.remove_lines)
update_lines = _transition(lines.update_lines)


async def update_line(tx: Tx, call: Call) -> Doc:
    return await lines.update_line(tx, call.ctx, call.path["invoice"], call.path["line_item_id"], call.params)


async def list_lines(tx: Tx, call: Call) -> Doc:
    inv = await load(tx, "invoices", call.path["invoice"], param="invoice")
    page = _page(call.params)
    data = inv["lines"]["data"]
    start, end = 0, len(data)
    cursor = page.starting_after or page.ending_before
    if cursor is not None:
        index = next((i for i, line in enumerate(data) if line["id"] == cursor), None)
        if index is None:
            raise ParamError(f"The invoice {inv['id']} has no line item '{cursor}'.",
                             param="starting_after" if page.starting_after else "ending_before")
        if page.starting_after:
            start = index + 1
        else:
            end = index
    if page.ending_before:
        chosen = data[max(start, end - page.limit):end]
        has_more = end - page.limit > start
    else:
        chosen = data[start:start + page.limit]
        has_more = start + page.limit < end
    return {"object": "list", "data": chosen, "has_more": has_more, "url": call.url}


# --- events and webhooks --------------------------------------------------------------------------

async def list_events(tx: Tx, call: Call) -> Doc:
    params = call.params
    if params.get("type") and params.get("types"):
        raise ParamError("You may pass either type or types, but not both.", param="types")
    conds = _conds(params, ())
    kind = params.get("type")
    if kind and kind.endswith("*"):
        conds.append(Cond("type", "prefix", kind[:-1]))
    elif kind:
        conds.append(Cond("type", "=", kind))
    if params.get("types"):
        conds.append(Cond("type", "in", tuple(params["types"])))
    return await _list(tx, call, "events", conds)


async def retrieve_event(tx: Tx, call: Call) -> Doc:
    return await load(tx, "events", call.path["id"], param="id")


async def create_webhook_endpoint(tx: Tx, call: Call) -> Doc:
    return {**await webhook_endpoints.create(tx, call.ctx, call.params), "_show_secret": True}


async def retrieve_webhook_endpoint(tx: Tx, call: Call) -> Doc:
    return await load(tx, "webhook_endpoints", call.path["webhook_endpoint"], param="webhook_endpoint")


async def update_webhook_endpoint(tx: Tx, call: Call) -> Doc:
    return await webhook_endpoints.update(tx, call.ctx, call.path["webhook_endpoint"], call.params)


async def delete_webhook_endpoint(tx: Tx, call: Call) -> Doc:
    return await webhook_endpoints.delete(tx, call.ctx, call.path["webhook_endpoint"])


async def list_webhook_endpoints(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "webhook_endpoints", [])


async def list_webhook_attempts(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "webhook_attempts", _conds(call.params, ("event", "endpoint", "delivery"), ()))
