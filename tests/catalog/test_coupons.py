"""Coupons over a real server with stripe-python, on both backends: create (percent or amount off, custom
ids, durations), retrieve, update (name, metadata and currency options only), delete, list and its pages,
the validation errors, the events, and the object against the SDK's Coupon class."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
import stripe

from tests.conftest import OwnServer
from tests.support.accounts import KeySpec, provision
from tests.support.answers import ok, refused
from tests.support.conformance import check


def percent(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    return client.v1.coupons.create(params={"percent_off": 25.5, **params})


def events_about(client: stripe.StripeClient, obj_id: str, kind: str) -> list[stripe.Event]:
    found = client.v1.events.list(params={"type": kind, "limit": 100}).data
    return [e for e in found if e.data.object["id"] == obj_id]


def custom_id() -> str:
    return "SAVE" + uuid.uuid4().hex[:10].upper()


# --- create and retrieve --------------------------------------------------------------------------

def test_a_percent_coupon_is_created_with_every_field_stripe_shows(client: stripe.StripeClient) -> None:
    # When a percent coupon is created with a name and metadata
    cpn = percent(client, name="Launch", metadata={"campaign": "spring"})
    # Then it has a generated id of eight letters and digits, Stripe's defaults, and is valid
    assert len(cpn.id) == 8 and cpn.id.isalnum() and cpn.object == "coupon"
    assert (cpn.percent_off, cpn.amount_off, cpn.currency, cpn.duration) == (25.5, None, None, "once")
    assert (cpn.times_redeemed, cpn.valid, cpn.max_redemptions, cpn.redeem_by) == (0, True, None, None)
    assert cpn.name == "Launch" and cpn.metadata.to_dict() == {"campaign": "spring"}
    # And retrieving it answers the same object
    assert client.v1.coupons.retrieve(cpn.id).to_dict() == cpn.to_dict()


def test_an_amount_coupon_keeps_its_currency_options_and_duration(client: stripe.StripeClient) -> None:
    cpn = client.v1.coupons.create(params={
        "amount_off": 500, "currency": "USD", "currency_options": {"eur": {"amount_off": 450}},
        "duration": "repeating", "duration_in_months": 3, "max_redemptions": 10,
        "redeem_by": int(time.time()) + 86400})
    assert (cpn.amount_off, cpn.currency, cpn.percent_off) == (500, "usd", None)
    assert cpn.currency_options is not None and cpn.currency_options["eur"]["amount_off"] == 450
    assert (cpn.duration, cpn.duration_in_months, cpn.max_redemptions) == ("repeating", 3, 10)


def test_a_custom_id_is_kept_and_cannot_be_taken_twice(client: stripe.StripeClient) -> None:
    wanted = custom_id()
    assert percent(client, id=wanted).id == wanted
    error = refused(lambda: percent(client, id=wanted))
    assert (error.code, error.param, error.user_message) == ("resource_already_exists", "id", "Coupon already exists.")


def test_two_accounts_may_each_have_a_coupon_of_the_same_custom_id(database: str, own_server: OwnServer) -> None:
    # Given two accounts (custom ids are unique per account and mode, migration 0009)
    keys = provision(database, {"acct_one": None, "acct_two": None}, [KeySpec("one", "acct_one"),
                                                                     KeySpec("two", "acct_two")])
    server = own_server(database, env={"ARREARS_AUTH": "strict"})
    with httpx.Client(base_url=server.url, timeout=30) as http:
        def as_(key: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {keys[key]}"}

        # When each makes a coupon SHARED, then each reads its own
        for key, share in (("one", "5"), ("two", "7")):
            answer = http.post("/v1/coupons", data={"percent_off": share, "id": "SHARED"}, headers=as_(key))
            assert answer.status_code == 200, answer.text
        assert ok(http.get("/v1/coupons/SHARED", headers=as_("one")))["percent_off"] == 5
        assert ok(http.get("/v1/coupons/SHARED", headers=as_("two")))["percent_off"] == 7
        # And deleting one account's leaves the other's
        ok(http.delete("/v1/coupons/SHARED", headers=as_("one")))
        assert ok(http.get("/v1/coupons/SHARED", headers=as_("two")))["percent_off"] == 7


def test_an_unknown_coupon_is_404_naming_it(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.coupons.retrieve("NOPE1234"), 404)
    assert (error.code, error.param, error.user_message) == ("resource_missing", "coupon", "No such coupon: 'NOPE1234'")


def test_a_coupon_conforms_to_the_sdk(client: stripe.StripeClient, http: httpx.Client) -> None:
    for cpn in (percent(client), client.v1.coupons.create(params={
            "amount_off": 100, "currency": "usd", "currency_options": {"gbp": {"amount_off": 90}},
            "duration": "repeating", "duration_in_months": 2})):
        assert check(ok(http.get(f"/v1/coupons/{cpn.id}")), stripe.Coupon) == []


# --- validation -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "param"), [
    ({}, "percent_off"),
    ({"percent_off": 10, "amount_off": 100, "currency": "usd"}, "amount_off"),
    ({"percent_off": 0}, "percent_off"),
    ({"percent_off": 100.5}, "percent_off"),
    ({"amount_off": 100}, "currency"),
    ({"amount_off": -100, "currency": "usd"}, "amount_off"),
    ({"percent_off": 5, "duration": "repeating"}, "duration_in_months"),
    ({"percent_off": 5, "duration": "once", "duration_in_months": 2}, "duration_in_months"),
    ({"percent_off": 5, "currency_options": {"eur": {"amount_off": 100}}}, "currency_options"),
    ({"percent_off": 5, "redeem_by": 1_000_000_000}, "redeem_by"),
    ({"percent_off": 5, "duration": "sometimes"}, "duration"),
    ({"percent_off": 5, "currency_options": {"xyz": {"amount_off": 1}}}, "currency_options[xyz]"),
])
def test_a_coupon_with_broken_terms_is_refused_naming_the_parameter(client: stripe.StripeClient,
                                                                     params: dict[str, Any], param: str) -> None:
    error = refused(lambda: client.v1.coupons.create(params=params))
    assert error.param == param, error.user_message


def test_an_unknown_product_in_applies_to_is_404_naming_its_place(client: stripe.StripeClient) -> None:
    error = refused(lambda: percent(client, applies_to={"products": ["prod_missing"]}), 404)
    assert (error.code, error.param) == ("resource_missing", "applies_to[products][0]")


def test_a_coupon_applies_to_the_products_it_names(client: stripe.StripeClient) -> None:
    product = client.v1.products.create(params={"name": "Plan"})
    cpn = percent(client, applies_to={"products": [product.id]})
    assert cpn.applies_to is not None and cpn.applies_to.products == [product.id]


def test_an_amount_off_past_the_currencys_bound_is_refused(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.coupons.create(params={"amount_off": 100_000_000, "currency": "usd"}))
    assert (error.param, error.code) == ("amount_off", "amount_too_large")


def test_a_coupon_past_its_redeem_by_reads_as_no_longer_valid(client: stripe.StripeClient) -> None:
    cpn = percent(client, redeem_by=int(time.time()) + 2)
    assert cpn.valid is True
    time.sleep(2.2)
    assert client.v1.coupons.retrieve(cpn.id).valid is False
    assert {c.id: c.valid for c in client.v1.coupons.list(params={"limit": 5}).data}[cpn.id] is False


def test_the_terms_of_a_coupon_cannot_be_updated(client: stripe.StripeClient) -> None:
    cpn = percent(client)
    error = refused(lambda: client.v1.coupons.update(cpn.id, params={"percent_off": 50}))
    assert (error.code, error.param) == ("parameter_unknown", "percent_off")


# --- update, delete, events -----------------------------------------------------------------------

def test_an_update_changes_name_metadata_and_currency_options_and_emits_updated(client: stripe.StripeClient) -> None:
    cpn = client.v1.coupons.create(params={"amount_off": 300, "currency": "usd", "metadata": {"a": "1"}})
    updated = client.v1.coupons.update(cpn.id, params={
        "name": "Renamed", "metadata": {"b": "2"}, "currency_options": {"eur": {"amount_off": 280}}})
    assert updated.name == "Renamed" and updated.metadata.to_dict() == {"a": "1", "b": "2"}
    assert updated.currency_options is not None and updated.currency_options["eur"]["amount_off"] == 280
    [event] = events_about(client, cpn.id, "coupon.updated")
    assert event.data.previous_attributes is not None and event.data.previous_attributes["name"] is None


def test_a_new_coupon_emits_created(client: stripe.StripeClient) -> None:
    cpn = percent(client)
    [event] = events_about(client, cpn.id, "coupon.created")
    assert event.data.object["percent_off"] == 25.5


def test_a_deleted_coupon_answers_its_stub_then_is_gone(client: stripe.StripeClient) -> None:
    cpn = percent(client)
    gone = client.v1.coupons.delete(cpn.id)
    assert (gone.id, gone.object, gone.deleted) == (cpn.id, "coupon", True)
    assert len(events_about(client, cpn.id, "coupon.deleted")) == 1
    refused(lambda: client.v1.coupons.retrieve(cpn.id), 404)
    refused(lambda: client.v1.coupons.delete(cpn.id), 404)


# --- lists ------------------------------------------------------------------------------------------

def test_the_list_is_newest_first_and_pages_with_cursors(client: stripe.StripeClient) -> None:
    made = [percent(client, name=f"page {i}").id for i in range(3)]
    first = client.v1.coupons.list(params={"limit": 2})
    assert [c.id for c in first.data] == made[::-1][:2] and first.has_more
    second = client.v1.coupons.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert second.data[0].id == made[0]
    back = client.v1.coupons.list(params={"limit": 1, "ending_before": made[0]})
    assert [c.id for c in back.data] == [made[1]]


def test_the_list_filters_by_created(client: stripe.StripeClient) -> None:
    cpn = percent(client)
    later = client.v1.coupons.list(params={"created": {"gt": cpn.created}, "limit": 100}).data
    assert cpn.id not in [c.id for c in later]
    since = client.v1.coupons.list(params={"created": {"gte": cpn.created}, "limit": 100}).data
    assert cpn.id in [c.id for c in since]
