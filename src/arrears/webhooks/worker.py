"""The delivery worker: reads due deliveries from the outbox, POSTs each event, signed, to its
endpoint, and records every attempt.

At-least-once: a delivery is claimed by pushing its ``next_attempt_at`` forward by ``claim_seconds`` in
a committed transaction, then sent, then its outcome is written. A worker that dies in between leaves
the claim to expire, and the delivery is sent again. Failed attempts are retried on ``schedule``
(seconds after each failure); after the last one the delivery is marked failed.

Endpoints are isolated from each other: every claimed delivery is sent by a task of its own that
records its own outcome when it finishes, while ``run_forever`` goes on claiming what else is due. A
process sends at most ``per_endpoint`` attempts to one endpoint and ``concurrency`` in all at a time;
an endpoint at its limit is left out of the claim, so a slow or dead endpoint holds only its own slots
(each attempt ends at the transport's deadline, ``transport.TIMEOUT_SECONDS`` by default) and never
delays another endpoint's deliveries. A claim outlives the attempt it covers (``configured`` keeps
``claim_seconds`` above the timeout), so no other worker takes it over while it is in flight.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from arrears.clock import Clock, pause
from arrears.domain import Doc, versions
from arrears.ids import IdGen
from arrears.store.base import SYSTEM, Store, Tx
from arrears.store.query import Cond, Filter, Page
from arrears.webhooks.signing import signature
from arrears.webhooks.transport import HttpTransport

if TYPE_CHECKING:
    from arrears.config import Settings

log = logging.getLogger("arrears.webhooks")

# Stripe retries live-mode deliveries for up to three days with exponential backoff; intervals are
# unpublished. This schedule spans 2.9 days over 9 retries.
DEFAULT_SCHEDULE: tuple[int, ...] = (60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)
PER_ENDPOINT = 10  # attempts in flight to one endpoint, per process
CONCURRENCY = 100  # attempts in flight in all, per process

# (url, body, headers) -> (HTTP status or None, error text or None)
Transport = Callable[[str, bytes, dict[str, str]], Awaitable[tuple[int | None, str | None]]]
Outcome = tuple[int | None, str | None, int]  # status, error, latency in ms


def payload(event: Doc, endpoint: Doc) -> Doc:
    """The event as ``endpoint`` receives it: ``data`` in the endpoint's ``api_version`` when it set one,
    else in the version the event was made in (the account's default then)."""
    pinned = endpoint.get("api_version")
    return versions.event_at(event, versions.VERSIONS[pinned]) if pinned in versions.VERSIONS else versions.event(event)


@dataclass
class Claimed:
    delivery: Doc
    endpoint: Doc | None
    event: Doc


def _due(now: int, busy: Sequence[str] = ()) -> Filter:
    """Pending deliveries due by ``now``, but for those to the ``busy`` endpoints."""
    return Filter((Cond("status", "=", "pending"), Cond("next_attempt_at", "<=", now),
                   *(Cond("endpoint", "!=", endpoint) for endpoint in busy)))


class Deliverer:
    def __init__(self, store: Store, clock: Clock, ids: IdGen, *, schedule: Sequence[int] = DEFAULT_SCHEDULE,
                 transport: Transport | None = None, batch: int = 50, claim_seconds: int = 60,
                 per_endpoint: int = PER_ENDPOINT, concurrency: int = CONCURRENCY, grace_seconds: float = 2.0) -> None:
        self.store, self.clock, self.ids = store, clock, ids
        self.schedule = tuple(schedule)
        self.transport: Transport = transport if transport is not None else HttpTransport()
        self.batch = batch
        self.claim_seconds = claim_seconds
        self.per_endpoint = per_endpoint
        self.concurrency = concurrency
        self.grace_seconds = grace_seconds  # at shutdown, how long attempts in flight may finish
        self._sending: Counter[str] = Counter()  # endpoint id -> attempts in flight from this process
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def configured(cls, store: Store, clock: Clock, ids: IdGen, settings: Settings) -> Deliverer:
        """The worker ``settings`` describe: their schedule, URL policy, timeout and per-endpoint limit."""
        timeout = settings.webhook_timeout
        return cls(store, clock, ids, schedule=settings.webhook_schedule,
                   transport=HttpTransport(settings.webhook_urls, timeout=timeout),
                   per_endpoint=settings.webhook_endpoint_concurrency,
                   claim_seconds=max(60, math.ceil(timeout) + 30))

    async def run_once(self) -> int:
        """Claim what is due now (within the limits), send it, and wait until every outcome is recorded;
        the number of attempts made. A transport that raises leaves its claim to expire, and raises."""
        claimed = await self._claim_due()
        results = await asyncio.gather(*(self._attempt(c) for c in claimed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(claimed)

    async def run_forever(self, stop: asyncio.Event, poll_seconds: float = 0.25) -> None:
        """Claim and start attempts until ``stop``; each attempt runs and records on its own."""
        try:
            while not stop.is_set():
                try:
                    claimed = await self._claim_due()
                except Exception:  # keep the worker alive; nothing was claimed, or the claims expire
                    log.exception("claiming due webhook deliveries failed")
                    claimed = []
                for c in claimed:
                    task = asyncio.create_task(self._attempt(c), name=f"webhook {c.delivery['id']}")
                    self._tasks.add(task)
                    task.add_done_callback(self._finished)
                if not claimed:
                    await pause(stop, poll_seconds)
        finally:
            await self._wind_down()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("webhook attempt %s failed; its claim expires and it is sent again", task.get_name(),
                      exc_info=task.exception())

    async def _wind_down(self) -> None:
        """At shutdown: attempts in flight get ``grace_seconds`` to finish; the rest are cancelled, and
        their claims expire (they are sent again, at least once)."""
        if not self._tasks:
            return
        _, late = await asyncio.wait(set(self._tasks), timeout=self.grace_seconds)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _claim_due(self) -> list[Claimed]:
        """Claim due deliveries for as many attempts as the limits leave room for, counted as in flight."""
        room = min(self.batch, self.concurrency - sum(self._sending.values()))
        if room <= 0:
            return []
        now = self.clock.now()
        busy = sorted(e for e, n in self._sending.items() if n >= self.per_endpoint)

        async def any_due(tx: Tx) -> bool:
            return bool((await tx.list("webhook_deliveries", _due(now, busy), Page(limit=1, unordered=True))).docs)

        # Every account's deliveries, in the store's SYSTEM scope; attempts are written as their account's.
        if not await self.store.read(any_due, scope=SYSTEM):
            return []
        sending = Counter(self._sending)
        claimed = await self.store.write(lambda tx: self._claim(tx, now, room, busy, sending), scope=SYSTEM)
        for c in claimed:
            self._sending[c.delivery["endpoint"]] += 1
        return claimed

    async def _claim(self, tx: Tx, now: int, room: int, busy: Sequence[str], sending: Counter[str]) -> list[Claimed]:
        due = await tx.list("webhook_deliveries", _due(now, busy), Page(limit=self.batch, oldest_first=True))
        claimed: list[Claimed] = []
        taken = Counter(sending)  # a copy per run: the store may run this function more than once
        for listed in due.docs:
            if len(claimed) >= room:
                break
            if taken[listed["endpoint"]] >= self.per_endpoint:
                continue
            # Lock, then check it is still due: another process may have claimed it since the list.
            delivery = await tx.get("webhook_deliveries", listed["id"], for_update=True)
            if delivery is None or delivery["status"] != "pending" or delivery["next_attempt_at"] > now:
                continue
            delivery["next_attempt_at"] = now + self.claim_seconds
            await tx.update("webhook_deliveries", delivery)
            event = await tx.get("events", delivery["event"])
            if event is None:
                continue
            taken[delivery["endpoint"]] += 1
            claimed.append(Claimed(delivery, await tx.get("webhook_endpoints", delivery["endpoint"]), event))
        return claimed

    async def _attempt(self, c: Claimed) -> None:
        """Send one claimed delivery and record its outcome; the claim's slot is freed either way."""
        try:
            outcome = await self._send(c)
            await self.store.write(lambda tx: self._record(tx, c, outcome), scope=SYSTEM)
        finally:
            self._sending[c.delivery["endpoint"]] -= 1
            if self._sending[c.delivery["endpoint"]] <= 0:
                del self._sending[c.delivery["endpoint"]]

    async def _send(self, c: Claimed) -> Outcome:
        if c.endpoint is None or c.endpoint["status"] != "enabled":
            return None, "the endpoint was deleted or disabled", 0
        body = orjson.dumps(payload(c.event, c.endpoint))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "arrears-webhooks/1 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": signature(c.endpoint["secret"], self.clock.now(), body),
        }
        started = time.monotonic()
        status, error = await self.transport(c.endpoint["url"], body, headers)
        return status, error, int((time.monotonic() - started) * 1000)

    async def _record(self, tx: Tx, c: Claimed, outcome: Outcome) -> None:
        status, error, latency_ms = outcome
        now = self.clock.now()
        delivery = await tx.get("webhook_deliveries", c.delivery["id"], for_update=True)
        if delivery is None or delivery["status"] != "pending":
            return
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
