"""Tax id commands: a customer's tax ids (``/v1/customers/{customer}/tax_ids``, and ``tax_id_data`` when
the customer is created) and the account's own (``/v1/tax_ids`` with ``owner[type]=self``). A tax id is
never changed: it is created and deleted. Customer tax ids emit ``customer.tax_id.created`` / ``.deleted``."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc, objects, tax_ids
from arrears.domain.errors import ParamError, missing
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import emit
from arrears.store.base import Tx

OWNER_TYPES = ("customer", "self")


async def _insert(tx: Tx, ctx: Ctx, kind: str, value: str, customer: str | None) -> Doc:
    doc = tax_ids.tax_id(ctx.ids.new("txi", 24), ctx.now, ctx.livemode, kind=kind, value=value, customer=customer)
    await tx.insert("tax_ids", doc)
    if customer is not None:
        await emit(tx, ctx, "customer.tax_id.created", doc)
    return doc


async def add_all(tx: Tx, ctx: Ctx, customer_id: str, data: list[dict[str, Any]], param: str) -> list[Doc]:
    """``tax_id_data`` of a customer being created: every value is checked before any is written."""
    checked = tax_ids.from_data(data, param)
    return [await _insert(tx, ctx, kind, value, customer_id) for kind, value in checked]


async def create_for_customer(tx: Tx, ctx: Ctx, customer_id: str, p: dict[str, Any]) -> Doc:
    await load(tx, "customers", customer_id, param="customer")
    return await _insert(tx, ctx, p["type"], tax_ids.check(p["type"], p["value"]), customer_id)


def owner_customer(given: dict[str, Any] | None) -> str | None:
    """The customer an ``owner`` hash names (None: the account itself, the default); other owners are
    refused."""
    given = given or {"type": "self"}
    kind = given["type"]
    if kind not in OWNER_TYPES:
        raise ParamError(f"arrears keeps tax ids of customers and of the account itself: owner[type] cannot be "
                         f"{kind}.", param="owner[type]")
    if kind == "customer":
        if not given.get("customer"):
            raise ParamError("Missing required param: owner[customer].", param="owner[customer]",
                             code="parameter_missing")
        return str(given["customer"])
    if given.get("customer"):
        raise ParamError("owner[customer] can only be set when owner[type] is customer.", param="owner[customer]")
    return None


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    """``POST /v1/tax_ids``: a tax id of the account (``owner[type]=self``, the default) or of a customer."""
    customer = owner_customer(p.get("owner"))
    if customer is not None:
        await load(tx, "customers", customer, param="owner[customer]")
    return await _insert(tx, ctx, p["type"], tax_ids.check(p["type"], p["value"]), customer)


async def owned(tx: Tx, customer_id: str | None, tax_id: str, param: str = "id") -> Doc:
    """The tax id ``tax_id`` when it belongs to ``customer_id`` (None: to the account), else a 404."""
    doc = await load(tx, "tax_ids", tax_id, param=param)
    if doc["customer"] != customer_id:
        raise missing("tax id", tax_id, param)
    return doc


async def delete_for_customer(tx: Tx, ctx: Ctx, customer_id: str, tax_id: str) -> Doc:
    await load(tx, "customers", customer_id, param="customer")
    doc = await owned(tx, customer_id, tax_id)
    await tx.delete("tax_ids", tax_id)
    await emit(tx, ctx, "customer.tax_id.deleted", doc)
    return objects.deleted(tax_id, "tax_id")


async def delete(tx: Tx, ctx: Ctx, tax_id: str) -> Doc:
    """``DELETE /v1/tax_ids/{id}``: the account's own tax id, or a customer's."""
    doc = await load(tx, "tax_ids", tax_id, param="id")
    await tx.delete("tax_ids", tax_id)
    if doc["customer"] is not None:
        await emit(tx, ctx, "customer.tax_id.deleted", doc)
    return objects.deleted(tax_id, "tax_id")
