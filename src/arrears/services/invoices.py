"""Invoice commands that do not move the status: create, update, delete."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, limits, metadata, objects, versions
from arrears.domain import invoice as rules
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.services import Ctx
from arrears.services.drafts import attach, refresh_totals
from arrears.services.loading import at_clock, load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

DEFAULT_CURRENCY = "usd"
MAX_PENDING_ITEMS = 250  # Stripe's limit on the items one invoice takes in

# Which parameters each status still accepts. Drafts accept all of them.
EDITABLE_AFTER_FINALIZATION = frozenset(
    {"metadata", "description", "footer", "custom_fields", "default_payment_method", "statement_descriptor",
     "auto_advance", "expand"}
)
EDITABLE_WHEN_TERMINAL = frozenset({"metadata", "expand"})
_FINALIZED_REFUSAL = "Finalized invoices can't be updated in this way"


def _check_times(p: dict[str, Any]) -> None:
    for key in ("due_date", "effective_at"):
        if p.get(key) is not None:
            limits.timestamp(int(p[key]), key)


def pending_behavior(ctx: Ctx, p: dict[str, Any]) -> str:
    """``pending_invoice_items_behavior`` with its version's default: ``exclude`` from API 2022-08-01,
    ``include_and_require`` before (which that version removed)."""
    current = versions.since(ctx.api_version, "pending_items_excluded_by_default")
    behavior = p.get("pending_invoice_items_behavior") or ("exclude" if current else "include_and_require")
    if behavior == "include_and_require" and current:
        raise ParamError("Invalid pending_invoice_items_behavior: must be one of exclude or include",
                         param="pending_invoice_items_behavior")
    return str(behavior)


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    if not p.get("customer"):
        raise ParamError("Missing required param: customer.", param="customer", code="parameter_missing")
    _check_times(p)
    cust = await load(tx, "customers", p["customer"], param="customer")
    ctx = await at_clock(tx, ctx, cust["test_clock"])
    pending: list[Doc] = []
    behavior = pending_behavior(ctx, p)
    if behavior != "exclude":
        flt = Filter((Cond("customer", "=", cust["id"]), Cond("invoice", "null")))
        listed = (await tx.list("invoiceitems", flt, Page(limit=MAX_PENDING_ITEMS))).docs
        # Lock each item and keep those still pending: a concurrent command may have taken one meanwhile.
        locked = [await tx.get("invoiceitems", item["id"], for_update=True) for item in listed]
        pending = [item for item in locked if item is not None and item["invoice"] is None]
    currency = p.get("currency") or cust["currency"] or (pending[0]["currency"] if pending else DEFAULT_CURRENCY)
    pending = [item for item in pending if item["currency"] == currency]
    if behavior == "include_and_require" and not pending:
        raise InvalidRequest(f"Nothing to invoice for customer {cust['id']}.", code="invoice_no_customer_line_items")
    if p.get("number"):
        await _check_number_free(tx, p["number"], None)
    fields = dict(p)
    if "metadata" in fields:
        fields["metadata"] = metadata.merged({}, fields["metadata"])
    inv = objects.invoice(ctx.ids.new("in"), ctx.now, ctx.livemode, cust=cust, currency=currency,
                          base_url=ctx.base_url, p=fields)
    attach(ctx, inv, pending)
    await refresh_totals(tx, inv, param="pending_invoice_items_behavior")
    for item in pending:
        await tx.update("invoiceitems", item)
    await tx.insert("invoices", inv)
    await emit(tx, ctx, "invoice.created", inv)
    return inv


async def _check_number_free(tx: Tx, number: str, invoice_id: str | None) -> None:
    found = await tx.list("invoices", Filter((Cond("number", "=", number),)), Page(limit=1))
    if found.docs and found.docs[0]["id"] != invoice_id:
        raise InvalidRequest(f"Invoice number '{number}' is already used by another invoice.", param="number")


async def update(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    _check_times(p)
    inv = await load(tx, "invoices", invoice_id, param="id", for_update=True)
    status = inv["status"]
    if status != rules.DRAFT:
        allowed = EDITABLE_WHEN_TERMINAL if status in (rules.PAID, rules.VOID) else EDITABLE_AFTER_FINALIZATION
        for key in p:
            if key not in allowed or (key == "auto_advance" and p[key] and status != rules.OPEN):
                raise InvalidRequest(_FINALIZED_REFUSAL, param=key)
    before = copy.deepcopy(inv)
    for key, value in p.items():
        if key == "metadata":
            inv["metadata"] = metadata.merged(inv["metadata"], value)
        elif key == "days_until_due":
            inv["due_date"] = inv["created"] + int(value) * 86400
        elif key == "number":
            if value:
                await _check_number_free(tx, value, inv["id"])
            inv["number"] = value or None
        elif key == "auto_advance":
            inv["auto_advance"] = value
            if status == rules.DRAFT:
                inv["automatically_finalizes_at"] = inv["created"] + 3601 if value else None
        elif key != "expand":
            inv[key] = value
    if inv["collection_method"] == "charge_automatically":
        inv["due_date"] = None
    diff = changed(before, inv)
    if diff:
        await tx.update("invoices", inv)
        await emit(tx, ctx, "invoice.updated", inv, diff)
    return inv


async def delete(tx: Tx, ctx: Ctx, invoice_id: str) -> Doc:
    inv = await load(tx, "invoices", invoice_id, param="invoice", for_update=True)
    rules.require_deletable(inv)
    for line in inv["lines"]["data"]:
        item_id = ((line.get("parent") or {}).get("invoice_item_details") or {}).get("invoice_item")
        if item_id:
            await tx.delete("invoiceitems", item_id)
    await tx.delete("invoices", invoice_id)
    await emit(tx, ctx, "invoice.deleted", inv)
    return objects.deleted(invoice_id, "invoice")
