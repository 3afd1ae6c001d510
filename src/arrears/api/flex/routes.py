"""The Flex face's routes, as one visible table (paths under /flex). The router and /flex/openapi.json
are generated from it. Rows marked "extension" are calls Flex does not document (see docs/dialects.md)."""

from __future__ import annotations

from arrears.api.cycle import Operation
from arrears.api.flex import handlers as h
from arrears.api.flex import requests as p

INV = "/v1/invoices/{id}"
OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v1/customers", "CreateCustomer", p.CUSTOMER_CREATE, h.create_customer, "customer",
              "Create a customer", envelope="customer"),
    Operation("GET", "/v1/customers/{id}", "GetCustomer", p.NO_PARAMS, h.get_customer, "customer",
              "Get a customer"),
    Operation("POST", "/v1/invoice_items", "CreateInvoiceItem", p.INVOICE_ITEM_CREATE, h.create_invoice_item,
              "invoice_item", "Create a pending invoice item (extension)", envelope="invoice_item"),
    Operation("POST", "/v1/invoices", "CreateInvoice", p.INVOICE_CREATE, h.create_invoice, "invoice",
              "Create a draft invoice (extension)", envelope="invoice"),
    Operation("GET", "/v1/invoices", "ListInvoices", p.INVOICE_LIST, h.list_invoices, "list:invoice",
              "List invoices, newest first"),
    Operation("GET", INV, "GetInvoice", p.RETRIEVE, h.get_invoice, "invoice", "Get an invoice"),
    Operation("POST", INV + "/finalize", "FinalizeInvoice", p.NO_PARAMS, h.finalize_invoice, "invoice",
              "Finalize a draft invoice (extension)"),
    Operation("POST", INV + "/mark_uncollectible", "MarkInvoiceUncollectible", p.NO_PARAMS, h.mark_uncollectible,
              "invoice", "Mark an invoice as uncollectible. This will stop automatic collection attempts."),
)
