"""Tax ids over a real server with stripe-python, on both backends: a customer's tax ids (created with the
customer or on their own, retrieved, listed, deleted), the account's own ``/v1/tax_ids``, the value
formats Stripe checks with its message, ``customer.tax_ids`` expanded (and embedded at old versions), the
events, and the object against the SDK's TaxId class."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import stripe

from tests.factories import new_customer
from tests.support.answers import ok, refused
from tests.support.conformance import check


def events_about(client: stripe.StripeClient, obj_id: str, kind: str) -> list[stripe.Event]:
    found = client.v1.events.list(params={"type": kind, "limit": 100}).data
    return [e for e in found if e.data.object["id"] == obj_id]


def add(client: stripe.StripeClient, customer: str, kind: str = "eu_vat", value: str = "DE123456789") -> stripe.TaxId:
    return client.v1.customers.tax_ids.create(customer, params={"type": kind, "value": value})  # type: ignore[typeddict-item]


# --- a customer's tax ids --------------------------------------------------------------------------

def test_a_customer_tax_id_carries_its_country_owner_and_pending_verification(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    tax_id = add(client, cus.id)
    assert tax_id.id.startswith("txi_") and tax_id.object == "tax_id"
    assert (tax_id.type, tax_id.value, tax_id.country, tax_id.customer) == ("eu_vat", "DE123456789", "DE", cus.id)
    assert tax_id.owner is not None and (tax_id.owner.type, tax_id.owner.customer) == ("customer", cus.id)
    assert tax_id.verification is not None and tax_id.verification.status == "pending"
    assert client.v1.customers.tax_ids.retrieve(cus.id, tax_id.id).to_dict() == tax_id.to_dict()


def test_the_documented_invoices_two_german_vat_ids_are_accepted_with_the_customer(
        client: stripe.StripeClient, http: httpx.Client) -> None:
    # When a customer is created with the mission's two eu_vat ids
    cus = client.v1.customers.create(params={"name": "Jenny Rosen", "tax_id_data": [
        {"type": "eu_vat", "value": "DE123456789"}, {"type": "eu_vat", "value": "DE123456781"}]})
    # Then both are its tax ids, newest first, and the customer shows them when expanded
    listed = client.v1.customers.tax_ids.list(cus.id)
    assert [t.value for t in listed.data] == ["DE123456781", "DE123456789"]
    body = ok(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "tax_ids"}))
    assert [t["value"] for t in body["tax_ids"]["data"]] == ["DE123456781", "DE123456789"]
    assert body["tax_ids"]["url"] == f"/v1/customers/{cus.id}/tax_ids"
    assert check(body, stripe.Customer) == []
    # And without expand the customer has no tax_ids key, as Stripe's latest shape
    assert "tax_ids" not in ok(http.get(f"/v1/customers/{cus.id}"))


def test_a_bad_value_in_tax_id_data_refuses_the_whole_customer(client: stripe.StripeClient) -> None:
    email = f"{uuid.uuid4().hex}@example.com"
    error = refused(lambda: client.v1.customers.create(params={"email": email, "tax_id_data": [
        {"type": "eu_vat", "value": "DE123456789"}, {"type": "gb_vat", "value": "GB12"}]}))
    assert (error.user_message, error.code, error.param) == (
        "Invalid value for gb_vat.", "tax_id_invalid", "tax_id_data[1][value]")
    # No partial write: neither the customer nor its first tax id exists
    assert client.v1.customers.list(params={"email": email}).data == []


@pytest.mark.parametrize("kind, value", [
    ("eu_vat", "DE12345678"), ("eu_vat", "XX123456789"), ("eu_vat", "FR123"), ("eu_vat", "NL123456789"),
    ("gb_vat", "GB1234"), ("us_ein", "123456789"), ("au_abn", "1234567891"), ("ca_bn", "12345678"),
    ("in_gst", "12ABCDE3456FGH"), ("ch_vat", "CHE-123.456.789"), ("no_vat", "123456789"), ("jp_cn", "123"),
])
def test_a_value_of_the_wrong_format_is_refused_in_stripes_words(client: stripe.StripeClient, kind: str,
                                                                 value: str) -> None:
    cus = new_customer(client)
    error = refused(lambda: add(client, cus.id, kind, value))
    assert (error.user_message, error.code, error.param) == (f"Invalid value for {kind}.", "tax_id_invalid", "value")


@pytest.mark.parametrize("kind, value, country", [
    ("eu_vat", "ATU12345678", "AT"), ("eu_vat", "EL123456789", "GR"), ("eu_vat", "FRAB123456789", "FR"),
    ("eu_vat", "NL123456789B01", "NL"), ("eu_vat", "XI123456789", "GB"), ("gb_vat", "GB123456789", "GB"),
    ("us_ein", "12-3456789", "US"), ("au_abn", "12345678912", "AU"), ("ca_bn", "123456789", "CA"),
    ("in_gst", "12ABCDE3456FGZH", "IN"), ("ch_vat", "CHE-123.456.789 MWST", "CH"), ("no_vat", "123456789MVA", "NO"),
    ("jp_cn", "1234567891234", "JP"),
])
def test_values_in_stripes_documented_formats_are_accepted(client: stripe.StripeClient, kind: str, value: str,
                                                          country: str) -> None:
    cus = new_customer(client)
    assert add(client, cus.id, kind, value).country == country


def test_a_type_stripe_does_not_know_is_refused(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    error = refused(lambda: add(client, cus.id, "xx_vat", "1"))
    assert error.param == "type" and str(error.user_message).startswith("Invalid type: must be one of ad_nrt")


def test_stripes_test_values_settle_the_verification(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    assert add(client, cus.id, "eu_vat", "DE000000000").verification.status == "verified"  # type: ignore[union-attr]
    assert add(client, cus.id, "eu_vat", "DE111111111").verification.status == "unverified"  # type: ignore[union-attr]
    assert add(client, cus.id, "us_ein", "12-3456789").verification.status == "unavailable"  # type: ignore[union-attr]


def test_a_tax_id_is_deleted_and_then_gone(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    tax_id = add(client, cus.id)
    gone = client.v1.customers.tax_ids.delete(cus.id, tax_id.id)
    assert (gone.id, gone.object, gone.deleted) == (tax_id.id, "tax_id", True)
    error = refused(lambda: client.v1.customers.tax_ids.retrieve(cus.id, tax_id.id), 404)
    assert error.code == "resource_missing" and error.user_message == f"No such tax id: '{tax_id.id}'"
    assert client.v1.customers.tax_ids.list(cus.id).data == []


def test_creating_and_deleting_emit_the_customer_tax_id_events(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    tax_id = add(client, cus.id)
    client.v1.customers.tax_ids.delete(cus.id, tax_id.id)
    [created] = events_about(client, tax_id.id, "customer.tax_id.created")
    [deleted] = events_about(client, tax_id.id, "customer.tax_id.deleted")
    assert created.data.object["value"] == deleted.data.object["value"] == "DE123456789"


def test_another_customers_tax_id_is_not_found_under_this_one(client: stripe.StripeClient) -> None:
    mine, theirs = new_customer(client), new_customer(client)
    tax_id = add(client, theirs.id)
    for call in (lambda: client.v1.customers.tax_ids.retrieve(mine.id, tax_id.id),
                 lambda: client.v1.customers.tax_ids.delete(mine.id, tax_id.id)):
        assert refused(call, 404).code == "resource_missing"
    assert client.v1.customers.tax_ids.retrieve(theirs.id, tax_id.id).id == tax_id.id


def test_an_unknown_customer_is_a_404_naming_the_customer(client: stripe.StripeClient) -> None:
    error = refused(lambda: add(client, "cus_missing"), 404)
    assert (error.param, error.user_message) == ("customer", "No such customer: 'cus_missing'")


def test_a_customers_tax_ids_page(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    made = [add(client, cus.id, "us_ein", f"12-345678{i}") for i in range(3)]
    first = client.v1.customers.tax_ids.list(cus.id, params={"limit": 2})
    assert [t.id for t in first.data] == [made[2].id, made[1].id] and first.has_more
    rest = client.v1.customers.tax_ids.list(cus.id, params={"limit": 2, "starting_after": made[1].id})
    assert [t.id for t in rest.data] == [made[0].id] and not rest.has_more


def test_a_tax_id_conforms_to_the_sdk_and_expands_its_customer(client: stripe.StripeClient,
                                                              http: httpx.Client) -> None:
    cus = new_customer(client)
    tax_id = add(client, cus.id)
    body = ok(http.get(f"/v1/customers/{cus.id}/tax_ids/{tax_id.id}", params={"expand[]": "customer"}))
    assert body["customer"]["id"] == cus.id
    assert check(body, stripe.TaxId) == []
    assert check(ok(http.get(f"/v1/tax_ids/{tax_id.id}")), stripe.TaxId) == []


def test_before_2020_08_27_the_customer_embeds_its_tax_ids(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = client.v1.customers.create(params={"tax_id_data": [{"type": "eu_vat", "value": "DE123456789"}]})
    old = {"Stripe-Version": "2020-03-02"}
    # Expanded, the old shape carries the real ids with their total_count
    body = ok(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "tax_ids"}, headers=old))
    assert [t["value"] for t in body["tax_ids"]["data"]] == ["DE123456789"] and body["tax_ids"]["total_count"] == 1
    # Not expanded, an empty list (the down function reads no store)
    assert ok(http.get(f"/v1/customers/{cus.id}", headers=old))["tax_ids"]["data"] == []


# --- the top-level /v1/tax_ids -------------------------------------------------------------------

def test_the_accounts_own_tax_ids_are_listed_apart_from_customers(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    own = client.v1.tax_ids.create(params={"type": "eu_vat", "value": "DE123456789"})
    theirs = client.v1.tax_ids.create(params={"type": "gb_vat", "value": "GB123456789",
                                              "owner": {"type": "customer", "customer": cus.id}})
    assert own.owner is not None and (own.owner.type, own.customer) == ("self", None)
    assert theirs.owner is not None and (theirs.owner.type, theirs.customer) == ("customer", cus.id)
    selves = [t.id for t in client.v1.tax_ids.list(params={"limit": 100}).data]
    assert own.id in selves and theirs.id not in selves
    assert [t.id for t in client.v1.tax_ids.list(params={"owner": {"type": "customer", "customer": cus.id}}).data] \
        == [theirs.id]
    # And the customer's own list has it too
    assert [t.id for t in client.v1.customers.tax_ids.list(cus.id).data] == [theirs.id]


def test_a_top_level_tax_id_is_retrieved_and_deleted(client: stripe.StripeClient) -> None:
    own = client.v1.tax_ids.create(params={"type": "us_ein", "value": "12-3456789"})
    assert client.v1.tax_ids.retrieve(own.id).value == "12-3456789"
    assert client.v1.tax_ids.delete(own.id).deleted is True
    assert refused(lambda: client.v1.tax_ids.retrieve(own.id), 404).code == "resource_missing"


@pytest.mark.parametrize("owner, param", [
    ({"type": "customer"}, "owner[customer]"),
    ({"type": "account", "account": "acct_1"}, "owner[type]"),
    ({"type": "customer", "customer": "cus_missing"}, "owner[customer]"),
])
def test_an_owner_arrears_cannot_hold_is_refused(client: stripe.StripeClient, owner: dict[str, Any],
                                                  param: str) -> None:
    status = 404 if owner.get("customer") == "cus_missing" else 400
    error = refused(lambda: client.v1.tax_ids.create(params={"type": "us_ein", "value": "12-3456789",
                                                             "owner": owner}), status)  # type: ignore[typeddict-item]
    assert error.param == param


def test_a_bad_top_level_value_is_refused_in_stripes_words(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.tax_ids.create(params={"type": "eu_vat", "value": "DE1"}))
    assert (error.user_message, error.code, error.param) == ("Invalid value for eu_vat.", "tax_id_invalid", "value")


def test_tax_ids_expand_on_each_customer_of_a_list_and_leave_a_deleted_customer_as_its_stub(
        client: stripe.StripeClient, http: httpx.Client) -> None:
    email = f"{uuid.uuid4().hex}@example.com"
    cus = client.v1.customers.create(params={"email": email,
                                             "tax_id_data": [{"type": "us_ein", "value": "12-3456789"}]})
    listed = ok(http.get("/v1/customers", params={"email": email, "expand[]": "data.tax_ids"}))
    assert [t["value"] for t in listed["data"][0]["tax_ids"]["data"]] == ["12-3456789"]
    client.v1.customers.delete(cus.id)
    stub = ok(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "tax_ids"}))
    assert stub == {"id": cus.id, "object": "customer", "deleted": True}
