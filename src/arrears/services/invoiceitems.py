"""Invoice item commands. An item is pending until it is on an invoice; while that invoice is a draft
the item and its line move together."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from arrears.domain import Doc, limits, metadata, objects, pricing
from arrears.domain import invoice as rules
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.services import Ctx
from arrears.services.drafts import attach, refresh_totals
from arrears.services.loading import at_clock, load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx

BILLING_KEYS = ("amount", "unit_amount_decimal", "quantity", "pricing")
PRICE_PARAM = "pricing[price]"


async def _price_of(tx: Tx, p: dict[str, Any]) -> Doc | None:
    """The catalog price an item is priced by (``pricing[price]``), or None for an amount-only item."""
    price_id = (p.get("pricing") or {}).get("price")
    if not price_id:
        return None
    for given in ("amount", "unit_amount_decimal"):
        if given in p:
            raise ParamError(f"You may only specify one of these parameters: {given}, pricing[price].",
                             param=PRICE_PARAM, code="parameters_exclusive")
    return await load(tx, "prices", price_id, param=PRICE_PARAM)


def _priced(price: Doc, p: dict[str, Any], currency: str) -> tuple[int, int, Doc]:
    """(amount, quantity, pricing block) of ``quantity`` units of a catalog price (domain/pricing.py)."""
    pricing.usable(price, currency, PRICE_PARAM)
    quantity = int(p.get("quantity", 1))
    if quantity < 0:
        raise ParamError("Invalid quantity: must be greater than or equal to 0", param="quantity")
    amount = limits.amount(pricing.amount(price, quantity), currency, PRICE_PARAM)
    return amount, quantity, pricing.pricing(price, quantity)


def _billing_param(p: dict[str, Any]) -> str:
    """The parameter an amount past its bound is named by: the one of the request that set it."""
    return next((k for k in ("unit_amount_decimal", "amount", "quantity") if k in p), "amount")


def _amounts(p: dict[str, Any], currency: str, current: Doc | None = None) -> tuple[int, int, str | None]:
    """(amount, quantity, unit_amount_decimal) from the parameters, falling back on ``current``; an
    amount past the bound of ``currency`` is refused (domain/limits.py)."""
    if "amount" in p and "unit_amount_decimal" in p:
        raise ParamError("You may only specify one of these parameters: amount, unit_amount_decimal.",
                         param="unit_amount_decimal", code="parameters_exclusive")
    quantity = int(p["quantity"]) if "quantity" in p else (int(current["quantity"]) if current else 1)
    if quantity < 0:
        raise ParamError("Invalid quantity: must be greater than or equal to 0", param="quantity")
    unit = p.get("unit_amount_decimal")
    if unit is None and "amount" not in p and current is not None:
        unit = current["pricing"]["unit_amount_decimal"]
    if unit is not None and "amount" not in p:
        return limits.amount(rules.line_amount(unit, quantity), currency, _billing_param(p)), quantity, unit
    if "amount" in p:
        amount = limits.amount(int(p["amount"]), currency, "amount")
    elif current is not None:
        amount = current["amount"]
    else:
        raise ParamError("You must pass either `amount` or `unit_amount_decimal` to create an invoice item.",
                         param="amount", code="parameter_missing")
    unit_decimal = Decimal(amount) / quantity if quantity else Decimal(amount)
    return amount, quantity, format(unit_decimal.normalize(), "f")


def _check_period(p: dict[str, Any]) -> None:
    for end in ("start", "end"):
        if p.get("period") and end in p["period"]:
            limits.timestamp(int(p["period"][end]), f"period[{end}]")


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    cust = await load(tx, "customers", p["customer"], param="customer")
    ctx = await at_clock(tx, ctx, cust["test_clock"])
    inv = await load(tx, "invoices", p["invoice"], param="invoice", for_update=True) if p.get("invoice") else None
    price = await _price_of(tx, p)
    currency = (p.get("currency") or (inv["currency"] if inv else None) or cust["currency"]
                or (price["currency"] if price else None))
    if currency is None:
        raise ParamError("Missing required param: currency.", param="currency", code="parameter_missing")
    priced_by: Doc | None = None
    if price is not None:
        amount, quantity, priced_by = _priced(price, p, currency)
        unit = priced_by["unit_amount_decimal"]
    else:
        amount, quantity, unit = _amounts(p, currency)
    _check_period(p)
    extra = {k: v for k, v in p.items() if k not in BILLING_KEYS}
    extra["test_clock"] = cust["test_clock"]
    if "metadata" in extra:
        extra["metadata"] = metadata.merged({}, extra["metadata"])
    item = objects.invoiceitem(
        ctx.ids.new("ii"), ctx.now, ctx.livemode, customer=cust["id"], currency=currency,
        amount=amount, quantity=quantity, unit_amount_decimal=unit, p=extra,
    )
    if priced_by is not None:
        item["pricing"] = priced_by
    if inv is not None:
        rules.require_editable(inv)
        if inv["customer"] != cust["id"]:
            raise InvalidRequest("The invoice item's customer must match the invoice's customer.", param="invoice")
        if inv["currency"] != currency:
            raise InvalidRequest(
                f"The invoice item's currency ({currency}) must match the invoice's currency ({inv['currency']}).",
                param="currency")
        attach(ctx, inv, [item])
        await refresh_totals(tx, inv, param=_billing_param(p))
        await tx.update("invoices", inv)
    await tx.insert("invoiceitems", item)
    await emit(tx, ctx, "invoiceitem.created", item)
    return item


async def _draft_of(tx: Tx, item: Doc) -> Doc | None:
    """The draft invoice the item is on, or None when pending; refuses items on finalized invoices."""
    if item["invoice"] is None:
        return None
    inv = await load(tx, "invoices", item["invoice"], for_update=True)
    if inv["status"] != rules.DRAFT:
        raise InvalidRequest(
            f"The invoice item {item['id']} is on invoice {inv['id']}, which is no longer a draft: "
            "items of finalized invoices can't be changed or deleted.", param="invoiceitem",
            code="invoice_not_editable")
    return inv


async def update(tx: Tx, ctx: Ctx, item_id: str, p: dict[str, Any]) -> Doc:
    item = await load(tx, "invoiceitems", item_id, param="invoiceitem", for_update=True)
    before = copy.deepcopy(item)
    inv = await _draft_of(tx, item)
    _check_period(p)
    if any(k in p for k in BILLING_KEYS):
        amount, quantity, unit = _amounts(p, item["currency"], item)
        item.update(amount=amount, quantity=quantity, quantity_decimal=str(quantity), net_amount=amount)
        item["pricing"] = {**item["pricing"], "unit_amount_decimal": unit}
    for key in ("description", "discountable", "period"):
        if key in p:
            item[key] = p[key]
    if "metadata" in p:
        item["metadata"] = metadata.merged(item["metadata"], p["metadata"])
    if changed(before, item):
        await tx.update("invoiceitems", item)
        if inv is not None:
            for line in inv["lines"]["data"]:
                if _item_of(line) == item["id"]:
                    objects.sync_line(line, item)
            await refresh_totals(tx, inv, param=_billing_param(p))
            await tx.update("invoices", inv)
    return item


async def delete(tx: Tx, ctx: Ctx, item_id: str) -> Doc:
    item = await load(tx, "invoiceitems", item_id, param="invoiceitem", for_update=True)
    inv = await _draft_of(tx, item)
    if inv is not None:
        inv["lines"]["data"] = [ln for ln in inv["lines"]["data"] if _item_of(ln) != item_id]
        await refresh_totals(tx, inv, param="invoiceitem")
        await tx.update("invoices", inv)
    await tx.delete("invoiceitems", item_id)
    await emit(tx, ctx, "invoiceitem.deleted", item)
    return objects.deleted(item_id, "invoiceitem")


def _item_of(line: Doc) -> str | None:
    details = (line.get("parent") or {}).get("invoice_item_details") or {}
    return details.get("invoice_item")
