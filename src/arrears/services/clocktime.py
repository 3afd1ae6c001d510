"""Objects on a test clock live at the clock's frozen time, not the wall clock's."""

from __future__ import annotations

import dataclasses

from arrears.services import Ctx
from arrears.store.base import Tx


async def at_clock(tx: Tx, ctx: Ctx, clock_id: str | None) -> Ctx:
    """``ctx`` at the frozen time of test clock ``clock_id`` (unchanged when there is none)."""
    if clock_id is None:
        return ctx
    clock = await tx.get("test_clocks", clock_id)
    return ctx if clock is None else dataclasses.replace(ctx, now=int(clock["frozen_time"]))
