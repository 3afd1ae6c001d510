"""Price commands: create (of a ``product``, or of a new one from ``product_data``) and update. A price's
amounts, currency, recurrence and tiers never change once it exists (Stripe: archive it and create
another); what an update may change is ``active``, ``metadata``, ``nickname``, ``lookup_key`` (with
``transfer_lookup_key``) and a ``tax_behavior`` still ``unspecified``."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, metadata
from arrears.domain.errors import ParamError
from arrears.services import Ctx
from arrears.services.catalog import new_price, new_product, take_lookup_key
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx

_PRICE_ONLY = ("product", "product_data")


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    if p.get("product") is not None and p.get("product_data") is not None:
        raise ParamError("You may only specify one of these parameters: product, product_data.",
                         param="product_data", code="parameters_exclusive")
    if p.get("product") is not None:
        product = await load(tx, "products", p["product"], param="product")
    elif p.get("product_data") is not None:
        product = await new_product(tx, ctx, p["product_data"], prefix="product_data")
    else:
        raise ParamError("Missing required param: product. Pass the id of a product, or `product_data` to create "
                         "one with the price.", param="product", code="parameter_missing")
    return await new_price(tx, ctx, product["id"], {k: v for k, v in p.items() if k not in _PRICE_ONLY})


async def _archivable(tx: Tx, price: Doc) -> None:
    product = await tx.get("products", price["product"])
    if product is not None and product.get("default_price") == price["id"]:
        raise ParamError(f"The price `{price['id']}` is the default price of product `{product['id']}` and cannot "
                         "be archived: set another default_price on the product first.", param="active")


async def update(tx: Tx, ctx: Ctx, price_id: str, p: dict[str, Any]) -> Doc:
    price = await load(tx, "prices", price_id, param="price", for_update=True)
    before = copy.deepcopy(price)
    if p.get("active") is False and price["active"]:
        await _archivable(tx, price)
    if "active" in p:
        price["active"] = p["active"]
    if "metadata" in p:
        price["metadata"] = metadata.merged(price["metadata"], p["metadata"])
    if "nickname" in p:
        price["nickname"] = p["nickname"]
    if "tax_behavior" in p and p["tax_behavior"] != price["tax_behavior"]:
        if price["tax_behavior"] != "unspecified":
            raise ParamError(f"The price's tax_behavior is `{price['tax_behavior']}` and cannot be changed once set "
                             "to `inclusive` or `exclusive`.", param="tax_behavior")
        price["tax_behavior"] = p["tax_behavior"]
    if "lookup_key" in p and p["lookup_key"] != price["lookup_key"]:
        if p["lookup_key"] is not None:
            await take_lookup_key(tx, ctx, p["lookup_key"], bool(p.get("transfer_lookup_key")), keeping=price_id)
        price["lookup_key"] = p["lookup_key"]
    diff = changed(before, price)
    if diff:
        await tx.update("prices", price)
        await emit(tx, ctx, "price.updated", price, diff)
    return price
