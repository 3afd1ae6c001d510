"""Promotion code commands: create, update (active, metadata, restrictions' currency options). Events
``promotion_code.created`` and ``promotion_code.updated``.

A code is unique among the account's active codes, regardless of case (``domain/discounts.code_variants``:
the store compares exact values, so the code is looked up as given, upper- and lower-cased)."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, discounts, metadata
from arrears.domain.errors import ParamError
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

GENERATED_CODE_LENGTH = 8
ID_LENGTH = 24


async def active_with_code(tx: Tx, code: str, *, other_than: str | None = None) -> Doc | None:
    """The active promotion code spelled ``code`` (in any case), other than ``other_than``."""
    flt = Filter((Cond("code", "in", discounts.code_variants(code)), Cond("active", "=", True)))
    found = await tx.list("promotion_codes", flt, Page(limit=10))
    return next((d for d in found.docs if d["id"] != other_than and discounts.same_code(d["code"], code)), None)


async def _free_code(tx: Tx, ctx: Ctx, given: str | None) -> str:
    if given is not None:
        code = discounts.check_code(given)
        if await active_with_code(tx, code) is not None:
            raise ParamError(f"An active promotion code with `code: {code}` already exists.", param="code",
                             code="resource_already_exists")
        return code
    while True:  # 36^8 codes: a clash is all but impossible, and is drawn again
        code = ctx.ids.invoice_prefix()[:GENERATED_CODE_LENGTH]
        if await active_with_code(tx, code) is None:
            return code


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    promotion = p["promotion"]
    if promotion.get("coupon") is None:
        raise ParamError("Missing required param: promotion[coupon].", param="promotion[coupon]",
                         code="parameter_missing")
    cpn = await load(tx, "coupons", promotion["coupon"], param="promotion[coupon]")
    discounts.redeemable_coupon(cpn, ctx.now, param="promotion[coupon]")  # valid, and before its redeem_by
    if p.get("customer") is not None:
        await load(tx, "customers", p["customer"], param="customer")
    discounts.check_promotion_limits(p, cpn, ctx.now)
    code = await _free_code(tx, ctx, p.get("code")) if p.get("active", True) else discounts.check_code(
        p.get("code") or ctx.ids.invoice_prefix())
    promo = discounts.promotion_code(ctx.ids.new("promo", ID_LENGTH), ctx.now, ctx.livemode, code=code, cpn=cpn,
                                     p={**p, "metadata": metadata.merged({}, p.get("metadata"))})
    await tx.insert("promotion_codes", promo)
    await emit(tx, ctx, "promotion_code.created", promo)
    return promo


async def update(tx: Tx, ctx: Ctx, promo_id: str, p: dict[str, Any]) -> Doc:
    promo = await load(tx, "promotion_codes", promo_id, param="promotion_code", for_update=True)
    before = copy.deepcopy(promo)
    if "active" in p and p["active"] != promo["active"]:
        if p["active"]:
            if await active_with_code(tx, promo["code"], other_than=promo_id) is not None:
                raise ParamError(f"An active promotion code with `code: {promo['code']}` already exists.",
                                 param="active", code="resource_already_exists")
            cpn = await tx.get("coupons", promo["promotion"]["coupon"])
            if cpn is None or not discounts.coupon_valid(cpn, ctx.now):
                raise ParamError("A promotion code whose coupon is no longer valid cannot be reactivated.",
                                 param="active")
        promo["active"] = p["active"]
    if "metadata" in p:
        promo["metadata"] = metadata.merged(promo["metadata"], p["metadata"])
    options = discounts.by_currency((p.get("restrictions") or {}).get("currency_options"),
                                    "restrictions[currency_options]")
    if options:
        rules = dict(promo["restrictions"])
        rules["currency_options"] = {**(rules.get("currency_options") or {}),
                                     **{c: {"minimum_amount": o["minimum_amount"]} for c, o in options.items()}}
        promo["restrictions"] = rules
    diff = changed(before, promo)
    if diff:
        await tx.update("promotion_codes", promo)
        await emit(tx, ctx, "promotion_code.updated", promo, diff)
    return promo
