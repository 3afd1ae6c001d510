"""Coupon commands: create, update (name, metadata, currency options), delete. Events ``coupon.*``."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, discounts, limits, metadata
from arrears.domain.errors import ParamError, missing
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx

GENERATED_ID_LENGTH = 8  # Stripe's generated coupon ids are eight letters and digits ("Z4OV52SU")


def _check_amounts(p: dict[str, Any]) -> None:
    if p.get("amount_off") is not None:
        limits.amount(p["amount_off"], p.get("currency"), "amount_off")
    for code, option in (p.get("currency_options") or {}).items():
        limits.amount(option["amount_off"], code, f"currency_options[{code}][amount_off]")


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    if "currency_options" in p:
        p = {**p, "currency_options": discounts.by_currency(p["currency_options"], "currency_options")}
    discounts.check_coupon(p)
    discounts.check_redeem_by(p.get("redeem_by"), ctx.now)
    _check_amounts(p)
    obj_id = p.get("id")
    if obj_id is not None:
        if await tx.get("coupons", obj_id) is not None:
            raise ParamError("Coupon already exists.", param="id", code="resource_already_exists")
    else:
        obj_id = ctx.ids.new("c", GENERATED_ID_LENGTH)[2:]
    products = (p.get("applies_to") or {}).get("products") or []
    for i, product in enumerate(products):
        if await tx.get("products", product) is None:
            raise missing("product", product, f"applies_to[products][{i}]")
    cpn = discounts.coupon(obj_id, ctx.now, ctx.livemode, {**p, "metadata": metadata.merged({}, p.get("metadata"))})
    await tx.insert("coupons", cpn)
    await emit(tx, ctx, "coupon.created", cpn)
    return cpn


async def update(tx: Tx, ctx: Ctx, coupon_id: str, p: dict[str, Any]) -> Doc:
    cpn = await load(tx, "coupons", coupon_id, param="coupon", for_update=True)
    before = copy.deepcopy(cpn)
    if "name" in p:
        cpn["name"] = p["name"]
    if "metadata" in p:
        cpn["metadata"] = metadata.merged(cpn["metadata"], p["metadata"])
    if p.get("currency_options"):
        if cpn.get("amount_off") is None:
            raise ParamError("currency_options can only be set on a coupon with amount_off.",
                             param="currency_options")
        given = discounts.by_currency(p["currency_options"], "currency_options")
        discounts.check_coupon({"amount_off": cpn["amount_off"], "currency": cpn["currency"],
                                "currency_options": given, "duration": cpn["duration"],
                                "duration_in_months": cpn["duration_in_months"]})
        _check_amounts({"currency_options": given})
        added = discounts.currency_options(given) or {}
        cpn["currency_options"] = {**(cpn.get("currency_options") or {}), **added}
    diff = changed(before, cpn)
    if diff:
        await tx.update("coupons", cpn)
        await emit(tx, ctx, "coupon.updated", cpn, diff)
    return cpn


async def delete(tx: Tx, ctx: Ctx, coupon_id: str) -> Doc:
    """Deleting a coupon stops new redemptions; discounts already made of it stay (Stripe's rule)."""
    cpn = await load(tx, "coupons", coupon_id, param="coupon", for_update=True)
    await tx.delete("coupons", coupon_id)
    await emit(tx, ctx, "coupon.deleted", cpn)
    return {"id": coupon_id, "object": "coupon", "deleted": True}

