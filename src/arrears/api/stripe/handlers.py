"""Thin handlers: turn a validated call into a service call or a query. No rule lives here."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from arrears.api.cycle import Call, Csv, Handler, page
from arrears.api.stripe import search as search_lang
from arrears.domain import Doc
from arrears.domain.errors import ParamError, missing
from arrears.services import (
    Ctx,
    accounts,
    customers,
    invoiceitems,
    invoices,
    lines,
    reports,
    test_clocks,
    transitions,
    webhook_endpoints,
)
from arrears.services.loading import load, retrieve
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter
from arrears.webhooks import transport

RANGE_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
DEFAULT_LIMIT = 10


# --- handler factories: most operations are one service call or one load -------------------------

Command = Callable[[Tx, Ctx, dict[str, Any]], Awaitable[Doc]]
CommandOn = Callable[[Tx, Ctx, str, dict[str, Any]], Awaitable[Doc]]
Removal = Callable[[Tx, Ctx, str], Awaitable[Doc]]


def _create(command: Command) -> Handler:
    async def handler(tx: Tx, call: Call) -> Doc:
        return await command(tx, call.ctx, call.params)

    return handler


def _on(command: CommandOn, key: str) -> Handler:
    """A command on the object named by the path parameter ``key``."""
    async def handler(tx: Tx, call: Call) -> Doc:
        return await command(tx, call.ctx, call.path[key], call.params)

    return handler


def _remove(command: Removal, key: str) -> Handler:
    async def handler(tx: Tx, call: Call) -> Doc:
        return await command(tx, call.ctx, call.path[key])

    return handler


def _retrieve(table: str, key: str) -> Handler:
    async def handler(tx: Tx, call: Call) -> Doc:
        return await retrieve(tx, table, call.path[key], param=key)  # a deleted customer: its stub

    return handler


# --- lists and search -----------------------------------------------------------------------------

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
    result = await tx.list(table, Filter(tuple(conds)), page(call.params, default_limit=DEFAULT_LIMIT))
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
    limit = call.params.get("limit") or DEFAULT_LIMIT
    docs, last = await tx.search(table, flt, limit, _after_seq(call.params.get("page")))
    result: Doc = {"object": "search_result", "data": docs, "has_more": last is not None,
                   "next_page": _page_token(last), "url": call.url}
    if call.total_count:
        result["total_count"] = await tx.count(table, flt)
    return result


# --- customers ------------------------------------------------------------------------------------

create_customer = _create(customers.create)
retrieve_customer = _retrieve("customers", "customer")
update_customer = _on(customers.update, "customer")
delete_customer = _remove(customers.delete, "customer")


async def list_customers(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "customers", _conds(call.params, ("email",)))


async def search_customers(tx: Tx, call: Call) -> Doc:
    return await _search(tx, call, "customers", search_lang.CUSTOMER_SEARCH_FIELDS, "customers")


create_balance_transaction = _on(customers.add_balance_transaction, "customer")


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

create_invoiceitem = _create(invoiceitems.create)
retrieve_invoiceitem = _retrieve("invoiceitems", "invoiceitem")
update_invoiceitem = _on(invoiceitems.update, "invoiceitem")
delete_invoiceitem = _remove(invoiceitems.delete, "invoiceitem")


async def list_invoiceitems(tx: Tx, call: Call) -> Doc:
    conds = _conds(call.params, ("customer", "invoice"))
    pending = call.params.get("pending")
    if pending is not None:
        conds.append(Cond("invoice", "null" if pending else "notnull"))
    return await _list(tx, call, "invoiceitems", conds)


# --- invoices -------------------------------------------------------------------------------------

create_invoice = _create(invoices.create)
retrieve_invoice = _retrieve("invoices", "invoice")
update_invoice = _on(invoices.update, "invoice")
delete_invoice = _remove(invoices.delete, "invoice")


async def list_invoices(tx: Tx, call: Call) -> Doc:
    conds = _conds(call.params, ("customer", "status", "collection_method"), ("created", "due_date"))
    return await _list(tx, call, "invoices", conds)


async def search_invoices(tx: Tx, call: Call) -> Doc:
    return await _search(tx, call, "invoices", search_lang.INVOICE_SEARCH_FIELDS, "invoices")


finalize_invoice = _on(transitions.finalize, "invoice")
pay_invoice = _on(transitions.pay, "invoice")
send_invoice = _on(transitions.send, "invoice")
void_invoice = _on(transitions.void, "invoice")
mark_uncollectible = _on(transitions.mark_uncollectible, "invoice")
add_lines = _on(lines.add_lines, "invoice")
remove_lines = _on(lines.remove_lines, "invoice")
update_lines = _on(lines.update_lines, "invoice")


async def update_line(tx: Tx, call: Call) -> Doc:
    return await lines.update_line(tx, call.ctx, call.path["invoice"], call.path["line_item_id"], call.params)


async def list_lines(tx: Tx, call: Call) -> Doc:
    inv = await load(tx, "invoices", call.path["invoice"], param="invoice")
    wanted = page(call.params, default_limit=DEFAULT_LIMIT)
    data = inv["lines"]["data"]
    start, end = 0, len(data)
    cursor = wanted.starting_after or wanted.ending_before
    if cursor is not None:
        index = next((i for i, line in enumerate(data) if line["id"] == cursor), None)
        if index is None:
            raise ParamError(f"The invoice {inv['id']} has no line item '{cursor}'.",
                             param="starting_after" if wanted.starting_after else "ending_before")
        if wanted.starting_after:
            start = index + 1
        else:
            end = index
    if wanted.ending_before:
        chosen = data[max(start, end - wanted.limit):end]
        has_more = end - wanted.limit > start
    else:
        chosen = data[start:start + wanted.limit]
        has_more = start + wanted.limit < end
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


retrieve_event = _retrieve("events", "id")


async def check_webhook_url(call: Call) -> None:
    """The URL's host resolves only to addresses the server allows (strict servers); a transaction cannot
    wait on DNS, so this runs before it, and the worker checks again at every delivery."""
    if "url" in call.params:
        await transport.check_url(call.params["url"], call.ctx.webhook_urls)


create_webhook_endpoint = _create(webhook_endpoints.create)  # its row shows the secret (shows_secret)

retrieve_webhook_endpoint = _retrieve("webhook_endpoints", "webhook_endpoint")
update_webhook_endpoint = _on(webhook_endpoints.update, "webhook_endpoint")
delete_webhook_endpoint = _remove(webhook_endpoints.delete, "webhook_endpoint")


async def list_webhook_endpoints(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "webhook_endpoints", [])


async def list_webhook_attempts(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "webhook_attempts", _conds(call.params, ("event", "endpoint", "delivery"), ()))


# --- reports (arrears' own) -----------------------------------------------------------------------

def _as_csv(report: Doc, params: dict[str, Any]) -> Doc | Csv:
    """``format=csv``: the face answers text/csv with the report's rows."""
    return Csv(reports.to_csv(report)) if params.get("format") == "csv" else report


async def aging_report(tx: Tx, call: Call) -> Doc | Csv:
    report = await reports.aging(tx, call.params.get("as_of") or call.ctx.now, call.params.get("currency"))
    return _as_csv(report, call.params)


async def bad_debt_report(tx: Tx, call: Call) -> Doc | Csv:
    p = call.params
    report = await reports.bad_debt(tx, p.get("period") or "month", p.get("group_by") or "period",
                                    start=p.get("start"), end=p.get("end"), currency=p.get("currency"))
    return _as_csv(report, p)


async def journal_report(tx: Tx, call: Call) -> Doc | Csv:
    report = await reports.journal(tx, start=call.params.get("start"), end=call.params.get("end"))
    return _as_csv(report, call.params)


# --- the account ---------------------------------------------------------------------------------

async def retrieve_account(tx: Tx, call: Call) -> Doc:
    return await accounts.own(tx, call.ctx)  # a SYSTEM read (Operation.system): the accounts table


# --- test clocks ----------------------------------------------------------------------------------

create_test_clock = _create(test_clocks.create)
retrieve_test_clock = _retrieve("test_clocks", "test_clock")
advance_test_clock = _on(test_clocks.advance, "test_clock")
delete_test_clock = _remove(test_clocks.delete, "test_clock")


async def list_test_clocks(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "test_clocks", [])
