"""Coupons on the Stripe face: ``/v1/coupons`` create, retrieve, update (name, metadata, currency options
only: Stripe keeps a coupon's terms as they were made), delete, list."""

from __future__ import annotations

from arrears.api.cycle import Call, Operation
from arrears.api.openapi import nullable
from arrears.api.schema import (
    Spec,
    amount,
    array,
    currency,
    decimal,
    enum,
    integer,
    map_of,
    metadata,
    obj,
    string,
    timestamp,
    timestamp_filter,
)
from arrears.api.stripe.handlers import _conds, _create, _list, _on, _remove, _retrieve
from arrears.api.stripe.params import LIST, NO_PARAMS
from arrears.domain import Doc, discounts
from arrears.services import coupons
from arrears.store.base import Tx


def per_currency(field: str, *, required: bool = True) -> Spec:
    """A hash keyed by currency code, each ``{field: amount}`` (``currency_options[eur][amount_off]=…``);
    the services read the codes (domain/discounts.by_currency)."""
    return map_of(obj({field: amount(required=required)}), doc="Keyed by three-letter currency code.")


CURRENCY_OPTIONS = per_currency("amount_off")

PARAMS_CREATE: dict[str, Spec] = {
    "amount_off": amount(doc="In minor units of currency; exactly one of amount_off and percent_off."),
    "applies_to": obj({"products": array(string(), max_items=100)}),
    "currency": currency(doc="Required with amount_off."),
    "currency_options": CURRENCY_OPTIONS,
    "duration": enum("forever", "once", "repeating", doc="Default once."),
    "duration_in_months": integer(minimum=1, maximum=1200, doc="Required when duration is repeating."),
    "id": string(max_length=200, doc="A custom id; one is generated when absent."),
    "max_redemptions": integer(minimum=1, maximum=1_000_000_000),
    "metadata": metadata(),
    "name": string(max_length=40, doc="Shown to customers on invoices and receipts."),
    "percent_off": decimal(doc="Greater than 0, at most 100."),
    "redeem_by": timestamp(doc="The last time the coupon can be redeemed."),
}
PARAMS_UPDATE: dict[str, Spec] = {
    "currency_options": CURRENCY_OPTIONS, "metadata": metadata(), "name": string(max_length=40),
}
PARAMS_LIST: dict[str, Spec] = {**LIST, "created": timestamp_filter()}

create = _create(coupons.create)
update = _on(coupons.update, "coupon")
delete = _remove(coupons.delete, "coupon")
_stored = _retrieve("coupons", "coupon")


async def retrieve(tx: Tx, call: Call) -> Doc:
    return discounts.as_of(await _stored(tx, call), call.ctx.now)  # type: ignore[arg-type]


async def list_all(tx: Tx, call: Call) -> Doc:
    listed = await _list(tx, call, "coupons", _conds(call.params, ()))
    return {**listed, "data": [discounts.as_of(c, call.ctx.now) for c in listed["data"]]}


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v1/coupons", "PostCoupons", PARAMS_CREATE, create, "coupon", "Create a coupon"),
    Operation("GET", "/v1/coupons", "GetCoupons", PARAMS_LIST, list_all, "list:coupon", "List all coupons"),
    Operation("GET", "/v1/coupons/{coupon}", "GetCouponsCoupon", NO_PARAMS, retrieve, "coupon", "Retrieve a coupon"),
    Operation("POST", "/v1/coupons/{coupon}", "PostCouponsCoupon", PARAMS_UPDATE, update, "coupon",
              "Update a coupon's name, metadata or currency options"),
    Operation("DELETE", "/v1/coupons/{coupon}", "DeleteCouponsCoupon", NO_PARAMS, delete, "deleted:coupon",
              "Delete a coupon: no new redemptions; discounts made of it stay"),
)

SCHEMAS = {
    "coupon": {
        "id": "string", "object": "'coupon'", "amount_off": "integer?",
        "applies_to": nullable({"products": "[string]"}), "created": "integer", "currency": "string?",
        "currency_options": "object?",
        "duration": "forever/once/repeating", "duration_in_months": "integer?", "livemode": "boolean",
        "max_redemptions": "integer?", "metadata": "map", "name": "string?", "percent_off": "number?",
        "redeem_by": "integer?", "times_redeemed": "integer", "valid": "boolean",
    },
    "deleted_coupon": {"id": "string", "object": "'coupon'", "deleted": "boolean"},
}
