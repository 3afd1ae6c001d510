"""The delivery worker: reads due deliveries from the outbox, POSTs each event, signed, to its
endpoint, and records every attempt.

At-least-once: a delivery is claimed by pushing its ``next_attempt_at`` forward by ``claim_seconds`` in
a committed transaction, then sent, then its outcome is written. A worker that dies in between leaves
the claim to expire, and the delivery is sent again. Failed attempts are retried on ``schedule``
(seconds after each failure); after the last one the delivery is marked failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import orjson

from arrears.clock import Clock
from arrears.domain import Doc
from arrears.housekeeping import pause
from arrears.ids import IdGen
from arrears.store.base import SYSTEM, Store, Tx
from arrears.store.query import Cond, Filter, Page
from arrears.webhooks.signing import signature

log = logging.getLogger("arrears.webhooks")

# Stripe retries live-mode deliveries for up to three days with exponential backoff; intervals are
# unpublished. This schedule spans 2.9 days over 9 retries.
DEFAULT_SCHEDULE: tuple[int, ...] = (60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)
TIMEOUT_SECONDS = 10.0

# (url, body, headers) -> (HTTP status or None, error text or None)
Transport = Callable[[str, bytes, dict[str, str]], Awaitable[tuple[int | None, str | None]]]


async def httpx_transport(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
    import httpx

    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(url, content=body, headers=headers)
        return response.status_code, None
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]


@dataclass
class Claimed:
    delivery: Doc
    endpoint: Doc | None
    event: Doc


def _due(now: int) -> Filter:
    return Filter((Cond("status", "=", "pending"), Cond("next_attempt_at", "<=", now)))


class Deliverer:
    def __init__(self, store: Store, clock: Clock, ids: IdGen, *, schedule: Sequence[int] = DEFAULT_SCHEDULE,
                 transport: Transport = httpx_transport, batch: int = 50, claim_seconds: int = 60) -> None:
        self.store, self.clock, self.ids = store, clock, ids
        self.schedule = tuple(schedule)
        self.transport = transport
        self.batch = batch
        self.claim_seconds = claim_seconds

    async def run_once(self) -> int:
        """Deliver what is due now; the number of attempts made."""
        now = self.clock.now()

        async def any_due(tx: Tx) -> bool:
            return bool((await tx.list("webhook_deliveries", _due(now), Page(limit=1, unordered=True))).docs)

        # Every account's deliveries, in the store's SYSTEM scope; attempts are written as their account's.
        if not await self.store.read(any_due, scope=SYSTEM):
            return 0
        claimed = await self.store.write(lambda tx: self._claim(tx, now), scope=SYSTEM)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self._send(c) for c in claimed))
        await self.store.write(lambda tx: self._record(tx, list(zip(claimed, outcomes, strict=True))), scope=SYSTEM)
        return len(claimed)

    async def _claim(self, tx: Tx, now: int) -> list[Claimed]:
        due = await tx.list("webhook_deliveries", _due(now), Page(limit=self.batch, oldest_first=True))
        claimed = []
        for listed in due.docs:
            # Lock, then check it is still due: another process may have claimed it since the list.
            delivery = await tx.get("webhook_deliveries", listed["id"], for_update=True)
            if delivery is None or delivery["status"] != "pending" or delivery["next_attempt_at"] > now:
                continue
            delivery["next_attempt_at"] = now + self.claim_seconds
            await tx.update("webhook_deliveries", delivery)
            event = await tx.get("events", delivery["event"])
            if event is None:
                continue
            claimed.append(Claimed(delivery, await tx.get("webhook_endpoints", delivery["endpoint"]), event))
        return claimed

    async def _send(self, c: Claimed) -> tuple[int | None, str | None, int]:
        if c.endpoint is None or c.endpoint["status"] != "enabled":
            return None, "the endpoint was deleted or disabled", 0
        body = orjson.dumps(c.event)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "arrears-webhooks/1 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signature(c.endpoint["secret"], self.clock.now(), body),
        }
        started = time.monotonic()
        status, error = await self.transport(c.endpoint["url"], body, headers)
        return status, error, int((time.monotonic() - started) * 1000)

    async def _record(self, tx: Tx, results: list[tuple[Claimed, tuple[int | None, str | None, int]]]) -> None:
        now = self.clock.now()
        for c, (status, error, latency_ms) in results:
            delivery = await tx.get("webhook_deliveries", c.delivery["id"], for_update=True)
            if delivery is None or delivery["status"] != "pending":
                continue
            delivery["attempts"] += 1
            ok = status is not None and 200 <= status < 300
            owner = await tx.owner("webhook_deliveries", delivery["id"])
            await tx.within(owner or tx.scope).insert("webhook_attempts", {
                "id": self.ids.new("wa"), "object": "webhook_attempt", "delivery": delivery["id"],
                "event": delivery["event"], "endpoint": delivery["endpoint"], "created": now,
                "attempt": delivery["attempts"], "url": (c.endpoint or {}).get("url"), "status_code": status,
                "latency_ms": latency_ms, "error": error if not ok else None, "succeeded": ok,
            })
            gone = c.endpoint is None or c.endpoint["status"] != "enabled"
            if ok or gone or delivery["attempts"] > len(self.schedule):
                delivery["status"] = "succeeded" if ok else "failed"
                delivery["next_attempt_at"] = None
                event = await tx.get("events", delivery["event"], for_update=True)
                if event is not None and event["pending_webhooks"] > 0 and ok:
                    event["pending_webhooks"] -= 1
                    await tx.update("events", event)
            else:
                delivery["next_attempt_at"] = now + self.schedule[delivery["attempts"] - 1]
            await tx.update("webhook_deliveries", delivery)
            if not ok:
                log.info("webhook %s to %s failed (attempt %d): %s", delivery["event"], (c.endpoint or {}).get("url"),
                         delivery["attempts"], error or status)

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float = 0.25) -> None:
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:  # keep the worker alive; the claim expires and the delivery is retried
                log.exception("webhook delivery round failed")
                sent = 0
            if not sent:
                await pause(stop, poll_seconds)
