"""Promotion codes on the Stripe face: ``/v1/promotion_codes`` create, retrieve, update (active, metadata,
restrictions' currency options), list (``active``, ``code``, ``coupon``, ``customer``, ``created``).

At API 2025-09-30.clover a code's coupon moved from ``coupon`` to ``promotion[coupon]`` (with
``promotion[type]=coupon``); older requests' ``coupon`` is read in the new spelling (domain/api_changes.py)."""

from __future__ import annotations

from arrears.api.cycle import Call, Operation
from arrears.api.schema import (
    Spec,
    boolean,
    currency,
    enum,
    integer,
    metadata,
    obj,
    string,
    timestamp,
    timestamp_filter,
)
from arrears.api.stripe.catalog.coupons import per_currency
from arrears.api.stripe.handlers import _conds, _create, _list, _on, _retrieve
from arrears.api.stripe.params import LIST, NO_PARAMS
from arrears.domain import Doc, discounts
from arrears.services import promotion_codes
from arrears.store.base import Tx
from arrears.store.query import Cond

PARAMS_CREATE: dict[str, Spec] = {
    "active": boolean(doc="Default true."),
    "code": string(max_length=500, doc="Letters and digits; unique among active codes, regardless of case. "
                                       "Generated when absent."),
    "customer": string(doc="Only this customer may redeem the code."),
    "expires_at": timestamp(),
    "max_redemptions": integer(minimum=1, maximum=1_000_000_000),
    "metadata": metadata(),
    "promotion": obj({"coupon": string(), "type": enum("coupon", required=True)}, required=True),
    "restrictions": obj({
        "currency_options": per_currency("minimum_amount"),
        "first_time_transaction": boolean(),
        "minimum_amount": integer(minimum=0, maximum=999_999_999_999),
        "minimum_amount_currency": currency(),
    }),
}
PARAMS_UPDATE: dict[str, Spec] = {
    "active": boolean(), "metadata": metadata(),
    "restrictions": obj({"currency_options": per_currency("minimum_amount")}),
}
PARAMS_LIST: dict[str, Spec] = {
    **LIST, "active": boolean(), "code": string(max_length=500), "coupon": string(), "created": timestamp_filter(),
    "customer": string(),
}

create = _create(promotion_codes.create)
retrieve = _retrieve("promotion_codes", "promotion_code")
update = _on(promotion_codes.update, "promotion_code")


async def list_all(tx: Tx, call: Call) -> Doc:
    conds = _conds(call.params, ("active", "coupon", "customer"))
    if call.params.get("code") is not None:  # Stripe matches the code regardless of case
        conds.append(Cond("code", "in", discounts.code_variants(call.params["code"])))
    return await _list(tx, call, "promotion_codes", conds)


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v1/promotion_codes", "PostPromotionCodes", PARAMS_CREATE, create, "promotion_code",
              "Create a promotion code"),
    Operation("GET", "/v1/promotion_codes", "GetPromotionCodes", PARAMS_LIST, list_all, "list:promotion_code",
              "List promotion codes"),
    Operation("GET", "/v1/promotion_codes/{promotion_code}", "GetPromotionCodesPromotionCode", NO_PARAMS, retrieve,
              "promotion_code", "Retrieve a promotion code"),
    Operation("POST", "/v1/promotion_codes/{promotion_code}", "PostPromotionCodesPromotionCode", PARAMS_UPDATE,
              update, "promotion_code", "Update a promotion code (active, metadata, restrictions)"),
)

SCHEMAS = {
    "promotion_code": {
        "id": "string", "object": "'promotion_code'", "active": "boolean", "code": "string", "created": "integer",
        "customer": "$customer|string?", "customer_account": "string?", "expires_at": "integer?",
        "livemode": "boolean", "max_redemptions": "integer?", "metadata": "map",
        "promotion": {"coupon": "$coupon|string?", "type": "'coupon'"},
        "restrictions": {"currency_options": "object?", "first_time_transaction": "boolean",
                         "minimum_amount": "integer?", "minimum_amount_currency": "string?"},
        "times_redeemed": "integer",
    },
}
