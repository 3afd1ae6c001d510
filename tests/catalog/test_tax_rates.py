"""Tax rates over a real server with stripe-python, on both backends: create, retrieve, update (not the
percentage nor inclusive, as Stripe), list with its filters and pages, the validation errors, the events,
and the object against the SDK's TaxRate class."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import stripe

from tests.support.answers import ok, refused
from tests.support.conformance import check


def vat(client: stripe.StripeClient, **params: Any) -> stripe.TaxRate:
    return client.v1.tax_rates.create(params={"display_name": "VAT", "percentage": 19.0, "inclusive": False,
                                              **params})


def events_about(client: stripe.StripeClient, obj_id: str, kind: str) -> list[stripe.Event]:
    found = client.v1.events.list(params={"type": kind, "limit": 100}).data
    return [e for e in found if e.data.object["id"] == obj_id]


def test_a_tax_rate_is_created_with_every_field_stripe_shows(client: stripe.StripeClient) -> None:
    # When a rate is created with its optional fields
    rate = vat(client, country="DE", jurisdiction="DE", description="German VAT", tax_type="vat",
               metadata={"code": "de-std"})
    # Then it is a percentage rate, active, with Stripe's prefix and fields
    assert rate.id.startswith("txr_") and rate.object == "tax_rate"
    assert (rate.percentage, rate.effective_percentage, rate.inclusive, rate.active) == (19, 19, False, True)
    assert (rate.country, rate.jurisdiction, rate.tax_type, rate.rate_type) == ("DE", "DE", "vat", "percentage")
    assert rate.flat_amount is None and rate.jurisdiction_level is None and rate.state is None
    assert rate.metadata.to_dict() == {"code": "de-std"}
    # And retrieving it answers the same object
    assert client.v1.tax_rates.retrieve(rate.id).to_dict() == rate.to_dict()


def test_a_decimal_percentage_keeps_its_decimals(client: stripe.StripeClient) -> None:
    rate = vat(client, percentage=7.25, display_name="Sales tax", state="CA", country="US", tax_type="sales_tax")
    assert rate.percentage == 7.25 and rate.effective_percentage == 7.25


def test_a_tax_rate_conforms_to_the_sdk(client: stripe.StripeClient, http: httpx.Client) -> None:
    rate = vat(client, inclusive=True, state="NY", country="US")
    body = ok(http.get(f"/v1/tax_rates/{rate.id}"))
    assert check(body, stripe.TaxRate) == []


def test_an_update_changes_what_stripe_lets_change_and_emits_updated(client: stripe.StripeClient) -> None:
    # Given a rate
    rate = vat(client)
    # When its name, description, metadata and activity change
    updated = client.v1.tax_rates.update(rate.id, params={"display_name": "MwSt", "description": "x",
                                                          "active": False, "metadata": {"k": "v"}})
    # Then the rate shows them, and its arithmetic is unchanged
    assert (updated.display_name, updated.description, updated.active) == ("MwSt", "x", False)
    assert (updated.percentage, updated.inclusive) == (19, False)
    # And tax_rate.updated names what was before
    [event] = events_about(client, rate.id, "tax_rate.updated")
    assert event.data.previous_attributes["display_name"] == "VAT"
    assert event.data.previous_attributes["active"] is True


def test_creating_a_rate_emits_tax_rate_created(client: stripe.StripeClient) -> None:
    rate = vat(client)
    [event] = events_about(client, rate.id, "tax_rate.created")
    assert event.data.object["percentage"] == 19


def test_an_update_that_changes_nothing_emits_no_event(client: stripe.StripeClient) -> None:
    rate = vat(client)
    client.v1.tax_rates.update(rate.id, params={"display_name": "VAT"})
    assert events_about(client, rate.id, "tax_rate.updated") == []


@pytest.mark.parametrize("field, value", [("percentage", "20"), ("inclusive", "true")])
def test_percentage_and_inclusive_cannot_be_updated(client: stripe.StripeClient, http: httpx.Client,
                                                     field: str, value: str) -> None:
    rate = vat(client)
    answer = http.post(f"/v1/tax_rates/{rate.id}", data={field: value})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["message"], error["param"], error["code"]) == (
        f"Received unknown parameter: {field}", field, "parameter_unknown")


@pytest.mark.parametrize("missing", ["display_name", "percentage", "inclusive"])
def test_a_rate_without_a_required_parameter_is_refused(client: stripe.StripeClient, missing: str) -> None:
    params: dict[str, Any] = {"display_name": "VAT", "percentage": 19, "inclusive": False}
    del params[missing]
    error = refused(lambda: client.v1.tax_rates.create(params=params))  # type: ignore[arg-type]
    assert (error.param, error.code) == (missing, "parameter_missing")
    assert str(error.user_message) == f"Missing required param: {missing}."


@pytest.mark.parametrize("percentage, message", [
    (100.5, "Tax rate percentages must be between 0 and 100."),
    (-1, "Tax rate percentages must be between 0 and 100."),
    (12.34567, "Tax rate percentages can have at most 4 decimal places."),
])
def test_a_percentage_out_of_bounds_is_refused(client: stripe.StripeClient, percentage: float, message: str) -> None:
    error = refused(lambda: vat(client, percentage=percentage))
    assert (error.user_message, error.param) == (message, "percentage")


def test_a_tax_type_stripe_does_not_know_is_refused(client: stripe.StripeClient) -> None:
    error = refused(lambda: vat(client, tax_type="income_tax"))
    assert error.param == "tax_type" and str(error.user_message).startswith("Invalid tax_type: must be one of")


def test_an_unknown_rate_is_a_404_naming_it(client: stripe.StripeClient) -> None:
    error = refused(lambda: client.v1.tax_rates.retrieve("txr_missing"), 404)
    assert (error.code, error.param) == ("resource_missing", "tax_rate")
    assert error.user_message == "No such tax rate: 'txr_missing'"


def test_rates_are_listed_newest_first_with_the_active_and_inclusive_filters(client: stripe.StripeClient) -> None:
    # Given rates of each kind, one archived, tagged by a run of this test
    run = uuid.uuid4().hex
    made = [vat(client, inclusive=inclusive, description=run) for inclusive in (False, True, True)]
    client.v1.tax_rates.update(made[2].id, params={"active": False})
    since = {"gte": made[0].created}

    def listed(**params: Any) -> list[str]:
        page = client.v1.tax_rates.list(params={"limit": 100, "created": since, **params})
        return [r.id for r in page.data if r.description == run]

    # Then each filter keeps the rates it names
    assert listed() == [made[2].id, made[1].id, made[0].id]
    assert listed(inclusive=True) == [made[2].id, made[1].id]
    assert listed(inclusive=False) == [made[0].id]
    assert listed(active=False) == [made[2].id]
    assert listed(active=True, inclusive=True) == [made[1].id]


def test_rates_page_with_starting_after(client: stripe.StripeClient) -> None:
    run = uuid.uuid4().hex
    made = [vat(client, description=run) for _ in range(3)]
    first = client.v1.tax_rates.list(params={"limit": 2})
    assert first.has_more and first.data[0].id == made[2].id
    rest = client.v1.tax_rates.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert rest.data[0].id not in {r.id for r in first.data}
