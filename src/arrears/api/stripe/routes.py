"""The Stripe face's routes, as one visible table. The router, the OpenAPI document and the agent
tools are all generated from it."""

from __future__ import annotations

from collections.abc import Mapping

from arrears.api.cycle import Operation
from arrears.api.stripe import catalog, resend
from arrears.api.stripe import handlers as h
from arrears.api.stripe import params as p

op = Operation  # rows read as a table: op(method, path, operationId, params, handler, returns, summary, ...)


INV = "/v1/invoices/{invoice}"
# Names Stripe gives operations of their own where an id would stand (POST /v1/invoices/create_preview,
# GET /v1/invoices/upcoming and /upcoming/lines, the searches): never read as an id. arrears serves
# the searches by GET only; for the rest, and for any other method, the answer is Stripe's 404
# "Unrecognized request URL" until they are implemented.
RESERVED: Mapping[str, frozenset[str]] = {
    "invoice": frozenset({"create_preview", "upcoming", "search"}),
    "customer": frozenset({"search"}),
    "product": frozenset({"search"}),
    "price": frozenset({"search"}),
}
OPERATIONS: tuple[Operation, ...] = (
    op("GET", "/v1/account", "GetAccount", p.NO_PARAMS, h.retrieve_account, "account",
       "Retrieve the account (arrears adds its default api_version)", system=True),
    # customers
    op("POST", "/v1/customers", "PostCustomers", p.CUSTOMER_CREATE, h.create_customer, "customer",
       "Create a customer"),
    op("GET", "/v1/customers", "GetCustomers", p.CUSTOMER_LIST, h.list_customers, "list:customer",
       "List all customers"),
    op("GET", "/v1/customers/search", "GetCustomersSearch", p.SEARCH, h.search_customers, "search:customer",
       "Search customers"),
    op("GET", "/v1/customers/{customer}", "GetCustomersCustomer", p.NO_PARAMS, h.retrieve_customer,
       "customer|deleted", "Retrieve a customer"),
    op("POST", "/v1/customers/{customer}", "PostCustomersCustomer", p.CUSTOMER_UPDATE, h.update_customer,
       "customer", "Update a customer"),
    op("DELETE", "/v1/customers/{customer}", "DeleteCustomersCustomer", p.NO_PARAMS, h.delete_customer,
       "deleted:customer", "Delete a customer"),
    op("GET", "/v1/customers/{customer}/balance_transactions", "GetCustomersCustomerBalanceTransactions",
       p.BALANCE_TXN_LIST, h.list_balance_transactions, "list:customer_balance_transaction",
       "List customer balance transactions"),
    op("POST", "/v1/customers/{customer}/balance_transactions", "PostCustomersCustomerBalanceTransactions",
       p.BALANCE_TXN_CREATE, h.create_balance_transaction, "customer_balance_transaction",
       "Create a customer balance transaction"),
    op("GET", "/v1/customers/{customer}/balance_transactions/{transaction}",
       "GetCustomersCustomerBalanceTransactionsTransaction", p.NO_PARAMS, h.retrieve_balance_transaction,
       "customer_balance_transaction", "Retrieve a customer balance transaction"),
    op("POST", "/v1/customers/{customer}/balance_transactions/{transaction}",
       "PostCustomersCustomerBalanceTransactionsTransaction", p.BALANCE_TXN_UPDATE, h.update_balance_transaction,
       "customer_balance_transaction", "Update a customer balance transaction"),
    # invoice items
    op("POST", "/v1/invoiceitems", "PostInvoiceitems", p.INVOICEITEM_CREATE, h.create_invoiceitem, "invoiceitem",
       "Create an invoice item"),
    op("GET", "/v1/invoiceitems", "GetInvoiceitems", p.INVOICEITEM_LIST, h.list_invoiceitems, "list:invoiceitem",
       "List all invoice items"),
    op("GET", "/v1/invoiceitems/{invoiceitem}", "GetInvoiceitemsInvoiceitem", p.NO_PARAMS, h.retrieve_invoiceitem,
       "invoiceitem", "Retrieve an invoice item"),
    op("POST", "/v1/invoiceitems/{invoiceitem}", "PostInvoiceitemsInvoiceitem", p.INVOICEITEM_UPDATE,
       h.update_invoiceitem, "invoiceitem", "Update an invoice item"),
    op("DELETE", "/v1/invoiceitems/{invoiceitem}", "DeleteInvoiceitemsInvoiceitem", p.NO_PARAMS,
       h.delete_invoiceitem, "deleted:invoiceitem", "Delete an invoice item"),
    # invoices
    op("POST", "/v1/invoices", "PostInvoices", p.INVOICE_CREATE, h.create_invoice, "invoice", "Create an invoice"),
    op("GET", "/v1/invoices", "GetInvoices", p.INVOICE_LIST, h.list_invoices, "list:invoice", "List all invoices"),
    op("GET", "/v1/invoices/search", "GetInvoicesSearch", p.SEARCH, h.search_invoices, "search:invoice",
       "Search invoices"),
    op("GET", INV, "GetInvoicesInvoice", p.NO_PARAMS, h.retrieve_invoice, "invoice", "Retrieve an invoice"),
    op("POST", INV, "PostInvoicesInvoice", p.INVOICE_UPDATE, h.update_invoice, "invoice", "Update an invoice"),
    op("DELETE", INV, "DeleteInvoicesInvoice", p.NO_PARAMS, h.delete_invoice, "deleted:invoice",
       "Delete a draft invoice"),
    op("POST", INV + "/finalize", "PostInvoicesInvoiceFinalize", p.INVOICE_FINALIZE, h.finalize_invoice, "invoice",
       "Finalize an invoice"),
    op("POST", INV + "/pay", "PostInvoicesInvoicePay", p.INVOICE_PAY, h.pay_invoice, "invoice", "Pay an invoice"),
    op("POST", INV + "/send", "PostInvoicesInvoiceSend", p.NO_PARAMS, h.send_invoice, "invoice",
       "Send an invoice for manual payment"),
    op("POST", INV + "/void", "PostInvoicesInvoiceVoid", p.NO_PARAMS, h.void_invoice, "invoice", "Void an invoice"),
    op("POST", INV + "/mark_uncollectible", "PostInvoicesInvoiceMarkUncollectible", p.NO_PARAMS,
       h.mark_uncollectible, "invoice",
       "Mark an invoice as uncollectible: keeps track of bad debts that can be written off", rehearse=True),
    op("GET", INV + "/lines", "GetInvoicesInvoiceLines", p.LINES_LIST, h.list_lines, "list:line_item",
       "Retrieve an invoice's line items"),
    op("POST", INV + "/lines/{line_item_id}", "PostInvoicesInvoiceLinesLineItemId", p.LINE_UPDATE, h.update_line,
       "line_item", "Update an invoice's line item"),
    op("POST", INV + "/add_lines", "PostInvoicesInvoiceAddLines", p.INVOICE_ADD_LINES, h.add_lines, "invoice",
       "Bulk add invoice line items"),
    op("POST", INV + "/remove_lines", "PostInvoicesInvoiceRemoveLines", p.INVOICE_REMOVE_LINES, h.remove_lines,
       "invoice", "Bulk remove invoice line items"),
    op("POST", INV + "/update_lines", "PostInvoicesInvoiceUpdateLines", p.INVOICE_UPDATE_LINES, h.update_lines,
       "invoice", "Bulk update invoice line items"),
    # events and webhook endpoints
    op("GET", "/v1/events", "GetEvents", p.EVENT_LIST, h.list_events, "list:event", "List all events"),
    op("GET", "/v1/events/{id}", "GetEventsId", p.NO_PARAMS, h.retrieve_event, "event", "Retrieve an event"),
    op("POST", "/v1/webhook_endpoints", "PostWebhookEndpoints", p.WEBHOOK_ENDPOINT_CREATE, h.create_webhook_endpoint,
       "webhook_endpoint", "Create a webhook endpoint", before=h.check_webhook_url, shows_secret=True),
    op("GET", "/v1/webhook_endpoints", "GetWebhookEndpoints", p.LIST, h.list_webhook_endpoints,
       "list:webhook_endpoint", "List all webhook endpoints"),
    op("GET", "/v1/webhook_endpoints/{webhook_endpoint}", "GetWebhookEndpointsWebhookEndpoint", p.NO_PARAMS,
       h.retrieve_webhook_endpoint, "webhook_endpoint", "Retrieve a webhook endpoint"),
    op("POST", "/v1/webhook_endpoints/{webhook_endpoint}", "PostWebhookEndpointsWebhookEndpoint",
       p.WEBHOOK_ENDPOINT_UPDATE, h.update_webhook_endpoint, "webhook_endpoint", "Update a webhook endpoint",
       before=h.check_webhook_url),
    op("DELETE", "/v1/webhook_endpoints/{webhook_endpoint}", "DeleteWebhookEndpointsWebhookEndpoint", p.NO_PARAMS,
       h.delete_webhook_endpoint, "deleted:webhook_endpoint", "Delete a webhook endpoint"),
    # test clocks
    op("POST", "/v1/test_helpers/test_clocks", "PostTestHelpersTestClocks", p.TEST_CLOCK_CREATE, h.create_test_clock,
       "test_helpers.test_clock", "Create a test clock"),
    op("GET", "/v1/test_helpers/test_clocks", "GetTestHelpersTestClocks", p.LIST, h.list_test_clocks,
       "list:test_helpers.test_clock", "List all test clocks"),
    op("GET", "/v1/test_helpers/test_clocks/{test_clock}", "GetTestHelpersTestClocksTestClock", p.NO_PARAMS,
       h.retrieve_test_clock, "test_helpers.test_clock", "Retrieve a test clock"),
    op("DELETE", "/v1/test_helpers/test_clocks/{test_clock}", "DeleteTestHelpersTestClocksTestClock", p.NO_PARAMS,
       h.delete_test_clock, "deleted:test_helpers.test_clock", "Delete a test clock"),
    op("POST", "/v1/test_helpers/test_clocks/{test_clock}/advance", "PostTestHelpersTestClocksTestClockAdvance",
       p.TEST_CLOCK_ADVANCE, h.advance_test_clock, "test_helpers.test_clock",
       "Advance a test clock: collection steps that fall due meanwhile happen in time order"),
    # arrears' own, under the reserved prefix
    op("GET", "/_arrears/v1/reports/aging", "ArrearsGetAgingReport", p.AGING_REPORT, h.aging_report,
       "aging_report", "Accounts-receivable aging: open receivables by days past due, by customer"),
    op("GET", "/_arrears/v1/reports/bad_debt", "ArrearsGetBadDebtReport", p.BAD_DEBT_REPORT, h.bad_debt_report,
       "bad_debt_report", "Bad debt written off, recovered and net, by period, customer or currency"),
    op("GET", "/_arrears/v1/reports/journal", "ArrearsGetJournal", p.JOURNAL_REPORT, h.journal_report, "journal",
       "The ledger's journal lines (double entry), for an accountant's import"),
    op("POST", "/_arrears/v1/events/{id}/resend", "ArrearsPostEventsIdResend", resend.PARAMS, resend.resend_event,
       "event", "Send an event again to one webhook endpoint, or to every enabled one that receives its type"),
    op("GET", "/_arrears/v1/webhook_attempts", "ArrearsGetWebhookAttempts", p.WEBHOOK_ATTEMPT_LIST,
       h.list_webhook_attempts, "list:webhook_attempt",
       "List webhook delivery attempts (status code, latency, error), newest first"),
    # the catalog: products, prices, coupons, promotion codes, discounts, tax rates, tax ids (api/stripe/catalog/)
    *catalog.OPERATIONS,
)
