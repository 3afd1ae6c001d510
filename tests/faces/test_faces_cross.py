"""All faces read and write the same invoices and emit the same events."""

from __future__ import annotations

import httpx
import stripe

from arrears.api.flex import ids
from tests.support.answers import ok
from tests.support.faces import FLEX, STRIPE, YORLET, flex_seed, stripe_open_invoice
from tests.support.server import Server


def _marked_events(client: stripe.StripeClient, invoice_id: str) -> list[stripe.Event]:
    events = client.v1.events.list(params={"type": "invoice.marked_uncollectible", "limit": 100}).data
    return [e for e in events if e.data.object["id"] == invoice_id]


def test_an_invoice_marked_through_flex_is_uncollectible_through_stripe_with_one_event(
        server: Server, client: stripe.StripeClient) -> None:
    # Given an open invoice made through the Flex face
    inv, cus = flex_seed(server.url)
    stripe_id = ids.to_internal("invoice", inv["invoice_id"])
    # When Flex marks it uncollectible
    ok(httpx.post(f"{server.url}/flex/v1/invoices/{inv['invoice_id']}/mark_uncollectible", headers=FLEX))
    # Then Stripe's SDK sees the same invoice uncollectible, for the same customer
    seen = client.v1.invoices.retrieve(stripe_id)
    assert (seen.status, seen.amount_due, seen.customer) == ("uncollectible", 599, ids.to_internal("customer", cus))
    assert seen.status_details.uncollectible.reason == "user_forgiven"
    # And exactly one invoice.marked_uncollectible event was written, carrying that invoice
    events = _marked_events(client, stripe_id)
    assert len(events) == 1
    assert events[0].data.object["status"] == "uncollectible"
    # And Yorlet shows it too, and can still settle it off platform
    yorlet = ok(httpx.get(f"{server.url}/yorlet/v1/invoices/{stripe_id}", headers=YORLET))
    assert yorlet["status"] == "uncollectible" and yorlet["marked_uncollectible_at"] is not None
    paid = ok(httpx.post(f"{server.url}/yorlet/v1/invoices/{stripe_id}/pay", headers=YORLET,
                         json={"paid_off_platform": True}))
    assert paid["status"] == "paid"
    assert ok(httpx.get(f"{server.url}/flex/v1/invoices/{inv['invoice_id']}", headers=FLEX))["invoice"]["status"] \
        == "paid"


def test_an_invoice_made_through_stripe_is_reachable_from_flex_by_either_id(server: Server) -> None:
    inv = stripe_open_invoice(server.url)
    flex_id = ids.to_flex(inv["id"])
    by_flex = ok(httpx.get(f"{server.url}/flex/v1/invoices/{flex_id}", headers=FLEX))["invoice"]
    by_stripe = ok(httpx.get(f"{server.url}/flex/v1/invoices/{inv['id']}", headers=FLEX))["invoice"]
    assert by_flex == by_stripe
    assert by_flex["invoice_id"] == flex_id and by_flex["status"] == "open"
    assert by_flex["customer"] == ids.to_flex(inv["customer"])


def test_marking_twice_through_two_faces_emits_one_event(server: Server, client: stripe.StripeClient) -> None:
    inv = stripe_open_invoice(server.url)
    ok(httpx.post(f"{server.url}/yorlet/v1/invoices/{inv['id']}/mark_uncollectible", headers=YORLET))
    again = httpx.post(f"{server.url}/v1/invoices/{inv['id']}/mark_uncollectible", headers=STRIPE)
    assert again.status_code == 400
    assert len(_marked_events(client, inv["id"])) == 1
