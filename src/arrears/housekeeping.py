"""Periodic chores of a running server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from functools import partial

from arrears.api.env import Env
from arrears.clock import Clock
from arrears.services import collection
from arrears.store.base import SYSTEM, Store, Tx
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
            await store.write(prune, scope=SYSTEM)
        except Exception:
            log.exception("pruning idempotency keys failed")
        await pause(stop, every)


async def collect(env: Env, stop: asyncio.Event, every: float = 1.0) -> None:
    """Automatic collection for objects on no test clock: finalize, retry, mark overdue, write off as
    their times come (services/collection.py). A cheap read first, so an idle server writes nothing."""

    async def anything_due(tx: Tx) -> bool:
        return await collection.anything_due(tx, env.policy, env.clock.now())

    while not stop.is_set():
        try:
            if await env.store.read(anything_due, scope=SYSTEM):
                await env.store.write(partial(collection.tick, ctx=env.ctx(), policy=env.policy), scope=SYSTEM)
        except Exception:
            log.exception("automatic collection round failed")
        await pause(stop, every)
