"""Idempotency-Key (stripe-invoices.md §6.7): the first result of a POST is saved under its key and
replayed for retries with the same parameters, failures included; other parameters under the same key
are an idempotency_error; a request that fails validation is not saved; GET ignores keys."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.conftest import OwnServer, make_client
from tests.support.server import KEY, Server

AUTH = {"Authorization": f"Bearer {KEY}"}


def new_key() -> str:
    return f"idem-{uuid.uuid4()}"


def unique_email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.com"


def with_key(key: str) -> dict[str, Any]:
    return {"idempotency_key": key}


def customers_with(client: stripe.StripeClient, email: str) -> list[stripe.Customer]:
    return list(client.v1.customers.list(params={"email": email, "limit": 100}).data)


def events_about(client: stripe.StripeClient, obj_id: str, event_type: str) -> list[stripe.Event]:
    listed = client.v1.events.list(params={"type": event_type, "limit": 100}).data
    return [e for e in listed if e.to_dict()["data"]["object"]["id"] == obj_id]


def raw_error(exc: stripe.StripeError) -> tuple[int | None, Any, Mapping[str, str]]:
    """Status, body and (case-insensitive) headers of an error answer."""
    return exc.http_status, exc.json_body, exc.headers or {}


# --- replay -----------------------------------------------------------------------------------------

def test_a_retry_with_the_same_key_and_params_replays_the_first_answer(client: stripe.StripeClient) -> None:
    # Given a customer created under a key
    key, email = new_key(), unique_email()
    first = client.v1.customers.create(params={"email": email, "name": "Once"}, options=with_key(key))
    # When the same request is sent again with the same key
    again = client.v1.customers.create(params={"email": email, "name": "Once"}, options=with_key(key))
    # Then the same body comes back, marked as a replay of the first request
    assert first.last_response is not None and again.last_response is not None
    assert again.last_response.data == first.last_response.data
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.last_response.headers["Original-Request"] == first.last_response.request_id
    assert "Idempotent-Replayed" not in first.last_response.headers
    # And nothing was done twice: one customer, one customer.created event, naming the key
    assert [c.id for c in customers_with(client, email)] == [first.id]
    (event,) = events_about(client, first.id, "customer.created")
    assert event.request is not None
    assert event.request.idempotency_key == key
    assert event.request.id == first.last_response.request_id


def test_a_replayed_transition_does_not_run_again(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")
    key = new_key()

    paid = client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True}, options=with_key(key))
    replay = client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True}, options=with_key(key))

    assert replay.last_response is not None and paid.last_response is not None
    assert replay.last_response.headers["Idempotent-Replayed"] == "true"
    assert replay.to_dict() == paid.to_dict()
    assert len(events_about(client, inv.id, "invoice.paid")) == 1
    # Without the key, paying a paid invoice is refused: the replay above did not reach the rules
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})


def test_the_same_key_with_other_params_is_an_idempotency_error(client: stripe.StripeClient) -> None:
    key, email = new_key(), unique_email()
    client.v1.customers.create(params={"email": email}, options=with_key(key))

    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.customers.create(params={"email": email, "name": "Changed"}, options=with_key(key))

    assert info.value.http_status == 400
    assert info.value.error is not None and info.value.error.type == "idempotency_error"
    assert key in str(info.value.user_message)
    assert len(customers_with(client, email)) == 1


def test_the_same_key_on_another_endpoint_is_an_idempotency_error(client: stripe.StripeClient) -> None:
    key = new_key()
    cus = client.v1.customers.create(params={"email": unique_email()}, options=with_key(key))

    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.update(cus.id, params={"email": unique_email()}, options=with_key(key))

    assert client.v1.customers.retrieve(cus.id).email == cus.email


def test_concurrent_requests_with_one_key_create_one_object(client: stripe.StripeClient, server: Server) -> None:
    # Given ten clients that send the same create with the same key at the same moment
    key, email, n = new_key(), unique_email(), 10
    start = threading.Barrier(n)
    answers: list[tuple[int, bytes, str | None]] = []
    lock = threading.Lock()

    def post() -> None:
        with httpx.Client(timeout=15) as http:
            start.wait(timeout=10)
            r = http.post(server.url + "/v1/customers", data={"email": email, "name": "Racer"},
                          headers={**AUTH, "Idempotency-Key": key})
        with lock:
            answers.append((r.status_code, r.content, r.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=post) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    # Then every answer is the same 200 body, all but one of them replays
    assert len(answers) == n
    assert {status for status, _, _ in answers} == {200}
    assert len({body for _, body, _ in answers}) == 1
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * (n - 1)
    # And exactly one customer and one customer.created event exist
    (cus,) = customers_with(client, email)
    assert len(events_about(client, cus.id, "customer.created")) == 1


@pytest.fixture()
def two_workers(database: str, own_server: OwnServer) -> Server:
    return own_server(database, workers=2)


def test_concurrent_requests_with_one_key_create_one_object_across_worker_processes(two_workers: Server) -> None:
    key, email, n = new_key(), unique_email(), 12
    start = threading.Barrier(n)
    bodies: list[bytes] = []
    lock = threading.Lock()

    def post() -> None:
        with httpx.Client(timeout=15) as http:
            start.wait(timeout=10)
            r = http.post(two_workers.url + "/v1/invoiceitems",
                          data={"customer": cus.id, "amount": "250", "currency": "usd"},
                          headers={**AUTH, "Idempotency-Key": key})
        with lock:
            bodies.append(r.content if r.status_code == 200 else b"%d" % r.status_code)

    client = make_client(two_workers.url)
    cus = client.v1.customers.create(params={"email": email})
    threads = [threading.Thread(target=post) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(bodies) == n and len(set(bodies)) == 1 and bodies[0].startswith(b"{")
    assert len(client.v1.invoice_items.list(params={"customer": cus.id}).data) == 1
    assert len(client.v1.events.list(params={"type": "invoiceitem.created"}).data) == 1


# --- failures ---------------------------------------------------------------------------------------

def test_a_failed_request_is_saved_and_replayed_with_the_same_error(client: stripe.StripeClient) -> None:
    # Given a draft that cannot be marked uncollectible: the attempt under a key fails
    inv = factories.draft(client)
    key = new_key()
    with pytest.raises(stripe.InvalidRequestError) as first:
        client.v1.invoices.mark_uncollectible(inv.id, options=with_key(key))
    assert first.value.http_status == 400
    # When the invoice is finalized (now it could be marked) and the request is retried with the key
    client.v1.invoices.finalize_invoice(inv.id)
    with pytest.raises(stripe.InvalidRequestError) as retry:
        client.v1.invoices.mark_uncollectible(inv.id, options=with_key(key))
    # Then the saved error comes back, and the invoice is left as it was
    status, body, headers = raw_error(retry.value)
    assert (status, body) == (first.value.http_status, first.value.json_body)
    assert headers["Idempotent-Replayed"] == "true"
    assert headers["Original-Request"] == first.value.request_id
    assert client.v1.invoices.retrieve(inv.id).status == "open"
    assert events_about(client, inv.id, "invoice.marked_uncollectible") == []


def test_a_not_found_failure_is_replayed_too(client: stripe.StripeClient) -> None:
    key = new_key()
    with pytest.raises(stripe.InvalidRequestError) as first:
        client.v1.invoices.void_invoice("in_doesnotexist", options=with_key(key))
    with pytest.raises(stripe.InvalidRequestError) as retry:
        client.v1.invoices.void_invoice("in_doesnotexist", options=with_key(key))

    assert first.value.http_status == 404
    assert raw_error(retry.value)[:2] == (404, first.value.json_body)
    assert raw_error(retry.value)[2]["Idempotent-Replayed"] == "true"


def test_a_request_that_fails_validation_is_not_saved(client: stripe.StripeClient) -> None:
    # Given a create under a key that is refused for an unknown parameter
    key, email = new_key(), unique_email()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.create(params={"email": email, "nickname": "Jen"}, options=with_key(key))
    assert refused.value.http_status == 400
    assert refused.value.code == "parameter_unknown"
    # When it is retried with the same key and corrected parameters
    cus = client.v1.customers.create(params={"email": email}, options=with_key(key))
    # Then it runs: a fresh answer, not a replay, and the customer exists
    assert cus.last_response is not None
    assert "Idempotent-Replayed" not in cus.last_response.headers
    assert [c.id for c in customers_with(client, email)] == [cus.id]


def test_an_overlong_key_is_refused_and_not_saved(server: Server) -> None:
    email = unique_email()
    r = httpx.post(server.url + "/v1/customers", data={"email": email},
                   headers={**AUTH, "Idempotency-Key": "k" * 256})

    assert r.status_code == 400
    assert r.json()["error"]["type"] == "invalid_request_error"
    ok = httpx.post(server.url + "/v1/customers", data={"email": email},
                    headers={**AUTH, "Idempotency-Key": "k" * 255})
    assert ok.status_code == 200


# --- GET ignores keys -------------------------------------------------------------------------------

def test_keys_on_get_requests_are_ignored(client: stripe.StripeClient, server: Server) -> None:
    # Given a key already used for a POST, and a customer that then changes
    key = new_key()
    cus = client.v1.customers.create(params={"email": unique_email(), "name": "Before"}, options=with_key(key))
    client.v1.customers.update(cus.id, params={"name": "After"})
    # When GETs carry that key (and a fresh one, twice)
    fresh = new_key()
    got = httpx.get(f"{server.url}/v1/customers/{cus.id}", headers={**AUTH, "Idempotency-Key": key})
    listed = httpx.get(f"{server.url}/v1/customers", params={"email": cus.email},
                       headers={**AUTH, "Idempotency-Key": fresh})
    client.v1.customers.update(cus.id, params={"name": "Later"})
    again = httpx.get(f"{server.url}/v1/customers/{cus.id}", headers={**AUTH, "Idempotency-Key": fresh})
    # Then each is answered afresh, never replayed
    assert got.status_code == 200 and got.json()["name"] == "After"
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["data"]] == [cus.id]
    assert again.status_code == 200 and again.json()["name"] == "Later"
    assert all("idempotent-replayed" not in r.headers for r in (got, listed, again))
    # And a key first seen on a GET is still free for a POST
    created = client.v1.customers.create(params={"email": unique_email()}, options=with_key(fresh))
    assert created.last_response is not None and "Idempotent-Replayed" not in created.last_response.headers
