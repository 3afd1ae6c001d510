"""Product commands: create (with ``default_price_data``, which creates the product's default price),
update, delete (refused while the product has prices, as Stripe refuses it)."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, catalog_objects, metadata, objects
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.services import Ctx
from arrears.services.catalog import new_price, new_product
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

HAS_PRICES = "This product cannot be deleted because it has one or more user-created prices."


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    """The product, and with ``default_price_data`` its default price: ``product.created`` names the price
    already, and ``price.created`` follows it."""
    price_data = p.get("default_price_data")
    price_id = ctx.ids.new("price") if price_data is not None else None
    product = await new_product(tx, ctx, {k: v for k, v in p.items() if k != "default_price_data"},
                                default_price=price_id)
    if price_data is not None:
        await new_price(tx, ctx, product["id"], price_data, prefix="default_price_data", obj_id=price_id)
    return product


async def _default_price(tx: Tx, product: Doc, price_id: str) -> str:
    price = await load(tx, "prices", price_id, param="default_price")
    if price["product"] != product["id"]:
        raise ParamError(f"The price `{price_id}` is a price of product `{price['product']}`, not of "
                         f"`{product['id']}`: a product's default price must be one of its own prices.",
                         param="default_price")
    if not price["active"]:
        raise ParamError(f"The price `{price_id}` is archived (active=false): a product's default price must be "
                         "active.", param="default_price")
    return price_id


async def update(tx: Tx, ctx: Ctx, product_id: str, p: dict[str, Any]) -> Doc:
    product = await load(tx, "products", product_id, param="product", for_update=True)
    before = copy.deepcopy(product)
    for key, value in p.items():
        if key == "metadata":
            product["metadata"] = metadata.merged(product["metadata"], value)
        elif key == "default_price":
            product["default_price"] = await _default_price(tx, product, value)
        elif key in catalog_objects.PRODUCT_FIELDS:
            product[key] = catalog_objects.product_field(key, value)
    diff = changed(before, product)
    if diff:
        product["updated"] = ctx.now
        diff = changed(before, product)
        await tx.update("products", product)
        await emit(tx, ctx, "product.updated", product, diff)
    return product


async def delete(tx: Tx, ctx: Ctx, product_id: str) -> Doc:
    product = await load(tx, "products", product_id, param="product", for_update=True)
    prices = await tx.list("prices", Filter((Cond("product", "=", product_id),)), Page(limit=1))
    if prices.docs:
        raise InvalidRequest(HAS_PRICES)
    await tx.delete("products", product_id)
    await emit(tx, ctx, "product.deleted", product)
    return objects.deleted(product_id, "product")
