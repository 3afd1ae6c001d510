"""What every change to a draft shares: putting items on it as lines, and recomputing its totals."""

from __future__ import annotations

from arrears.domain import Doc, objects
from arrears.domain import invoice as rules
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.store.base import Tx


def attach(ctx: Ctx, inv: Doc, items: list[Doc]) -> None:
    """Put ``items`` on the draft as lines, in the given order. The caller saves the items."""
    for item in items:
        item["invoice"] = inv["id"]
        inv["lines"]["data"].append(objects.line_for_item(ctx.ids.new("il"), inv["id"], item))


def usable_balance(cust: Doc, currency: str) -> int:
    """The part of the customer's balance an invoice in ``currency`` can use."""
    if cust["currency"] not in (None, currency):
        return 0
    return int(cust["balance"] or 0)


async def refresh_totals(tx: Tx, inv: Doc, *, param: str | None = None) -> None:
    """The draft's totals again, after a change of its lines; totals past the bound of its currency are
    refused, naming ``param`` (the request's parameter that made the change)."""
    cust = await load(tx, "customers", inv["customer"], param="customer")
    rules.recompute_totals(inv, usable_balance(cust, inv["currency"]), param=param)
