"""Tax ids on the Stripe face: a customer's (``/v1/customers/{customer}/tax_ids``) and the top-level
``/v1/tax_ids``, whose ``owner`` is the account itself (``self``, the default) or a customer."""

from __future__ import annotations

from arrears.api.cycle import Call, Operation
from arrears.api.schema import Spec, enum, obj, string
from arrears.api.stripe.handlers import _create, _list, _on, _remove, _retrieve
from arrears.api.stripe.params import LIST, NO_PARAMS
from arrears.domain import Doc
from arrears.domain.tax_ids import TYPES
from arrears.services import tax_ids
from arrears.services.loading import load
from arrears.store.base import Tx
from arrears.store.query import Cond

TYPE = enum(*TYPES, required=True, doc="The tax id's type (eu_vat, gb_vat, us_ein, ...).")
VALUE = string(required=True, doc="The tax id itself, in the format of its type (DE123456789).")
OWNER = obj({
    "type": enum("account", "application", "customer", "self", required=True,
                 doc="Whose tax id: self (the account's own, the default) or customer; arrears keeps no others."),
    "account": string(doc="The connected account, when type is account (not kept by arrears)."),
    "customer": string(doc="The customer, when type is customer."),
    "customer_account": string(doc="The Account representing the customer (not kept by arrears)."),
}, doc="The account or customer the tax id belongs to (default: owner[type]=self).")
PARAMS_CREATE_FOR_CUSTOMER: dict[str, Spec] = {"type": TYPE, "value": VALUE}
PARAMS_CREATE: dict[str, Spec] = {"type": TYPE, "value": VALUE, "owner": OWNER}
PARAMS_LIST_FOR_CUSTOMER: dict[str, Spec] = dict(LIST)
PARAMS_LIST: dict[str, Spec] = {**LIST, "owner": OWNER}

CUS = "/v1/customers/{customer}/tax_ids"


# --- a customer's tax ids -------------------------------------------------------------------------

create_for_customer = _on(tax_ids.create_for_customer, "customer")


async def retrieve_for_customer(tx: Tx, call: Call) -> Doc:
    await load(tx, "customers", call.path["customer"], param="customer")
    return await tax_ids.owned(tx, call.path["customer"], call.path["id"])


async def delete_for_customer(tx: Tx, call: Call) -> Doc:
    return await tax_ids.delete_for_customer(tx, call.ctx, call.path["customer"], call.path["id"])


async def list_for_customer(tx: Tx, call: Call) -> Doc:
    await load(tx, "customers", call.path["customer"], param="customer")
    return await _list(tx, call, "tax_ids", [Cond("customer", "=", call.path["customer"])])


# --- /v1/tax_ids ----------------------------------------------------------------------------------

create = _create(tax_ids.create)
retrieve = _retrieve("tax_ids", "id")
delete = _remove(tax_ids.delete, "id")


async def list_all(tx: Tx, call: Call) -> Doc:
    customer = tax_ids.owner_customer(call.params.get("owner"))
    return await _list(tx, call, "tax_ids",
                       [Cond("customer", "null") if customer is None else Cond("customer", "=", customer)])


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", CUS, "PostCustomersCustomerTaxIds", PARAMS_CREATE_FOR_CUSTOMER, create_for_customer,
              "tax_id", "Create a customer tax id"),
    Operation("GET", CUS, "GetCustomersCustomerTaxIds", PARAMS_LIST_FOR_CUSTOMER, list_for_customer, "list:tax_id",
              "List all of a customer's tax ids"),
    Operation("GET", CUS + "/{id}", "GetCustomersCustomerTaxIdsId", NO_PARAMS, retrieve_for_customer, "tax_id",
              "Retrieve a customer's tax id"),
    Operation("DELETE", CUS + "/{id}", "DeleteCustomersCustomerTaxIdsId", NO_PARAMS, delete_for_customer,
              "deleted:tax_id", "Delete a customer's tax id"),
    Operation("POST", "/v1/tax_ids", "PostTaxIds", PARAMS_CREATE, create, "tax_id",
              "Create a tax id of the account (owner[type]=self) or of a customer"),
    Operation("GET", "/v1/tax_ids", "GetTaxIds", PARAMS_LIST, list_all, "list:tax_id",
              "List the tax ids of an owner (the account itself by default)"),
    Operation("GET", "/v1/tax_ids/{id}", "GetTaxIdsId", NO_PARAMS, retrieve, "tax_id", "Retrieve a tax id"),
    Operation("DELETE", "/v1/tax_ids/{id}", "DeleteTaxIdsId", NO_PARAMS, delete, "deleted:tax_id",
              "Delete a tax id"),
)

_OWNER_SCHEMA = {"account": "string?", "application": "string?", "customer": "string?",
                 "customer_account": "string?", "type": "account/application/customer/self"}
SCHEMAS = {
    "tax_id": {
        "id": "string", "object": "'tax_id'", "country": "string?", "created": "integer",
        "customer": "$customer|string?", "customer_account": "string?", "livemode": "boolean",
        "owner": _OWNER_SCHEMA, "type": "/".join(TYPES), "value": "string",
        "verification": {"status": "pending/unavailable/unverified/verified", "verified_address": "string?",
                         "verified_name": "string?"},
    },
    "deleted_tax_id": {"id": "string", "object": "'tax_id'", "deleted": "boolean"},
}
