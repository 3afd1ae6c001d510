"""Crash safety: ``arrears serve`` is killed with SIGKILL at random moments while clients run invoice
stories against it, and restarted. Each client retries an interrupted request with the same
Idempotency-Key until it gets an answer, as the Stripe SDKs do. Afterwards, in the database:

- every request that got a 2xx is reflected in the state (its object exists, in the status it answered);
- retries converged: one customer, item and invoice per story however often a create was retried, and
  replaying every acknowledged request answers the same object, marked ``Idempotent-Replayed``;
- no invoice is half-transitioned: its status, its status_transitions, its events, its ledger entries
  (each balanced, one per transition event) and the webhook outbox (one delivery per event) agree.

ARREARS_CRASH_KILLS (default 20) and ARREARS_CRASH_CLIENTS (default 6) make a longer run; see
docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from arrears.store import open_store
from arrears.store.base import SYSTEM, Tx
from arrears.store.query import Filter, Page
from tests.conftest import OwnServer
from tests.support.server import KEY

KILLS = int(os.environ.get("ARREARS_CRASH_KILLS", "20"))
CLIENTS = int(os.environ.get("ARREARS_CRASH_CLIENTS", "6"))
ENDINGS = ("open", "pay", "void", "uncollectible", "uncollectible_then_pay")
STATUS_AFTER = {"finalize": "open", "pay": "paid", "void": "void", "mark_uncollectible": "uncollectible"}
TRANSITION_EVENTS = ("invoice.finalized", "invoice.paid", "invoice.voided", "invoice.marked_uncollectible")


@dataclass
class Ack:
    method: str
    path: str
    params: dict[str, Any]
    key: str
    body: dict[str, Any]


@dataclass
class Story:
    ending: str
    acks: list[Ack] = field(default_factory=list)

    def ack(self, step: str) -> Ack | None:
        return next((a for a in self.acks if a.path.endswith(step)), None)


@dataclass
class Tally:
    requests: int = 0
    interrupted: int = 0  # attempts that got no answer (connection lost, server down) and were retried
    server_errors: int = 0
    replayed: int = 0  # retries answered from the stored result: the first attempt had committed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


def send(http: httpx.Client, tally: Tally, method: str, path: str, params: dict[str, Any]) -> Ack:
    """Send until answered, retrying with the same Idempotency-Key; the 2xx answer."""
    key = str(uuid.uuid4())
    headers = {"Authorization": f"Bearer {KEY}", "Idempotency-Key": key}
    retried = False
    while True:
        try:
            response = http.request(method, path, data=params, headers=headers)
        except httpx.HTTPError:
            tally.add(interrupted=1)
            retried = True
            time.sleep(0.05)
            continue
        tally.add(requests=1)
        if response.status_code >= 500:
            tally.add(server_errors=1)
            time.sleep(0.05)
            continue
        assert response.status_code == 200, f"{method} {path} {params}: {response.status_code} {response.text}"
        if retried and response.headers.get("idempotent-replayed") == "true":
            tally.add(replayed=1)
        return Ack(method, path, params, key, response.json())


def run_story(http: httpx.Client, tally: Tally, ending: str, endpoint: str) -> Story:
    story = Story(ending)

    def post(path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        ack = send(http, tally, "POST", path, params or {})
        story.acks.append(ack)
        return ack.body

    cus = post("/v1/customers", {"name": f"crash {ending}", "metadata[ending]": ending})
    post("/v1/invoiceitems", {"customer": cus["id"], "amount": str(random.randint(100, 99_999)), "currency": "usd"})
    inv = post("/v1/invoices", {"customer": cus["id"], "pending_invoice_items_behavior": "include",
                                "auto_advance": "false"})
    base = f"/v1/invoices/{inv['id']}"
    post(base + "/finalize")
    if ending == "pay":
        post(base + "/pay", {"paid_out_of_band": "true"})
    elif ending == "void":
        post(base + "/void")
    elif ending.startswith("uncollectible"):
        post(base + "/mark_uncollectible")
        if ending == "uncollectible_then_pay":
            post(base + "/pay", {"paid_out_of_band": "true"})
    return story


def load(base_url: str, tally: Tally, stop: threading.Event, stories: list[Story], endpoint: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        while not stop.is_set():
            stories.append(run_story(http, tally, random.choice(ENDINGS), endpoint))


def read_all(database: str) -> dict[str, list[dict[str, Any]]]:
    async def main() -> dict[str, list[dict[str, Any]]]:
        store = open_store(database, migrate=False)
        await store.open()
        try:
            async def everything(tx: Tx) -> dict[str, list[dict[str, Any]]]:
                tables = ("customers", "invoiceitems", "invoices", "events", "ledger_entries", "webhook_deliveries")
                return {t: (await tx.list(t, Filter(), Page(limit=1_000_000))).docs for t in tables}
            return await store.read(everything, scope=SYSTEM)
        finally:
            await store.close()
    return asyncio.run(main())


def check_state(stories: list[Story], state: dict[str, list[dict[str, Any]]], endpoint: str) -> int:
    """The invariants of the module docstring; the number of acknowledged requests checked."""
    by_id = {t: {d["id"]: d for d in docs} for t, docs in state.items()}
    checked = 0
    # Retries converged: exactly one object per acknowledged create
    assert len(state["customers"]) == len(stories)
    assert len(state["invoices"]) == len(stories)
    assert len(state["invoiceitems"]) == len(stories)
    events_of: dict[str, Counter[str]] = defaultdict(Counter)
    for event in state["events"]:
        events_of[event["data"]["object"]["id"]][event["type"]] += 1
    entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in state["ledger_entries"]:
        entries[line["entry"]].append(line)
    for entry, lines in entries.items():
        assert sum(line["amount"] for line in lines) == 0, f"ledger entry {entry} does not balance: {lines}"
    booked = {line["event"] for line in state["ledger_entries"]}
    for story in stories:
        cus_ack, item_ack, inv_ack = story.acks[0], story.acks[1], story.acks[2]
        inv = by_id["invoices"][inv_ack.body["id"]]
        assert cus_ack.body["id"] in by_id["customers"]
        item = by_id["invoiceitems"][item_ack.body["id"]]
        assert item["invoice"] == inv["id"]
        # the status is the one the last acknowledged transition answered
        last = story.acks[-1]
        step = last.path.rsplit("/", 1)[-1]
        assert inv["status"] == last.body["status"] == STATUS_AFTER[step], (story.ending, inv["status"])
        # status_transitions, events and ledger agree with the status
        transitions = inv["status_transitions"]
        seen = events_of[inv["id"]]
        assert seen["invoice.created"] == 1 and seen["invoice.finalized"] == 1 and transitions["finalized_at"]
        paid = inv["status"] == "paid"
        assert seen["invoice.paid"] == int(paid) and bool(transitions["paid_at"]) == paid
        assert (inv["amount_remaining"] == 0) == paid
        voided = inv["status"] == "void"
        assert seen["invoice.voided"] == int(voided) and bool(transitions["voided_at"]) == voided
        written_off = story.ending.startswith("uncollectible")
        assert seen["invoice.marked_uncollectible"] == int(written_off)
        assert bool(transitions["marked_uncollectible_at"]) == written_off
        checked += len(story.acks)
    for event in state["events"]:
        if event["type"] in TRANSITION_EVENTS:
            assert event["id"] in booked, f"{event['type']} {event['id']} has no ledger entry"
    # The outbox: one delivery to the endpoint per event, none for an event that does not exist
    deliveries = Counter(d["event"] for d in state["webhook_deliveries"] if d["endpoint"] == endpoint)
    assert set(deliveries) == set(by_id["events"]) and set(deliveries.values()) == {1}
    assert all(event["pending_webhooks"] == 1 for event in state["events"])
    return checked


def replay_all(base_url: str, stories: list[Story]) -> int:
    """Every acknowledged request again with its key: the stored answer, for the same object."""
    replays = 0
    with httpx.Client(base_url=base_url, timeout=10) as http:
        for story in stories:
            for ack in story.acks:
                again = http.request(ack.method, ack.path, data=ack.params,
                                     headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": ack.key})
                assert again.status_code == 200 and again.headers.get("idempotent-replayed") == "true", again.text
                assert again.json()["id"] == ack.body["id"] and again.json().get("status") == ack.body.get("status")
                replays += 1
    return replays


@pytest.mark.slow
def test_killed_at_random_under_load_nothing_acknowledged_is_lost_or_half_done(
        database: str, own_server: OwnServer, figures: Counter[str]) -> None:
    backend = "sqlite" if database.startswith("sqlite") else "postgres"
    server = own_server(database, env={"ARREARS_WEBHOOKS": "off", "ARREARS_SCHEDULER": "off"})
    endpoint = httpx.post(server.url + "/v1/webhook_endpoints", headers={"Authorization": f"Bearer {KEY}"},
                          data={"url": "http://127.0.0.1:9/outbox", "enabled_events[]": "*"}).json()["id"]
    tally, stop = Tally(), threading.Event()
    stories: list[Story] = []
    clients = [threading.Thread(target=load, args=(server.url, tally, stop, stories, endpoint), daemon=True)
               for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    kills = 0
    try:
        for _ in range(KILLS):
            time.sleep(random.uniform(0.05, 0.6))  # let the load run, then kill at a random moment
            server.stop(signal.SIGKILL)
            kills += 1
            server.start()
        time.sleep(0.3)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert not any(c.is_alive() for c in clients), "a client never got an answer"
    server.stop()
    state = read_all(database)
    checked = check_state(stories, state, endpoint)
    server.start()
    try:
        replays = replay_all(server.url, stories)
    finally:
        server.stop()
    assert tally.server_errors == 0
    assert tally.interrupted > 0, "no request was ever interrupted: the kills missed the load"
    figures[f"crash: kills survived ({backend})"] += kills
    figures[f"crash: acknowledged requests checked in state ({backend})"] += checked
    figures[f"crash: interrupted attempts retried ({backend})"] += tally.interrupted
    figures[f"crash: retries answered from a committed first attempt ({backend})"] += tally.replayed
    figures[f"crash: idempotent replays matching the first answer ({backend})"] += replays
    figures[f"crash: invoice stories ({backend})"] += len(stories)
