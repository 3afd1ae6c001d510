"""Prices through the official SDK on a real server (both backends): one-time and recurring, per unit and
tiered, transform_quantity, lookup keys (and their transfer), product_data, what an update may change,
list filters and pages, search, events, bad input, and the price's shape against stripe-python's ``Price``.

The session server is shared: every test makes a product of its own and filters by it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import stripe

from tests.support.answers import ok, refused
from tests.support.conformance import check
from tests.support.faces import check_against, response_schema


def token() -> str:
    return uuid.uuid4().hex[:12]


def product(client: stripe.StripeClient, **params: Any) -> stripe.Product:
    return client.v1.products.create(params={"name": "Gold plan", **params})


def price(client: stripe.StripeClient, prod: stripe.Product | None = None, **params: Any) -> stripe.Price:
    prod = prod or product(client)
    return client.v1.prices.create(params={"product": prod.id, "currency": "usd", "unit_amount": 1000, **params})


def events_of(http: httpx.Client, kind: str, obj_id: str) -> list[dict[str, Any]]:
    found = ok(http.get("/v1/events", params={"type": kind, "limit": 100}))["data"]
    return [e for e in found if e["data"]["object"]["id"] == obj_id]


# --- create ---------------------------------------------------------------------------------------

def test_a_one_time_price_has_stripes_defaults(client: stripe.StripeClient, http: httpx.Client) -> None:
    prod = product(client)
    got = price(client, prod)
    assert got.id.startswith("price_")
    assert (got.product, got.type, got.billing_scheme, got.tax_behavior, got.active) == (
        prod.id, "one_time", "per_unit", "unspecified", True)
    assert (got.unit_amount, str(got.unit_amount_decimal), got.recurring, got.tiers) == (1000, "1000", None, None)
    assert client.v1.prices.retrieve(got.id).to_dict() == got.to_dict()
    assert len(events_of(http, "price.created", got.id)) == 1


def test_a_recurring_price_keeps_its_interval_and_usage_type(client: stripe.StripeClient) -> None:
    got = price(client, recurring={"interval": "month", "interval_count": 3, "trial_period_days": 14})
    assert got.type == "recurring"
    assert got.recurring.to_dict() == {"interval": "month", "interval_count": 3, "meter": None,
                                       "trial_period_days": 14, "usage_type": "licensed"}
    metered = price(client, recurring={"interval": "day", "usage_type": "metered", "meter": "mtr_123"})
    assert (metered.recurring.usage_type, metered.recurring.meter) == ("metered", "mtr_123")


def test_a_decimal_unit_amount_is_kept_exactly(client: stripe.StripeClient) -> None:
    got = client.v1.prices.create(params={"product": product(client).id, "currency": "usd",
                                          "unit_amount_decimal": "12.345"})
    assert (got.unit_amount, str(got.unit_amount_decimal)) == (None, "12.345")


def test_a_tiered_price_shows_its_tiers_with_the_last_up_to_null(client: stripe.StripeClient,
                                                                 http: httpx.Client) -> None:
    got = client.v1.prices.create(params={
        "product": product(client).id, "currency": "usd", "billing_scheme": "tiered", "tiers_mode": "graduated",
        "recurring": {"interval": "month"},
        "tiers": [{"up_to": 5, "unit_amount": 700, "flat_amount": 100}, {"up_to": 10, "unit_amount_decimal": "650.5"},
                  {"up_to": "inf", "unit_amount": 600}]})
    body = ok(http.get(f"/v1/prices/{got.id}"))
    assert (body["billing_scheme"], body["tiers_mode"], body["unit_amount"]) == ("tiered", "graduated", None)
    assert body["tiers"] == [
        {"flat_amount": 100, "flat_amount_decimal": "100", "unit_amount": 700, "unit_amount_decimal": "700",
         "up_to": 5},
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": None, "unit_amount_decimal": "650.5",
         "up_to": 10},
        {"flat_amount": None, "flat_amount_decimal": None, "unit_amount": 600, "unit_amount_decimal": "600",
         "up_to": None},
    ]


def test_transform_quantity_is_kept(client: stripe.StripeClient) -> None:
    got = price(client, transform_quantity={"divide_by": 1000, "round": "up"})
    assert got.transform_quantity.to_dict() == {"divide_by": 1000, "round": "up"}


def test_product_data_creates_the_prices_product(client: stripe.StripeClient, http: httpx.Client) -> None:
    got = client.v1.prices.create(params={"currency": "usd", "unit_amount": 250,
                                          "product_data": {"name": "Sticker", "metadata": {"kind": "swag"}}})
    prod = client.v1.products.retrieve(got.product)
    assert (prod.name, prod.metadata.to_dict(), prod.default_price) == ("Sticker", {"kind": "swag"}, None)
    assert len(events_of(http, "product.created", prod.id)) == 1


def test_bad_prices_are_refused_with_the_parameter_at_fault(client: stripe.StripeClient) -> None:
    prod = product(client)

    def refusal(status: int = 400, **params: Any) -> stripe.InvalidRequestError:
        return refused(lambda: client.v1.prices.create(params={"currency": "usd", **params}), status)

    assert refusal(unit_amount=1).param == "product"
    missing = refusal(404, product="prod_missing", unit_amount=1)
    assert (missing.param, missing.code, missing.user_message) == (
        "product", "resource_missing", "No such product: 'prod_missing'")
    assert refusal(product=prod.id, product_data={"name": "x"}, unit_amount=1).code == "parameters_exclusive"
    assert refusal(product=prod.id).param == "unit_amount"
    assert refusal(product=prod.id, unit_amount=-1).param == "unit_amount"
    assert refusal(product=prod.id, unit_amount=1, unit_amount_decimal="1.5").code == "parameters_exclusive"
    assert refusal(product=prod.id, billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": 10, "unit_amount": 5}]).param == "tiers[0][up_to]"
    assert refusal(product=prod.id, billing_scheme="tiered", tiers=[{"up_to": "inf", "unit_amount": 5}]
                   ).param == "tiers_mode"
    assert refusal(product=prod.id, unit_amount=1, recurring={"interval": "year", "interval_count": 4}
                   ).param == "recurring[interval_count]"
    assert refusal(product=prod.id, unit_amount=1, recurring={"interval": "fortnight"}).param == (
        "recurring[interval]")
    assert refusal(product=prod.id, unit_amount=10**15).code == "amount_too_large"
    huge = refusal(product=prod.id, billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "inf", "unit_amount_decimal": "999999999999999"}])
    assert (huge.code, huge.param) == ("amount_too_large", "tiers[0][unit_amount_decimal]")
    assert refusal(product=prod.id, billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "²", "unit_amount": 1}]).param == "tiers[0][up_to]"
    assert refusal(product=prod.id, unit_amount=1, currency="xyz").param == "currency"
    assert refusal(product=prod.id, unit_amount=1, custom_unit_amount={"enabled": True}).code == "parameter_unknown"
    # nothing of the refused requests was kept
    assert client.v1.prices.list(params={"product": prod.id}).data == []


# --- lookup keys ----------------------------------------------------------------------------------

def test_a_lookup_key_belongs_to_one_price_until_transferred(client: stripe.StripeClient, http: httpx.Client) -> None:
    key = f"gold_{token()}"
    first = price(client, lookup_key=key)
    err = refused(lambda: price(client, lookup_key=key))
    assert err.param == "lookup_key" and first.id in (err.user_message or "")
    second = price(client, lookup_key=key, transfer_lookup_key=True)
    assert client.v1.prices.retrieve(first.id).lookup_key is None
    assert [p.id for p in client.v1.prices.list(params={"lookup_keys": [key]}).data] == [second.id]
    (moved,) = events_of(http, "price.updated", first.id)
    assert moved["data"]["previous_attributes"] == {"lookup_key": key}


def test_an_update_moves_a_lookup_key_only_when_told_to(client: stripe.StripeClient) -> None:
    key = f"silver_{token()}"
    holder, other = price(client, lookup_key=key), price(client)
    refused(lambda: client.v1.prices.update(other.id, params={"lookup_key": key}))
    got = client.v1.prices.update(other.id, params={"lookup_key": key, "transfer_lookup_key": True})
    assert got.lookup_key == key and client.v1.prices.retrieve(holder.id).lookup_key is None
    assert client.v1.prices.update(other.id, params={"lookup_key": key}).lookup_key == key  # its own already


# --- update ---------------------------------------------------------------------------------------

def test_an_update_changes_what_stripe_lets_change(client: stripe.StripeClient, http: httpx.Client) -> None:
    got = price(client, metadata={"a": "1"})
    updated = client.v1.prices.update(got.id, params={"active": False, "nickname": "Old gold",
                                                      "metadata": {"b": "2"}, "tax_behavior": "exclusive"})
    assert (updated.active, updated.nickname, updated.tax_behavior) == (False, "Old gold", "exclusive")
    assert updated.metadata.to_dict() == {"a": "1", "b": "2"}
    (event,) = events_of(http, "price.updated", got.id)
    assert event["data"]["previous_attributes"]["active"] is True


def test_a_prices_amounts_cannot_be_updated(client: stripe.StripeClient) -> None:
    got = price(client)
    for params in ({"unit_amount": 5}, {"currency": "eur"}, {"recurring": {"interval": "month"}}):
        err = refused(lambda params=params: client.v1.prices.update(got.id, params=params))  # type: ignore[misc]
        assert err.code == "parameter_unknown"


def test_a_set_tax_behavior_cannot_change(client: stripe.StripeClient) -> None:
    got = price(client, tax_behavior="inclusive")
    err = refused(lambda: client.v1.prices.update(got.id, params={"tax_behavior": "exclusive"}))
    assert err.param == "tax_behavior"
    assert client.v1.prices.update(got.id, params={"tax_behavior": "inclusive"}).tax_behavior == "inclusive"


def test_a_products_default_price_cannot_be_archived(client: stripe.StripeClient) -> None:
    prod = product(client, default_price_data={"currency": "usd", "unit_amount": 500})
    err = refused(lambda: client.v1.prices.update(prod.default_price, params={"active": False}))
    assert err.param == "active"
    assert client.v1.prices.retrieve(prod.default_price).active is True


def test_there_is_no_deleting_a_price(http: httpx.Client, client: stripe.StripeClient) -> None:
    response = http.delete(f"/v1/prices/{price(client).id}")
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Unrecognized request URL")


# --- list and search ------------------------------------------------------------------------------

def test_lists_filter_by_product_type_currency_active_and_interval(client: stripe.StripeClient) -> None:
    prod = product(client)
    one_time = price(client, prod)
    monthly = price(client, prod, recurring={"interval": "month"})
    yearly_eur = price(client, prod, currency="eur", recurring={"interval": "year"})
    archived = price(client, prod, active=False)

    def listed(**params: Any) -> list[str]:
        return [p.id for p in client.v1.prices.list(params={"product": prod.id, **params}).data]

    assert listed() == [archived.id, yearly_eur.id, monthly.id, one_time.id]
    assert listed(type="recurring") == [yearly_eur.id, monthly.id]
    assert listed(currency="eur") == [yearly_eur.id]
    assert listed(active=False) == [archived.id]
    assert listed(recurring={"interval": "month"}) == [monthly.id]
    assert listed(recurring={"usage_type": "licensed"}) == [yearly_eur.id, monthly.id]


def test_a_list_by_interval_pages_through_the_others(client: stripe.StripeClient) -> None:
    prod = product(client)
    monthly = []
    for _ in range(3):
        monthly.append(price(client, prod, recurring={"interval": "month"}).id)
        price(client, prod)
    first = client.v1.prices.list(params={"product": prod.id, "recurring": {"interval": "month"}, "limit": 2})
    rest = client.v1.prices.list(params={"product": prod.id, "recurring": {"interval": "month"}, "limit": 2,
                                         "starting_after": first.data[-1].id})
    assert [p.id for p in first.data + rest.data] == monthly[::-1]
    assert (first.has_more, rest.has_more) == (True, False)


def test_lookup_keys_list_at_most_ten(client: stripe.StripeClient) -> None:
    err = refused(lambda: client.v1.prices.list(params={"lookup_keys": [f"k{i}" for i in range(11)]}))
    assert err.param == "lookup_keys"


def test_search_finds_prices_by_product_lookup_key_type_and_metadata(client: stripe.StripeClient) -> None:
    prod = product(client)
    mark = token()
    monthly = price(client, prod, recurring={"interval": "month"}, lookup_key=f"m_{mark}", metadata={"m": mark})
    once = price(client, prod, metadata={"m": mark}, active=False)

    def found(query: str) -> list[str]:
        return [p.id for p in client.v1.prices.search(params={"query": query}).data]

    assert found(f'product:"{prod.id}"') == [once.id, monthly.id]
    assert found(f'product:"{prod.id}" AND type:"recurring"') == [monthly.id]
    assert found(f'lookup_key~"{mark}"') == [monthly.id]
    assert found(f'metadata["m"]:"{mark}" AND active:"false"') == [once.id]
    page = client.v1.prices.search(params={"query": f'product:"{prod.id}"', "limit": 1})
    assert page.has_more and page.next_page
    rest = client.v1.prices.search(params={"query": f'product:"{prod.id}"', "limit": 1, "page": page.next_page})
    assert [p.id for p in rest.data] == [monthly.id]


# --- shape and versions ---------------------------------------------------------------------------

def test_prices_conform_to_the_sdks_price(client: stripe.StripeClient, http: httpx.Client) -> None:
    prod = product(client)
    made = [
        price(client, prod),
        price(client, prod, recurring={"interval": "week"}, transform_quantity={"divide_by": 10, "round": "down"}),
        client.v1.prices.create(params={"product": prod.id, "currency": "usd", "billing_scheme": "tiered",
                                        "tiers_mode": "volume",
                                        "tiers": [{"up_to": 1, "flat_amount_decimal": "100"},
                                                  {"up_to": "inf", "unit_amount": 1}]}),
    ]
    for got in made:
        assert check(ok(http.get(f"/v1/prices/{got.id}")), stripe.Price) == []
        # what Stripe shows only when expanded, arrears always shows: expanding them is no error
        expanded = ok(http.get(f"/v1/prices/{got.id}", params={"expand[]": ["tiers", "currency_options"]}))
        assert check(expanded, stripe.Price) == []
    listed = ok(http.get("/v1/prices", params={"product": prod.id}))
    assert all(check(p, stripe.Price) == [] for p in listed["data"])


def test_answers_match_the_schemas_of_the_openapi_document(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given the Stripe face's own document, whose object schemas forbid undeclared keys here
    doc = ok(http.get("/openapi.json"))
    prod = product(client, default_price_data={"currency": "usd", "unit_amount": 100, "recurring": {"interval": "day"}},
                   package_dimensions={"height": 1, "length": 2, "weight": 3, "width": 4},
                   marketing_features=[{"name": "Fast"}])
    tiered = client.v1.prices.create(params={"product": prod.id, "currency": "usd", "billing_scheme": "tiered",
                                             "tiers_mode": "graduated", "tiers": [{"up_to": "inf", "unit_amount": 1}]})
    answers = [
        ("GET", "/v1/products/{product}",
         ok(http.get(f"/v1/products/{prod.id}", params={"expand[]": "default_price"}))),
        ("GET", "/v1/products", ok(http.get("/v1/products", params={"ids[]": [prod.id]}))),
        ("GET", "/v1/products/search", ok(http.get("/v1/products/search", params={"query": "name:'Gold plan'"}))),
        ("GET", "/v1/prices/{price}", ok(http.get(f"/v1/prices/{tiered.id}", params={"expand[]": "product"}))),
        ("GET", "/v1/prices", ok(http.get("/v1/prices", params={"product": prod.id}))),
        ("GET", "/v1/prices/search", ok(http.get("/v1/prices/search", params={"query": f"product:'{prod.id}'"}))),
        ("DELETE", "/v1/products/{product}", ok(http.delete(f"/v1/products/{product(client).id}"))),
    ]
    # Then every answer matches its operation's schema
    for method, path, body in answers:
        assert check_against(doc, response_schema(doc, method, path), body) == [], (method, path)


def test_before_basil_a_recurring_price_shows_aggregate_usage(http: httpx.Client, client: stripe.StripeClient) -> None:
    got = price(client, recurring={"interval": "month"})
    old = ok(http.get(f"/v1/prices/{got.id}", headers={"Stripe-Version": "2025-02-24.acacia"}))
    assert old["recurring"]["aggregate_usage"] is None
    assert "aggregate_usage" not in ok(http.get(f"/v1/prices/{got.id}"))["recurring"]


def test_before_2024_04_10_a_product_shows_features(http: httpx.Client, client: stripe.StripeClient) -> None:
    prod = product(client, marketing_features=[{"name": "Fast"}])
    old = ok(http.get(f"/v1/products/{prod.id}", headers={"Stripe-Version": "2023-10-16"}))
    assert old["features"] == [{"name": "Fast"}] and "marketing_features" not in old
    made = ok(http.post("/v1/products", data={"name": "Old", "features[0][name]": "Slow"},
                        headers={"Stripe-Version": "2023-10-16"}))
    assert made["features"] == [{"name": "Slow"}]
    assert ok(http.get(f"/v1/products/{made['id']}"))["marketing_features"] == [{"name": "Slow"}]
