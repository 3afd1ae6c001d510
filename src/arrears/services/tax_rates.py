"""Tax rate commands: create and update (Stripe has no delete: a rate is archived with ``active=false``).
A rate's percentage and inclusiveness are fixed once it exists, as Stripe's are."""

from __future__ import annotations

import copy
from typing import Any

from arrears.domain import Doc, metadata, tax
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    if "metadata" in p:
        p = {**p, "metadata": metadata.merged({}, p["metadata"])}
    rate = tax.tax_rate(ctx.ids.new("txr", 24), ctx.now, ctx.livemode, p)
    await tx.insert("tax_rates", rate)
    await emit(tx, ctx, "tax_rate.created", rate)
    return rate


async def update(tx: Tx, ctx: Ctx, rate_id: str, p: dict[str, Any]) -> Doc:
    rate = await load(tx, "tax_rates", rate_id, param="tax_rate", for_update=True)
    before = copy.deepcopy(rate)
    for key in tax.UPDATABLE:
        if key not in p:
            continue
        if key == "metadata":
            rate["metadata"] = metadata.merged(rate["metadata"], p["metadata"])
        else:
            rate[key] = p[key]
    diff = changed(before, rate)
    if diff:
        await tx.update("tax_rates", rate)
        await emit(tx, ctx, "tax_rate.updated", rate, diff)
    return rate
