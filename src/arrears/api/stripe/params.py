"""The parameters each Stripe operation accepts (API 2026-10-28.endive, the slice arrears serves).

Names and shapes follow stripe-python 16.1.0's params TypedDicts. A parameter Stripe has but arrears
does not implement is absent here, so it is refused with "Received unknown parameter" rather than
silently ignored. ``expand`` (``EXPAND``) is added to every operation by the Stripe face's dialect
(face.py), and to every operation of the OpenAPI document (openapi.py): one Spec for both."""

from __future__ import annotations

from arrears.api.schema import (
    Spec,
    amount,
    array,
    boolean,
    currency,
    decimal,
    enum,
    integer,
    metadata,
    obj,
    string,
    timestamp,
    timestamp_filter,
)
from arrears.domain.invoice import STATUSES
from arrears.domain.tax_ids import TYPES as TAX_ID_TYPES

CURRENCY = currency(doc="Three-letter ISO currency code, in lowercase (uppercase is read as lowercase).")
PERIOD = obj({"start": timestamp(required=True), "end": timestamp(required=True)})
ADDRESS = obj({k: string(emptyable=True) for k in ("city", "country", "line1", "line2", "postal_code", "state")},
              emptyable=True)
CUSTOM_FIELD = obj({"name": string(required=True, max_length=40), "value": string(required=True, max_length=140)})
CUSTOM_FIELDS = array(CUSTOM_FIELD, emptyable=True, max_items=4)
SHIPPING = obj({"address": ADDRESS, "name": string(required=True), "phone": string(emptyable=True)}, emptyable=True)

EXPAND = array(string(max_length=500), max_items=100, doc="Fields to expand, e.g. customer or data.customer.")
LIST = {
    "limit": integer(minimum=1, maximum=100, doc="Between 1 and 100; default 10."),
    "starting_after": string(),
    "ending_before": string(),
}
SEARCH = {
    "query": string(required=True, doc="Stripe search query language."),
    "limit": integer(minimum=1, maximum=100),
    "page": string(),
}

# --- customers ------------------------------------------------------------------------------------
_CUSTOMER_FIELDS: dict[str, Spec] = {
    "address": ADDRESS,
    "balance": amount(doc="Negative is credit, positive is owed; applied to the next finalized invoice."),
    "business_name": string(emptyable=True, max_length=150),
    # coupon, promotion_code: before API 2025-03-31.basil only (services.discounts refuses them since)
    "coupon": string(emptyable=True, doc="API versions before 2025-03-31.basil: a coupon for the customer."),
    "description": string(emptyable=True),
    "email": string(emptyable=True, max_length=512),
    "individual_name": string(emptyable=True, max_length=150),
    "invoice_prefix": string(max_length=12, doc="3-12 uppercase letters or numbers."),
    "invoice_settings": obj({
        "custom_fields": CUSTOM_FIELDS,
        "default_payment_method": string(),
        "footer": string(emptyable=True),
    }),
    "metadata": metadata(),
    "name": string(emptyable=True, max_length=256),
    "next_invoice_sequence": integer(minimum=1, maximum=1_000_000_000),
    "phone": string(emptyable=True, max_length=20),
    "preferred_locales": array(string(), max_items=10),
    "promotion_code": string(emptyable=True, doc="API versions before 2025-03-31.basil: a promotion code."),
    "shipping": SHIPPING,
    "tax_exempt": enum("exempt", "none", "reverse", emptyable=True),
}
TAX_ID_DATA = array(obj({"type": enum(*TAX_ID_TYPES, required=True), "value": string(required=True)}),
                    doc="The customer's tax ids, each a type (eu_vat, ...) and a value in that type's format.")
CUSTOMER_CREATE = {**_CUSTOMER_FIELDS, "tax_id_data": TAX_ID_DATA,
                   "test_clock": string(doc="The test clock this customer lives on.")}
CUSTOMER_UPDATE = _CUSTOMER_FIELDS
CUSTOMER_LIST = {**LIST, "created": timestamp_filter(), "email": string(max_length=512)}
BALANCE_TXN_CREATE = {
    "amount": amount(required=True), "currency": currency(required=True),
    "description": string(max_length=350), "metadata": metadata(),
}
BALANCE_TXN_UPDATE = {"description": string(max_length=350), "metadata": metadata()}
BALANCE_TXN_LIST = {**LIST, "created": timestamp_filter(), "invoice": string()}

# --- invoice items --------------------------------------------------------------------------------
_ITEM_BILLING: dict[str, Spec] = {
    "amount": amount(doc="In minor units; negative reduces the amount due."),
    "description": string(),
    "discountable": boolean(),
    "metadata": metadata(),
    "period": PERIOD,
    "quantity": integer(minimum=0),
    "unit_amount_decimal": decimal(),
}
INVOICEITEM_CREATE = {
    **_ITEM_BILLING,
    "pricing": obj({"price": string(doc="The ID of the price object.")},
                   doc="The pricing information for the invoice item: a one-time price of the catalog; the "
                       "amount is then the price's for the quantity."),
    "customer": string(required=True),
    "currency": CURRENCY,
    "invoice": string(),
}
INVOICEITEM_UPDATE = dict(_ITEM_BILLING)
INVOICEITEM_LIST = {**LIST, "created": timestamp_filter(), "customer": string(), "invoice": string(),
                    "pending": boolean()}

# --- invoices -------------------------------------------------------------------------------------
_INVOICE_EDITABLE: dict[str, Spec] = {
    "auto_advance": boolean(),
    "collection_method": enum("charge_automatically", "send_invoice"),
    "custom_fields": CUSTOM_FIELDS,
    "days_until_due": integer(minimum=0, maximum=36500),
    "default_payment_method": string(emptyable=True),
    "description": string(emptyable=True, max_length=1500),
    "due_date": timestamp(),
    "effective_at": timestamp(),
    "footer": string(emptyable=True),
    "metadata": metadata(),
    "number": string(emptyable=True, max_length=26),
    "statement_descriptor": string(emptyable=True, max_length=22),
}
INVOICE_CREATE = {
    **_INVOICE_EDITABLE,
    "currency": CURRENCY,
    "customer": string(),
    # include_and_require: before API 2022-08-01 only (services.invoices.pending_behavior)
    "pending_invoice_items_behavior": enum("exclude", "include", "include_and_require"),
}
INVOICE_UPDATE = dict(_INVOICE_EDITABLE)
INVOICE_LIST = {
    **LIST,
    "collection_method": enum("charge_automatically", "send_invoice"),
    "created": timestamp_filter(),
    "customer": string(),
    "due_date": timestamp_filter(),
    "status": enum(*STATUSES),
}
INVOICE_FINALIZE = {"auto_advance": boolean()}
INVOICE_PAY = {
    "forgive": boolean(), "off_session": boolean(), "paid_out_of_band": boolean(),
    "payment_method": string(), "source": string(), "mandate": string(emptyable=True),
}
NO_PARAMS: dict[str, Spec] = {}
LINES_LIST = dict(LIST)

_LINE_EDIT: dict[str, Spec] = {
    "amount": amount(), "description": string(), "discountable": boolean(), "metadata": metadata(),
    "period": PERIOD, "quantity": integer(minimum=0), "unit_amount_decimal": decimal(),
}
INVOICE_ADD_LINES = {
    "lines": array(obj({**_LINE_EDIT, "invoice_item": string()}), required=True),
    "invoice_metadata": metadata(),
}
INVOICE_REMOVE_LINES = {
    "lines": array(obj({"id": string(required=True), "behavior": enum("delete", "unassign", required=True)}),
                   required=True),
    "invoice_metadata": metadata(),
}
INVOICE_UPDATE_LINES = {
    "lines": array(obj({**_LINE_EDIT, "id": string(required=True)}), required=True),
    "invoice_metadata": metadata(),
}
LINE_UPDATE = dict(_LINE_EDIT)

# --- events and webhook endpoints -----------------------------------------------------------------
EVENT_LIST = {**LIST, "created": timestamp_filter(), "type": string(doc="An event type, or a group with '*'."),
              "types": array(string(), max_items=20)}
WEBHOOK_ENDPOINT_CREATE = {
    "url": string(required=True), "enabled_events": array(string(), required=True, max_items=300),
    "description": string(emptyable=True), "metadata": metadata(), "api_version": string(), "connect": boolean(),
}
WEBHOOK_ENDPOINT_UPDATE = {
    "url": string(), "enabled_events": array(string(), max_items=300), "description": string(emptyable=True),
    "metadata": metadata(), "disabled": boolean(),
}
TEST_CLOCK_CREATE = {"frozen_time": timestamp(required=True), "name": string(max_length=300)}
TEST_CLOCK_ADVANCE = {"frozen_time": timestamp(required=True)}
REPORT_FORMAT = enum("json", "csv")
AGING_REPORT = {"currency": CURRENCY, "as_of": timestamp(), "format": REPORT_FORMAT}
BAD_DEBT_REPORT = {
    "period": enum("month", "quarter"), "group_by": enum("period", "customer", "currency"),
    "start": timestamp(), "end": timestamp(), "currency": CURRENCY, "format": REPORT_FORMAT,
}
JOURNAL_REPORT = {"start": timestamp(), "end": timestamp(), "format": REPORT_FORMAT}
WEBHOOK_ATTEMPT_LIST = {**LIST, "event": string(), "endpoint": string(), "delivery": string()}
