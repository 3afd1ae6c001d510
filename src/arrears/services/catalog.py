"""What creating a product or a price does, shared by the commands that create them: ``POST /v1/products``
(with ``default_price_data``) and ``POST /v1/prices`` (with ``product_data``). Each checks, inserts and
emits its ``*.created`` event in the caller's transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from arrears.domain import Doc, catalog_objects, limits, metadata, pricing
from arrears.domain.errors import ParamError
from arrears.services import Ctx
from arrears.services.outbox import emit
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page


async def new_product(tx: Tx, ctx: Ctx, p: dict[str, Any], *, prefix: str = "", default_price: str | None = None
                      ) -> Doc:
    """Insert a product made from ``p``; an ``id`` of the caller's must be new ("Product already exists").
    ``default_price``: the id of the price about to be created with it (``default_price_data``)."""
    if p.get("id") and await tx.get("products", p["id"]) is not None:
        raise ParamError("Product already exists.", param=f"{prefix}[id]" if prefix else "id",
                         code="resource_already_exists")
    catalog_objects.statement_descriptor(p.get("statement_descriptor"),
                                         f"{prefix}[statement_descriptor]" if prefix else "statement_descriptor")
    if "metadata" in p:
        p = {**p, "metadata": metadata.merged({}, p["metadata"])}
    product = catalog_objects.product(p.get("id") or ctx.ids.new("prod", 14), ctx.now, ctx.livemode, p)
    product["default_price"] = default_price
    await tx.insert("products", product)
    await emit(tx, ctx, "product.created", product)
    return product


def _bounded(terms: Doc, currency: str, prefix: str) -> None:
    """Every amount of the terms within the largest amount of ``currency`` (domain/limits.py)."""
    def name(key: str) -> str:
        return f"{prefix}[{key}]" if prefix else key

    if terms["unit_amount"] is not None:
        limits.amount(terms["unit_amount"], currency, name("unit_amount"))
    elif terms["unit_amount_decimal"] is not None:
        limits.amount(pricing.rounded(pricing.exact_amount({**terms, "transform_quantity": None}, 1)), currency,
                      name("unit_amount_decimal"))
    for i, tier in enumerate(terms["tiers"] or []):
        for key in ("unit_amount", "flat_amount"):
            if tier[f"{key}_decimal"] is not None:  # the decimal is set whenever the amount is
                given = key if tier[key] is not None else f"{key}_decimal"
                limits.amount(pricing.rounded(Decimal(tier[f"{key}_decimal"])), currency, f"tiers[{i}][{given}]")


async def take_lookup_key(tx: Tx, ctx: Ctx, key: str, transfer: bool, *, keeping: str | None = None) -> None:
    """Make ``key`` free for a price: refused when another price has it, unless ``transfer``, which takes
    it off that price (a ``price.updated`` of its own). ``keeping``: the price that may already have it."""
    found = await tx.list("prices", Filter((Cond("lookup_key", "=", key),)), Page(limit=2))
    for holder in found.docs:
        if holder["id"] == keeping:
            continue
        if not transfer:
            raise ParamError(f"A price (`{holder['id']}`) already uses that lookup key.", param="lookup_key")
        holder = await tx.get("prices", holder["id"], for_update=True) or holder
        holder["lookup_key"] = None
        await tx.update("prices", holder)
        await emit(tx, ctx, "price.updated", holder, {"lookup_key": key})


async def new_price(tx: Tx, ctx: Ctx, product_id: str, p: dict[str, Any], *, prefix: str = "",
                    obj_id: str | None = None) -> Doc:
    """Insert a price of ``product_id`` made from ``p`` (``prefix``: the parameter that holds ``p``, as
    "default_price_data", for the names in errors; ``obj_id``: its id, when the caller chose it)."""
    terms = pricing.terms(p, prefix)
    _bounded(terms, p["currency"], prefix)
    if p.get("lookup_key"):
        await take_lookup_key(tx, ctx, p["lookup_key"], bool(p.get("transfer_lookup_key")))
    if "metadata" in p:
        p = {**p, "metadata": metadata.merged({}, p["metadata"])}
    price = catalog_objects.price(obj_id or ctx.ids.new("price"), ctx.now, ctx.livemode, product=product_id,
                                  terms=terms, p=p)
    await tx.insert("prices", price)
    await emit(tx, ctx, "price.created", price)
    return price
