"""Products through the official SDK on a real server (both backends): create (with default_price_data),
retrieve, update, delete (refused while the product has prices), list filters and pages, search, events,
and the product's shape against stripe-python's ``Product``.

The session server is shared: every test makes products with a token of its own (in ``url`` or
metadata) and filters by it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import stripe

from tests.support.answers import ok, refused
from tests.support.conformance import check


def token() -> str:
    return uuid.uuid4().hex[:12]


def product(client: stripe.StripeClient, **params: Any) -> stripe.Product:
    return client.v1.products.create(params={"name": "Gold plan", **params})


def events_of(http: httpx.Client, kind: str, obj_id: str) -> list[dict[str, Any]]:
    found = ok(http.get("/v1/events", params={"type": kind, "limit": 100}))["data"]
    return [e for e in found if e["data"]["object"]["id"] == obj_id]


# --- create and retrieve --------------------------------------------------------------------------

def test_a_product_is_created_with_stripes_defaults_and_retrieved(client: stripe.StripeClient) -> None:
    # When a product is created with only a name
    prod = product(client)
    # Then it has Stripe's defaults, and retrieving it answers the same object
    assert prod.id.startswith("prod_")
    assert (prod.active, prod.type, prod.default_price, prod.images, prod.marketing_features) == (
        True, "service", None, [], [])
    assert prod.created == prod.updated
    assert client.v1.products.retrieve(prod.id).to_dict() == prod.to_dict()


def test_a_product_keeps_every_field_it_was_created_with(client: stripe.StripeClient) -> None:
    prod = product(client, description="Monthly gold", images=["https://example.com/gold.png"],
                   marketing_features=[{"name": "Priority support"}], metadata={"tier": "gold"},
                   package_dimensions={"height": 1.5, "length": 2, "weight": 3.25, "width": 4},
                   shippable=True, statement_descriptor="GOLD PLAN", unit_label="seat",
                   url="https://example.com/gold", type="good", tax_code="txcd_10000000")
    got = client.v1.products.retrieve(prod.id)
    assert got.description == "Monthly gold"
    assert got.images == ["https://example.com/gold.png"]
    assert got.marketing_features[0].name == "Priority support"
    assert got.package_dimensions.to_dict() == {"height": 1.5, "length": 2.0, "weight": 3.25, "width": 4.0}
    assert (got.shippable, got.statement_descriptor, got.unit_label, got.type, got.tax_code) == (
        True, "GOLD PLAN", "seat", "good", "txcd_10000000")
    assert got.metadata.to_dict() == {"tier": "gold"}


def test_default_price_data_creates_the_products_default_price(client: stripe.StripeClient,
                                                               http: httpx.Client) -> None:
    # When a product is created with default_price_data
    prod = product(client, default_price_data={"currency": "eur", "unit_amount": 1200,
                                               "recurring": {"interval": "month"}})
    # Then its default price exists, is a price of it, and both creations were announced
    price = client.v1.prices.retrieve(prod.default_price)
    assert (price.product, price.currency, price.unit_amount, price.type) == (prod.id, "eur", 1200, "recurring")
    assert price.recurring.interval == "month" and price.recurring.interval_count == 1
    created = events_of(http, "product.created", prod.id)
    assert len(created) == 1 and created[0]["data"]["object"]["default_price"] == price.id
    assert len(events_of(http, "price.created", price.id)) == 1


def test_default_price_data_that_is_no_price_leaves_no_product(client: stripe.StripeClient) -> None:
    name = f"Half-made {token()}"
    err = refused(lambda: product(client, name=name, default_price_data={"currency": "usd"}))
    assert err.param == "default_price_data[unit_amount]" and err.code == "parameter_missing"
    found = client.v1.products.search(params={"query": f'name:"{name}"'})
    assert found.data == []


def test_a_product_of_your_own_id_is_created_once(client: stripe.StripeClient) -> None:
    own = f"prod_own_{token()}"
    assert product(client, id=own).id == own
    err = refused(lambda: product(client, id=own))
    assert (err.param, err.code, err.user_message) == ("id", "resource_already_exists", "Product already exists.")


def test_a_product_without_a_name_is_refused(client: stripe.StripeClient) -> None:
    err = refused(lambda: client.v1.products.create(params={"description": "no name"}))  # type: ignore[typeddict-item]
    assert (err.param, err.code) == ("name", "parameter_missing")


def test_an_unknown_product_is_stripes_404(client: stripe.StripeClient) -> None:
    err = refused(lambda: client.v1.products.retrieve("prod_missing"), status=404)
    assert (err.code, err.param, err.user_message) == ("resource_missing", "product",
                                                       "No such product: 'prod_missing'")


def test_too_many_images_are_refused(client: stripe.StripeClient) -> None:
    err = refused(lambda: product(client, images=[f"https://example.com/{i}.png" for i in range(9)]))
    assert err.param == "images"


def test_a_statement_descriptor_follows_stripes_rules(client: stripe.StripeClient) -> None:
    assert refused(lambda: product(client, statement_descriptor="GOLD <PLAN>")).param == "statement_descriptor"
    assert refused(lambda: product(client, statement_descriptor="12345")).param == "statement_descriptor"
    assert refused(lambda: product(client, statement_descriptor="X" * 23)).param == "statement_descriptor"
    prod = product(client)
    err = refused(lambda: client.v1.products.update(prod.id, params={"statement_descriptor": "'quoted'"}))
    assert err.param == "statement_descriptor"
    err = refused(lambda: client.v1.prices.create(params={"currency": "usd", "unit_amount": 1, "product_data": {
        "name": "x", "statement_descriptor": "99"}}))
    assert err.param == "product_data[statement_descriptor]"


# --- update ---------------------------------------------------------------------------------------

def test_an_update_changes_the_fields_given_and_announces_their_old_values(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    prod = product(client, description="before", metadata={"keep": "1", "drop": "2"})
    got = client.v1.products.update(prod.id, params={"name": "Platinum", "description": "",
                                                     "metadata": {"drop": ""}, "active": False})
    assert (got.name, got.description, got.active) == ("Platinum", None, False)
    assert got.metadata.to_dict() == {"keep": "1"}
    assert got.updated >= prod.updated
    (event,) = events_of(http, "product.updated", prod.id)
    previous = event["data"]["previous_attributes"]
    assert previous["name"] == "Gold plan" and previous["description"] == "before" and previous["active"] is True


def test_an_update_that_changes_nothing_announces_nothing(client: stripe.StripeClient, http: httpx.Client) -> None:
    prod = product(client)
    client.v1.products.update(prod.id, params={"name": "Gold plan"})
    assert events_of(http, "product.updated", prod.id) == []


def test_the_default_price_must_be_an_active_price_of_the_product(client: stripe.StripeClient) -> None:
    prod, other = product(client), product(client)
    mine = client.v1.prices.create(params={"product": prod.id, "currency": "usd", "unit_amount": 500})
    theirs = client.v1.prices.create(params={"product": other.id, "currency": "usd", "unit_amount": 500})
    assert client.v1.products.update(prod.id, params={"default_price": mine.id}).default_price == mine.id
    err = refused(lambda: client.v1.products.update(prod.id, params={"default_price": theirs.id}))
    assert err.param == "default_price"
    err = refused(lambda: client.v1.products.update(prod.id, params={"default_price": "price_missing"}), 404)
    assert (err.param, err.code) == ("default_price", "resource_missing")


def test_the_default_price_expands_and_a_prices_product_expands(client: stripe.StripeClient) -> None:
    prod = product(client, default_price_data={"currency": "usd", "unit_amount": 900})
    got = client.v1.products.retrieve(prod.id, params={"expand": ["default_price"]})
    assert isinstance(got.default_price, stripe.Price) and got.default_price.unit_amount == 900
    price = client.v1.prices.retrieve(prod.default_price, params={"expand": ["product"]})
    assert isinstance(price.product, stripe.Product) and price.product.id == prod.id


# --- delete ---------------------------------------------------------------------------------------

def test_a_product_without_prices_is_deleted(client: stripe.StripeClient, http: httpx.Client) -> None:
    prod = product(client)
    gone = client.v1.products.delete(prod.id)
    assert (gone.id, gone.deleted) == (prod.id, True)
    refused(lambda: client.v1.products.retrieve(prod.id), status=404)
    (event,) = events_of(http, "product.deleted", prod.id)
    assert event["data"]["object"]["name"] == "Gold plan"


def test_a_product_with_a_price_cannot_be_deleted_even_archived(client: stripe.StripeClient) -> None:
    prod = product(client)
    price = client.v1.prices.create(params={"product": prod.id, "currency": "usd", "unit_amount": 100})
    client.v1.prices.update(price.id, params={"active": False})
    err = refused(lambda: client.v1.products.delete(prod.id))
    assert err.user_message == "This product cannot be deleted because it has one or more user-created prices."
    assert client.v1.products.retrieve(prod.id).id == prod.id


# --- list -----------------------------------------------------------------------------------------

def test_lists_filter_by_url_active_shippable_and_type(client: stripe.StripeClient) -> None:
    url = f"https://example.com/{token()}"
    shipped = product(client, url=url, shippable=True, type="good")
    archived = product(client, url=url, active=False)
    plain = product(client, url=url)
    product(client, url=url + "-other")

    def listed(**params: Any) -> list[str]:
        return [p.id for p in client.v1.products.list(params={"url": url, **params}).data]

    assert listed() == [plain.id, archived.id, shipped.id]
    assert listed(active=False) == [archived.id]
    assert listed(active=True) == [plain.id, shipped.id]
    assert listed(shippable=True) == [shipped.id]
    assert listed(type="good") == [shipped.id]


def test_lists_filter_by_ids_and_refuse_ids_with_a_cursor(client: stripe.StripeClient) -> None:
    a, b, c = product(client), product(client), product(client)
    got = client.v1.products.list(params={"ids": [a.id, c.id]})
    assert [p.id for p in got.data] == [c.id, a.id] and got.has_more is False
    err = refused(lambda: client.v1.products.list(params={"ids": [a.id], "starting_after": b.id}))
    assert err.param == "ids"


def test_a_filtered_list_pages_both_ways(client: stripe.StripeClient) -> None:
    # Given five products of one url, among others of another url made in between
    url = f"https://example.com/{token()}"
    made = []
    for _ in range(5):
        made.append(product(client, url=url).id)
        product(client, url=url + "-noise")
    newest_first = list(reversed(made))
    # When they are listed two at a time
    first = client.v1.products.list(params={"url": url, "limit": 2})
    second = client.v1.products.list(params={"url": url, "limit": 2, "starting_after": first.data[-1].id})
    last = client.v1.products.list(params={"url": url, "limit": 2, "starting_after": second.data[-1].id})
    # Then the pages are in order, and only the last says there is no more
    assert [p.id for p in first.data + second.data + last.data] == newest_first
    assert (first.has_more, second.has_more, last.has_more) == (True, True, False)
    back = client.v1.products.list(params={"url": url, "limit": 2, "ending_before": last.data[0].id})
    assert [p.id for p in back.data] == newest_first[2:4] and back.has_more is True
    assert [p.id for p in client.v1.products.list(params={"url": url}).auto_paging_iter()] == newest_first


def test_created_filters_a_list(client: stripe.StripeClient) -> None:
    url = f"https://example.com/{token()}"
    prod = product(client, url=url)
    assert [p.id for p in client.v1.products.list(params={"url": url, "created": {"gte": prod.created}})] == [prod.id]
    assert client.v1.products.list(params={"url": url, "created": {"lt": prod.created}}).data == []


# --- search ---------------------------------------------------------------------------------------

def test_search_finds_products_by_name_description_url_and_metadata(client: stripe.StripeClient) -> None:
    mark = token()
    gold = product(client, name=f"Gold {mark}", description=f"shiny {mark}", url=f"https://example.com/{mark}",
                   metadata={"mark": mark}, shippable=True)
    silver = product(client, name=f"Silver {mark}", metadata={"mark": mark}, active=False)

    def found(query: str) -> list[str]:
        return [p.id for p in client.v1.products.search(params={"query": query}).data]

    assert found(f'metadata["mark"]:"{mark}"') == [silver.id, gold.id]
    assert found(f'name~"{mark}" AND active:"true"') == [gold.id]
    assert found(f'metadata["mark"]:"{mark}" AND -active:"true"') == [silver.id]
    assert found(f'description~"{mark}"') == [gold.id]
    assert found(f'url:"https://example.com/{mark}"') == [gold.id]
    assert found(f'metadata["mark"]:"{mark}" AND shippable:"true"') == [gold.id]
    assert found(f'name:"Silver {mark}" OR description~"{mark}"') == [silver.id, gold.id]


def test_search_pages_and_counts(client: stripe.StripeClient) -> None:
    mark = token()
    made = [product(client, description=f"paged {mark}").id for _ in range(3)]
    first = client.v1.products.search(params={"query": f'description~"{mark}"', "limit": 2,
                                              "expand": ["total_count"]})
    assert [p.id for p in first.data] == made[::-1][:2] and first.has_more and first.next_page
    assert first.total_count == 3  # type: ignore[attr-defined]
    rest = client.v1.products.search(params={"query": f'description~"{mark}"', "limit": 2,
                                             "page": first.next_page})
    assert [p.id for p in rest.data] == [made[0]] and rest.has_more is False and rest.next_page is None


def test_search_refuses_a_field_products_do_not_have_and_a_boolean_that_is_not_one(
    client: stripe.StripeClient,
) -> None:
    err = refused(lambda: client.v1.products.search(params={"query": 'email:"x@example.com"'}))
    assert err.param == "query" and "unsupported search field" in (err.user_message or "")
    err = refused(lambda: client.v1.products.search(params={"query": 'active:"yes"'}))
    assert err.param == "query"


def test_search_is_not_read_as_a_product_id_by_other_methods(http: httpx.Client) -> None:
    response = http.post("/v1/products/search", data={"name": "x"})
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("Unrecognized request URL")


# --- shape ----------------------------------------------------------------------------------------

def test_a_product_conforms_to_the_sdks_product(client: stripe.StripeClient, http: httpx.Client) -> None:
    prod = product(client, package_dimensions={"height": 1, "length": 2, "weight": 3, "width": 4},
                   marketing_features=[{"name": "Fast"}], tax_details={"tax_code": "txcd_10000000"},
                   default_price_data={"currency": "usd", "unit_amount": 100})
    body = ok(http.get(f"/v1/products/{prod.id}"))
    assert check(body, stripe.Product) == []
    assert check(ok(http.delete(f"/v1/products/{product(client).id}")), stripe.Product) == []
    listed = ok(http.get("/v1/products", params={"ids[]": [prod.id]}))
    assert check(listed["data"][0], stripe.Product) == []
