"""Products on the Stripe face: parameters, handlers, routes and object schema
(docs.stripe.com/api/products; stripe-python 16.1.0 ``ProductCreateParams`` and friends)."""

from __future__ import annotations

from typing import Any

from arrears.api.cycle import Call, Operation
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
from arrears.domain import Doc
from arrears.domain.errors import ParamError
from arrears.services import products
from arrears.store.base import Tx
from arrears.store.query import Cond

# --- parameters -----------------------------------------------------------------------------------

PACKAGE_DIMENSIONS = obj({k: Spec("decimal", required=True, doc="Inches (weight: ounces), up to 2 decimals.")
                          for k in ("height", "length", "weight", "width")}, emptyable=True)
MARKETING_FEATURES = array(obj({"name": string(required=True, max_length=80)}), max_items=15, emptyable=True)
TAX_DETAILS = obj({"performance_location": string(), "tax_code": string(emptyable=True)}, emptyable=True)
TAX_BEHAVIOR = enum("exclusive", "inclusive", "unspecified")
DEFAULT_PRICE_DATA = obj({
    "currency": currency(required=True),
    "metadata": metadata(),
    "recurring": obj({"interval": enum("day", "month", "week", "year", required=True),
                      "interval_count": integer(minimum=1)}),
    "tax_behavior": TAX_BEHAVIOR,
    "unit_amount": integer(minimum=0),
    "unit_amount_decimal": decimal(),
})
_PRODUCT_FIELDS: dict[str, Spec] = {
    "active": boolean(),
    "description": string(emptyable=True, max_length=40000),
    "images": array(string(max_length=2048), max_items=8, emptyable=True),
    "marketing_features": MARKETING_FEATURES,
    "metadata": metadata(),
    "package_dimensions": PACKAGE_DIMENSIONS,
    "shippable": boolean(),
    "statement_descriptor": string(max_length=22),
    "tax_code": string(emptyable=True),
    "tax_details": TAX_DETAILS,
    "unit_label": string(emptyable=True, max_length=12),
    "url": string(emptyable=True),
}
CREATE = {
    **_PRODUCT_FIELDS,
    "name": string(required=True),
    "default_price_data": DEFAULT_PRICE_DATA,
    "id": string(max_length=255, doc="Your own id for the product; one is generated otherwise."),
    "type": enum("good", "service"),
}
UPDATE = {**_PRODUCT_FIELDS, "name": string(), "default_price": string()}
LIST = {
    **p.LIST,
    "active": boolean(),
    "created": timestamp_filter(),
    "ids": array(string(), max_items=100, doc="Only these products; not with starting_after or ending_before."),
    "shippable": boolean(),
    "type": enum("good", "service"),
    "url": string(),
}

# https://docs.stripe.com/search#query-fields-for-products
SEARCH_FIELDS = search_lang._fields(numbers=(), exact=("active", "shippable"), substring=("description", "name",
                                                                                          "url"))
BOOLEANS = frozenset({"active", "shippable"})

# --- handlers -------------------------------------------------------------------------------------

create_product = h._create(products.create)
retrieve_product = h._retrieve("products", "product")
update_product = h._on(products.update, "product")
delete_product = h._remove(products.delete, "product")


def _python_filters(params: dict[str, Any]) -> list[Cond]:
    conds = [Cond(name, "=", params[name]) for name in ("shippable", "type", "url") if params.get(name) is not None]
    if params.get("ids") is not None:
        if params.get("starting_after") or params.get("ending_before"):
            raise ParamError("`ids` cannot be used with `starting_after` or `ending_before`.", param="ids")
        conds.append(Cond("id", "in", tuple(params["ids"])))
    return conds


async def list_products(tx: Tx, call: Call) -> Doc:
    conds = h._conds(call.params, ("active",))
    return await listing.listed(tx, call, "products", conds, listing.all_of(_python_filters(call.params)))


async def search_products(tx: Tx, call: Call) -> Doc:
    return await listing.searched(tx, call, "products", SEARCH_FIELDS, "products", BOOLEANS)


# --- routes ---------------------------------------------------------------------------------------

op = Operation
PRODUCT = "/v1/products/{product}"
OPERATIONS: tuple[Operation, ...] = (
    op("POST", "/v1/products", "PostProducts", CREATE, create_product, "product",
       "Create a product (with default_price_data, its default price)"),
    op("GET", "/v1/products", "GetProducts", LIST, list_products, "list:product", "List all products"),
    op("GET", "/v1/products/search", "GetProductsSearch", p.SEARCH, search_products, "search:product",
       "Search products"),
    op("GET", PRODUCT, "GetProductsProduct", p.NO_PARAMS, retrieve_product, "product", "Retrieve a product"),
    op("POST", PRODUCT, "PostProductsProduct", UPDATE, update_product, "product", "Update a product"),
    op("DELETE", PRODUCT, "DeleteProductsProduct", p.NO_PARAMS, delete_product, "deleted:product",
       "Delete a product that has no prices"),
)

# --- object schema --------------------------------------------------------------------------------

PRODUCT_SCHEMA: dict[str, Any] = {
    "id": "string", "object": "'product'", "active": "boolean", "created": "integer",
    "default_price": "$price|string?", "description": "string?", "images": "[string]", "livemode": "boolean",
    "marketing_features": "[object]", "metadata": "map", "name": "string",
    "package_dimensions": "object?", "shippable": "boolean?", "statement_descriptor": "string?",
    "tax_code": "string?", "tax_details": "object?", "type": "good/service", "unit_label": "string?",
    "updated": "integer", "url": "string?",
}
SCHEMAS: dict[str, dict[str, Any]] = {
    "product": PRODUCT_SCHEMA,
    "deleted_product": {"id": "string", "object": "'product'", "deleted": "boolean"},
}
