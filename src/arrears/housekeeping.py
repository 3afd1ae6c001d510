"""Periodic chores of a running server."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from arrears.clock import Clock
from arrears.store.base import Store, Tx
from arrears.store.query import Cond, Filter, Page

log = logging.getLogger("arrears")
IDEMPOTENCY_TTL = 24 * 3600


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def prune_idempotency_keys(store: Store, clock: Clock, stop: asyncio.Event, every: float = 600.0) -> None:
    """Forget idempotent results older than 24 hours, as Stripe may; a reused old key runs anew."""

    async def prune(tx: Tx) -> int:
        old_enough = Filter((Cond("created", "<", clock.now() - IDEMPOTENCY_TTL),))
        old = await tx.list("idempotency_keys", old_enough, Page(limit=1000))
        for record in old.docs:
            await tx.delete("idempotency_keys", record["id"])
        return len(old.docs)

    while not stop.is_set():
        try:
            await store.write(prune)
        except Exception:
            log.exception("pruning idempotency keys failed")
        await pause(stop, every)
