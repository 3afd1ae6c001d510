"""Periodic chores of a running server. Like the webhook worker, they sit below the faces: they are
handed the store and the seams (clock, ids) and the settings they need, never the faces' ``Env``."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from arrears import STRIPE_API_VERSION
from arrears.clock import Clock, pause
from arrears.domain.collection import Policy
from arrears.ids import IdGen
from arrears.services import Ctx, collection, idempotency
from arrears.store.base import SYSTEM, Store, Tx

log = logging.getLogger("arrears")


async def prune_idempotency_keys(store: Store, clock: Clock, stop: asyncio.Event, every: float = 600.0) -> None:
    """Forget idempotent results older than 24 hours, as Stripe may; a reused old key runs anew."""

    async def prune(tx: Tx) -> int:
        return await idempotency.prune(tx, clock.now())

    while not stop.is_set():
        try:
            await store.write(prune, scope=SYSTEM)
        except Exception:
            log.exception("pruning idempotency keys failed")
        await pause(stop, every)


async def collect(store: Store, clock: Clock, ids: IdGen, policy: Policy, stop: asyncio.Event, *,
                  base_url: str, every: float = 1.0, api_version: str = STRIPE_API_VERSION) -> None:
    """Automatic collection for objects on no test clock: finalize, retry, mark overdue, write off as
    their times come (services/collection.py). A cheap read first, so an idle server writes nothing.
    ``base_url`` makes the hosted invoice links of what it finalizes; ``api_version`` is the default version
    of accounts that set none (their events name it)."""

    async def anything_due(tx: Tx) -> bool:
        return await collection.anything_due(tx, policy, clock.now())

    while not stop.is_set():
        try:
            if await store.read(anything_due, scope=SYSTEM):
                ctx = Ctx(now=clock.now(), ids=ids, base_url=base_url, policy=policy, account_api_version=api_version)
                await store.write(partial(collection.tick, ctx=ctx, policy=policy), scope=SYSTEM)
        except Exception:
            log.exception("automatic collection round failed")
        await pause(stop, every)
