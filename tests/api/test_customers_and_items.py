"""Customers, their balance transactions, and invoice items (stripe-invoices.md §1.3, §4.2, §4.3)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import stripe

from tests import factories
from tests.conftest import make_client
from tests.factories import new_customer
from tests.support.accounts import KeySpec, provision
from tests.support.answers import refused
from tests.support.server import Server


def prefix() -> str:
    return "C" + uuid.uuid4().hex[:8].upper()


def balance_history(client: stripe.StripeClient, cus_id: str) -> list[tuple[str, int, int]]:
    """(type, amount, ending_balance) of every balance transaction, oldest first."""
    txns = client.v1.customers.balance_transactions.list(cus_id, params={"limit": 100}).data
    return [(t.type, t.amount, t.ending_balance) for t in reversed(txns)]


# --- customers ------------------------------------------------------------------------------------

def test_created_customer_is_retrieved_with_the_fields_it_was_given(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={
        "email": "amy@example.com", "name": "Amy", "description": "VIP", "phone": "+15555550100",
        "metadata": {"crm": "42"},
    })

    got = client.v1.customers.retrieve(cus.id)

    assert cus.id.startswith("cus_") and got.object == "customer"
    assert (got.email, got.name, got.description, got.phone) == ("amy@example.com", "Amy", "VIP", "+15555550100")
    assert got.metadata.to_dict() == {"crm": "42"}
    assert (got.balance, got.delinquent, got.next_invoice_sequence) == (0, False, 1)
    assert got.invoice_prefix and got.created == cus.created


def test_update_changes_fields_and_unsets_metadata_keys(client: stripe.StripeClient) -> None:
    cus = new_customer(client, name="Old", metadata={"a": "1", "b": "2"})

    updated = client.v1.customers.update(cus.id, params={"name": "New", "metadata": {"a": "", "c": "3"}})

    assert updated.name == "New"
    assert updated.metadata.to_dict() == {"b": "2", "c": "3"}
    assert client.v1.customers.retrieve(cus.id).metadata.to_dict() == {"b": "2", "c": "3"}


def test_deleted_customer_is_still_retrieved_as_its_stub(client: stripe.StripeClient) -> None:
    # "Unlike other objects, deleted customers can still be retrieved through the API" (customers/delete)
    cus = new_customer(client)

    gone = client.v1.customers.delete(cus.id)

    assert (gone.id, gone.object, gone.deleted) == (cus.id, "customer", True)
    got = client.v1.customers.retrieve(cus.id)
    assert isinstance(got, stripe.Customer)
    assert got.to_dict() == {"id": cus.id, "object": "customer", "deleted": True}


def test_deleted_customer_can_be_neither_updated_nor_deleted_again(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    client.v1.customers.delete(cus.id)

    for call in (lambda: client.v1.customers.update(cus.id, params={"name": "x"}),
                 lambda: client.v1.customers.delete(cus.id),
                 lambda: client.v1.customers.balance_transactions.create(
                     cus.id, params={"amount": -100, "currency": "usd"}),
                 lambda: client.v1.invoice_items.create(params={"customer": cus.id, "amount": 5, "currency": "usd"}),
                 lambda: client.v1.invoices.create(params={"customer": cus.id})):
        err = refused(call, 404)
        assert (err.code, err.param, err.user_message) == ("resource_missing", "customer",
                                                           f"No such customer: '{cus.id}'")
    assert client.v1.customers.retrieve(cus.id).to_dict() == {"id": cus.id, "object": "customer", "deleted": True}


def test_deleted_customer_leaves_lists_and_search(client: stripe.StripeClient) -> None:
    gone = new_customer(client)
    kept = client.v1.customers.create(params={"email": gone.email})
    client.v1.customers.delete(gone.id)

    query = {"query": f"email:'{gone.email}'", "expand": ["total_count"]}
    found = client.v1.customers.search(params=query)

    assert [c.id for c in client.v1.customers.list(params={"email": gone.email}).data] == [kept.id]
    assert [c.id for c in client.v1.customers.list(params={"limit": 100}).data].count(gone.id) == 0
    assert [c.id for c in found.data] == [kept.id] and found["total_count"] == 1


def test_deleted_customer_is_its_own_accounts(client: stripe.StripeClient, server: Server) -> None:
    # The stub is account data: another account asking for the id gets the 404 of an id that never existed
    account = f"acct_{uuid.uuid4().hex[:12]}"
    other = make_client(server.url, provision(server.database, {account: None}, [KeySpec("k", account)])["k"])
    cus = new_customer(client)
    client.v1.customers.delete(cus.id)

    err = refused(lambda: other.v1.customers.retrieve(cus.id), 404)

    assert err.user_message == f"No such customer: '{cus.id}'"


def test_unknown_customer_is_a_404_naming_it(client: stripe.StripeClient) -> None:
    err = refused(lambda: client.v1.customers.retrieve("cus_nope"), 404)
    assert "cus_nope" in str(err.user_message)


def test_customers_list_filters_by_email(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    new_customer(client)

    listed = client.v1.customers.list(params={"email": cus.email})

    assert [c.id for c in listed.data] == [cus.id] and listed.has_more is False


def test_initial_balance_writes_an_initial_transaction(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=-500)

    assert cus.balance == -500
    assert balance_history(client, cus.id) == [("initial", -500, -500)]


def test_customer_without_balance_has_no_transactions(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    assert balance_history(client, cus.id) == []


def test_balance_changes_write_adjustments_with_running_ending_balance(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=-500)

    client.v1.customers.update(cus.id, params={"balance": 200})
    client.v1.customers.update(cus.id, params={"balance": 200})  # unchanged: nothing written
    after = client.v1.customers.update(cus.id, params={"balance": 0})

    assert after.balance == 0
    assert balance_history(client, cus.id) == [("initial", -500, -500), ("adjustment", 700, 200),
                                               ("adjustment", -200, 0)]


def test_invoice_prefix_and_next_invoice_sequence_number_invoices(client: stripe.StripeClient) -> None:
    pfx = prefix()
    cus = new_customer(client, invoice_prefix=pfx, next_invoice_sequence=7)

    first = factories.invoice_in(client, "open", cus=cus)
    second = factories.invoice_in(client, "paid", cus=cus)
    assert client.v1.customers.retrieve(cus.id).next_invoice_sequence == 9
    client.v1.customers.update(cus.id, params={"next_invoice_sequence": 42})
    third = factories.invoice_in(client, "open", cus=cus)

    assert [first.number, second.number, third.number] == [f"{pfx}-0007", f"{pfx}-0008", f"{pfx}-0042"]
    assert client.v1.customers.retrieve(cus.id).next_invoice_sequence == 43


def test_changed_invoice_prefix_applies_to_the_next_number(client: stripe.StripeClient) -> None:
    old, new = prefix(), prefix()
    cus = new_customer(client, invoice_prefix=old)
    factories.invoice_in(client, "open", cus=cus)

    client.v1.customers.update(cus.id, params={"invoice_prefix": new})

    assert factories.invoice_in(client, "open", cus=cus).number == f"{new}-0002"


def test_drafts_have_no_number_until_finalized(client: stripe.StripeClient) -> None:
    cus = new_customer(client, invoice_prefix=prefix())
    draft = factories.draft(client, cus=cus)
    assert draft.number is None
    assert client.v1.customers.retrieve(cus.id).next_invoice_sequence == 1


# --- balance transactions -------------------------------------------------------------------------

def test_balance_transaction_create_moves_the_balance(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=100)

    txn = client.v1.customers.balance_transactions.create(cus.id, params={
        "amount": -350, "currency": "usd", "description": "goodwill", "metadata": {"ticket": "T-1"}})

    assert txn.id.startswith("cbtxn_") and txn.object == "customer_balance_transaction"
    assert (txn.type, txn.amount, txn.ending_balance, txn.currency) == ("adjustment", -350, -250, "usd")
    assert (txn.customer, txn.description, txn.invoice) == (cus.id, "goodwill", None)
    assert txn.metadata.to_dict() == {"ticket": "T-1"}
    after = client.v1.customers.retrieve(cus.id)
    assert (after.balance, after.currency) == (-250, "usd")


def test_balance_transaction_retrieve_and_update_description_and_metadata(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    txn = client.v1.customers.balance_transactions.create(cus.id, params={"amount": 500, "currency": "usd"})

    updated = client.v1.customers.balance_transactions.update(
        cus.id, txn.id, params={"description": "late fee", "metadata": {"k": "v"}})
    got = client.v1.customers.balance_transactions.retrieve(cus.id, txn.id)

    assert (got.description, got.metadata.to_dict()) == ("late fee", {"k": "v"})
    assert (got.amount, got.ending_balance) == (500, 500)
    assert updated.to_dict() == got.to_dict()


def test_balance_transaction_amount_cannot_be_updated(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    txn = client.v1.customers.balance_transactions.create(cus.id, params={"amount": 500, "currency": "usd"})

    err = refused(lambda: client.v1.customers.balance_transactions.update(
        cus.id, txn.id, params={"amount": 1}))  # type: ignore[typeddict-unknown-key]

    assert err.param == "amount"
    assert client.v1.customers.retrieve(cus.id).balance == 500


def test_balance_transaction_of_another_customer_is_not_found(client: stripe.StripeClient) -> None:
    owner, stranger = new_customer(client), new_customer(client)
    txn = client.v1.customers.balance_transactions.create(owner.id, params={"amount": 500, "currency": "usd"})

    refused(lambda: client.v1.customers.balance_transactions.retrieve(stranger.id, txn.id), 404)
    refused(lambda: client.v1.customers.balance_transactions.update(
        stranger.id, txn.id, params={"description": "x"}), 404)


def test_balance_transaction_requires_amount_and_currency(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    err = refused(lambda: client.v1.customers.balance_transactions.create(
        cus.id, params={"amount": 5}))  # type: ignore[typeddict-item]
    assert err.param == "currency"


def test_balance_transaction_in_another_currency_than_the_customers_is_refused(
    client: stripe.StripeClient,
) -> None:
    cus = new_customer(client)
    client.v1.customers.balance_transactions.create(cus.id, params={"amount": 500, "currency": "eur"})

    err = refused(lambda: client.v1.customers.balance_transactions.create(
        cus.id, params={"amount": 500, "currency": "usd"}))

    assert err.param == "currency"
    assert client.v1.customers.retrieve(cus.id).balance == 500


def test_balance_transactions_list_newest_first(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=10)
    client.v1.customers.balance_transactions.create(cus.id, params={"amount": 20, "currency": "usd"})
    client.v1.customers.balance_transactions.create(cus.id, params={"amount": 30, "currency": "usd"})

    listed = client.v1.customers.balance_transactions.list(cus.id).data

    assert [(t.amount, t.ending_balance) for t in listed] == [(30, 60), (20, 30), (10, 10)]


# --- invoice items --------------------------------------------------------------------------------

def test_item_with_amount_is_pending_with_quantity_one(client: stripe.StripeClient) -> None:
    cus = new_customer(client)

    item = client.v1.invoice_items.create(params={
        "customer": cus.id, "amount": 1099, "currency": "usd", "description": "setup", "metadata": {"k": "v"}})

    assert item.id.startswith("ii_") and item.object == "invoiceitem"
    assert (item.amount, item.quantity, item.currency, item.invoice) == (1099, 1, "usd", None)
    assert item.pricing.unit_amount_decimal == Decimal("1099")  # the SDK parses decimal strings
    got = client.v1.invoice_items.retrieve(item.id)
    assert (got.description, got.metadata.to_dict(), got.customer) == ("setup", {"k": "v"}, cus.id)


@pytest.mark.parametrize(("unit", "quantity", "amount"), [
    ("250", 3, 750),
    ("10.5", 3, 32),  # 31.5 rounds half to even: 32
    ("0.5", 5, 2),  # 2.5 rounds half to even: 2
    ("0.333", 10, 3),  # 3.33 -> 3
    ("1.25", 0, 0),
])
def test_item_amount_is_unit_amount_decimal_times_quantity_rounded(
    client: stripe.StripeClient, unit: str, quantity: int, amount: int,
) -> None:
    cus = new_customer(client)

    item = client.v1.invoice_items.create(params={
        "customer": cus.id, "currency": "usd", "unit_amount_decimal": unit, "quantity": quantity})

    assert (item.amount, item.quantity, item.pricing.unit_amount_decimal) == (amount, quantity, Decimal(unit))


def test_item_with_both_amount_and_unit_amount_decimal_is_refused(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    refused(lambda: client.v1.invoice_items.create(params={
        "customer": cus.id, "currency": "usd", "amount": 100, "unit_amount_decimal": "1"}))


def test_item_without_amount_is_refused(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    err = refused(lambda: client.v1.invoice_items.create(params={"customer": cus.id, "currency": "usd"}))
    assert err.param == "amount"


def test_item_for_an_unknown_customer_is_not_found(client: stripe.StripeClient) -> None:
    err = refused(lambda: client.v1.invoice_items.create(
        params={"customer": "cus_nope", "amount": 1, "currency": "usd"}), 404)
    assert err.param == "customer"


def test_item_created_on_a_draft_becomes_a_line_and_updates_totals(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    inv = factories.draft(client, cus=cus, amount=1000)

    item = client.v1.invoice_items.create(params={
        "customer": cus.id, "currency": "usd", "amount": 250, "invoice": inv.id})

    after = client.v1.invoices.retrieve(inv.id)
    assert item.invoice == inv.id
    assert [line.amount for line in after.lines.data] == [1000, 250]
    assert after.lines.data[-1].parent.invoice_item_details.invoice_item == item.id
    assert (after.subtotal, after.total, after.amount_due) == (1250, 1250, 1250)


def test_item_on_a_finalized_invoice_is_refused(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    inv = factories.invoice_in(client, "open", cus=cus)

    refused(lambda: client.v1.invoice_items.create(
        params={"customer": cus.id, "currency": "usd", "amount": 250, "invoice": inv.id}))

    assert client.v1.invoices.retrieve(inv.id).total == inv.total
    assert client.v1.invoice_items.list(params={"customer": cus.id, "pending": True}).data == []


def test_item_on_another_customers_draft_is_refused(client: stripe.StripeClient) -> None:
    owner, stranger = new_customer(client), new_customer(client)
    inv = factories.draft(client, cus=owner)

    err = refused(lambda: client.v1.invoice_items.create(
        params={"customer": stranger.id, "currency": "usd", "amount": 250, "invoice": inv.id}))

    assert err.param == "invoice"
    assert client.v1.invoices.retrieve(inv.id).total == inv.total


def test_pending_items_stay_pending_by_default(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    item = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 500, "currency": "usd"})

    inv = client.v1.invoices.create(params={"customer": cus.id})

    assert (inv.lines.data, inv.total) == ([], 0)
    assert client.v1.invoice_items.retrieve(item.id).invoice is None


def test_include_takes_in_every_pending_item_and_they_stop_being_pending(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    first = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 500, "currency": "usd"})
    second = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 300, "currency": "usd"})

    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})

    items = {line.parent.invoice_item_details.invoice_item for line in inv.lines.data}
    assert items == {first.id, second.id} and inv.total == 800
    assert client.v1.invoice_items.list(params={"customer": cus.id, "pending": True}).data == []
    assert client.v1.invoice_items.retrieve(first.id).invoice == inv.id
    again = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    assert again.lines.data == []  # an item is on one invoice only


def test_include_takes_only_pending_items_of_the_invoice_currency(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    usd = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 500, "currency": "usd"})
    eur = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 700, "currency": "eur"})

    inv = client.v1.invoices.create(
        params={"customer": cus.id, "currency": "usd", "pending_invoice_items_behavior": "include"})

    assert [line.parent.invoice_item_details.invoice_item for line in inv.lines.data] == [usd.id]
    assert (inv.currency, inv.total) == ("usd", 500)
    assert client.v1.invoice_items.retrieve(eur.id).invoice is None


def test_include_leaves_other_customers_items_alone(client: stripe.StripeClient) -> None:
    cus, other = new_customer(client), new_customer(client)
    theirs = client.v1.invoice_items.create(params={"customer": other.id, "amount": 500, "currency": "usd"})

    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})

    assert inv.lines.data == []
    assert client.v1.invoice_items.retrieve(theirs.id).invoice is None


def test_updating_an_item_on_a_draft_updates_its_line_and_the_totals(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=-100)
    inv = factories.draft(client, cus=cus, amount=1000)
    item_id = inv.lines.data[0].parent.invoice_item_details.invoice_item

    item = client.v1.invoice_items.update(item_id, params={"amount": 400, "description": "cheaper"})

    after = client.v1.invoices.retrieve(inv.id)
    assert (item.amount, item.description) == (400, "cheaper")
    assert (after.lines.data[0].amount, after.lines.data[0].description) == (400, "cheaper")
    assert (after.subtotal, after.total, after.amount_due) == (400, 400, 300)


def test_updating_quantity_keeps_the_unit_price(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    item = client.v1.invoice_items.create(params={
        "customer": cus.id, "currency": "usd", "unit_amount_decimal": "125", "quantity": 2})

    updated = client.v1.invoice_items.update(item.id, params={"quantity": 5})

    assert (updated.amount, updated.quantity, updated.pricing.unit_amount_decimal) == (625, 5, Decimal("125"))


def test_deleting_an_item_on_a_draft_removes_its_line_and_updates_the_totals(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    inv = factories.draft(client, cus=cus, amount=1000)
    extra = client.v1.invoice_items.create(params={
        "customer": cus.id, "currency": "usd", "amount": 250, "invoice": inv.id})

    gone = client.v1.invoice_items.delete(extra.id)

    after = client.v1.invoices.retrieve(inv.id)
    assert (gone.id, gone.deleted) == (extra.id, True)
    assert [line.amount for line in after.lines.data] == [1000]
    assert (after.total, after.amount_due) == (1000, 1000)
    refused(lambda: client.v1.invoice_items.retrieve(extra.id), 404)


def test_pending_item_can_be_updated_and_deleted(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    item = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 500, "currency": "usd"})

    assert client.v1.invoice_items.update(item.id, params={"metadata": {"k": "v"}}).metadata.to_dict() == {"k": "v"}
    client.v1.invoice_items.delete(item.id)

    assert client.v1.invoice_items.list(params={"customer": cus.id}).data == []


@pytest.mark.parametrize("status", ["open", "paid", "void", "uncollectible"])
def test_items_of_a_finalized_invoice_cannot_be_updated_or_deleted(client: stripe.StripeClient, status: str) -> None:
    cus = new_customer(client)
    inv = factories.invoice_in(client, status, cus=cus, amount=1000)
    item_id = inv.lines.data[0].parent.invoice_item_details.invoice_item

    refused(lambda: client.v1.invoice_items.update(item_id, params={"amount": 1}))
    refused(lambda: client.v1.invoice_items.update(item_id, params={"description": "changed"}))
    refused(lambda: client.v1.invoice_items.delete(item_id))

    item = client.v1.invoice_items.retrieve(item_id)
    after = client.v1.invoices.retrieve(inv.id)
    assert (item.amount, item.description, item.invoice) == (1000, None, inv.id)
    assert (after.total, after.amount_due, after.lines.data[0].amount) == (1000, inv.amount_due, 1000)


@pytest.mark.parametrize("bad", ["AB", "lower", "ABC-1", "ABCDEFGHIJKLM"])
def test_invoice_prefix_must_be_3_to_12_uppercase_letters_or_digits(client: stripe.StripeClient, bad: str) -> None:
    err = refused(lambda: new_customer(client, invoice_prefix=bad))
    assert err.param == "invoice_prefix"
