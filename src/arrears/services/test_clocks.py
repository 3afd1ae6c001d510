"""Test clocks (``/v1/test_helpers/test_clocks``): customers created on a clock, and everything billed to
them, live at the clock's frozen time (``loading.at_clock``); advancing the clock carries out the
collection steps that fall due in between, in time order."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc, limits, objects
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.services import Ctx, collection
from arrears.services.loading import load
from arrears.store.base import Tx

DELETES_AFTER = 30 * 86400


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    limits.timestamp(int(p["frozen_time"]), "frozen_time", latest=limits.MAX_CLOCK_TIME)
    clock = {
        "id": ctx.ids.new("clock"), "object": "test_helpers.test_clock", "created": ctx.now,
        "deletes_after": ctx.now + DELETES_AFTER, "frozen_time": p["frozen_time"], "livemode": ctx.livemode,
        "name": p.get("name"), "status": "ready", "status_details": {},
    }
    await tx.insert("test_clocks", clock)
    return clock


async def advance(tx: Tx, ctx: Ctx, clock_id: str, p: dict[str, Any]) -> Doc:
    clock = await load(tx, "test_clocks", clock_id, param="test_clock", for_update=True)
    target = int(p["frozen_time"])
    if target <= clock["frozen_time"]:
        raise InvalidRequest(
            f"The test clock can only move forward: frozen_time {target} is not after its current "
            f"frozen_time {clock['frozen_time']}.", param="frozen_time")
    limits.timestamp(target, "frozen_time", latest=limits.MAX_CLOCK_TIME)
    if target - clock["frozen_time"] > limits.CLOCK_ADVANCE_MAX:
        raise ParamError(
            f"The test clock cannot advance more than two years at a time: frozen_time {target} is more than "
            f"two years after its current frozen_time {clock['frozen_time']}.", param="frozen_time")
    await collection.advance_clock(tx, ctx, ctx.policy, clock, target)
    await tx.update("test_clocks", clock)
    return clock


async def delete(tx: Tx, ctx: Ctx, clock_id: str) -> Doc:
    await load(tx, "test_clocks", clock_id, param="test_clock", for_update=True)
    await tx.delete("test_clocks", clock_id)
    return objects.deleted(clock_id, "test_helpers.test_clock")
