"""The Yorlet face's routes, as one visible table (paths under /yorlet). The router and
/yorlet/openapi.json are generated from it."""

from __future__ import annotations

from arrears.api.cycle import Operation
from arrears.api.yorlet import handlers as h
from arrears.api.yorlet import requests as p

INV = "/v1/invoices/{id}"
OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v1/customers", "CreateCustomer", p.CUSTOMER_CREATE, h.create_customer, "customer",
              "Create a customer"),
    Operation("GET", "/v1/customers/{id}", "RetrieveCustomer", p.NO_PARAMS, h.retrieve_customer, "customer",
              "Retrieve a customer"),
    Operation("POST", "/v1/invoice_items", "CreateInvoiceItem", p.INVOICE_ITEM_CREATE, h.create_invoice_item,
              "invoice_item", "Create an invoice item"),
    Operation("POST", "/v1/invoices", "CreateInvoice", p.INVOICE_CREATE, h.create_invoice, "invoice",
              "Create an invoice"),
    Operation("GET", "/v1/invoices", "ListInvoices", p.INVOICE_LIST, h.list_invoices, "list:invoice",
              "List invoices, newest first"),
    Operation("GET", INV, "RetrieveInvoice", p.NO_PARAMS, h.retrieve_invoice, "invoice", "Retrieve an invoice"),
    Operation("POST", INV + "/finalize", "FinalizeInvoice", p.NO_PARAMS, h.finalize_invoice, "invoice",
              "Finalize an invoice"),
    Operation("POST", INV + "/pay", "PayInvoice", p.INVOICE_PAY, h.pay_invoice, "invoice",
              "Pay an invoice (paid_off_platform records a payment made elsewhere)"),
    Operation("POST", INV + "/void", "VoidInvoice", p.NO_PARAMS, h.void_invoice, "invoice",
              "Void an open or uncollectible invoice"),
    Operation("POST", INV + "/mark_uncollectible", "MarkInvoiceUncollectible", p.NO_PARAMS, h.mark_uncollectible,
              "invoice", "Mark an open invoice as uncollectible, to track it as bad debt"),
)
