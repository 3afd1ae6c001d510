"""Editing a draft's lines: add_lines, remove_lines, update_lines and the single-line update. Each
works through the invoice-item commands, so an item and its line never disagree."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc, metadata
from arrears.domain import invoice as rules
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.services import Ctx, invoiceitems
from arrears.services.drafts import attach, refresh_totals
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx

_LINE_FIELDS = ("amount", "description", "discountable", "metadata", "period", "quantity", "unit_amount_decimal")


async def _draft(tx: Tx, invoice_id: str) -> Doc:
    inv = await load(tx, "invoices", invoice_id, param="invoice", for_update=True)
    rules.require_editable(inv)
    return inv


def _of_line(i: int, err: ParamError) -> ParamError:
    """``err`` of the invoice-item command behind line ``i``, naming the line's own parameter
    (``amount`` → ``lines[0][amount]``); errors about anything else are left as they are."""
    param = err.param or ""
    name = param.split("[", 1)[0]
    if name not in _LINE_FIELDS:
        return err
    return ParamError(err.message, param=f"lines[{i}][{name}]{param[len(name):]}", code=err.code)


def _item_of(inv: Doc, line_id: str, param: str) -> str:
    for line in inv["lines"]["data"]:
        if line["id"] == line_id:
            return str(line["parent"]["invoice_item_details"]["invoice_item"])
    raise InvalidRequest(f"The invoice {inv['id']} has no line item '{line_id}'.", param=param)


async def _finish(tx: Tx, ctx: Ctx, invoice_id: str, before: Doc, p: dict[str, Any]) -> Doc:
    inv = await load(tx, "invoices", invoice_id)
    if "invoice_metadata" in p:  # None (posted as "") unsets them all
        inv["metadata"] = metadata.merged(inv["metadata"], p["invoice_metadata"])
    await tx.update("invoices", inv)
    diff = changed(before, inv)
    if diff:
        await emit(tx, ctx, "invoice.updated", inv, diff)
    return inv


async def add_lines(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    before = await _draft(tx, invoice_id)
    for i, spec in enumerate(p["lines"]):
        if spec.get("invoice_item"):
            inv = await load(tx, "invoices", invoice_id)
            item = await load(tx, "invoiceitems", spec["invoice_item"], param=f"lines[{i}][invoice_item]",
                              for_update=True)
            if item["invoice"] is not None or item["customer"] != inv["customer"]:
                raise InvalidRequest(
                    f"The invoice item {item['id']} is not a pending item of this invoice's customer.",
                    param=f"lines[{i}][invoice_item]")
            attach(ctx, inv, [item])
            await refresh_totals(tx, inv, param=f"lines[{i}][invoice_item]")
            await tx.update("invoiceitems", item)
            await tx.update("invoices", inv)
        else:
            fields = {k: spec[k] for k in _LINE_FIELDS if k in spec}
            try:
                await invoiceitems.create(tx, ctx, {**fields, "customer": before["customer"],
                                                    "currency": before["currency"], "invoice": invoice_id})
            except ParamError as err:
                raise _of_line(i, err) from None
    return await _finish(tx, ctx, invoice_id, before, p)


async def remove_lines(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    before = await _draft(tx, invoice_id)
    for i, spec in enumerate(p["lines"]):
        inv = await load(tx, "invoices", invoice_id)
        item_id = _item_of(inv, spec["id"], f"lines[{i}][id]")
        if spec["behavior"] == "delete":
            try:
                await invoiceitems.delete(tx, ctx, item_id)
            except ParamError as err:  # the totals without this line would pass their bound
                raise ParamError(err.message, param=f"lines[{i}][id]", code=err.code) from None
        else:  # unassign: the item goes back to pending
            inv["lines"]["data"] = [ln for ln in inv["lines"]["data"] if ln["id"] != spec["id"]]
            item = await load(tx, "invoiceitems", item_id, for_update=True)
            item["invoice"] = None
            await tx.update("invoiceitems", item)
            await refresh_totals(tx, inv, param=f"lines[{i}][id]")
            await tx.update("invoices", inv)
    return await _finish(tx, ctx, invoice_id, before, p)


async def update_lines(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    before = await _draft(tx, invoice_id)
    for i, spec in enumerate(p["lines"]):
        item_id = _item_of(before, spec["id"], f"lines[{i}][id]")
        try:
            await invoiceitems.update(tx, ctx, item_id, {k: spec[k] for k in _LINE_FIELDS if k in spec})
        except ParamError as err:
            raise _of_line(i, err) from None
    return await _finish(tx, ctx, invoice_id, before, p)


async def update_line(tx: Tx, ctx: Ctx, invoice_id: str, line_id: str, p: dict[str, Any]) -> Doc:
    """POST /v1/invoices/{invoice}/lines/{line_item_id}: returns the line, not the invoice."""
    before = await _draft(tx, invoice_id)
    item_id = _item_of(before, line_id, "line_item_id")
    await invoiceitems.update(tx, ctx, item_id, {k: p[k] for k in _LINE_FIELDS if k in p})
    inv = await _finish(tx, ctx, invoice_id, before, {})
    return next(line for line in inv["lines"]["data"] if line["id"] == line_id)
