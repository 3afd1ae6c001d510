"""Prices on the Stripe face: parameters, handlers, routes and object schema
(docs.stripe.com/api/prices; stripe-python 16.1.0 ``PriceCreateParams`` and friends). Stripe has no
``DELETE /v1/prices/{price}``: a price is archived with ``active=false``."""

from __future__ import annotations

from typing import Any

from arrears.api.cycle import Call, Operation
from arrears.api.openapi import nullable
from arrears.api.schema import (
    Spec,
    array,
    boolean,
    currency,
    decimal,
    enum,
    integer,
    metadata,
    obj,
    string,
    timestamp_filter,
)
from arrears.api.stripe import handlers as h
from arrears.api.stripe import params as p
from arrears.api.stripe import search as search_lang
from arrears.api.stripe.catalog import listing
from arrears.api.stripe.catalog.products import TAX_BEHAVIOR, TAX_DETAILS
from arrears.domain import Doc
from arrears.services import prices
from arrears.store.base import Tx
from arrears.store.query import Cond

# --- parameters -----------------------------------------------------------------------------------

INTERVAL = enum("day", "month", "week", "year")
USAGE_TYPE = enum("licensed", "metered")
TIER = obj({
    "flat_amount": integer(minimum=0),
    "flat_amount_decimal": decimal(),
    "unit_amount": integer(minimum=0),
    "unit_amount_decimal": decimal(),
    "up_to": string(required=True, doc="An integer, or `inf` for the last tier."),
})
PRODUCT_DATA = obj({
    "name": string(required=True),
    "active": boolean(),
    "id": string(max_length=255),
    "metadata": metadata(),
    "statement_descriptor": string(max_length=22),
    "tax_code": string(),
    "tax_details": TAX_DETAILS,
    "unit_label": string(max_length=12),
})
CREATE: dict[str, Spec] = {
    "currency": currency(required=True),
    "active": boolean(),
    "billing_scheme": enum("per_unit", "tiered"),
    "lookup_key": string(max_length=200),
    "metadata": metadata(),
    "nickname": string(),
    "product": string(),
    "product_data": PRODUCT_DATA,
    "recurring": obj({
        "interval": enum("day", "month", "week", "year", required=True),
        "interval_count": integer(minimum=1),
        "meter": string(),
        "trial_period_days": integer(minimum=0, maximum=730),
        "usage_type": USAGE_TYPE,
    }),
    "tax_behavior": TAX_BEHAVIOR,
    "tiers": array(TIER),
    "tiers_mode": enum("graduated", "volume"),
    "transfer_lookup_key": boolean(),
    "transform_quantity": obj({"divide_by": integer(required=True, minimum=1),
                               "round": enum("down", "up", required=True)}),
    "unit_amount": integer(minimum=0),
    "unit_amount_decimal": decimal(),
}
UPDATE: dict[str, Spec] = {
    "active": boolean(),
    "lookup_key": string(max_length=200, emptyable=True),
    "metadata": metadata(),
    "nickname": string(emptyable=True),
    "tax_behavior": TAX_BEHAVIOR,
    "transfer_lookup_key": boolean(),
}
LIST = {
    **p.LIST,
    "active": boolean(),
    "created": timestamp_filter(),
    "currency": currency(),
    "lookup_keys": array(string(max_length=200), max_items=10),
    "product": string(),
    "recurring": obj({"interval": INTERVAL, "meter": string(), "usage_type": USAGE_TYPE}),
    "type": enum("one_time", "recurring"),
}

# https://docs.stripe.com/search#query-fields-for-prices
SEARCH_FIELDS = search_lang._fields(numbers=(), exact=("active", "currency", "product", "type"),
                                    substring=("lookup_key",))
BOOLEANS = frozenset({"active"})

# --- handlers -------------------------------------------------------------------------------------

create_price = h._create(prices.create)
retrieve_price = h._retrieve("prices", "price")
update_price = h._on(prices.update, "price")


def _recurring(params: dict[str, Any]) -> listing.Keep | None:
    wanted = {k: v for k, v in (params.get("recurring") or {}).items() if v is not None}
    if not wanted:
        return None
    return lambda doc: doc["recurring"] is not None and all(doc["recurring"].get(k) == v for k, v in wanted.items())


async def list_prices(tx: Tx, call: Call) -> Doc:
    conds = h._conds(call.params, ("active", "currency", "product", "type"))
    if call.params.get("lookup_keys"):
        conds.append(Cond("lookup_key", "in", tuple(call.params["lookup_keys"])))
    return await listing.listed(tx, call, "prices", conds, _recurring(call.params))


async def search_prices(tx: Tx, call: Call) -> Doc:
    return await listing.searched(tx, call, "prices", SEARCH_FIELDS, "prices", BOOLEANS)


# --- routes ---------------------------------------------------------------------------------------

op = Operation
PRICE = "/v1/prices/{price}"
OPERATIONS: tuple[Operation, ...] = (
    op("POST", "/v1/prices", "PostPrices", CREATE, create_price, "price",
       "Create a price (of a product, or of a new one from product_data)"),
    op("GET", "/v1/prices", "GetPrices", LIST, list_prices, "list:price", "List all prices"),
    op("GET", "/v1/prices/search", "GetPricesSearch", p.SEARCH, search_prices, "search:price", "Search prices"),
    op("GET", PRICE, "GetPricesPrice", p.NO_PARAMS, retrieve_price, "price", "Retrieve a price"),
    op("POST", PRICE, "PostPricesPrice", UPDATE, update_price, "price",
       "Update a price: active, metadata, nickname, lookup_key, an unspecified tax_behavior"),
)

# --- object schema --------------------------------------------------------------------------------

TIER_SCHEMA = {"flat_amount": "integer?", "flat_amount_decimal": "string?", "unit_amount": "integer?",
               "unit_amount_decimal": "string?", "up_to": "integer?"}
PRICE_SCHEMA: dict[str, Any] = {
    "id": "string", "object": "'price'", "active": "boolean", "billing_scheme": "per_unit/tiered",
    "created": "integer", "currency": "string", "currency_options": "object?", "custom_unit_amount": "object?",
    "livemode": "boolean", "lookup_key": "string?", "metadata": "map", "nickname": "string?",
    "product": "$product|string",
    "recurring": nullable({"interval": "day/month/week/year", "interval_count": "integer", "meter": "string?",
                           "trial_period_days": "integer?", "usage_type": "licensed/metered"}),
    "tax_behavior": "exclusive/inclusive/unspecified?", "tiers": "[$price_tier]?",
    "tiers_mode": "graduated/volume?", "transform_quantity": "object?", "type": "one_time/recurring",
    "unit_amount": "integer?", "unit_amount_decimal": "string?",
}
SCHEMAS: dict[str, dict[str, Any]] = {"price": PRICE_SCHEMA, "price_tier": TIER_SCHEMA}
