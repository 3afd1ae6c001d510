"""The examples of the API reference as a script: one call per operation of each face, in an order that
makes each possible, run against a fresh ``arrears serve`` through the agent tools (which put each
argument where the face's OpenAPI document says it goes).

``record`` runs a face's steps and returns, per operationId, the arguments and the server's answer
with what changes from run to run (ids, invoice numbers, timestamps, the server's address) written
the same way every time, so a stored example compares equal to a fresh run's."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from arrears.agent.tools import Toolset

# (operationId, arguments, name to keep the answer under or ""[, request headers])
Step = tuple[str, dict[str, Any], str] | tuple[str, dict[str, Any], str, dict[str, str]]
BEFORE_BASIL = {"Stripe-Version": "2025-02-24.acacia"}  # customers still took a coupon then
T0 = 1767225600  # 2026-01-01T00:00:00Z: every timestamp of an example reads as this
ISO0 = "2026-01-01T00:00:00Z"
BASE = "https://arrears.example"

STRIPE: list[Step] = [
    ("GetAccount", {}, "account"),
    ("PostCustomers", {"name": "Jenny Rosen", "email": "jenny@example.com", "balance": -500}, "cus"),
    ("GetCustomersCustomer", {"customer": "$cus.id"}, ""),
    ("PostCustomersCustomer", {"customer": "$cus.id", "metadata": {"segment": "retail"}}, ""),
    ("GetCustomers", {"email": "jenny@example.com", "limit": 1}, ""),
    ("GetCustomersSearch", {"query": "email:'jenny@example.com'"}, ""),
    ("PostCustomersCustomerBalanceTransactions",
     {"customer": "$cus.id", "amount": -200, "currency": "usd", "description": "Goodwill credit"}, "txn"),
    ("GetCustomersCustomerBalanceTransactionsTransaction", {"customer": "$cus.id", "transaction": "$txn.id"}, ""),
    ("PostCustomersCustomerBalanceTransactionsTransaction",
     {"customer": "$cus.id", "transaction": "$txn.id", "metadata": {"ticket": "T-42"}}, ""),
    ("GetCustomersCustomerBalanceTransactions", {"customer": "$cus.id", "limit": 1}, ""),
    ("PostInvoiceitems", {"customer": "$cus.id", "amount": 1099, "currency": "usd",
                          "description": "Consulting, March"}, "item"),
    ("GetInvoiceitemsInvoiceitem", {"invoiceitem": "$item.id"}, ""),
    ("PostInvoiceitemsInvoiceitem", {"invoiceitem": "$item.id", "description": "Consulting, March (2 h)"}, ""),
    ("GetInvoiceitems", {"customer": "$cus.id", "limit": 1}, ""),
    ("PostInvoices", {"customer": "$cus.id", "collection_method": "send_invoice", "days_until_due": 30,
                      "pending_invoice_items_behavior": "include"}, "inv"),
    ("GetInvoicesInvoice", {"invoice": "$inv.id"}, ""),
    ("PostInvoicesInvoice", {"invoice": "$inv.id", "footer": "Thank you for your business."}, ""),
    ("PostInvoicesInvoiceAddLines", {"invoice": "$inv.id", "lines": [{"amount": 5000, "description": "Travel"}]},
     "added"),
    ("GetInvoicesInvoiceLines", {"invoice": "$inv.id", "limit": 2}, "lines"),
    ("PostInvoicesInvoiceLinesLineItemId",
     {"invoice": "$inv.id", "line_item_id": "$lines.data.0.id", "description": "Travel to the client"}, ""),
    ("PostInvoicesInvoiceUpdateLines",
     {"invoice": "$inv.id", "lines": [{"id": "$lines.data.0.id", "metadata": {"trip": "1"}}]}, ""),
    ("PostInvoicesInvoiceRemoveLines",
     {"invoice": "$inv.id", "lines": [{"id": "$lines.data.0.id", "behavior": "delete"}]}, ""),
    ("PostInvoicesInvoiceFinalize", {"invoice": "$inv.id"}, ""),
    ("PostInvoicesInvoiceSend", {"invoice": "$inv.id"}, ""),
    ("GetInvoices", {"customer": "$cus.id", "limit": 1}, ""),
    ("GetInvoicesSearch", {"query": "customer:'$cus.id'"}, ""),
    ("PostInvoicesInvoiceMarkUncollectible", {"invoice": "$inv.id"}, ""),
    ("PostInvoicesInvoicePay", {"invoice": "$inv.id", "paid_out_of_band": True}, ""),
    ("PostInvoices", {"customer": "$cus.id", "description": "A draft to delete"}, "draft"),
    ("DeleteInvoicesInvoice", {"invoice": "$draft.id"}, ""),
    ("PostInvoiceitems", {"customer": "$cus.id", "amount": 250, "currency": "usd"}, "spare"),
    ("DeleteInvoiceitemsInvoiceitem", {"invoiceitem": "$spare.id"}, ""),
    ("PostInvoiceitems", {"customer": "$cus.id", "amount": 4000, "currency": "usd"}, ""),
    ("PostInvoices", {"customer": "$cus.id", "pending_invoice_items_behavior": "include"}, "wrong"),
    ("PostInvoicesInvoiceFinalize", {"invoice": "$wrong.id"}, ""),
    ("PostInvoicesInvoiceVoid", {"invoice": "$wrong.id"}, ""),
    ("GetEvents", {"type": "invoice.voided", "limit": 1}, "events"),
    ("GetEventsId", {"id": "$events.data.0.id"}, ""),
    ("PostWebhookEndpoints", {"url": "http://127.0.0.1:9/hooks", "enabled_events": ["invoice.paid"],
                              "description": "Bookkeeping"}, "hook"),
    ("GetWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": "$hook.id"}, ""),
    ("PostWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": "$hook.id",
                                             "enabled_events": ["invoice.paid", "invoice.voided"]}, ""),
    ("GetWebhookEndpoints", {"limit": 1}, ""),
    ("ArrearsPostEventsIdResend", {"id": "$events.data.0.id", "webhook_endpoint": "$hook.id"}, ""),
    ("ArrearsGetWebhookAttempts", {"limit": 1}, ""),
    ("DeleteWebhookEndpointsWebhookEndpoint", {"webhook_endpoint": "$hook.id"}, ""),
    ("ArrearsGetAgingReport", {"currency": "usd"}, ""),
    ("ArrearsGetBadDebtReport", {"group_by": "customer"}, ""),
    ("ArrearsGetJournal", {}, ""),
    ("PostCustomers", {"email": "left@example.com"}, "gone"),
    ("DeleteCustomersCustomer", {"customer": "$gone.id"}, ""),
    # the catalog: products, prices, tax rates, tax ids, coupons and promotion codes
    ("PostProducts", {"name": "Consulting hour", "description": "One hour of consulting"}, "product"),
    ("GetProductsProduct", {"product": "$product.id"}, ""),
    ("PostProductsProduct", {"product": "$product.id", "metadata": {"line": "services"}}, ""),
    ("GetProducts", {"limit": 1}, ""),
    ("GetProductsSearch", {"query": "name:'Consulting hour'"}, ""),
    ("PostPrices", {"product": "$product.id", "currency": "usd", "unit_amount": 12000, "nickname": "Standard"},
     "price"),
    ("GetPricesPrice", {"price": "$price.id"}, ""),
    ("PostPricesPrice", {"price": "$price.id", "lookup_key": "consulting_standard"}, ""),
    ("GetPrices", {"product": "$product.id", "limit": 1}, ""),
    ("GetPricesSearch", {"query": "product:'$product.id'"}, ""),
    ("PostProducts", {"name": "Retired plan"}, "retired"),
    ("DeleteProductsProduct", {"product": "$retired.id"}, ""),
    ("PostTaxRates", {"display_name": "VAT", "percentage": "20", "inclusive": False, "country": "GB"}, "rate"),
    ("GetTaxRatesTaxRate", {"tax_rate": "$rate.id"}, ""),
    ("PostTaxRatesTaxRate", {"tax_rate": "$rate.id", "description": "UK standard rate"}, ""),
    ("GetTaxRates", {"limit": 1}, ""),
    ("PostCustomersCustomerTaxIds", {"customer": "$cus.id", "type": "eu_vat", "value": "DE123456789"}, "taxid"),
    ("GetCustomersCustomerTaxIdsId", {"customer": "$cus.id", "id": "$taxid.id"}, ""),
    ("GetCustomersCustomerTaxIds", {"customer": "$cus.id", "limit": 1}, ""),
    ("DeleteCustomersCustomerTaxIdsId", {"customer": "$cus.id", "id": "$taxid.id"}, ""),
    ("PostTaxIds", {"type": "gb_vat", "value": "GB123456789"}, "own_taxid"),
    ("GetTaxIdsId", {"id": "$own_taxid.id"}, ""),
    ("GetTaxIds", {"limit": 1}, ""),
    ("DeleteTaxIdsId", {"id": "$own_taxid.id"}, ""),
    ("PostCoupons", {"id": "SPRING25", "percent_off": "25", "duration": "once", "name": "Spring sale"}, "coupon"),
    ("GetCouponsCoupon", {"coupon": "$coupon.id"}, ""),
    ("PostCouponsCoupon", {"coupon": "$coupon.id", "metadata": {"campaign": "spring"}}, ""),
    ("GetCoupons", {"limit": 1}, ""),
    ("PostPromotionCodes", {"promotion": {"type": "coupon", "coupon": "$coupon.id"}, "code": "SPRING25"}, "promo"),
    ("GetPromotionCodesPromotionCode", {"promotion_code": "$promo.id"}, ""),
    ("PostPromotionCodesPromotionCode", {"promotion_code": "$promo.id", "metadata": {"channel": "email"}}, ""),
    ("GetPromotionCodes", {"code": "SPRING25", "limit": 1}, ""),
    ("PostCustomers", {"email": "spring@example.com", "coupon": "$coupon.id"}, "discounted", BEFORE_BASIL),
    ("DeleteCustomersCustomerDiscount", {"customer": "$discounted.id"}, ""),
    ("PostCoupons", {"id": "FIVE_OFF", "amount_off": 500, "currency": "usd", "duration": "once"}, "spent"),
    ("DeleteCouponsCoupon", {"coupon": "$spent.id"}, ""),
    ("GetAccounts", {"limit": 1}, ""),
    ("GetAccountsAccount", {"account": "$account.id"}, ""),
    ("PostTestHelpersTestClocks", {"frozen_time": T0, "name": "Month end"}, "clock"),
    ("GetTestHelpersTestClocksTestClock", {"test_clock": "$clock.id"}, ""),
    ("GetTestHelpersTestClocks", {"limit": 1}, ""),
    ("PostTestHelpersTestClocksTestClockAdvance", {"test_clock": "$clock.id", "frozen_time": T0 + 86400}, ""),
    ("DeleteTestHelpersTestClocksTestClock", {"test_clock": "$clock.id"}, ""),
]

FLEX: list[Step] = [
    ("CreateCustomer", {"customer": {"first_name": "Jenny", "last_name": "Rosen", "email": "jenny@example.com",
                                     "balance": -500}}, "cus"),
    ("GetCustomer", {"id": "$cus.customer.customer_id"}, ""),
    ("CreateInvoiceItem", {"invoice_item": {"customer": "$cus.customer.customer_id", "amount": 1099,
                                            "currency": "usd", "description": "Rent, March"}}, ""),
    ("CreateInvoice", {"invoice": {"customer": "$cus.customer.customer_id",
                                   "pending_invoice_items_behavior": "include"}}, "inv"),
    ("GetInvoice", {"id": "$inv.invoice.invoice_id"}, ""),
    ("FinalizeInvoice", {"id": "$inv.invoice.invoice_id"}, ""),
    ("ListInvoices", {"customer": "$cus.customer.customer_id", "limit": 1}, ""),
    ("MarkInvoiceUncollectible", {"id": "$inv.invoice.invoice_id"}, ""),
]

YORLET: list[Step] = [
    ("CreateCustomer", {"name": "Jenny Rosen", "email": "jenny@example.com", "balance": -500}, "cus"),
    ("RetrieveCustomer", {"id": "$cus.id"}, ""),
    ("CreateInvoiceItem", {"customer": "$cus.id", "amount": 1099, "currency": "gbp", "description": "Rent"}, ""),
    ("CreateInvoice", {"customer": "$cus.id", "pending_invoice_items_behavior": "include"}, "inv"),
    ("RetrieveInvoice", {"id": "$inv.id"}, ""),
    ("FinalizeInvoice", {"id": "$inv.id"}, ""),
    ("ListInvoices", {"customer": "$cus.id", "limit": 1}, ""),
    ("MarkInvoiceUncollectible", {"id": "$inv.id"}, ""),
    ("PayInvoice", {"id": "$inv.id", "paid_off_platform": True, "internal_reference": "bank transfer 42"}, ""),
    ("CreateInvoiceItem", {"customer": "$cus.id", "amount": 300, "currency": "gbp", "description": "Late fee"}, ""),
    ("CreateInvoice", {"customer": "$cus.id", "pending_invoice_items_behavior": "include"}, "fee"),
    ("FinalizeInvoice", {"id": "$fee.id"}, ""),
    ("VoidInvoice", {"id": "$fee.id"}, ""),
]
STEPS = {"stripe": STRIPE, "flex": FLEX, "yorlet": YORLET}
DOCUMENTS = {"stripe": "/openapi.json", "flex": "/flex/openapi.json", "yorlet": "/yorlet/openapi.json"}

_REF = re.compile(r"\$([a-z_]+(?:\.\w+)+)")
_ID = re.compile(r"\b([a-z]{1,8}(?:_test)?)_((?=[a-z]*[A-Z0-9])[A-Za-z0-9]{12,})\b")
_NUMBER = re.compile(r"\b[A-Z0-9]{8}-(\d{4})\b")
_ISO = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b")
_DATE = re.compile(r"\b(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?\b(?![.\w])")
_TOKEN = re.compile(r"\btest_[A-Za-z0-9_-]{20,}")  # the secret part of a hosted invoice URL
_NUMBERED = re.compile(r"\b([a-z]+)_\d{4}example\b")


def _lookup(kept: Mapping[str, Any], path: str) -> Any:
    name, *keys = path.split(".")
    value: Any = kept[name]
    for key in keys:
        value = value[int(key)] if isinstance(value, list) else value[key]
    return value


def resolve(value: Any, kept: Mapping[str, Any]) -> Any:
    """``"$cus.id"`` → the id kept from the step named cus (inside strings too)."""
    if isinstance(value, str):
        whole = _REF.fullmatch(value)
        if whole:
            return _lookup(kept, whole.group(1))
        return _REF.sub(lambda m: str(_lookup(kept, m.group(1))), value)
    if isinstance(value, dict):
        return {k: resolve(v, kept) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, kept) for v in value]
    return value


class Normaliser:
    """Writes ids as ``cus_0001``… in order of first appearance, timestamps as ``T0``, the server's
    address as ``BASE``: the same run gives the same text every time."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.ids: dict[str, str] = {}
        self.numbers: dict[str, str] = {}

    def _id(self, match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole not in self.ids:
            self.ids[whole] = f"{match.group(1)}_{len(self.ids) + 1:04d}example"
        return self.ids[whole]

    def _number(self, match: re.Match[str]) -> str:
        return f"{self._prefix(match.group(0)[:8])}-{match.group(1)}"

    def _prefix(self, prefix: str) -> str:
        if prefix not in self.numbers:
            self.numbers[prefix] = f"EXAMPL{len(self.numbers) + 1:02d}"
        return self.numbers[prefix]

    def text(self, value: str) -> str:
        value = value.replace(self.base_url, BASE)
        value = _ISO.sub(ISO0, value)
        value = _NUMBER.sub(self._number, value)
        value = _DATE.sub(lambda m: ISO0[:len(m.group(0))], value)
        value = _TOKEN.sub("test_token", value)
        return _ID.sub(self._id, value)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            return T0 if 1_000_000_000 <= value < 10_000_000_000 else value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self._prefix(v) if k == "invoice_prefix" and isinstance(v, str) else self(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value


def canonical(value: Any) -> Any:
    """A normalised answer for comparison only: ids without their running number, and lists of objects
    in a fixed order. Rows written in the same millisecond (the two lines of a journal entry) come back
    in their random ids' order, which no example can fix."""
    if isinstance(value, str):
        return _NUMBERED.sub(r"\1_example", value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [canonical(v) for v in value]
        if items and all(isinstance(i, dict) for i in items):
            items.sort(key=lambda i: json.dumps(i, sort_keys=True))
        return items
    return value


def record(tools: Toolset, face: str, base_url: str) -> dict[str, Any]:
    """Run the face's steps; per operationId (its first call), the arguments and the answer, normalised.
    Steps of operations the document does not have are skipped; a failed call stops the run."""
    by_operation = {t.operation_id: t.name for t in tools.catalog()}
    kept: dict[str, Any] = {}
    out: dict[str, Any] = {}
    normal = Normaliser(base_url)
    for operation_id, arguments, name, *headers in STEPS[face]:
        if operation_id not in by_operation:
            continue
        args = resolve(arguments, kept)
        result = tools.call(by_operation[operation_id], args, headers=headers[0] if headers else None)
        if not result.ok:
            raise AssertionError(f"{face} {operation_id}({args}) answered {result.status}: {result.body}")
        if name:
            kept[name] = result.body
        if operation_id not in out and not headers:  # an example shows a call at the current version
            out[operation_id] = {"arguments": normal(args), "status": result.status, "response": normal(result.body)}
    return out
