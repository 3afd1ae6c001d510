"""The catalog's operations on the Stripe face ([catalog]): products and prices, coupons, promotion codes
and discounts, tax rates and tax ids. Each resource is one module here with its parameters (``PARAMS_*``
Specs), its thin handlers, its rows of the routes table (``OPERATIONS``) and its object schemas
(``SCHEMAS``); ``api/stripe/routes.py`` and ``objects_schema.py`` take them from this package."""

from __future__ import annotations

from typing import Any

from arrears.api.cycle import Operation
from arrears.api.stripe.catalog import (
    accounts,
    coupons,
    discounts,
    prices,
    products,
    promotion_codes,
    tax_ids,
    tax_rates,
)

# each resource module, added as it lands
MODULES: tuple[Any, ...] = (products, prices, tax_rates, tax_ids, accounts, coupons, promotion_codes, discounts)

OPERATIONS: tuple[Operation, ...] = tuple(op for module in MODULES for op in module.OPERATIONS)
SCHEMAS: dict[str, dict[str, Any]] = {name: s for module in MODULES for name, s in module.SCHEMAS.items()}
