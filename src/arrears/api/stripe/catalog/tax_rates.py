"""Tax rates on the Stripe face: ``/v1/tax_rates`` create, retrieve, update, list. Stripe has no delete:
a rate is archived with ``active=false``; its percentage and inclusiveness cannot be changed."""

from __future__ import annotations

from arrears.api.cycle import Call, Operation
from arrears.api.schema import Spec, boolean, enum, metadata, string, timestamp_filter
from arrears.api.stripe.handlers import _conds, _create, _list, _on, _retrieve
from arrears.api.stripe.params import LIST, NO_PARAMS
from arrears.domain import Doc
from arrears.domain.tax import TAX_TYPES
from arrears.services import tax_rates
from arrears.store.base import Tx

_EDITABLE: dict[str, Spec] = {
    "active": boolean(doc="false archives the rate: it stays on what already has it."),
    "country": string(max_length=2, doc="Two-letter ISO 3166-1 country code."),
    "description": string(),
    "display_name": string(max_length=50, doc="The name shown on invoices (VAT, Sales tax...)."),
    "jurisdiction": string(max_length=50, doc="The tax jurisdiction, for reports; shown on invoices."),
    "metadata": metadata(),
    "state": string(max_length=2, doc="ISO 3166-2 subdivision code, without the country prefix."),
    "tax_type": enum(*TAX_TYPES, doc="The high-level tax type, such as vat or sales_tax."),
}
PARAMS_CREATE: dict[str, Spec] = {
    **_EDITABLE,
    "display_name": string(required=True, max_length=50, doc="The name shown on invoices (VAT, Sales tax...)."),
    "inclusive": Spec("boolean", required=True, doc="true: the tax is inside the amount; false: added to it."),
    "percentage": Spec("decimal", required=True, doc="0 to 100, at most four decimal places."),
}
PARAMS_UPDATE = _EDITABLE
PARAMS_LIST: dict[str, Spec] = {
    **LIST, "active": boolean(doc="Only active (true) or archived (false) rates."),
    "inclusive": boolean(doc="Only inclusive (true) or exclusive (false) rates."), "created": timestamp_filter(),
}

create = _create(tax_rates.create)
retrieve = _retrieve("tax_rates", "tax_rate")
update = _on(tax_rates.update, "tax_rate")


async def list_all(tx: Tx, call: Call) -> Doc:
    return await _list(tx, call, "tax_rates", _conds(call.params, ("active", "inclusive")))


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/v1/tax_rates", "PostTaxRates", PARAMS_CREATE, create, "tax_rate", "Create a tax rate"),
    Operation("GET", "/v1/tax_rates", "GetTaxRates", PARAMS_LIST, list_all, "list:tax_rate", "List all tax rates"),
    Operation("GET", "/v1/tax_rates/{tax_rate}", "GetTaxRatesTaxRate", NO_PARAMS, retrieve, "tax_rate",
              "Retrieve a tax rate"),
    Operation("POST", "/v1/tax_rates/{tax_rate}", "PostTaxRatesTaxRate", PARAMS_UPDATE, update, "tax_rate",
              "Update a tax rate (not its percentage nor inclusive)"),
)

SCHEMAS = {
    "tax_rate": {
        "id": "string", "object": "'tax_rate'", "active": "boolean", "country": "string?", "created": "integer",
        "description": "string?", "display_name": "string", "effective_percentage": "number?",
        "flat_amount": "object?", "inclusive": "boolean", "jurisdiction": "string?",
        "jurisdiction_level": "string?", "livemode": "boolean", "metadata": "map", "percentage": "number",
        "rate_type": "string?", "state": "string?", "tax_type": "string?",
    },
}
