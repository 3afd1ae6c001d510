"""An invoice's lines: listing them, and add_lines / remove_lines / update_lines / the single-line update
on drafts (stripe-invoices.md §1.2, §4.4, §6.3). Every edit recomputes the totals; non-drafts refuse."""

from __future__ import annotations

from typing import Any

import pytest
import stripe

from tests import factories
from tests.factories import new_customer
from tests.support.answers import refused


def empty_draft(client: stripe.StripeClient, **params: Any) -> stripe.Invoice:
    return factories.draft(client, cus=new_customer(client, **params), amount=0)


def item_of(line: Any) -> str:
    return str(line.parent.invoice_item_details.invoice_item)


def amounts(inv: stripe.Invoice) -> list[int]:
    return [line.amount for line in inv.lines.data]


def totals(inv: stripe.Invoice) -> tuple[int, int, int, int]:
    return inv.subtotal, inv.total, inv.amount_due, inv.amount_remaining


# --- listing --------------------------------------------------------------------------------------

def test_embedded_lines_show_ten_and_say_there_are_more(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 100 + i} for i in range(12)]})

    assert len(inv.lines.data) == 10 and inv.lines.has_more is True
    assert inv.lines.url == f"/v1/invoices/{inv.id}/lines"
    assert inv.total == sum(100 + i for i in range(12))  # the total counts every line, shown or not


def test_lines_list_pages_through_every_line_in_order(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 100 + i} for i in range(12)]})

    first = client.v1.invoices.line_items.list(inv.id, params={"limit": 5})
    everything = list(client.v1.invoices.line_items.list(inv.id, params={"limit": 5}).auto_paging_iter())

    assert first.object == "list" and first.url == f"/v1/invoices/{inv.id}/lines"
    assert len(first.data) == 5 and first.has_more is True
    assert [line.amount for line in everything] == [100 + i for i in range(12)]
    assert len({line.id for line in everything}) == 12
    assert [line.id for line in everything[:10]] == [line.id for line in inv.lines.data]
    assert all(line.object == "line_item" and line.invoice == inv.id for line in everything)


def test_lines_list_cursors_and_has_more_at_the_edges(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 100 + i} for i in range(6)]})
    ids = [line.id for line in client.v1.invoices.line_items.list(inv.id, params={"limit": 100}).data]

    after = client.v1.invoices.line_items.list(inv.id, params={"limit": 3, "starting_after": ids[2]})
    before = client.v1.invoices.line_items.list(inv.id, params={"limit": 2, "ending_before": ids[5]})
    before_first = client.v1.invoices.line_items.list(inv.id, params={"ending_before": ids[0]})

    assert ([ln.id for ln in after.data], after.has_more) == (ids[3:], False)
    assert ([ln.id for ln in before.data], before.has_more) == (ids[3:5], True)
    assert (before_first.data, before_first.has_more) == ([], False)


def test_lines_of_an_unknown_invoice_are_not_found(client: stripe.StripeClient) -> None:
    refused(lambda: client.v1.invoices.line_items.list("in_nope"), 404)


# --- add_lines ------------------------------------------------------------------------------------

def test_add_lines_creates_items_on_the_draft_and_recomputes_totals(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)

    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [
        {"amount": 250, "description": "setup"},
        {"amount": -50, "description": "welcome credit"},
    ]})

    assert amounts(inv) == [1000, 250, -50]
    assert [line.description for line in inv.lines.data[1:]] == ["setup", "welcome credit"]
    assert totals(inv) == (1200, 1200, 1200, 1200)
    for line in inv.lines.data[1:]:
        assert client.v1.invoice_items.retrieve(item_of(line)).invoice == inv.id


def test_add_lines_takes_in_an_existing_pending_item(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    inv = factories.draft(client, cus=cus, amount=0)
    pending = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 800, "currency": "usd"})

    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"invoice_item": pending.id}]})

    assert [item_of(line) for line in inv.lines.data] == [pending.id]
    assert totals(inv) == (800, 800, 800, 800)
    assert client.v1.invoice_items.retrieve(pending.id).invoice == inv.id
    assert client.v1.invoice_items.list(params={"customer": cus.id, "pending": True}).data == []


def test_add_lines_refuses_an_item_already_on_an_invoice_or_of_another_customer(
    client: stripe.StripeClient,
) -> None:
    cus, other = new_customer(client), new_customer(client)
    taken = factories.draft(client, cus=cus, amount=500)
    inv = factories.draft(client, cus=cus, amount=0)
    theirs = client.v1.invoice_items.create(params={"customer": other.id, "amount": 800, "currency": "usd"})

    err = refused(lambda: client.v1.invoices.add_lines(
        inv.id, params={"lines": [{"invoice_item": item_of(taken.lines.data[0])}]}))
    assert err.param == "lines[0][invoice_item]"
    refused(lambda: client.v1.invoices.add_lines(inv.id, params={"lines": [{"invoice_item": theirs.id}]}))

    assert client.v1.invoices.retrieve(inv.id).total == 0
    assert client.v1.invoice_items.retrieve(theirs.id).invoice is None


def test_add_lines_failing_midway_changes_nothing(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)

    refused(lambda: client.v1.invoices.add_lines(inv.id, params={"lines": [
        {"amount": 250}, {"invoice_item": "ii_nope"}]}), 404)

    after = client.v1.invoices.retrieve(inv.id)
    assert (after.lines.data, after.total) == ([], 0)
    assert client.v1.invoice_items.list(params={"customer": inv.customer}).data == []


def test_add_lines_totals_use_the_customers_balance(client: stripe.StripeClient) -> None:
    inv = empty_draft(client, balance=-300)

    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 1000}]})

    assert inv.starting_balance == -300
    assert totals(inv) == (1000, 1000, 700, 700)


# --- remove_lines ---------------------------------------------------------------------------------

def test_remove_lines_delete_removes_the_item_for_good(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 250}]})
    line = inv.lines.data[1]

    inv = client.v1.invoices.remove_lines(inv.id, params={"lines": [{"id": line.id, "behavior": "delete"}]})

    assert amounts(inv) == [1000] and totals(inv) == (1000, 1000, 1000, 1000)
    refused(lambda: client.v1.invoice_items.retrieve(item_of(line)), 404)


def test_remove_lines_unassign_makes_the_item_pending_again(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 250}]})
    line = inv.lines.data[1]

    inv = client.v1.invoices.remove_lines(inv.id, params={"lines": [{"id": line.id, "behavior": "unassign"}]})

    assert amounts(inv) == [1000] and totals(inv) == (1000, 1000, 1000, 1000)
    item = client.v1.invoice_items.retrieve(item_of(line))
    assert (item.invoice, item.amount) == (None, 250)
    pending = client.v1.invoice_items.list(params={"customer": inv.customer, "pending": True}).data
    assert [i.id for i in pending] == [item.id]
    again = client.v1.invoices.add_lines(inv.id, params={"lines": [{"invoice_item": item.id}]})
    assert amounts(again) == [1000, 250]


def test_remove_lines_several_at_once(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": a} for a in (100, 200, 300)]})
    first, _, third = inv.lines.data

    inv = client.v1.invoices.remove_lines(inv.id, params={"lines": [
        {"id": first.id, "behavior": "delete"}, {"id": third.id, "behavior": "unassign"}]})

    assert amounts(inv) == [200] and inv.total == 200


def test_remove_lines_with_an_unknown_line_is_refused(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)

    err = refused(lambda: client.v1.invoices.remove_lines(
        inv.id, params={"lines": [{"id": "il_nope", "behavior": "delete"}]}))

    assert err.param == "lines[0][id]"
    assert client.v1.invoices.retrieve(inv.id).total == 1000


# --- update_lines and the single-line update ------------------------------------------------------

def test_update_lines_changes_lines_and_their_items(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    inv = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 100}, {"amount": 200}]})
    first, second = inv.lines.data

    inv = client.v1.invoices.update_lines(inv.id, params={"lines": [
        {"id": first.id, "amount": 700, "description": "more"},
        {"id": second.id, "metadata": {"k": "v"}},
    ]})

    assert amounts(inv) == [700, 200]
    assert inv.lines.data[0].description == "more"
    assert inv.lines.data[1].metadata.to_dict() == {"k": "v"}
    assert totals(inv) == (900, 900, 900, 900)
    assert client.v1.invoice_items.retrieve(item_of(first)).amount == 700


def test_update_lines_quantity_reprices_at_the_items_unit_price(client: stripe.StripeClient) -> None:
    inv = empty_draft(client)
    client.v1.invoice_items.create(params={
        "customer": inv.customer, "currency": "usd", "unit_amount_decimal": "100", "quantity": 1, "invoice": inv.id})
    inv = client.v1.invoices.retrieve(inv.id)

    inv = client.v1.invoices.update_lines(inv.id, params={"lines": [{"id": inv.lines.data[0].id, "quantity": 4}]})

    assert (inv.lines.data[0].amount, inv.lines.data[0].quantity, inv.total) == (400, 4, 400)


def test_single_line_update_returns_the_line_and_recomputes_totals(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)
    line = inv.lines.data[0]

    updated = client.v1.invoices.line_items.update(
        inv.id, line.id, params={"amount": 300, "description": "discounted", "metadata": {"why": "promo"}})

    assert (updated.object, updated.id, updated.invoice) == ("line_item", line.id, inv.id)
    assert (updated.amount, updated.description) == (300, "discounted")
    assert updated.metadata.to_dict() == {"why": "promo"}
    after = client.v1.invoices.retrieve(inv.id)
    assert totals(after) == (300, 300, 300, 300)
    assert client.v1.invoice_items.retrieve(item_of(line)).amount == 300


def test_single_line_update_of_an_unknown_line_is_refused(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000)
    refused(lambda: client.v1.invoices.line_items.update(inv.id, "il_nope", params={"amount": 1}))


# --- invoice_metadata -----------------------------------------------------------------------------

def test_invoice_metadata_is_merged_by_each_line_command(client: stripe.StripeClient) -> None:
    inv = factories.draft(client, amount=1000, metadata={"keep": "1", "drop": "2"})

    inv = client.v1.invoices.add_lines(inv.id, params={
        "lines": [{"amount": 5}], "invoice_metadata": {"added": "yes", "drop": ""}})
    assert inv.metadata.to_dict() == {"keep": "1", "added": "yes"}

    inv = client.v1.invoices.update_lines(inv.id, params={
        "lines": [{"id": inv.lines.data[1].id, "amount": 6}], "invoice_metadata": {"updated": "yes"}})
    assert inv.metadata.to_dict() == {"keep": "1", "added": "yes", "updated": "yes"}

    inv = client.v1.invoices.remove_lines(inv.id, params={
        "lines": [{"id": inv.lines.data[1].id, "behavior": "delete"}], "invoice_metadata": ""})
    assert inv.metadata.to_dict() == {}
    assert client.v1.invoices.retrieve(inv.id).metadata.to_dict() == {}


# --- non-drafts refuse every line edit ------------------------------------------------------------

@pytest.mark.parametrize("status", ["open", "paid", "void", "uncollectible"])
def test_line_edits_are_refused_once_the_invoice_is_finalized(client: stripe.StripeClient, status: str) -> None:
    cus = new_customer(client)
    inv = factories.invoice_in(client, status, cus=cus, amount=1000)
    line = inv.lines.data[0]
    pending = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 50, "currency": "usd"})

    attempts = [
        lambda: client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 5}]}),
        lambda: client.v1.invoices.add_lines(inv.id, params={"lines": [{"invoice_item": pending.id}]}),
        lambda: client.v1.invoices.remove_lines(inv.id, params={"lines": [{"id": line.id, "behavior": "delete"}]}),
        lambda: client.v1.invoices.remove_lines(inv.id, params={"lines": [{"id": line.id, "behavior": "unassign"}]}),
        lambda: client.v1.invoices.update_lines(inv.id, params={"lines": [{"id": line.id, "amount": 5}]}),
        lambda: client.v1.invoices.line_items.update(inv.id, line.id, params={"amount": 5}),
    ]
    for attempt in attempts:
        assert refused(attempt).code == "invoice_not_editable"

    after = client.v1.invoices.retrieve(inv.id)
    assert (after.status, amounts(after), after.total, after.amount_due) == (status, [1000], 1000, inv.amount_due)
    assert client.v1.invoice_items.retrieve(item_of(line)).invoice == inv.id
    assert client.v1.invoice_items.retrieve(pending.id).invoice is None
