"""A platform's connected accounts on the Stripe face: ``GET /v1/accounts/{account}`` and ``GET
/v1/accounts``. Accounts live in the unscoped ``accounts`` table, so these operations are SYSTEM reads
(``Operation.system``); the service keeps each answer to the caller and the accounts whose ``platform`` it
is, and "No such account" for every other id, existing or not."""

from __future__ import annotations

from arrears.api.cycle import Call, Operation, page
from arrears.api.stripe.handlers import DEFAULT_LIMIT
from arrears.api.stripe.params import LIST, NO_PARAMS
from arrears.domain import Doc
from arrears.services import accounts
from arrears.store.base import Tx

PARAMS_LIST = dict(LIST)


async def retrieve(tx: Tx, call: Call) -> Doc:
    return await accounts.connected(tx, call.ctx, call.path["account"])


async def list_all(tx: Tx, call: Call) -> Doc:
    data, has_more = await accounts.list_connected(tx, call.ctx, page(call.params, default_limit=DEFAULT_LIMIT))
    return {"object": "list", "data": data, "has_more": has_more, "url": call.url}


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/v1/accounts", "GetAccounts", PARAMS_LIST, list_all, "list:account",
              "List the platform's connected accounts", system=True),
    Operation("GET", "/v1/accounts/{account}", "GetAccountsAccount", NO_PARAMS, retrieve, "account",
              "Retrieve the account itself or one of its connected accounts", system=True),
)

SCHEMAS: dict[str, dict[str, object]] = {}
