"""Events: which operation emits which (stripe-invoices.md §5.2), their shape (§5.3), and /v1/events.

Each test finds the events its operation caused by following ids: it notes the newest event before
acting and reads every newer one afterwards (``ending_before``), oldest first."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.factories import new_customer
from tests.support.conformance import check
from tests.support.server import KEY, Server


def newest_event_id(client: stripe.StripeClient) -> str | None:
    data = client.v1.events.list(params={"limit": 1}).data
    return data[0].id if data else None


def events_since(client: stripe.StripeClient, mark: str | None) -> list[stripe.Event]:
    """Every event newer than ``mark``, oldest first, by walking ``ending_before`` pages."""
    found: list[stripe.Event] = []
    cursor = mark
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["ending_before"] = cursor
        page = client.v1.events.list(params=params)
        if not page.data:
            return found
        found += list(reversed(page.data))
        cursor = page.data[0].id
        if not page.has_more or not mark:
            return found


def emitted(client: stripe.StripeClient, action: Callable[[], Any]) -> list[stripe.Event]:
    """The events ``action`` caused, in the order they were emitted."""
    mark = newest_event_id(client)
    action()
    return events_since(client, mark)


def types(events: list[stripe.Event]) -> list[str]:
    return [e.type for e in events]


def data(event: stripe.Event) -> dict[str, Any]:
    return event.to_dict()["data"]  # type: ignore[no-any-return]


# --- which operation emits which events (§5.2) -----------------------------------------------------

def test_creating_an_invoice_emits_invoice_created(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    created: list[stripe.Invoice] = []

    events = emitted(client, lambda: created.append(client.v1.invoices.create(params={"customer": cus.id})))

    assert types(events) == ["invoice.created"]
    assert data(events[0])["object"]["id"] == created[0].id
    assert data(events[0])["object"]["status"] == "draft"
    assert "previous_attributes" not in data(events[0])


def test_updating_a_draft_emits_invoice_updated_with_the_old_values(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, description="before")

    events = emitted(client, lambda: client.v1.invoices.update(inv.id, params={
        "description": "after", "footer": "Thanks"}))

    assert types(events) == ["invoice.updated"]
    assert data(events[0])["previous_attributes"] == {"description": "before", "footer": None}
    assert data(events[0])["object"]["description"] == "after"
    assert data(events[0])["object"]["footer"] == "Thanks"


def test_finalizing_emits_invoice_finalized(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1500)

    events = emitted(client, lambda: client.v1.invoices.finalize_invoice(inv.id))

    assert types(events) == ["invoice.finalized"]
    assert data(events[0])["object"]["status"] == "open"
    assert data(events[0])["object"]["number"] is not None


def test_finalizing_an_invoice_with_nothing_due_emits_finalized_then_paid(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=0)

    events = emitted(client, lambda: client.v1.invoices.finalize_invoice(inv.id))

    assert types(events) == ["invoice.finalized", "invoice.paid"]
    assert [data(e)["object"]["status"] for e in events] == ["open", "paid"]


def test_paying_out_of_band_emits_invoice_paid_only(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")

    events = emitted(client, lambda: client.v1.invoices.pay(inv.id, params={"paid_out_of_band": True}))

    assert types(events) == ["invoice.paid"]
    assert data(events[0])["object"]["status"] == "paid"


def test_paying_with_a_card_emits_paid_then_payment_succeeded(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")

    events = emitted(client, lambda: client.v1.invoices.pay(inv.id, params={"payment_method": "pm_card_visa"}))

    assert types(events) == ["invoice.paid", "invoice.payment_succeeded"]
    assert all(data(e)["object"]["status"] == "paid" for e in events)
    assert data(events[1])["object"]["attempted"] is True


def test_paying_a_draft_with_a_card_finalizes_it_first(client: stripe.StripeClient) -> None:
    inv = factories.draft(client)

    events = emitted(client, lambda: client.v1.invoices.pay(inv.id, params={"payment_method": "pm_card_visa"}))

    assert types(events) == ["invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]


def test_sending_emits_invoice_sent(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open", collection_method="send_invoice", days_until_due=7)

    events = emitted(client, lambda: client.v1.invoices.send_invoice(inv.id))

    assert types(events) == ["invoice.sent"]
    assert data(events[0])["object"]["id"] == inv.id


def test_voiding_emits_invoice_voided(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")

    events = emitted(client, lambda: client.v1.invoices.void_invoice(inv.id))

    assert types(events) == ["invoice.voided"]
    assert data(events[0])["object"]["status"] == "void"


def test_marking_uncollectible_emits_invoice_marked_uncollectible(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")

    events = emitted(client, lambda: client.v1.invoices.mark_uncollectible(inv.id))

    assert types(events) == ["invoice.marked_uncollectible"]
    obj = data(events[0])["object"]
    assert obj["id"] == inv.id
    assert obj["status"] == "uncollectible"
    assert obj["status_transitions"]["marked_uncollectible_at"] is not None


def test_deleting_a_draft_emits_invoice_deleted(client: stripe.StripeClient) -> None:
    inv = factories.draft(client)

    events = emitted(client, lambda: client.v1.invoices.delete(inv.id))

    assert types(events) == ["invoice.deleted"]
    assert data(events[0])["object"]["id"] == inv.id


def test_invoice_items_emit_created_and_deleted(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    items: list[stripe.InvoiceItem] = []

    created = emitted(client, lambda: items.append(client.v1.invoice_items.create(params={
        "customer": cus.id, "amount": 700, "currency": "usd"})))
    deleted = emitted(client, lambda: client.v1.invoice_items.delete(items[0].id))

    assert types(created) == ["invoiceitem.created"]
    assert data(created[0])["object"]["id"] == items[0].id
    assert data(created[0])["object"]["amount"] == 700
    assert types(deleted) == ["invoiceitem.deleted"]
    assert data(deleted[0])["object"]["id"] == items[0].id


def test_customers_emit_created_updated_and_deleted(client: stripe.StripeClient) -> None:
    made: list[stripe.Customer] = []

    created = emitted(client, lambda: made.append(new_customer(client, name="Old")))
    cus = made[0]
    updated = emitted(client, lambda: client.v1.customers.update(cus.id, params={"name": "New", "phone": "+1555"}))
    deleted = emitted(client, lambda: client.v1.customers.delete(cus.id))

    assert types(created) == ["customer.created"]
    assert data(created[0])["object"]["id"] == cus.id
    assert types(updated) == ["customer.updated"]
    assert data(updated[0])["previous_attributes"] == {"name": "Old", "phone": None}
    assert data(updated[0])["object"]["name"] == "New"
    assert types(deleted) == ["customer.deleted"]
    assert data(deleted[0])["object"]["id"] == cus.id


def test_a_refused_transition_emits_nothing(client: stripe.StripeClient) -> None:
    inv = factories.draft(client)

    def refused() -> None:
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.invoices.void_invoice(inv.id)

    assert emitted(client, refused) == []


def test_event_data_is_the_object_as_it_was_when_the_event_happened(client: stripe.StripeClient) -> None:
    # Given an invoice that was created, then finalized and paid
    events = emitted(client, lambda: factories.invoice_in(client, "paid"))
    # When its invoice.created event is read again afterwards
    created = next(e for e in events if e.type == "invoice.created")
    again = client.v1.events.retrieve(created.id)
    # Then it still shows the draft it described
    assert data(again)["object"]["status"] == "draft"
    assert data(again)["object"]["number"] is None
    assert [e.type for e in events if e.type.startswith("invoice.")] == [
        "invoice.created", "invoice.finalized", "invoice.paid"]


# --- the event object (§5.3) -----------------------------------------------------------------------

def test_an_event_names_the_request_and_idempotency_key_that_caused_it(client: stripe.StripeClient) -> None:
    key = f"evt-shape-{uuid.uuid4()}"
    made: list[stripe.Customer] = []

    events = emitted(client, lambda: made.append(client.v1.customers.create(
        params={"email": "shape@example.com"}, options={"idempotency_key": key})))

    response = made[0].last_response
    assert response is not None
    (event,) = events
    assert event.id.startswith("evt_") and event.object == "event"
    assert event.type == "customer.created"
    assert event.request is not None
    assert event.request.id == response.request_id
    assert event.request.id == response.headers["Request-Id"]
    assert event.request.idempotency_key == key
    assert event.api_version == response.headers["Stripe-Version"]
    assert event.livemode is False
    assert event.pending_webhooks == 0  # the shared server has no webhook endpoints
    assert isinstance(event.created, int) and event.created >= made[0].created
    assert data(event)["object"] == client.v1.customers.retrieve(made[0].id).to_dict()


def test_events_conform_to_the_sdk_event_class(client: stripe.StripeClient) -> None:
    events = emitted(client, lambda: factories.invoice_in(client, "uncollectible"))
    updated = emitted(client, lambda: client.v1.customers.update(
        data(events[0])["object"]["id"], params={"name": "Conformant"}))

    for event in events + updated:
        got = client.v1.events.retrieve(event.id)
        assert got.last_response is not None
        body: dict[str, Any] = got.last_response.data  # type: ignore[assignment]
        assert check(body, stripe.Event) == [], event.type
        assert check(body["data"]["object"], type(got.data.object)) == [], event.type


def test_retrieving_an_event_returns_it_and_an_unknown_id_is_404(client: stripe.StripeClient) -> None:
    (event,) = emitted(client, lambda: new_customer(client))

    got = client.v1.events.retrieve(event.id)

    assert got.to_dict() == event.to_dict()
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.events.retrieve("evt_doesnotexist")
    assert info.value.http_status == 404
    assert info.value.code == "resource_missing"
    assert "evt_doesnotexist" in str(info.value.user_message)


# --- GET /v1/events --------------------------------------------------------------------------------

@pytest.fixture()
def story(client: stripe.StripeClient) -> list[stripe.Event]:
    """A customer, a pending item, an invoice taking it in, finalized and paid out of band."""
    return emitted(client, lambda: factories.invoice_in(client, "paid"))


def test_story_emits_the_expected_sequence(story: list[stripe.Event]) -> None:
    assert types(story) == ["customer.created", "invoiceitem.created", "invoice.created", "invoice.finalized",
                            "invoice.paid"]


def test_events_are_filtered_by_exact_type(client: stripe.StripeClient, story: list[stripe.Event]) -> None:
    listed = client.v1.events.list(params={"type": "invoice.finalized", "limit": 100}).data

    assert {e.type for e in listed} == {"invoice.finalized"}
    assert listed[0].id == story[3].id  # newest first, and the story is the newest


def test_type_wildcard_matches_a_group_and_nothing_else(client: stripe.StripeClient,
                                                        story: list[stripe.Event]) -> None:
    listed = client.v1.events.list(params={"type": "invoice.*", "ending_before": story[0].id, "limit": 100}).data

    assert [e.id for e in reversed(listed)] == [e.id for e in story if e.type.startswith("invoice.")]
    assert all(e.type.startswith("invoice.") for e in listed)  # not invoiceitem.*, not customer.*


def test_types_filters_by_any_of_several(client: stripe.StripeClient, story: list[stripe.Event]) -> None:
    listed = client.v1.events.list(params={
        "types": ["customer.created", "invoice.paid"], "ending_before": story[0].id, "limit": 100}).data

    assert [e.type for e in reversed(listed)] == ["invoice.paid"]
    both = client.v1.events.list(params={"types": ["customer.created", "invoice.paid"], "limit": 2}).data
    assert [e.id for e in both] == [story[4].id, story[0].id]


def test_types_in_bracket_form_on_the_wire(server: Server, story: list[stripe.Event]) -> None:
    query = "types[]=invoice.created&types[]=invoice.finalized&limit=100&ending_before=" + story[0].id
    response = httpx.get(f"{server.url}/v1/events?{query}", headers={"Authorization": f"Bearer {KEY}"})

    assert response.status_code == 200, response.text
    assert [e["id"] for e in reversed(response.json()["data"])] == [story[2].id, story[3].id]


def test_type_and_types_together_are_refused(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.events.list(params={"type": "invoice.paid", "types": ["invoice.created"]})

    assert info.value.http_status == 400
    assert info.value.param == "types"


def test_events_are_filtered_by_created(client: stripe.StripeClient, story: list[stripe.Event]) -> None:
    when = story[-1].created

    since = client.v1.events.list(params={"created": {"gte": when}, "limit": 100}).data
    before = client.v1.events.list(params={"created": {"lt": when}, "limit": 100}).data
    exactly = client.v1.events.list(params={"created": when, "limit": 100}).data

    assert story[-1].id in [e.id for e in since]
    assert all(e.created >= when for e in since)
    assert all(e.created < when for e in before)
    assert story[-1].id not in [e.id for e in before]
    assert story[-1].id in [e.id for e in exactly] and all(e.created == when for e in exactly)


def test_events_page_newest_first(client: stripe.StripeClient) -> None:
    story = emitted(client, lambda: [new_customer(client) for _ in range(5)])
    ids = [e.id for e in story]  # oldest first

    first = client.v1.events.list(params={"limit": 2})
    second = client.v1.events.list(params={"limit": 2, "starting_after": first.data[-1].id})
    back = client.v1.events.list(params={"limit": 2, "ending_before": second.data[0].id})

    assert [e.id for e in first.data] == [ids[4], ids[3]] and first.has_more
    assert [e.id for e in second.data] == [ids[2], ids[1]] and second.has_more
    assert [e.id for e in back.data] == [ids[4], ids[3]]
    walked = [e.id for e in client.v1.events.list(params={"limit": 2, "ending_before": ids[0],
                                                            "type": "customer.created"}).data]
    assert walked == [ids[2], ids[1]]
    tail = client.v1.events.list(params={"limit": 3, "ending_before": ids[1]})
    assert [e.id for e in tail.data] == [ids[4], ids[3], ids[2]] and not tail.has_more


def test_auto_paging_follows_every_page(client: stripe.StripeClient) -> None:
    story = emitted(client, lambda: [new_customer(client) for _ in range(3)])

    seen = []
    for event in client.v1.events.list(params={"limit": 1}).auto_paging_iter():
        seen.append(event.id)
        if len(seen) == 3:
            break

    assert seen == [e.id for e in reversed(story)]


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"starting_after": "evt_a",
                                                                        "ending_before": "evt_b"}])
def test_bad_list_parameters_are_refused(server: Server, params: dict[str, str]) -> None:
    response = httpx.get(server.url + "/v1/events", params=params, headers={"Authorization": f"Bearer {KEY}"})

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
