"""The delivery worker (``arrears.webhooks.worker.Deliverer``) against a real SqliteStore in a tmp dir,
with a clock the test moves and a scripted ``transport`` (the seam the worker POSTs through). The tests
about two workers sharing one outbox also run on PostgreSQL (the ``database`` fixture), where the two
claim in truly concurrent transactions. The real transport (``webhooks.transport.HttpTransport``) is
tested against receivers on loopback, with a fake resolver for host names.

Events reach the outbox the way commands put them there: ``services.outbox.emit`` inside a write."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import stripe

from arrears.clock import FixedClock
from arrears.config import Settings
from arrears.domain import Doc
from arrears.domain.webhook_urls import OPEN, PRIVATE, PUBLIC
from arrears.ids import IdGen
from arrears.services import Ctx, webhook_endpoints
from arrears.services.outbox import emit
from arrears.store import open_store
from arrears.store.base import Store, Tx
from arrears.store.query import Cond, Filter, Page
from arrears.webhooks.transport import HttpTransport
from arrears.webhooks.worker import Deliverer
from tests.support.receiver import Hangup, Receiver
from tests.support.server import free_port

SCHEDULE = (10, 30)  # retry 10 s after the first failure, 30 s after the second; then give up
URL = "https://hooks.example.com/stripe"


@dataclass
class Call:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Transport:
    """Answers with the scripted (status, error) pairs in turn, then 200. Records every call."""

    answers: list[tuple[int | None, str | None]] = field(default_factory=list)
    delay: float = 0.0
    calls: list[Call] = field(default_factory=list)

    async def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        self.calls.append(Call(url, body, headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.answers.pop(0) if self.answers else (200, None)

    def event_ids(self) -> list[str]:
        return [orjson.loads(c.body)["id"] for c in self.calls]


@dataclass
class World:
    store: Store
    clock: FixedClock
    ids: IdGen = field(default_factory=IdGen)

    def ctx(self) -> Ctx:
        return Ctx(now=self.clock.now(), ids=self.ids)

    async def endpoint(self, events: Sequence[str] = ("*",), url: str = URL) -> Doc:
        return await self.store.write(lambda tx: webhook_endpoints.create(
            tx, self.ctx(), {"url": url, "enabled_events": list(events)}))

    async def event(self, event_type: str = "customer.created") -> Doc:
        obj = {"id": self.ids.new("cus", 14), "object": "customer"}
        return await self.store.write(lambda tx: emit(tx, self.ctx(), event_type, obj))

    def deliverer(self, transport: Transport, *, store: Store | None = None, **options: Any) -> Deliverer:
        return Deliverer(store or self.store, self.clock, self.ids, schedule=options.pop("schedule", SCHEDULE),
                         transport=transport, **options)

    async def rows(self, table: str, **equal: str) -> list[Doc]:
        flt = Filter(tuple(Cond(k, "=", v) for k, v in equal.items()))

        async def read(tx: Tx) -> list[Doc]:
            return (await tx.list(table, flt, Page(limit=100, oldest_first=True))).docs

        return await self.store.read(read)

    async def delivery(self) -> Doc:
        (only,) = await self.rows("webhook_deliveries")
        return only

    async def stored_event(self, event_id: str) -> Doc:
        (found,) = [e for e in await self.rows("events") if e["id"] == event_id]
        return found


def scenario(where: Path | str, body: Callable[[World], Awaitable[None]]) -> None:
    """Run ``body`` against a fresh migrated store (SQLite in the folder ``where``, or the database URL
    ``where``) whose clock starts now, so that signatures are fresh."""
    async def main() -> None:
        store = open_store(f"sqlite:///{where / 'arrears.db'}" if isinstance(where, Path) else where)
        await store.open()
        try:
            await body(World(store, FixedClock(int(time.time()))))
        finally:
            await store.close()

    asyncio.run(main())


# --- sending ----------------------------------------------------------------------------------------

def test_a_due_delivery_is_sent_once_signed_with_the_endpoint_secret(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given an endpoint and one event in the outbox
        endpoint = await w.endpoint()
        event = await w.event()
        transport = Transport()
        # When the worker runs twice
        sent = await w.deliverer(transport).run_once()
        again = await w.deliverer(transport).run_once()
        # Then the event was POSTed once, to the endpoint's URL, as the stored event's JSON
        assert (sent, again) == (1, 0)
        (call,) = transport.calls
        assert call.url == URL
        assert orjson.loads(call.body) == event
        assert call.headers["Content-Type"].startswith("application/json")
        # And the official SDK accepts its signature with the endpoint's secret
        verified = stripe.Webhook.construct_event(call.body.decode(), call.headers["Stripe-Signature"],
                                                  endpoint["secret"])
        assert verified.id == event["id"]
        assert call.headers["Stripe-Signature"].startswith(f"t={w.clock.now()},v1=")

    scenario(tmp_path, body)


@pytest.mark.parametrize(("status", "delivered"), [
    (200, True), (201, True), (204, True), (299, True), (301, False), (400, False), (410, False), (500, False),
])
def test_only_a_2xx_answer_counts_as_delivered(tmp_path: Path, status: int, delivered: bool) -> None:
    async def body(w: World) -> None:
        await w.endpoint()
        await w.event()

        await w.deliverer(Transport([(status, None)])).run_once()

        delivery = await w.delivery()
        assert delivery["status"] == ("succeeded" if delivered else "pending")
        (attempt,) = await w.rows("webhook_attempts")
        assert (attempt["status_code"], attempt["succeeded"], attempt["attempt"]) == (status, delivered, 1)

    scenario(tmp_path, body)


def test_success_marks_the_delivery_succeeded_and_counts_down_pending_webhooks(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given an event fanned out to two endpoints
        up = await w.endpoint(url="https://up.example.com/")
        down = await w.endpoint(url="https://down.example.com/")
        event = await w.event()
        assert event["pending_webhooks"] == 2

        async def answer(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
            return (200, None) if url == up["url"] else (503, None)

        # When one endpoint takes it and the other fails
        await Deliverer(w.store, w.clock, w.ids, schedule=SCHEDULE, transport=answer).run_once()
        # Then the event waits for one webhook only, and each delivery says how it went
        assert (await w.stored_event(event["id"]))["pending_webhooks"] == 1
        by_endpoint = {d["endpoint"]: d for d in await w.rows("webhook_deliveries")}
        assert by_endpoint[up["id"]]["status"] == "succeeded"
        assert by_endpoint[up["id"]]["next_attempt_at"] is None
        assert by_endpoint[down["id"]]["status"] == "pending"

    scenario(tmp_path, body)


# --- retries ----------------------------------------------------------------------------------------

def test_a_failure_is_retried_on_the_schedule(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given an endpoint that fails twice then recovers
        await w.endpoint()
        await w.event()
        transport = Transport([(500, None), (500, None)])
        worker = w.deliverer(transport)
        start = w.clock.now()
        # When the first attempt fails, the next is due one schedule step later
        assert await worker.run_once() == 1
        assert (await w.delivery())["next_attempt_at"] == start + SCHEDULE[0]
        # Not a second before it
        w.clock.advance(SCHEDULE[0] - 1)
        assert await worker.run_once() == 0
        w.clock.advance(1)
        assert await worker.run_once() == 1
        # And after the second failure, the second step of the schedule
        assert (await w.delivery())["next_attempt_at"] == start + SCHEDULE[0] + SCHEDULE[1]
        w.clock.advance(SCHEDULE[1] - 1)
        assert await worker.run_once() == 0
        w.clock.advance(1)
        assert await worker.run_once() == 1
        # Then the third attempt succeeds, and the attempts tell the story
        delivery = await w.delivery()
        assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == ("succeeded", 3, None)
        rows = await w.rows("webhook_attempts")
        assert [(r["attempt"], r["status_code"], r["succeeded"]) for r in rows] == [
            (1, 500, False), (2, 500, False), (3, 200, True)]
        assert [r["created"] - start for r in rows] == [0, SCHEDULE[0], SCHEDULE[0] + SCHEDULE[1]]
        assert len(transport.calls) == 3

    scenario(tmp_path, body)


def test_after_the_last_retry_the_delivery_is_failed_and_never_sent_again(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given an endpoint that always fails
        await w.endpoint()
        event = await w.event()
        transport = Transport([(500, None)] * 10)
        worker = w.deliverer(transport)
        # When the first attempt and every retry of the schedule fail
        for step in (0, *SCHEDULE):
            w.clock.advance(step)
            assert await worker.run_once() == 1
        # Then the delivery is failed, with nothing due, and stays so
        delivery = await w.delivery()
        assert (delivery["status"], delivery["attempts"], delivery["next_attempt_at"]) == ("failed", 3, None)
        w.clock.advance(7 * 86400)
        assert await worker.run_once() == 0
        assert len(transport.calls) == len(SCHEDULE) + 1
        # And the event still counts the endpoint it never reached
        assert (await w.stored_event(event["id"]))["pending_webhooks"] == 1

    scenario(tmp_path, body)


def test_with_an_empty_schedule_one_failure_is_final(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        await w.endpoint()
        await w.event()

        await w.deliverer(Transport([(500, None)]), schedule=()).run_once()

        assert (await w.delivery())["status"] == "failed"

    scenario(tmp_path, body)


def test_a_transport_error_is_recorded_with_its_message_and_retried(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        await w.endpoint()
        await w.event()

        await w.deliverer(Transport([(None, "ConnectError: connection refused")])).run_once()

        (attempt,) = await w.rows("webhook_attempts")
        assert (attempt["status_code"], attempt["error"], attempt["succeeded"]) == (
            None, "ConnectError: connection refused", False)
        assert attempt["url"] == URL and isinstance(attempt["latency_ms"], int)
        assert (await w.delivery())["next_attempt_at"] == w.clock.now() + SCHEDULE[0]

    scenario(tmp_path, body)


def test_a_delivery_to_an_endpoint_disabled_since_is_failed_without_being_sent(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given an event fanned out to an endpoint that is then disabled
        endpoint = await w.endpoint()
        await w.event()
        await w.store.write(lambda tx: webhook_endpoints.update(tx, w.ctx(), endpoint["id"], {"disabled": True}))
        transport = Transport()
        # When the worker runs
        await w.deliverer(transport).run_once()
        # Then nothing is POSTed and the delivery is given up, saying why
        assert transport.calls == []
        assert (await w.delivery())["status"] == "failed"
        (attempt,) = await w.rows("webhook_attempts")
        assert attempt["succeeded"] is False and "disabled" in attempt["error"]

    scenario(tmp_path, body)


def test_due_deliveries_are_sent_oldest_first_a_batch_at_a_time(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        await w.endpoint()
        events = [await w.event() for _ in range(5)]
        transport = Transport()
        worker = w.deliverer(transport, batch=2)

        assert [await worker.run_once() for _ in range(4)] == [2, 2, 1, 0]

        assert transport.event_ids() == [e["id"] for e in events]

    scenario(tmp_path, body)


# --- concurrency and crashes ------------------------------------------------------------------------

@pytest.mark.parametrize("stores", ["one store", "two stores"])
def test_two_deliverers_never_send_a_claimed_delivery_twice(database: str, stores: str) -> None:
    async def body(w: World) -> None:
        # Given ten events waiting, and two workers (as two processes would be: two stores on one database)
        await w.endpoint()
        events = [await w.event() for _ in range(10)]
        other = open_store(w.store.url) if stores != "one store" else w.store
        if other is not w.store:
            await other.open()
        try:
            transport = Transport(delay=0.02)
            first = w.deliverer(transport, batch=4)
            second = w.deliverer(transport, batch=4, store=other)
            # When both run at the same time, round after round
            for _ in range(4):
                await asyncio.gather(first.run_once(), second.run_once())
        finally:
            if other is not w.store:
                await other.close()
        # Then each event was sent exactly once
        assert sorted(transport.event_ids()) == sorted(e["id"] for e in events)
        assert {d["status"] for d in await w.rows("webhook_deliveries")} == {"succeeded"}
        assert len(await w.rows("webhook_attempts")) == 10

    scenario(database, body)


def test_a_claim_left_by_a_worker_that_died_expires_and_the_delivery_is_sent_again(database: str) -> None:
    async def body(w: World) -> None:
        # Given a worker that claims a delivery and dies while sending it
        await w.endpoint()
        event = await w.event()

        async def dies(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
            raise RuntimeError("worker killed mid-send")

        with pytest.raises(RuntimeError):
            await Deliverer(w.store, w.clock, w.ids, schedule=SCHEDULE, transport=dies,
                            claim_seconds=60).run_once()
        # When another worker looks: the claim holds it for claim_seconds
        transport = Transport()
        survivor = w.deliverer(transport, claim_seconds=60)
        assert await survivor.run_once() == 0
        w.clock.advance(59)
        assert await survivor.run_once() == 0
        # Then once the claim expires, it is sent (at least once), and counted as the first attempt
        w.clock.advance(1)
        assert await survivor.run_once() == 1
        assert transport.event_ids() == [event["id"]]
        delivery = await w.delivery()
        assert (delivery["status"], delivery["attempts"]) == ("succeeded", 1)

    scenario(database, body)


# --- endpoints are isolated from each other ---------------------------------------------------------

async def until(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout}s")
        await asyncio.sleep(0.01)


@dataclass
class Held:
    """A transport that holds every POST to ``held_url`` until ``release`` is set and answers the others
    at once; it counts the held ones in flight."""

    held_url: str
    release: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    most_in_flight: int = 0
    calls: list[str] = field(default_factory=list)

    async def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str | None]:
        self.calls.append(url)
        if url != self.held_url:
            return 200, None
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        return 200, None


def test_a_slow_endpoint_holds_only_its_own_slots_and_never_delays_another_endpoint(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given a slow endpoint whose answers never come (until released) and a fast one
        slow = await w.endpoint(url="https://slow.example.com/")
        fast = await w.endpoint(url="https://fast.example.com/")
        transport = Held(slow["url"])
        stop = asyncio.Event()
        running = asyncio.create_task(w.deliverer(transport, per_endpoint=2).run_forever(stop, poll_seconds=0.01))
        try:
            # When five events happen while the worker runs
            for _ in range(5):
                await w.event()

            async def fast_done() -> bool:
                rows = await w.rows("webhook_deliveries", endpoint=fast["id"])
                return len(rows) == 5 and all(r["status"] == "succeeded" for r in rows)

            # Then the fast endpoint's five are delivered and recorded while the slow one is stuck
            await until(fast_done, "the fast endpoint's deliveries")
            stuck = await w.rows("webhook_deliveries", endpoint=slow["id"])
            assert [r["status"] for r in stuck] == ["pending"] * 5
            assert await w.rows("webhook_attempts", endpoint=slow["id"]) == []
            # And the slow endpoint never had more than its two slots in flight
            assert (transport.in_flight, transport.most_in_flight) == (2, 2)
            # And once it answers, its deliveries go through, two at a time
            transport.release.set()

            async def slow_done() -> bool:
                return all(r["status"] == "succeeded" for r in await w.rows("webhook_deliveries", endpoint=slow["id"]))

            await until(slow_done, "the slow endpoint's deliveries")
            assert transport.most_in_flight == 2 and transport.calls.count(slow["url"]) == 5
        finally:
            stop.set()
            await running

    scenario(tmp_path, body)


def test_each_attempt_records_its_own_outcome_as_soon_as_it_finishes(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given one event for a slow endpoint and a fast one
        slow = await w.endpoint(url="https://slow.example.com/")
        fast = await w.endpoint(url="https://fast.example.com/")
        await w.event()
        transport = Held(slow["url"])
        # When one round runs
        round_ = asyncio.create_task(w.deliverer(transport).run_once())
        # Then the fast endpoint's attempt is recorded before the slow one has answered
        async def fast_recorded() -> bool:
            return len(await w.rows("webhook_attempts", endpoint=fast["id"])) == 1

        await until(fast_recorded, "the fast attempt's record")
        assert not round_.done() and await w.rows("webhook_attempts", endpoint=slow["id"]) == []
        transport.release.set()
        assert await round_ == 2

    scenario(tmp_path, body)


def test_at_shutdown_an_attempt_in_flight_is_left_to_its_claim_and_sent_again_later(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        # Given a worker sending to an endpoint that never answers
        endpoint = await w.endpoint()
        await w.event()
        transport = Held(endpoint["url"])
        stop = asyncio.Event()
        worker = w.deliverer(transport, claim_seconds=60, grace_seconds=0.05)
        running = asyncio.create_task(worker.run_forever(stop, poll_seconds=0.01))

        async def sending() -> bool:
            return transport.in_flight == 1

        await until(sending, "the attempt starting")
        # When the worker is stopped
        stop.set()
        await asyncio.wait_for(running, 2)
        # Then nothing is recorded: the claim holds the delivery, and once it expires it is sent again
        delivery = await w.delivery()
        assert (delivery["status"], delivery["attempts"]) == ("pending", 0)
        assert delivery["next_attempt_at"] == w.clock.now() + 60
        assert await w.rows("webhook_attempts") == []
        w.clock.advance(60)
        again = Transport()
        assert await w.deliverer(again).run_once() == 1
        assert (await w.delivery())["status"] == "succeeded"

    scenario(tmp_path, body)


def test_a_configured_worker_takes_its_limits_and_url_policy_from_the_settings(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        settings = Settings(auth="strict", webhook_timeout=95.0, webhook_endpoint_concurrency=3)

        worker = Deliverer.configured(w.store, w.clock, w.ids, settings)

        assert isinstance(worker.transport, HttpTransport)
        assert (worker.transport.policy, worker.transport.timeout) == (PUBLIC, 95.0)
        assert worker.per_endpoint == 3
        assert worker.claim_seconds >= 95 + 30  # a claim outlives the attempt it covers
        allowing = Settings(auth="strict", webhook_allow_private=True)
        assert Deliverer.configured(w.store, w.clock, w.ids, allowing).transport.policy == PRIVATE  # type: ignore[attr-defined]
        assert Deliverer.configured(w.store, w.clock, w.ids, Settings(auth="open")).transport.policy == OPEN  # type: ignore[attr-defined]

    scenario(tmp_path, body)


# --- the real transport: URL policy at delivery time, deadline, coarse errors ------------------------

def fake_resolver(table: dict[str, list[str]], calls: list[str]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise OSError(f"{host}: Name or service not known")
        return table[host]

    return resolve


def test_delivery_refuses_a_name_that_now_resolves_to_a_private_address(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        with Receiver() as inside:
            # Given an endpoint accepted under a public name, whose name now answers a loopback address
            # where something listens (DNS rebinding)
            port = inside.port
            endpoint = await w.store.write(lambda tx: webhook_endpoints.create(
                tx, Ctx(now=w.clock.now(), ids=w.ids, webhook_urls=PUBLIC),
                {"url": f"http://hooks.example.com:{port}/webhook", "enabled_events": ["*"]}))
            inside.secret = endpoint["secret"]
            await w.event()
            asked: list[str] = []
            transport = HttpTransport(PUBLIC, resolver=fake_resolver({"hooks.example.com": ["127.0.0.1"]}, asked))
            # When the worker delivers on a strict server
            await w.deliverer(transport).run_once()
            # Then it resolved the name again, refused the address, and never connected
            assert asked == ["hooks.example.com"]
            assert inside.deliveries == []
            (attempt,) = await w.rows("webhook_attempts")
            assert attempt["status_code"] is None and attempt["succeeded"] is False
            assert attempt["error"] == "could not deliver: hooks.example.com resolves to a loopback address"
            assert (await w.delivery())["status"] == "pending"  # retried: the name may point back out

    scenario(tmp_path, body)


def test_delivery_connects_to_the_address_it_checked_keeping_the_host_header(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        with Receiver() as hook:
            # Given a name only the worker's resolver knows, pointing at a receiver on loopback (allowed)
            port = hook.port
            endpoint = await w.endpoint(url=f"http://hooks.example.com:{port}/webhook")
            hook.secret = endpoint["secret"]
            event = await w.event()
            asked: list[str] = []
            transport = HttpTransport(PRIVATE, resolver=fake_resolver({"hooks.example.com": ["127.0.0.1"]}, asked))
            # When the worker delivers
            await w.deliverer(transport).run_once()
            # Then the POST reached the resolved address, named by its host, and verified
            (arrived,) = hook.deliveries
            assert arrived.event is not None and arrived.event.id == event["id"]
            assert arrived.headers["host"] == f"hooks.example.com:{port}"
            assert asked == ["hooks.example.com"]
            assert (await w.delivery())["status"] == "succeeded"

    scenario(tmp_path, body)


def certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (openssl), and its key."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("certified", ["hooks.example.com", "other.example.com"])
def test_https_to_a_checked_address_keeps_the_server_name_for_sni_and_the_certificate_check(
        tmp_path: Path, certified: str) -> None:
    # Given an HTTPS receiver on loopback whose certificate names ``certified``, and a worker whose
    # resolver sends hooks.example.com there
    cert, key = certificate(tmp_path, certified)
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    trusted = ssl.create_default_context(cafile=str(cert))

    async def main(hook: Receiver) -> tuple[int | None, str | None]:
        transport = HttpTransport(PRIVATE, resolver=fake_resolver({"hooks.example.com": ["127.0.0.1"]}, []),
                                  tls=trusted)
        return await transport(f"https://hooks.example.com:{hook.port}/webhook", b"{}", {})

    with Receiver(secret="whsec_test", tls=served) as hook:
        # When it POSTs
        status, error = asyncio.run(main(hook))
    # Then the TLS server name is the URL's host, and the certificate is checked against it
    assert hook.server_names[:1] == ["hooks.example.com"]
    if certified == "hooks.example.com":
        assert (status, error) == (400, None)  # reached: the receiver refuses the unsigned body
        assert hook.deliveries[0].headers["host"] == f"hooks.example.com:{hook.port}"
    else:
        assert (status, error) == (None, "could not deliver: the endpoint gave no HTTP response")
        assert hook.deliveries == []


def test_a_name_that_does_not_resolve_is_a_failed_attempt_that_is_retried(tmp_path: Path) -> None:
    async def body(w: World) -> None:
        await w.endpoint(url="https://gone.example.com/stripe")
        await w.event()

        await w.deliverer(HttpTransport(PUBLIC, resolver=fake_resolver({}, []))).run_once()

        (attempt,) = await w.rows("webhook_attempts")
        assert attempt["error"] == "could not deliver: gone.example.com does not resolve"
        assert (await w.delivery())["next_attempt_at"] == w.clock.now() + SCHEDULE[0]

    scenario(tmp_path, body)


def test_a_closed_port_and_an_open_port_that_hangs_up_read_the_same_in_the_attempt_log() -> None:
    async def main() -> tuple[tuple[int | None, str | None], tuple[int | None, str | None], int]:
        transport = HttpTransport(OPEN, timeout=5)
        closed = await transport(f"http://127.0.0.1:{free_port()}/webhook", b"{}", {})
        with Hangup() as hangup:
            open_ = await transport(hangup.url, b"{}", {})
            return closed, open_, hangup.connections

    closed, open_, connections = asyncio.run(main())

    assert connections >= 1  # the open port was reached
    assert closed == open_ == (None, "could not deliver: the endpoint gave no HTTP response")


def test_an_attempt_is_cut_off_at_its_deadline_however_slowly_the_answer_trickles_in() -> None:
    async def main() -> tuple[tuple[int | None, str | None], float]:
        with Receiver(dribble=0.1) as slow:  # a byte every 0.1 s: no single read ever waits long
            started = time.monotonic()
            outcome = await HttpTransport(OPEN, timeout=1.0)(slow.url, b"{}", {})
            return outcome, time.monotonic() - started

    outcome, took = asyncio.run(main())

    assert outcome == (None, "timed out: no answer within 1 s")
    assert 0.9 <= took < 1.8
