"""The customer's discount over a real server, on both backends: ``coupon`` and ``promotion_code`` on
customer create and update before API 2025-03-31.basil (refused as unknown parameters since), the
``discount`` object the customer shows, ``DELETE /v1/customers/{customer}/discount``, the
``customer.discount.*`` events, redemptions counted on coupons and codes, and the object against the SDK's
Discount and Customer classes."""

from __future__ import annotations

from typing import Any

import httpx
import stripe

from tests import factories
from tests.support.answers import ok, refused
from tests.support.conformance import check

ACACIA = "2025-02-24.acacia"  # the last version whose customers take coupon and promotion_code
OLD: Any = {"stripe_version": ACACIA}


def a_coupon(client: stripe.StripeClient, **params: Any) -> stripe.Coupon:
    return client.v1.coupons.create(params={"percent_off": 15, **params})


def old_customer(client: stripe.StripeClient, **params: Any) -> stripe.Customer:
    return client.v1.customers.create(params=params, options=OLD)


def events_about(client: stripe.StripeClient, obj_id: str, kind: str) -> list[stripe.Event]:
    found = client.v1.events.list(params={"type": kind, "limit": 100}).data
    return [e for e in found if e.data.object.to_dict().get("customer") == obj_id]


# --- before basil: coupon and promotion_code on customers ---------------------------------------

def test_a_customer_created_with_a_coupon_has_its_discount(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    cus = old_customer(client, coupon=cpn.id)
    disc = cus.discount
    assert disc is not None and disc.id.startswith("di_") and disc.object == "discount"
    assert (disc["coupon"], disc.customer, disc.promotion_code, disc.end) == (cpn.id, cus.id, None, None)
    assert disc.start == cus.created
    # Then the coupon counts the redemption, and the change is announced
    assert client.v1.coupons.retrieve(cpn.id).times_redeemed == 1
    [event] = events_about(client, cus.id, "customer.discount.created")
    assert event.data.object["id"] == disc.id


def test_a_repeating_coupon_gives_a_discount_that_ends(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client, duration="repeating", duration_in_months=3)
    disc = old_customer(client, coupon=cpn.id).discount
    assert disc is not None and disc.end is not None and 89 * 86400 <= disc.end - disc.start <= 92 * 86400


def test_a_new_coupon_replaces_the_discount_and_emits_updated(client: stripe.StripeClient) -> None:
    first, second = a_coupon(client), a_coupon(client, percent_off=30)
    cus = old_customer(client, coupon=first.id)
    updated = client.v1.customers.update(cus.id, params={"coupon": second.id}, options=OLD)
    assert updated.discount is not None and updated.discount["coupon"] == second.id
    [event] = events_about(client, cus.id, "customer.discount.updated")
    assert event.data.object["id"] == updated.discount.id


def test_an_empty_coupon_removes_the_discount(client: stripe.StripeClient) -> None:
    cus = old_customer(client, coupon=a_coupon(client).id)
    cleared = client.v1.customers.update(cus.id, params={"coupon": ""}, options=OLD)
    assert cleared.discount is None
    assert len(events_about(client, cus.id, "customer.discount.deleted")) == 1


def test_a_promotion_code_gives_its_coupons_discount_and_counts_on_both(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": cpn.id}})
    cus = factories.customer(client)
    updated = client.v1.customers.update(cus.id, params={"promotion_code": promo.id}, options=OLD)
    assert updated.discount is not None
    assert (updated.discount["coupon"], updated.discount.promotion_code) == (cpn.id, promo.id)
    assert client.v1.promotion_codes.retrieve(promo.id).times_redeemed == 1
    assert client.v1.coupons.retrieve(cpn.id).times_redeemed == 1


def test_a_code_for_another_customer_is_refused_and_changes_nothing(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    owner, other = factories.customer(client), factories.customer(client)
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": cpn.id},
                                                     "customer": owner.id})
    error = refused(lambda: client.v1.customers.update(other.id, params={"promotion_code": promo.id},
                                                       options=OLD))
    assert (error.param, error.code) == ("promotion_code", "promotion_code_customer_not_eligible")
    assert client.v1.customers.retrieve(other.id).discount is None
    assert client.v1.coupons.retrieve(cpn.id).times_redeemed == 0


def test_an_inactive_code_is_refused(client: stripe.StripeClient) -> None:
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": a_coupon(client).id},
                                                     "active": False})
    error = refused(lambda: old_customer(client, promotion_code=promo.id))
    assert (error.param, error.code) == ("promotion_code", "promotion_code_inactive")


def test_a_fully_redeemed_coupon_is_no_longer_valid(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client, max_redemptions=1)
    old_customer(client, coupon=cpn.id)
    after = client.v1.coupons.retrieve(cpn.id)
    assert (after.times_redeemed, after.valid) == (1, False)
    error = refused(lambda: old_customer(client, coupon=cpn.id))
    assert (error.param, error.code) == ("coupon", "coupon_expired")


def test_an_unknown_coupon_is_404_and_no_customer_is_made(client: stripe.StripeClient) -> None:
    before = client.v1.customers.list(params={"limit": 1}).data
    error = refused(lambda: old_customer(client, coupon="NOSUCH99", email="x@example.com"), 404)
    assert (error.param, error.code) == ("coupon", "resource_missing")
    assert client.v1.customers.list(params={"limit": 1}).data[0].id == before[0].id


def test_coupon_and_promotion_code_together_are_refused(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    promo = client.v1.promotion_codes.create(params={"promotion": {"type": "coupon", "coupon": cpn.id}})
    error = refused(lambda: old_customer(client, coupon=cpn.id, promotion_code=promo.id))
    assert error.param == "promotion_code"


# --- from basil on ---------------------------------------------------------------------------------

def test_at_the_current_version_coupon_and_promotion_code_are_unknown_parameters(client: stripe.StripeClient) -> None:
    cpn = a_coupon(client)
    error = refused(lambda: client.v1.customers.create(params={"coupon": cpn.id}))
    assert (error.code, error.param, error.user_message) == (
        "parameter_unknown", "coupon", "Received unknown parameter: coupon")
    cus = factories.customer(client)
    error = refused(lambda: client.v1.customers.update(cus.id, params={"promotion_code": "promo_x"}))
    assert (error.code, error.param) == ("parameter_unknown", "promotion_code")
    assert client.v1.coupons.retrieve(cpn.id).times_redeemed == 0


def test_the_current_version_shows_the_discount_with_its_source(client: stripe.StripeClient,
                                                                http: httpx.Client) -> None:
    cpn = a_coupon(client)
    cus = old_customer(client, coupon=cpn.id)
    body = ok(http.get(f"/v1/customers/{cus.id}"))
    assert body["discount"]["source"] == {"coupon": cpn.id, "type": "coupon"} and "coupon" not in body["discount"]
    assert check(body, stripe.Customer) == []
    expanded = ok(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "discount.source.coupon"}))
    assert expanded["discount"]["source"]["coupon"]["id"] == cpn.id
    assert check(expanded["discount"], stripe.Discount) == []


# --- DELETE /v1/customers/{customer}/discount --------------------------------------------------------

def test_deleting_the_discount_answers_it_deleted_and_clears_the_customer(client: stripe.StripeClient,
                                                                          http: httpx.Client) -> None:
    cus = old_customer(client, coupon=a_coupon(client).id)
    assert cus.discount is not None
    gone = ok(http.delete(f"/v1/customers/{cus.id}/discount"))
    assert (gone["id"], gone["object"], gone["deleted"]) == (cus.discount.id, "discount", True)
    assert check(gone, stripe.Discount) == []
    assert client.v1.customers.retrieve(cus.id).discount is None
    [event] = events_about(client, cus.id, "customer.discount.deleted")
    assert event.data.object["id"] == cus.discount.id


def test_the_sdk_deletes_a_discount(client: stripe.StripeClient) -> None:
    cus = old_customer(client, coupon=a_coupon(client).id)
    gone = client.v1.customers.delete_discount(cus.id)
    assert gone.deleted is True and gone.customer == cus.id


def test_deleting_a_discount_that_is_not_there_is_404(client: stripe.StripeClient) -> None:
    cus = factories.customer(client)
    error = refused(lambda: client.v1.customers.delete_discount(cus.id), 404)
    assert error.user_message == f"No active discount for customer: {cus.id}"
    refused(lambda: client.v1.customers.delete_discount("cus_missing"), 404)
