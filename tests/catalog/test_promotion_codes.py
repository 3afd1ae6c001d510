"""Promotion codes over a real server with stripe-python, on both backends: create (``promotion[coupon]``,
and ``coupon`` before 2025-09-30.clover), retrieve, update (active, metadata, restrictions' currency
options), list with its filters and pages, codes unique among active ones regardless of case, the
validation errors, the events, expand, and the object against the SDK's PromotionCode class."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.support.answers import ok, refused
from tests.support.conformance import check

BEFORE_CLOVER = "2025-08-27.basil"


def a_coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    return client.v1.coupons.create(params={"percent_off": 10, **params})


def promo(client: stripe.StripeClient, cpn: stripe.Coupon, **params: Any) -> stripe.PromotionCode:
    return client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": cpn.id}, **params})


def unique_code() -> str:
    return "SPRING" + uuid.uuid4().hex[:8].upper()


def events_about(client: stripe.StripeClient, obj_id: str, kind: str) -> list[stripe.Event]:
    found = client.v1.events.list(params={"type": kind, "limit": 100}).data
    return [e for e in found if e.data.object["id"] == obj_id]


# --- create and retrieve --------------------------------------------------------------------------

def test_a_code_is_created_for_its_coupon_with_stripes_defaults(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    code = promo(client, cpn)
    assert code.id.startswith("promo_") and code.object == "promotion_code"
    assert code.promotion.coupon == cpn.id and code.promotion.type == "coupon"
    assert (code.active, code.customer, code.expires_at, code.max_redemptions, code.times_redeemed) == (
        True, None, None, None, 0)
    assert code.code.isalnum() and code.code.isupper() and len(code.code) == 8  # generated
    assert code.restrictions.first_time_transaction is False and code.restrictions.minimum_amount is None
    assert client.v1.promotion_codes.retrieve(code.id).to_dict() == code.to_dict()
    assert len(events_about(client, code.id, "promotion_code.created")) == 1


def test_a_code_keeps_its_own_limits_and_restrictions(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client, max_redemptions=5)
    cus = factories.customer(client)
    expires = int(time.time()) + 3600
    code = promo(client, cpn, code=unique_code(), customer=cus.id, expires_at=expires, max_redemptions=3,
                 metadata={"k": "v"}, restrictions={"first_time_transaction": True, "minimum_amount": 1000,
                                                    "minimum_amount_currency": "usd"})
    assert (code.customer, code.expires_at, code.max_redemptions) == (cus.id, expires, 3)
    assert code.restrictions.first_time_transaction is True
    assert (code.restrictions.minimum_amount, code.restrictions.minimum_amount_currency) == (1000, "usd")


def test_a_code_conforms_to_the_sdk(client: stripe.StripeClient, http: httpx.Client) -> None:
    code = promo(client, a_coupon(client), restrictions={"currency_options": {"eur": {"minimum_amount": 500}}})
    assert check(ok(http.get(f"/v1/promotion_codes/{code.id}")), stripe.PromotionCode) == []
    expanded = ok(http.get(f"/v1/promotion_codes/{code.id}", params={"expand[]": "promotion.coupon"}))
    assert expanded["promotion"]["coupon"]["object"] == "coupon"
    assert check(expanded, stripe.PromotionCode) == []


# --- codes are unique among active codes, regardless of case ---------------------------------------

def test_an_active_code_cannot_be_taken_twice_in_any_case(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    text = unique_code()
    promo(client, cpn, code=text)
    for spelling in (text, text.lower()):
        error = refused(lambda spelling=spelling: promo(client, cpn, code=spelling))
        assert (error.param, error.code) == ("code", "resource_already_exists")


def test_an_inactive_code_frees_its_text_and_cannot_come_back_while_taken(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    text = unique_code()
    first = promo(client, cpn, code=text)
    client.v1.promotion_codes.update(first.id, params={"active": False})
    second = promo(client, cpn, code=text)
    assert second.code == text
    error = refused(lambda: client.v1.promotion_codes.update(first.id, params={"active": True}))
    assert error.code == "resource_already_exists"


# --- validation -----------------------------------------------------------------------------------

def test_an_unknown_coupon_is_404_naming_promotion_coupon(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.promotion_codes.create(
        params={"promotion": {"type": "coupon", "coupon": "MISSING1"}}), 404)
    assert (error.code, error.param) == ("resource_missing", "promotion[coupon]")


def test_the_promotion_is_required(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.promotion_codes.create(params={}))
    assert (error.code, error.param) == ("parameter_missing", "promotion")


@pytest.mark.parametrize(("params", "param"), [
    ({"code": "not-alnum"}, "code"),
    ({"expires_at": 1_000_000_000}, "expires_at"),
    ({"max_redemptions": 0}, "max_redemptions"),
    ({"restrictions": {"minimum_amount": 100}}, "restrictions[minimum_amount_currency]"),
    ({"customer": "cus_missing"}, "customer"),
])
def test_a_code_with_broken_terms_is_refused_naming_the_parameter(client: stripe.StripeClient,
                                                                   params: dict[str, Any], param: str) -> None:
    cpn = a_coupon(client)
    status = 404 if param == "customer" else 400
    error = refused(lambda: promo(client, cpn, **params), status)
    assert error.param == param, error.user_message


def test_a_code_of_a_coupon_past_its_redeem_by_is_refused(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client, redeem_by=int(time.time()) + 2)
    time.sleep(2.2)
    error = refused(lambda: promo(client, cpn))
    assert (error.code, error.param) == ("coupon_expired", "promotion[coupon]")


def test_a_code_cannot_outlast_its_coupon(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client, max_redemptions=2, redeem_by=int(time.time()) + 600)
    assert refused(lambda: promo(client, cpn, max_redemptions=3)).param == "max_redemptions"
    assert refused(lambda: promo(client, cpn, expires_at=int(time.time()) + 7200)).param == "expires_at"


def test_the_older_coupon_parameter_is_refused_at_the_current_version(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    error = refused(lambda: client.v1.promotion_codes.create(params={"coupon": cpn.id}))
    assert (error.code, error.param) == ("parameter_unknown", "coupon")


def test_before_clover_a_code_takes_and_shows_coupon(http: httpx.Client, client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    old = {"Stripe-Version": BEFORE_CLOVER}
    body = ok(http.post("/v1/promotion_codes", data={"coupon": cpn.id}, headers=old))
    assert body["coupon"] == cpn.id and "promotion" not in body
    again = ok(http.get(f"/v1/promotion_codes/{body['id']}"))  # the current version: promotion[coupon]
    assert again["promotion"] == {"coupon": cpn.id, "type": "coupon"} and "coupon" not in again


# --- update ---------------------------------------------------------------------------------------

def test_an_update_changes_active_metadata_and_minimums_and_emits_updated(client: stripe.StripeClient) -> None:
    code = promo(client, a_coupon(client), metadata={"a": "1"})
    updated = client.v1.promotion_codes.update(code.id, params={
        "active": False, "metadata": {"b": "2"},
        "restrictions": {"currency_options": {"eur": {"minimum_amount": 700}}}})
    assert updated.active is False and updated.metadata.to_dict() == {"a": "1", "b": "2"}
    assert updated.restrictions.currency_options is not None
    assert updated.restrictions.currency_options["eur"]["minimum_amount"] == 700
    [event] = events_about(client, code.id, "promotion_code.updated")
    assert event.data.previous_attributes is not None and event.data.previous_attributes["active"] is True


def test_a_code_cannot_change_its_coupon(client: stripe.StripeClient) -> None:
    code = promo(client, a_coupon(client))
    error = refused(lambda: client.v1.promotion_codes.update(code.id, params={"code": "OTHER"}))
    assert error.code == "parameter_unknown"


# --- lists ------------------------------------------------------------------------------------------

def test_the_list_filters_by_coupon_active_customer_and_code(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    cus = factories.customer(client)
    text = unique_code()
    plain, inactive, owned = promo(client, cpn, code=text), promo(client, cpn, active=False), promo(
        client, cpn, customer=cus.id)

    def ids(**params: Any) -> list[str]:
        return [c.id for c in client.v1.promotion_codes.list(params={"limit": 100, **params}).data]

    assert ids(coupon=cpn.id) == [owned.id, inactive.id, plain.id]
    assert ids(coupon=cpn.id, active=False) == [inactive.id]
    assert ids(customer=cus.id) == [owned.id]
    assert ids(code=text.lower()) == [plain.id]  # regardless of case
    assert ids(coupon=cpn.id, created={"gte": plain.created}) == [owned.id, inactive.id, plain.id]


def test_the_list_pages_with_cursors(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    made = [promo(client, cpn).id for _ in range(3)]
    first = client.v1.promotion_codes.list(params={"coupon": cpn.id, "limit": 2})
    assert [c.id for c in first.data] == made[::-1][:2] and first.has_more
    rest = client.v1.promotion_codes.list(params={"coupon": cpn.id, "limit": 2, "starting_after": first.data[-1].id})
    assert [c.id for c in rest.data] == [made[0]] and not rest.has_more
