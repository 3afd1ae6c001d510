"""Webhooks (stripe-invoices.md §5.4–5.6): endpoints, signed delivery to a real HTTP receiver that
verifies with the official SDK, retries on the configured schedule, attempts recorded (API and CLI),
delivery after a crash, and ``arrears listen``.

Every test runs its own server (on each backend, through the ``database`` fixture) with a short retry
schedule, so endpoints never leak into other tests."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import stripe

from arrears.domain import Doc
from arrears.store import open_store
from arrears.store.query import Filter, Page
from tests import factories
from tests.conftest import make_client
from tests.support.conformance import check
from tests.support.receiver import Hangup, Receiver
from tests.support.server import KEY, Server, free_port

T = TypeVar("T")
AUTH = {"Authorization": f"Bearer {KEY}"}
QUICK = "1,1,1"  # three retries, one second apart


def hooked_server(database: str, tmp_path: Path, **env: str) -> Server:
    return Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_WEBHOOK_SCHEDULE": QUICK, **env})


@pytest.fixture()
def srv(database: str, tmp_path: Path) -> Iterator[Server]:
    with hooked_server(database, tmp_path) as server:
        yield server


@pytest.fixture()
def client(srv: Server) -> stripe.StripeClient:
    return make_client(srv.url)


@pytest.fixture()
def hook() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


def subscribe(client: stripe.StripeClient, receiver: Receiver,
              events: list[str] | None = None) -> stripe.WebhookEndpoint:
    endpoint = client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": events or ["*"]})
    receiver.secret = endpoint.secret
    return endpoint


def all_events(client: stripe.StripeClient) -> list[stripe.Event]:
    """Every event on the server, oldest first."""
    return list(reversed(list(client.v1.events.list(params={"limit": 100}).auto_paging_iter())))


def attempts(server: Server, **filters: str) -> list[dict[str, Any]]:
    r = httpx.get(server.url + "/_arrears/v1/webhook_attempts", params={"limit": "100", **filters}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["object"] == "list"
    return r.json()["data"]  # type: ignore[no-any-return]


def eventually(probe: Callable[[], T | None], timeout: float = 15.0, what: str = "the condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout}s")
        time.sleep(0.05)


def count_of_attempts(server: Server, n: int, timeout: float = 15.0, **filters: str) -> list[dict[str, Any]]:
    """The attempts once there are ``n`` of them."""
    def probe() -> list[dict[str, Any]] | None:
        rows = attempts(server, **filters)
        return rows if len(rows) == n else None

    return eventually(probe, timeout, what=f"{n} attempts recorded")


def arrears(*args: str, env: dict[str, str] | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)


def data_object(event: stripe.Event) -> dict[str, Any]:
    return event.to_dict()["data"]["object"]  # type: ignore[no-any-return]


def without_pending(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "pending_webhooks"}


def delivery_rows(server: Server) -> list[tuple[str, str, int | None]]:
    """(event, status, next_attempt_at) of every outbox row, read from the server's database."""
    async def read() -> list[Doc]:
        store = open_store(server.database, migrate=False)
        await store.open()
        try:
            return await store.read(lambda tx: tx.list("webhook_deliveries", Filter(), Page(limit=100)))
        finally:
            await store.close()

    return [(d["event"], d["status"], d["next_attempt_at"]) for d in asyncio.run(read()).docs]


# --- webhook endpoints ------------------------------------------------------------------------------

def test_an_endpoint_shows_its_secret_only_when_created(client: stripe.StripeClient) -> None:
    created = client.v1.webhook_endpoints.create(params={
        "url": "https://example.com/hooks", "enabled_events": ["invoice.paid", "invoice.voided"],
        "description": "billing", "metadata": {"team": "ar"}})

    assert created.id.startswith("we_") and created.object == "webhook_endpoint"
    assert created.secret and created.secret.startswith("whsec_")
    assert (created.url, created.status, created.description) == ("https://example.com/hooks", "enabled", "billing")
    assert created.enabled_events == ["invoice.paid", "invoice.voided"]
    assert created.metadata.to_dict() == {"team": "ar"} and created.livemode is False
    assert created.last_response is not None and check(created.last_response.data, stripe.WebhookEndpoint) == []
    retrieved = client.v1.webhook_endpoints.retrieve(created.id)
    listed = client.v1.webhook_endpoints.list().data
    updated = client.v1.webhook_endpoints.update(created.id, params={"description": "renamed"})
    for shown in (retrieved, *listed, updated):
        assert "secret" not in shown
    assert retrieved.last_response is not None and check(retrieved.last_response.data, stripe.WebhookEndpoint) == []
    assert [e.id for e in listed] == [created.id]


def test_an_endpoint_is_updated_disabled_enabled_and_deleted(client: stripe.StripeClient) -> None:
    we = client.v1.webhook_endpoints.create(params={"url": "https://example.com/a", "enabled_events": ["*"]})

    changed = client.v1.webhook_endpoints.update(we.id, params={
        "url": "https://example.com/b", "enabled_events": ["invoice.created"], "metadata": {"k": "v"}})
    disabled = client.v1.webhook_endpoints.update(we.id, params={"disabled": True})
    enabled = client.v1.webhook_endpoints.update(we.id, params={"disabled": False})
    deleted = client.v1.webhook_endpoints.delete(we.id)

    assert (changed.url, changed.enabled_events, changed.metadata.to_dict()) == (
        "https://example.com/b", ["invoice.created"], {"k": "v"})
    assert (disabled.status, enabled.status) == ("disabled", "enabled")
    assert (deleted.id, deleted.deleted, deleted.object) == (we.id, True, "webhook_endpoint")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.webhook_endpoints.retrieve(we.id)
    assert info.value.http_status == 404
    assert client.v1.webhook_endpoints.list().data == []


@pytest.mark.parametrize("enabled", [["invoice.exploded"], ["invoice.paid", "not_an_event"]])
def test_an_unknown_event_type_in_enabled_events_is_refused(client: stripe.StripeClient, enabled: list[str]) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.webhook_endpoints.create(params={"url": "https://example.com/x", "enabled_events": enabled})
    assert info.value.http_status == 400
    assert info.value.param == f"enabled_events[{len(enabled) - 1}]"

    we = client.v1.webhook_endpoints.create(params={"url": "https://example.com/x", "enabled_events": ["*"]})
    with pytest.raises(stripe.InvalidRequestError) as on_update:
        client.v1.webhook_endpoints.update(we.id, params={"enabled_events": enabled})
    assert on_update.value.http_status == 400
    assert client.v1.webhook_endpoints.retrieve(we.id).enabled_events == ["*"]


def test_an_endpoint_needs_an_absolute_url_and_its_events(srv: Server) -> None:
    bad_url = httpx.post(srv.url + "/v1/webhook_endpoints", headers=AUTH,
                         data={"url": "not a url", "enabled_events[0]": "*"})
    no_events = httpx.post(srv.url + "/v1/webhook_endpoints", headers=AUTH, data={"url": "https://example.com/"})

    assert bad_url.status_code == 400 and bad_url.json()["error"]["param"] == "url"
    assert no_events.status_code == 400 and no_events.json()["error"]["param"] == "enabled_events"


def test_an_open_server_takes_loopback_endpoints_the_development_loop(srv: Server) -> None:
    for url in ("http://localhost:4242/webhook", "http://127.0.0.1:4242/webhook", "http://[::1]:4242/webhook"):
        created = httpx.post(srv.url + "/v1/webhook_endpoints", headers=AUTH,
                             data={"url": url, "enabled_events[0]": "*"})
        assert created.status_code == 200, created.text
        moved = httpx.post(f"{srv.url}/v1/webhook_endpoints/{created.json()['id']}", headers=AUTH,
                           data={"url": url.replace("4242", "4243")})
        assert moved.status_code == 200 and moved.json()["url"] == url.replace("4242", "4243")


@pytest.mark.parametrize(("url", "says"), [
    ("http://2130706433/webhook", "2130706433 means the IPv4 address 127.0.0.1"),
    ("http://0x7f.1/webhook", "means the IPv4 address 127.0.0.1"),
    ("http://hooks.example.com:99999/webhook", "the port 99999 is out of range"),
    ("http://hooks.example.com:0/webhook", "the port 0 is out of range"),
])
def test_even_an_open_server_refuses_a_disguised_address_or_an_impossible_port(srv: Server, url: str,
                                                                               says: str) -> None:
    created = httpx.post(srv.url + "/v1/webhook_endpoints", headers=AUTH, data={"url": url, "enabled_events[0]": "*"})

    assert created.status_code == 400
    error = created.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", "url", "url_invalid")
    assert error["message"].startswith(f"Invalid URL: {url} (") and says in error["message"]


# --- delivery ---------------------------------------------------------------------------------------

def test_events_reach_a_real_endpoint_signed_so_the_sdk_verifies_them(
        client: stripe.StripeClient, hook: Receiver) -> None:
    # Given an endpoint subscribed to everything
    subscribe(client, hook)
    # When an invoice goes from creation to paid
    factories.invoice_in(client, "paid")
    # Then every event arrives, verified by stripe.Webhook.construct_event with the endpoint's secret
    expected = all_events(client)
    assert [e.type for e in expected] == ["customer.created", "invoiceitem.created", "invoice.created",
                                          "invoice.finalized", "invoice.paid"]
    received = hook.wait_for(len(expected))
    assert hook.rejected == []
    assert sorted(e.id for e in received) == sorted(e.id for e in expected)
    # And each body is the event the API serves (pending_webhooks aside: it counts down on delivery)
    by_id = {e.id: e.to_dict() for e in expected}
    assert all(without_pending(e.to_dict()) == without_pending(by_id[e.id]) for e in received)
    for delivery in hook.deliveries:
        assert delivery.headers["content-type"].startswith("application/json")
        stamp, v1 = delivery.headers["stripe-signature"].split(",")
        assert stamp.startswith("t=") and abs(int(stamp[2:]) - time.time()) < 60
        assert v1.startswith("v1=") and len(v1) == 3 + 64
    # And once delivered, no event waits for a webhook any more
    eventually(lambda: all(client.v1.events.retrieve(e.id).pending_webhooks == 0 for e in expected),
               what="pending_webhooks reaching 0")


def test_each_endpoint_signs_with_its_own_secret(client: stripe.StripeClient) -> None:
    with Receiver() as first, Receiver() as second:
        a, b = subscribe(client, first), subscribe(client, second)
        client.v1.customers.create(params={"email": "two@example.com"})

        first.wait_for(1)
        second.wait_for(1)

    assert a.secret != b.secret
    assert first.rejected == [] and second.rejected == []
    body, header = first.deliveries[0].body.decode(), first.deliveries[0].headers["stripe-signature"]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, header, b.secret)


def test_an_endpoint_gets_only_the_events_it_is_subscribed_to(client: stripe.StripeClient, srv: Server) -> None:
    with Receiver() as everything, Receiver() as paid_only, Receiver() as disabled, Receiver() as deleted:
        # Given endpoints for everything, for invoice.paid only, one disabled and one deleted
        subscribe(client, everything)
        subscribe(client, paid_only, ["invoice.paid"])
        off = subscribe(client, disabled)
        client.v1.webhook_endpoints.update(off.id, params={"disabled": True})
        gone = subscribe(client, deleted)
        client.v1.webhook_endpoints.delete(gone.id)
        # When two invoices are paid (one out of band, one by card)
        factories.invoice_in(client, "paid")
        inv = factories.invoice_in(client, "open")
        client.v1.invoices.pay(inv.id, params={"payment_method": "pm_card_visa"})
        # Then the catch-all endpoint gets every event and the invoice.paid endpoint only those
        expected = all_events(client)
        everything.wait_for(len(expected))
        paid = [e.id for e in expected if e.type == "invoice.paid"]
        assert len(paid) == 2
        assert sorted(e.id for e in paid_only.wait_for(2)) == sorted(paid)
        assert sorted(everything.event_ids()) == sorted(e.id for e in expected)
        # And the disabled and deleted endpoints get nothing, not even an attempt
        count_of_attempts(srv, len(expected) + 2)
        assert disabled.deliveries == [] and deleted.deliveries == []
        assert attempts(srv, endpoint=off.id) == [] and attempts(srv, endpoint=gone.id) == []
        assert len(paid_only.deliveries) == 2


def test_an_endpoint_that_fails_then_recovers_gets_every_event_and_the_failures_are_recorded(
        client: stripe.StripeClient, srv: Server) -> None:
    with Receiver(fail_first=2) as flaky:
        # Given an endpoint whose first two answers are 500
        endpoint = subscribe(client, flaky)
        # When three events happen
        factories.draft(client)
        expected = all_events(client)
        assert len(expected) == 3
        # Then all three are delivered in the end, each verified
        received = flaky.wait_for(3)
        assert sorted(e.id for e in received) == sorted(e.id for e in expected)
        assert flaky.rejected == []
        assert [d.status for d in flaky.deliveries].count(500) == 2

    # And the two failed attempts are recorded beside the three successes
    rows = count_of_attempts(srv, 5)
    failed = [r for r in rows if not r["succeeded"]]
    assert [(r["status_code"], r["endpoint"], r["url"]) for r in failed] == [(500, endpoint.id, flaky.url)] * 2
    for event in expected:
        mine = sorted((r for r in rows if r["event"] == event.id), key=lambda r: r["attempt"])
        assert [r["attempt"] for r in mine] == list(range(1, len(mine) + 1))
        assert [r["succeeded"] for r in mine] == [False] * (len(mine) - 1) + [True]
        assert mine[-1]["status_code"] == 200 and mine[-1]["error"] is None
        assert all(isinstance(r["latency_ms"], int) for r in mine)
        assert sorted(r["id"] for r in attempts(srv, event=event.id)) == sorted(r["id"] for r in mine)
    # And the command line shows the same attempts
    out = arrears("webhooks", "attempts", "--format", "json", "--database", srv.database)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == rows
    table = arrears("webhooks", "attempts", "--database", srv.database, "--endpoint", endpoint.id)
    assert table.returncode == 0 and table.stdout.count(" 500 ") == 2
    assert eventually(lambda: all(client.v1.events.retrieve(e.id).pending_webhooks == 0 for e in expected),
                      what="pending_webhooks reaching 0")


@pytest.mark.slow
def test_retries_follow_the_schedule_and_stop_after_the_last_with_the_delivery_failed(
        database: str, tmp_path: Path) -> None:
    # Given a server that retries after 1 s then 2 s, and an endpoint that always answers 500
    with hooked_server(database, tmp_path, ARREARS_WEBHOOK_SCHEDULE="1,2") as server:
        client = make_client(server.url)
        with Receiver(fail_first=1_000) as down:
            subscribe(client, down)
            # When one event happens
            cus = client.v1.customers.create(params={"email": "retry@example.com"})
            (event,) = all_events(client)
            # Then it is tried three times: once, after 1 s, after 2 s more
            rows = count_of_attempts(server, 3, timeout=20)
            tried = sorted(rows, key=lambda r: r["attempt"])
            assert [r["attempt"] for r in tried] == [1, 2, 3]
            assert [r["status_code"] for r in tried] == [500, 500, 500]
            gaps = [b["created"] - a["created"] for a, b in zip(tried, tried[1:], strict=False)]
            assert 1 <= gaps[0] <= 3 and 2 <= gaps[1] <= 4, gaps
            # And then the delivery is failed: nothing is due any more
            assert delivery_rows(server) == [(event.id, "failed", None)]
            assert len(down.deliveries) == 3
            # And the event still counts the webhook that never got through
            assert client.v1.events.retrieve(event.id).pending_webhooks == 1
            assert data_object(event)["id"] == cus.id


def test_events_committed_before_a_crash_are_delivered_after_restart(
        database: str, tmp_path: Path, hook: Receiver) -> None:
    # Given a server that commits events but does not deliver them yet
    with hooked_server(database, tmp_path, ARREARS_WEBHOOKS="off") as server:
        client = make_client(server.url)
        subscribe(client, hook)
        factories.invoice_in(client, "paid")
        expected = all_events(client)
        assert len(expected) == 5
        assert attempts(server) == [] and hook.deliveries == []
        assert [e.pending_webhooks for e in expected] == [1] * 5
        # When it is killed (no shutdown at all) and started again with delivery on
        server.stop(signal.SIGKILL)
        server.env["ARREARS_WEBHOOKS"] = "on"
        server.start()
        # Then every event committed before the crash reaches the endpoint, once each
        received = hook.wait_for(5)
        assert sorted(e.id for e in received) == sorted(e.id for e in expected)
        assert hook.rejected == []
        eventually(lambda: all(client.v1.events.retrieve(e.id).pending_webhooks == 0 for e in expected),
                   what="pending_webhooks reaching 0")
        assert len(hook.deliveries) == 5


def test_the_standalone_worker_delivers_what_a_server_without_webhooks_committed(
        database: str, tmp_path: Path, hook: Receiver) -> None:
    server = hooked_server(database, tmp_path, ARREARS_WEBHOOKS="off").start()
    worker: subprocess.Popen[bytes] | None = None
    try:
        client = make_client(server.url)
        subscribe(client, hook)
        factories.draft(client)
        expected = all_events(client)

        worker = subprocess.Popen([sys.executable, "-m", "arrears", "webhooks", "worker", "--database",
                                   server.database], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                  env={**os.environ, "ARREARS_WEBHOOK_SCHEDULE": QUICK})
        received = hook.wait_for(len(expected))

        assert sorted(e.id for e in received) == sorted(e.id for e in expected)
        assert hook.rejected == []
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        server.stop()


def test_a_closed_port_and_an_open_port_that_hangs_up_leave_the_same_words_in_the_attempt_log(
        client: stripe.StripeClient, srv: Server) -> None:
    with Hangup() as hangup:
        # Given an endpoint on a port nobody listens on, and one on a port that accepts and hangs up
        closed = client.v1.webhook_endpoints.create(params={"url": f"http://127.0.0.1:{free_port()}/webhook",
                                                            "enabled_events": ["*"]})
        silent = client.v1.webhook_endpoints.create(params={"url": hangup.url, "enabled_events": ["*"]})
        # When an event is delivered to both
        client.v1.customers.create(params={"email": "scan@example.com"})
        first = {e: eventually(lambda e=e: attempts(srv, endpoint=e), what=f"an attempt for {e}")[-1]
                 for e in (closed.id, silent.id)}
        assert hangup.connections >= 1
    # Then the attempt log cannot tell them apart: no exception class, no "refused" or "reset"
    texts = {first[closed.id]["error"], first[silent.id]["error"]}
    assert texts == {"could not deliver: the endpoint gave no HTTP response"}
    assert all(first[e]["status_code"] is None and not first[e]["succeeded"] for e in first)


def test_a_slow_endpoint_delays_only_itself_and_each_attempt_ends_at_the_timeout(
        database: str, tmp_path: Path) -> None:
    # Given a server whose attempts time out after 2 s, an endpoint that answers a byte every 0.5 s, and
    # a fast one
    with hooked_server(database, tmp_path, ARREARS_WEBHOOK_TIMEOUT_SECONDS="2") as server:
        client = make_client(server.url)
        with Receiver(dribble=0.5) as slow, Receiver() as fast:
            slow_endpoint = subscribe(client, slow)
            subscribe(client, fast)
            client.v1.customers.create(params={"email": "first@example.com"})
            eventually(lambda: slow.deliveries, what="the slow endpoint taking its first event")
            fast.wait_for(1)
            # When more events happen while the slow endpoint holds its attempts
            lags = []
            for i in range(4):
                made = time.monotonic()
                client.v1.customers.create(params={"email": f"next{i}@example.com"})
                newest = client.v1.events.list(params={"limit": 1}).data[0]
                fast.wait_for_event(newest.id, timeout=10)
                (arrived,) = [d for d in fast.deliveries if d.event is not None and d.event.id == newest.id]
                lags.append(arrived.at - made)
                time.sleep(0.4)
            # Then the fast endpoint gets each one promptly, well inside the slow one's timeout
            assert max(lags) < 1.5, lags
            # And the slow endpoint's attempt was cut off at the timeout, though bytes kept coming
            tried = eventually(lambda: attempts(server, endpoint=slow_endpoint.id), what="a slow attempt")
            cut = tried[-1]
            assert (cut["status_code"], cut["succeeded"]) == (None, False)
            assert cut["error"] == "timed out: no answer within 2 s"
            assert 1900 <= cut["latency_ms"] < 3500, cut


# --- arrears listen ---------------------------------------------------------------------------------

def test_listen_prints_events_and_forwards_them_signed_with_its_secret(srv: Server, hook: Receiver) -> None:
    # Given `arrears listen` following the server and forwarding to a local endpoint
    listen = subprocess.Popen(
        [sys.executable, "-m", "arrears", "listen", "--forward-to", hook.url, "--api-base", srv.url,
         "--max-events", "3", "--seconds", "20", "--interval", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert listen.stdout is not None
        ready = listen.stdout.readline()
        assert ready.startswith("Ready! Your webhook signing secret is whsec_"), ready
        hook.secret = ready.split("is ", 1)[1].split()[0]
        # When three events happen
        factories.draft(make_client(srv.url))
        out, err = listen.communicate(timeout=25)
    finally:
        if listen.poll() is None:
            listen.kill()
            listen.communicate()
    # Then it stops after three, having printed each and its forwarding
    assert listen.returncode == 0, err
    expected = all_events(make_client(srv.url))
    for event in expected:
        assert f"--> {event.type} [{event.id}]" in out
        assert f"<--  [200] POST {hook.url} [{event.id}]" in out
    # And the endpoint verified every forwarded event with the listen secret
    assert [e.id for e in hook.wait_for(3)] == [e.id for e in expected]
    assert hook.rejected == []
