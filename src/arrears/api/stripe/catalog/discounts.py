"""Discount objects on the Stripe face: the customer's discount (``customer.discount``) and
``DELETE /v1/customers/{customer}/discount``. Discounts are made by redeeming a coupon or a promotion code
(services/discounts.py): on a customer before API 2025-03-31.basil."""

from __future__ import annotations

from arrears.api.cycle import Operation
from arrears.api.stripe.handlers import _remove
from arrears.api.stripe.params import NO_PARAMS
from arrears.services import discounts

delete_customer_discount = _remove(discounts.delete_customer_discount, "customer")

OPERATIONS: tuple[Operation, ...] = (
    Operation("DELETE", "/v1/customers/{customer}/discount", "DeleteCustomersCustomerDiscount", NO_PARAMS,
              delete_customer_discount, "deleted:discount", "Remove the customer's discount"),
)

_DISCOUNT = {
    "id": "string", "object": "'discount'", "checkout_session": "string?", "customer": "$customer|string?",
    "customer_account": "string?", "end": "integer?", "invoice": "string?", "invoice_item": "string?",
    "promotion_code": "$promotion_code|string?", "source": {"coupon": "$coupon|string?", "type": "'coupon'"},
    "start": "integer", "subscription": "string?", "subscription_item": "string?",
}
SCHEMAS = {
    "discount": _DISCOUNT,
    "deleted_discount": {**_DISCOUNT, "deleted": "boolean"},
}
