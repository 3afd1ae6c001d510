"""The Stripe face's OpenAPI 3.1 document, generated from ``routes.OPERATIONS`` and the parameter Specs.

Paths, parameter names and operationIds are Stripe's own (``PostInvoicesInvoiceMarkUncollectible``),
so an agent that names tools after Stripe's spec finds the same tools here. Bodies are declared both
form-encoded (Stripe's SDKs) and JSON (OCP-style agents, which read only JSON bodies)."""

from __future__ import annotations

from functools import lru_cache

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears import STRIPE_API_VERSION
from arrears.api import openapi, reference
from arrears.api.stripe import objects_schema
from arrears.api.stripe.params import EXPAND
from arrears.api.stripe.routes import OPERATIONS

DESCRIPTION = (
    "arrears' Stripe face: Stripe's Invoices API (customers, invoice items, invoices and their lifecycle, "
    "events, webhook endpoints). Authenticate with a test secret key `sk_test_…`, as Bearer or as the Basic "
    "user name. Bodies may be form-encoded (bracket notation) or JSON."
)


# Short task-shaped tool names for agents (``x-tool-alias``): Stripe's agent toolkit's own where it has
# the tool (create_customer, list_customers, create_invoice, list_invoices, finalize_invoice,
# create_invoice_item), the same verb_object pattern for the rest. An operation not named here gets its
# name from stripe-node's method and the path (``alias_of``): PostProducts → create_product.
ALIASES = {
    "GetAccount": "retrieve_account", "GetAccountsAccount": "retrieve_connected_account",
    "PostCustomers": "create_customer", "GetCustomers": "list_customers", "GetCustomersSearch": "search_customers",
    "GetCustomersCustomer": "retrieve_customer", "PostCustomersCustomer": "update_customer",
    "DeleteCustomersCustomer": "delete_customer",
    "GetCustomersCustomerBalanceTransactions": "list_customer_balance_transactions",
    "PostCustomersCustomerBalanceTransactions": "create_customer_balance_transaction",
    "GetCustomersCustomerBalanceTransactionsTransaction": "retrieve_customer_balance_transaction",
    "PostCustomersCustomerBalanceTransactionsTransaction": "update_customer_balance_transaction",
    "PostInvoiceitems": "create_invoice_item", "GetInvoiceitems": "list_invoice_items",
    "GetInvoiceitemsInvoiceitem": "retrieve_invoice_item", "PostInvoiceitemsInvoiceitem": "update_invoice_item",
    "DeleteInvoiceitemsInvoiceitem": "delete_invoice_item",
    "PostInvoices": "create_invoice", "GetInvoices": "list_invoices", "GetInvoicesSearch": "search_invoices",
    "GetInvoicesInvoice": "retrieve_invoice", "PostInvoicesInvoice": "update_invoice",
    "DeleteInvoicesInvoice": "delete_invoice", "PostInvoicesInvoiceFinalize": "finalize_invoice",
    "PostInvoicesInvoicePay": "pay_invoice", "PostInvoicesInvoiceSend": "send_invoice",
    "PostInvoicesInvoiceVoid": "void_invoice", "PostInvoicesInvoiceMarkUncollectible": "mark_invoice_uncollectible",
    "GetInvoicesInvoiceLines": "list_invoice_line_items",
    "PostInvoicesInvoiceLinesLineItemId": "update_invoice_line_item",
    "PostInvoicesInvoiceAddLines": "add_invoice_lines", "PostInvoicesInvoiceRemoveLines": "remove_invoice_lines",
    "PostInvoicesInvoiceUpdateLines": "update_invoice_lines",
    "GetEvents": "list_events", "GetEventsId": "retrieve_event",
    "PostWebhookEndpoints": "create_webhook_endpoint", "GetWebhookEndpoints": "list_webhook_endpoints",
    "GetWebhookEndpointsWebhookEndpoint": "retrieve_webhook_endpoint",
    "PostWebhookEndpointsWebhookEndpoint": "update_webhook_endpoint",
    "DeleteWebhookEndpointsWebhookEndpoint": "delete_webhook_endpoint",
    "PostTestHelpersTestClocks": "create_test_clock", "GetTestHelpersTestClocks": "list_test_clocks",
    "GetTestHelpersTestClocksTestClock": "retrieve_test_clock",
    "DeleteTestHelpersTestClocksTestClock": "delete_test_clock",
    "PostTestHelpersTestClocksTestClockAdvance": "advance_test_clock",
    "ArrearsGetAgingReport": "aging_report", "ArrearsGetBadDebtReport": "bad_debt_report",
    "ArrearsGetJournal": "journal_report", "ArrearsGetWebhookAttempts": "list_webhook_attempts",
    "ArrearsPostEventsIdResend": "resend_event",
}


_BARE = {"create": "create", "retrieve": "retrieve", "update": "update", "del": "delete", "list": "list",
         "search": "search"}


def alias_of(operation_id: str, path: str, sdk_method: str | None) -> str:
    """``ALIASES[operation_id]``, else verb_object from stripe-node's method name and the path's nouns:
    ``create`` on /v1/products → create_product, ``createTaxId`` on /v1/customers/{customer}/tax_ids →
    create_customer_tax_id; else the operationId in snake_case."""
    if operation_id in ALIASES:
        return ALIASES[operation_id]
    nouns = [part for part in path.split("/")[2:] if part and not part.startswith("{") and part != "search"]
    if not sdk_method or not nouns:
        return reference.snake(operation_id)
    singular = [n[:-1] if n.endswith("s") else n for n in nouns]
    verb = _BARE.get(sdk_method)
    if verb is not None:
        noun = "_".join(singular[:-1] + [nouns[-1] if verb in ("list", "search") else singular[-1]])
        return f"{verb}_{noun}"
    words = reference.snake(sdk_method[:1].upper() + sdk_method[1:])
    first, _, rest = words.partition("_")
    parent = singular[0]
    return f"{first}_{parent}_{rest}" if len(nouns) > 1 and parent not in words else words


def _tag(path: str) -> str:
    return path.split("/")[2]


def described() -> list[openapi.Described]:
    return [
        openapi.Described(o.method, o.path, o.operation_id, o.summary, {**o.params, "expand": EXPAND},
                          objects_schema.response(o.returns), _tag(o.path), form=True, csv="format" in o.params)
        for o in OPERATIONS
    ]


@lru_cache(maxsize=8)
def document(server_url: str) -> bytes:
    doc = openapi.document(
        title="arrears (Stripe face)", version=STRIPE_API_VERSION, description=DESCRIPTION, server_url=server_url,
        operations=described(), schemas=objects_schema.schemas(),
        security_schemes={"basicAuth": {"type": "http", "scheme": "basic"},
                          "bearerAuth": {"type": "http", "scheme": "bearer"}},
    )
    reference.describe(doc, reference.stripe_operations())
    sdk = reference.stripe_operations()
    reference.alias(doc, {o.operation_id: alias_of(o.operation_id, o.path, sdk.get(o.operation_id, {}).get(
        "sdk_method")) for o in OPERATIONS})
    reference.exemplify(doc, "stripe")
    return orjson.dumps(doc)


async def serve(request: Request) -> Response:
    return Response(document(openapi.server_url(str(request.base_url))), media_type=openapi.JSON)


def routes() -> list[Route]:
    return [Route("/openapi.json", serve, methods=["GET"])]
