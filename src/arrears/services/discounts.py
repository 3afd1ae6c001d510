"""Discounts: a coupon or promotion code redeemed onto a customer (``customer.discount``), and taken off.

Customers take ``coupon`` and ``promotion_code`` on create and update before API 2025-03-31.basil, which
removed both parameters (the behaviour ``customer_discount_params_removed``, domain/api_changes.py); from
then on they are refused as unknown parameters, as Stripe refuses them. A customer has at most one
discount: a new one replaces it (``customer.discount.updated``), an empty ``coupon`` removes it.

Redeeming counts one redemption on the coupon (and on the promotion code): ``times_redeemed``, and
``valid`` turning false at the coupon's last allowed redemption."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, discounts, versions
from arrears.domain.errors import NotFound, ParamError
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

CUSTOMER_PARAMS = ("coupon", "promotion_code")
ID_LENGTH = 24
# The customer.discount.* event a change owes (type, discount, the discount it replaced), sent by ``announce``
Announce = tuple[str, Doc, Doc | None] | None


def _refuse_at_current_versions(ctx: Ctx, p: dict[str, Any]) -> None:
    if not versions.since(ctx.api_version, "customer_discount_params_removed"):
        return
    for name in CUSTOMER_PARAMS:
        if name in p:
            raise ParamError(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")


async def _first_time(tx: Tx, customer_id: str) -> bool:
    """Whether the customer has no invoice yet (Stripe: "without any successful payments or invoices")."""
    found = await tx.list("invoices", Filter((Cond("customer", "=", customer_id),)), Page(limit=1))
    return not found.docs


async def redeem(tx: Tx, ctx: Ctx, *, coupon_id: str | None, promo_id: str | None, customer: str | None,
                 first_time: bool = True, param_coupon: str = "coupon",
                 param_promo: str = "promotion_code", **applied_to: str | None) -> Doc:
    """A new discount of ``coupon_id`` or of promotion code ``promo_id`` (one of the two), counted as a
    redemption of each; ``applied_to``: its ``invoice`` or ``invoice_item``."""
    if coupon_id is not None and promo_id is not None:
        raise ParamError(f"You may only specify one of these parameters: {param_coupon}, {param_promo}.",
                         param=param_promo)
    promo: Doc | None = None
    if promo_id is not None:
        promo = await load(tx, "promotion_codes", promo_id, param=param_promo, for_update=True)
        cpn = await load(tx, "coupons", promo["promotion"]["coupon"], param=param_promo, for_update=True)
        discounts.redeemable_code(promo, cpn, ctx.now, customer=customer, first_time=first_time, param=param_promo)
        promo["times_redeemed"] += 1
        await tx.update("promotion_codes", promo)
    else:
        if coupon_id is None:
            raise ParamError(f"Missing required param: {param_coupon}.", param=param_coupon,
                             code="parameter_missing")
        cpn = await load(tx, "coupons", coupon_id, param=param_coupon, for_update=True)
        discounts.redeemable_coupon(cpn, ctx.now, param=param_coupon)
    discounts.redeem_coupon(cpn, ctx.now)
    await tx.update("coupons", cpn)
    disc = discounts.discount(ctx.ids.new("di", ID_LENGTH), ctx.now, cpn=cpn, customer=customer,
                              promotion_code=None if promo is None else promo["id"],
                              invoice=applied_to.get("invoice"), invoice_item=applied_to.get("invoice_item"))
    await tx.insert("discounts", disc)
    return disc


async def apply_customer_params(tx: Tx, ctx: Ctx, cust: Doc, p: dict[str, Any]) -> Announce:
    """``coupon`` / ``promotion_code`` of a customer create or update: the discount made (or removed) on
    ``cust``, which the caller saves; the event to ``announce`` once the customer's own is out."""
    _refuse_at_current_versions(ctx, p)
    if not any(name in p for name in CUSTOMER_PARAMS):
        return None
    coupon_id, promo_id = p.get("coupon"), p.get("promotion_code")
    old = cust.get("discount")
    if coupon_id is None and promo_id is None:  # coupon="" unsets
        if old is None:
            return None
        await tx.delete("discounts", old["id"])
        cust["discount"] = None
        return "customer.discount.deleted", old, None
    first_time = await _first_time(tx, cust["id"]) if promo_id is not None else True
    disc = await redeem(tx, ctx, coupon_id=coupon_id, promo_id=promo_id, customer=cust["id"], first_time=first_time)
    if old is not None:
        await tx.delete("discounts", old["id"])
    cust["discount"] = disc
    return ("customer.discount.updated" if old is not None else "customer.discount.created"), disc, old


async def announce(tx: Tx, ctx: Ctx, owed: Announce) -> None:
    """Emit the event ``apply_customer_params`` said a change owes (an update names what it replaced)."""
    if owed is not None:
        kind, disc, replaced = owed
        await emit(tx, ctx, kind, disc, None if replaced is None else changed(replaced, disc))


async def delete_customer_discount(tx: Tx, ctx: Ctx, customer_id: str) -> Doc:
    """DELETE /v1/customers/{customer}/discount: the discount, marked deleted."""
    cust = await load(tx, "customers", customer_id, param="customer", for_update=True)
    disc = cust.get("discount")
    if disc is None:
        raise NotFound(f"No active discount for customer: {customer_id}", param="customer")
    before = copy.deepcopy(cust)
    cust["discount"] = None
    await tx.delete("discounts", disc["id"])
    await tx.update("customers", cust)
    await emit(tx, ctx, "customer.discount.deleted", disc)
    await emit(tx, ctx, "customer.updated", cust, {"discount": before["discount"]})
    return discounts.removed(disc)
