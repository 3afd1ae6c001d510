"""Concurrent clients, several server processes, one database: conflicting commands serialize.

Each test runs on both backends. Two ``arrears serve`` share the database: one with ``--workers 2`` and
one with a single worker, so three processes (each with its own pool or its own SQLite writer) take
requests in turn. The requests of one race are released together by a barrier. Then, per invoice:
exactly one transition won, every loser got Stripe's state error from the transition table, and the
final status, the events and the customer balances agree with some serial order of the requests.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest

from arrears.domain.invoice import REFUSALS, TRANSITIONS
from tests.conftest import BACKENDS, fresh_database
from tests.support.server import KEY, Server

T = TypeVar("T")
RACES_PER_KIND = 50
WAVE = 16  # races released together
TRANSITION_EVENTS = {"pay": "invoice.paid", "void": "invoice.voided",
                     "mark_uncollectible": "invoice.marked_uncollectible", "finalize": "invoice.finalized"}


class Api:
    """Form-encoded calls spread over the servers' URLs in turn; one pooled client shared by threads."""

    def __init__(self, urls: Sequence[str]) -> None:
        self.urls = list(urls)
        self.http = httpx.Client(timeout=60, headers={"Authorization": f"Bearer {KEY}"},
                                 limits=httpx.Limits(max_connections=128, max_keepalive_connections=128))
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def _url(self) -> str:
        with self._lock:
            return self.urls[next(self._turn) % len(self.urls)]

    def post(self, path: str, data: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(self._url() + path, data=data or {}, headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.get(self._url() + path, params=params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def ok(self, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(path, data)
        assert response.status_code == 200, f"{path}: {response.text}"
        return response.json()  # type: ignore[no-any-return]

    def events(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            page = self.get("/v1/events", params)
            found += page["data"]
            if not page["has_more"]:
                return found
            params["starting_after"] = page["data"][-1]["id"]


def parallel(fn: Callable[..., T], *args: Sequence[Any], threads: int = 24) -> list[T]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(fn, *args))


@pytest.fixture(scope="module", params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Two servers on one fresh database, three processes in all; shared by this module's tests, which
    each make their own customers and invoices."""
    folder = tmp_path_factory.mktemp(f"races-{request.param}")
    database = fresh_database(request.param, request, folder)
    with Server(database=database, workers=2, log=folder / "many.log") as many, \
            Server(database=database, log=folder / "one.log") as one:
        client = Api([many.url, one.url])
        yield client
        client.http.close()


# --- setting up invoices ----------------------------------------------------------------------------

def customers(api: Api, n: int, **params: Any) -> list[str]:
    return [c["id"] for c in parallel(lambda _: api.ok("/v1/customers", params), range(n))]


def draft(api: Api, customer: str, amount: int = 1000) -> str:
    inv = api.ok("/v1/invoices", {"customer": customer, "currency": "usd"})
    api.ok("/v1/invoiceitems", {"customer": customer, "invoice": inv["id"], "amount": amount, "currency": "usd"})
    return str(inv["id"])


def invoice_in(api: Api, status: str, customer: str) -> str:
    inv = draft(api, customer)
    if status in ("open", "uncollectible"):
        api.ok(f"/v1/invoices/{inv}/finalize")
    if status == "uncollectible":
        api.ok(f"/v1/invoices/{inv}/mark_uncollectible")
    return inv


ACTION_PARAMS: dict[str, dict[str, Any]] = {"pay": {"paid_out_of_band": "true"}}


Headers = Callable[[str, int], dict[str, str]]


def fire(api: Api, races: list[tuple[str, list[str]]], headers: Headers | None = None) -> list[list[httpx.Response]]:
    """Run the races in waves of ``WAVE``; the responses of each race's requests, in order."""
    results: list[list[httpx.Response]] = []
    for start in range(0, len(races), WAVE):
        results += _wave(api, races[start:start + WAVE], headers)
    return results


def _wave(api: Api, races: list[tuple[str, list[str]]], headers: Headers | None) -> list[list[httpx.Response]]:
    """Every request of these races waits on one barrier, then all go at once, each on its own thread."""
    calls = [(r, i, inv, action) for r, (inv, actions) in enumerate(races) for i, action in enumerate(actions)]
    barrier = threading.Barrier(len(calls))
    out: dict[tuple[int, int], httpx.Response] = {}

    def call(r: int, i: int, inv: str, action: str) -> None:
        barrier.wait()
        out[r, i] = api.post(f"/v1/invoices/{inv}/{action}", ACTION_PARAMS.get(action),
                             headers(inv, i) if headers else None)

    threads = [threading.Thread(target=call, args=c) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [[out[r, i] for i in range(len(actions))] for r, (_, actions) in enumerate(races)]


def serial_outcome(start: str, actions: Sequence[str]) -> tuple[str, list[str | None]]:
    """The final status and each action's refusal message (None: it succeeded) when run in this order."""
    status, messages = start, []
    for action in actions:
        target = TRANSITIONS[action].get(status)
        if target is None:
            messages.append(REFUSALS[action].get(status, REFUSALS[action]["*"]))
        else:
            status = "paid" if action == "pay" else target
            messages.append(None)
    return status, messages


def observed(responses: list[httpx.Response]) -> list[str | None]:
    out: list[str | None] = []
    for r in responses:
        assert r.status_code in (200, 400), r.text
        if r.status_code == 400:
            assert r.json()["error"]["type"] == "invalid_request_error", r.text
        out.append(None if r.status_code == 200 else r.json()["error"]["message"])
    return out


@dataclass
class Race:
    kind: str
    start: str
    actions: list[str]
    one_winner: bool  # every serial order of these actions has exactly one that succeeds


KINDS = [
    Race("pay or void an open invoice", "open", ["pay", "void", "pay", "void"], True),
    Race("mark an open invoice uncollectible", "open", ["mark_uncollectible"] * 3, True),
    Race("settle an uncollectible invoice", "uncollectible", ["void", "pay", "void", "pay"], True),
    Race("finalize a draft", "draft", ["finalize"] * 3, True),
    Race("pay, void and write off an open invoice", "open", ["mark_uncollectible", "pay", "void"], False),
]


# --- the tests --------------------------------------------------------------------------------------

@pytest.mark.slow
def test_conflicting_transitions_on_one_invoice_have_one_winner_and_a_consistent_history(api: Api) -> None:
    # Given 50 invoices per kind of race, spread over a few customers, each in the race's start status
    owners = customers(api, 8)
    plan = [kind for kind in KINDS for _ in range(RACES_PER_KIND)]
    invoices = parallel(lambda i, kind: invoice_in(api, kind.start, owners[i % len(owners)]),
                        range(len(plan)), plan)
    before = Counter((e["data"]["object"]["id"], e["type"]) for e in api.events())

    # When every race fires its conflicting transitions at once, through three server processes
    results = fire(api, [(inv, kind.actions) for inv, kind in zip(invoices, plan, strict=True)])

    # Then each race's outcome is that of one serial order of its requests
    finals = parallel(lambda inv: api.get(f"/v1/invoices/{inv}"), invoices)
    after = Counter((e["data"]["object"]["id"], e["type"]) for e in api.events())
    one_winner_races = 0
    for inv, kind, responses, final in zip(invoices, plan, results, finals, strict=True):
        seen = observed(responses)
        orders = [order for order in itertools.permutations(range(len(kind.actions)))
                  if serial_outcome(kind.start, [kind.actions[i] for i in order])[1] == [seen[i] for i in order]]
        assert orders, f"{kind.kind} on {inv}: no serial order explains {seen}"
        status, _ = serial_outcome(kind.start, [kind.actions[i] for i in orders[0]])
        winners = [kind.actions[i] for i, message in enumerate(seen) if message is None]
        if kind.one_winner:
            assert len(winners) == 1, f"{kind.kind} on {inv}: {seen}"
            one_winner_races += 1
        assert final["status"] == status, f"{kind.kind} on {inv}: {seen} but {final['status']}"
        # exactly one event per transition that won, none for those refused
        for action, event_type in TRANSITION_EVENTS.items():
            new = after[inv, event_type] - before[inv, event_type]
            assert new == winners.count(action), f"{kind.kind} on {inv}: {new} {event_type} for {seen}"
        if "finalize" in winners:
            assert final["number"] is not None
    assert one_winner_races >= 200


def test_concurrent_finalizations_apply_a_credit_balance_once(api: Api) -> None:
    # Given 10 customers with 1000 of credit each, and 5 drafts of 400 for each of them
    owners = customers(api, 10, balance=-1000)
    drafts = parallel(lambda i: draft(api, owners[i // 5], 400), range(50))

    # When all 50 drafts are finalized at once (a customer's five in the same wave)
    results = fire(api, [(inv, ["finalize"]) for inv in drafts])

    # Then the credit is used exactly once: 400, 400 and 200 of it, in some order, per customer
    assert all(r.status_code == 200 for [r] in results), [r.text for [r] in results if r.status_code != 200]
    finals = parallel(lambda inv: api.get(f"/v1/invoices/{inv}"), drafts)
    for owner in owners:
        mine = [f for f in finals if f["customer"] == owner]
        applied = [f["ending_balance"] - f["starting_balance"] for f in mine]
        assert sum(applied) == 1000, applied
        assert sorted(f["amount_due"] for f in mine) == [0, 0, 200, 400, 400]
        assert api.get(f"/v1/customers/{owner}")["balance"] == 0
        moves = api.get(f"/v1/customers/{owner}/balance_transactions", {"limit": 100})["data"]
        assert sorted(m["amount"] for m in moves if m["type"] == "applied_to_invoice") == [200, 400, 400]
        # each finalization started from the balance the previous one left
        chain = sorted(mine, key=lambda f: f["starting_balance"])
        assert [f["starting_balance"] for f in chain] == [-1000, -600, -200, 0, 0]
        assert sorted(f["number"] for f in mine) == sorted({f["number"] for f in mine})


def test_concurrent_finalizations_of_one_customer_never_duplicate_a_number(api: Api) -> None:
    # Given 40 drafts of one customer, and 2 customers who share an invoice prefix with 10 drafts each
    [owner] = customers(api, 1, invoice_prefix="RACE")
    twins = customers(api, 2, invoice_prefix="TWIN")
    drafts = parallel(lambda _: draft(api, owner), range(40))
    twin_drafts = parallel(lambda i: draft(api, twins[i % 2]), range(20))

    # When they are all finalized at once
    results = fire(api, [(inv, ["finalize"]) for inv in drafts + twin_drafts])

    # Then every number is given once, in sequence
    assert all(r.status_code == 200 for [r] in results), [r.text for [r] in results if r.status_code != 200]
    numbers = [r.json()["number"] for [r] in results]
    assert sorted(numbers[:40]) == [f"RACE-{n:04d}" for n in range(1, 41)]
    assert sorted(numbers[40:]) == [f"TWIN-{n:04d}" for n in range(1, 21)]
    assert api.get(f"/v1/customers/{owner}")["next_invoice_sequence"] == 41


def test_concurrent_requests_with_one_idempotency_key_pay_once(api: Api) -> None:
    # Given 20 open invoices
    [owner] = customers(api, 1)
    invoices = parallel(lambda _: invoice_in(api, "open", owner), range(20))

    # When 4 requests with the same key pay each of them at once, through different processes
    results = fire(api, [(inv, ["pay"] * 4) for inv in invoices], headers=lambda inv, _: {"Idempotency-Key": inv})

    # Then each invoice is paid once: every request gets the first one's answer, and one invoice.paid
    paid = Counter(e["data"]["object"]["id"] for e in api.events() if e["type"] == "invoice.paid")
    for inv, responses in zip(invoices, results, strict=True):
        assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
        assert len({r.json()["status_transitions"]["paid_at"] for r in responses}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 3
        assert paid[inv] == 1
