"""Invoice items priced by a catalog price (`pricing[price]`, `price` before basil): the amount comes from
the price (per unit or tiered, domain/pricing.py), the item and its line carry `pricing.price_details`, and
a price an item may not take is refused naming `pricing[price]`. Real server, both backends."""

from __future__ import annotations

from typing import Any

import httpx
import stripe

from tests import factories
from tests.support.answers import ok, refused


def a_price(client: stripe.StripeClient, **params: Any) -> stripe.Price:
    prod = client.v1.products.create(params={"name": "Support plan"})
    return client.v1.prices.create(params={"product": prod.id, "currency": "usd", **params})


def test_an_item_priced_by_a_price_costs_quantity_times_its_unit_amount(client: stripe.StripeClient) -> None:
    price = a_price(client, unit_amount=1099)
    cus = factories.new_customer(client, balance=-500)
    item = client.v1.invoice_items.create(params={"customer": cus.id, "pricing": {"price": price.id},
                                                  "quantity": 3})
    assert item.amount == 3297 and item.currency == "usd" and item.quantity == 3
    assert item.pricing.price_details.price == price.id
    assert item.pricing.price_details.product == price.product
    assert str(item.pricing.unit_amount_decimal) == "1099"
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    line = inv.lines.data[0]
    assert line.pricing.price_details.price == price.id and line.amount == 3297
    inv = client.v1.invoices.finalize_invoice(inv.id)
    inv = client.v1.invoices.mark_uncollectible(inv.id)
    assert inv.status == "uncollectible" and inv.amount_due == 3297 - 500


def test_a_tiered_price_prices_the_whole_quantity_by_its_tiers(client: stripe.StripeClient) -> None:
    price = a_price(client, billing_scheme="tiered", tiers_mode="volume",
                    tiers=[{"up_to": 5, "unit_amount": 700}, {"up_to": "inf", "unit_amount": 600}])
    cus = factories.new_customer(client)
    item = client.v1.invoice_items.create(params={"customer": cus.id, "pricing": {"price": price.id},
                                                  "quantity": 6})
    assert item.amount == 3600  # Stripe's volume example: 6 units all at the second tier


def test_prices_an_item_may_not_take_are_refused_naming_the_parameter(client: stripe.StripeClient) -> None:
    cus = factories.new_customer(client)
    unknown = refused(lambda: client.v1.invoice_items.create(
        params={"customer": cus.id, "pricing": {"price": "price_nope"}}), 404)
    assert unknown.param == "pricing[price]" and "No such price: 'price_nope'" in str(unknown.user_message)
    recurring = a_price(client, unit_amount=500, recurring={"interval": "month"})
    error = refused(lambda: client.v1.invoice_items.create(params={"customer": cus.id,
                                                                   "pricing": {"price": recurring.id}}))
    assert error.param == "pricing[price]" and "type=one_time" in str(error.user_message)
    euro = a_price(client, unit_amount=500, currency="eur")
    error = refused(lambda: client.v1.invoice_items.create(
        params={"customer": cus.id, "currency": "usd", "pricing": {"price": euro.id}}))
    assert error.param == "pricing[price]"
    inactive = a_price(client, unit_amount=500)
    client.v1.prices.update(inactive.id, params={"active": False})
    error = refused(lambda: client.v1.invoice_items.create(params={"customer": cus.id,
                                                                   "pricing": {"price": inactive.id}}))
    assert "inactive" in str(error.user_message)
    both = refused(lambda: client.v1.invoice_items.create(
        params={"customer": cus.id, "amount": 100, "currency": "usd", "pricing": {"price": euro.id}}))
    assert both.code == "parameters_exclusive"


def test_before_basil_an_item_takes_price_and_shows_it(client: stripe.StripeClient, http: httpx.Client) -> None:
    price = a_price(client, unit_amount=250)
    cus = factories.new_customer(client)
    item = ok(http.post("/v1/invoiceitems", data={"customer": cus.id, "price": price.id, "quantity": 2},
                        headers={"Stripe-Version": "2024-06-20"}))
    assert item["amount"] == 500 and item["unit_amount"] == 250 and "pricing" not in item
    latest = ok(http.get(f"/v1/invoiceitems/{item['id']}"))
    assert latest["pricing"]["price_details"]["price"] == price.id
    refused_now = http.post("/v1/invoiceitems", data={"customer": cus.id, "price": price.id})
    assert refused_now.status_code == 400 and refused_now.json()["error"]["param"] == "price"
