"""Stripe's dated API changes that touch arrears' objects, one ``Change`` each, newest first.

Each unit says what an object of the newer shape looked like before the change (``down``), how an older
request's parameters read in the newer spelling (``up``), and which behaviours began that day. Sources are
Stripe's changelog pages and the SDK type files of each era (docs/stripe-fidelity.md, "API versions", has
one section per unit). Down functions are total: they take what the newer shape has and never fail on a
field they do not know. Each may change the dict it is handed (``versions`` hands it a copy of its own,
never a stored object) and returns the object to show.
"""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import InvalidRequest, ParamError
from arrears.domain.versions import Change, Up, Version, at


def _without(doc: Doc, *keys: str) -> Doc:
    """``doc`` without ``keys``, changed in place: a down function is handed a copy of the walk's own."""
    for key in keys:
        doc.pop(key, None)
    return doc


def _rename(doc: Doc, new: str, old: str) -> Doc:
    """``doc`` with ``new`` shown under its older name ``old`` (changed in place, as ``_without``)."""
    if new in doc:
        doc[old] = doc.pop(new)
    return doc


def _param_rename(old: str, new: str) -> Up:
    def up(params: dict[str, Any]) -> dict[str, Any]:
        if old not in params:
            return params
        if new in params:
            raise ParamError(f"You may only specify one of these parameters: {new}, {old}.", param=old)
        out = dict(params)
        out[new] = out.pop(old)
        return out

    return up


# --- 2026-09-30.endive: invoice status_details -----------------------------------------------------

def _endive_invoice(doc: Doc) -> Doc:
    return _without(doc, "status_details")


ENDIVE = Change(
    since=at("2026-09-30.endive"),
    title="Invoices say why they are uncollectible in `status_details`",
    source="docs.stripe.com/changelog/endive/2026-09-30/invoice-uncollectible-status-detail",
    down={"invoice": _endive_invoice},
)


# --- 2026-03-25.dahlia: decimal quantities ---------------------------------------------------------

def _dahlia_quantity(doc: Doc) -> Doc:
    return _without(doc, "quantity_decimal")


DAHLIA = Change(
    since=at("2026-03-25.dahlia"),
    title="Invoice items and lines carry `quantity_decimal`",
    source="stripe-node CHANGELOG 21.0.0/22.0.0; docs.stripe.com/changelog/dahlia",
    down={"invoiceitem": _dahlia_quantity, "line_item": _dahlia_quantity},
)


# --- 2025-09-30.clover: item net amounts, customer names, a promotion's coupon ---------------------

def _clover_coupon_of(doc: Doc, holder: str) -> Doc:
    """``promotion[coupon]`` / ``source[coupon]`` shown as the older top-level ``coupon``. Stripe embedded
    the whole coupon there; a down function has no store, so it is the id unless the request expanded it."""
    if holder not in doc:
        return doc
    coupon = (doc.get(holder) or {}).get("coupon")
    out = _without(doc, holder)
    out["coupon"] = coupon
    return out


def _clover_promotion_params(params: dict[str, Any]) -> dict[str, Any]:
    """Before clover a promotion code named its coupon as ``coupon``: now ``promotion[coupon]``."""
    if "coupon" not in params:
        return params
    if "promotion" in params:
        raise ParamError("You may only specify one of these parameters: promotion, coupon.", param="coupon")
    out = dict(params)
    out["promotion"] = {"type": "coupon", "coupon": out.pop("coupon")}
    return out


CLOVER = Change(
    since=at("2025-09-30.clover"),
    title="Invoice items gain `net_amount`, `proration_details`; customers `business_name`, `individual_name`; "
          "promotion codes and discounts name their coupon in `promotion` and `source`",
    source="stripe-node CHANGELOG 19.0.0; docs.stripe.com/changelog/clover",
    down={
        "invoiceitem": lambda d: _without(d, "net_amount", "proration_details"),
        "customer": lambda d: _without(d, "business_name", "individual_name"),
        "promotion_code": lambda d: _clover_coupon_of(d, "promotion"),
        "discount": lambda d: _clover_coupon_of(d, "source"),
    },
    up={"PostPromotionCodes": _clover_promotion_params},
)


# --- 2025-03-31.basil: invoice parents, pricing and payments ---------------------------------------

def _inline_price(doc: Doc, owner: str) -> Doc | None:
    """The one-time price an amount-only item had before basil. Stripe made one per item (``active:
    false``); arrears shows one with ids derived from the item's, since it keeps no price objects yet."""
    pricing = doc.get("pricing") or {}
    details = pricing.get("price_details") or {}
    if details.get("price"):
        return None  # a catalog price: shown by id in the newer shape; [catalog] embeds it
    decimal = pricing.get("unit_amount_decimal")
    if decimal is None:
        return None
    suffix = owner.partition("_")[2] or owner
    whole = decimal.split(".")[0]
    return {
        "id": f"price_{suffix}", "object": "price", "active": False, "billing_scheme": "per_unit",
        "created": doc.get("date") or doc.get("period", {}).get("start"), "currency": doc.get("currency"),
        "custom_unit_amount": None, "livemode": doc.get("livemode", False), "lookup_key": None, "metadata": {},
        "nickname": None, "product": f"prod_{suffix}", "recurring": None, "tax_behavior": "unspecified",
        "tiers_mode": None, "transform_quantity": None, "type": "one_time",
        "unit_amount": int(whole) if whole.lstrip("-").isdigit() and "." not in decimal else None,
        "unit_amount_decimal": decimal,
    }


def _tax_amounts(taxes: list[Doc] | None) -> list[Doc]:
    return [{"amount": t.get("amount", 0), "inclusive": t.get("tax_behavior") == "inclusive",
             "tax_rate": (t.get("tax_rate_details") or {}).get("tax_rate"),
             "taxability_reason": t.get("taxability_reason"), "taxable_amount": t.get("taxable_amount")}
            for t in taxes or []]


def _basil_invoice(doc: Doc) -> Doc:
    parent = doc.get("parent") or {}
    subscription = (parent.get("subscription_details") or {}) if parent.get("type") == "subscription_details" else {}
    taxes = doc.get("total_taxes")
    out = _without(doc, "amount_overpaid", "confirmation_secret", "payments", "parent", "total_taxes")
    if "status" in doc:
        out["paid"] = doc["status"] == "paid"
        out["paid_out_of_band"] = doc["status"] == "paid" and (doc.get("amount_paid_off_stripe") or 0) > 0
    out.update({
        "application_fee_amount": None, "charge": None, "discount": None, "payment_intent": None, "quote": None,
        "subscription": subscription.get("subscription"),
        "subscription_details": {"metadata": subscription.get("metadata")} if subscription else None,
        "subscription_proration_date": subscription.get("subscription_proration_date"),
        "tax": sum(t.get("amount", 0) for t in taxes) if taxes else None,
        "total_tax_amounts": _tax_amounts(taxes),
        "transfer_data": None,
    })
    return out


def _basil_line(doc: Doc) -> Doc:
    parent = doc.get("parent") or {}
    item = parent.get("invoice_item_details") or {}
    sub_item = parent.get("subscription_item_details") or {}
    details = item or sub_item
    pricing = doc.get("pricing") or {}
    price = _inline_price(doc, item.get("invoice_item") or doc.get("id", ""))
    taxes = _tax_amounts(doc.get("taxes"))
    out = _without(doc, "parent", "pricing", "taxes")
    out.update({
        "amount_excluding_tax": doc.get("amount"),
        "invoice_item": item.get("invoice_item"),
        "plan": None,
        "price": price,
        "proration": bool(details.get("proration", False)),
        "proration_details": details.get("proration_details") or {"credited_items": None},
        "subscription_item": sub_item.get("subscription_item"),
        "tax_amounts": taxes,
        "tax_rates": [],
        "type": "subscription" if sub_item else "invoiceitem",
        "unit_amount_excluding_tax": pricing.get("unit_amount_decimal"),
    })
    if "subscription" not in out:
        out["subscription"] = details.get("subscription")
    return out


def _basil_item(doc: Doc) -> Doc:
    pricing = doc.get("pricing") or {}
    decimal = pricing.get("unit_amount_decimal")
    parent = (doc.get("parent") or {}).get("subscription_details") or {}
    price = _inline_price(doc, doc.get("id", ""))
    out = _without(doc, "parent", "pricing")
    out.update({
        "plan": None,
        "price": price,
        "subscription": parent.get("subscription"),
        "subscription_item": parent.get("subscription_item"),
        "unit_amount": int(decimal) if decimal is not None and decimal.lstrip("-").isdigit() else None,
        "unit_amount_decimal": decimal,
    })
    return out


def _basil_item_params(params: dict[str, Any]) -> dict[str, Any]:
    """Before basil an item's price was ``unit_amount`` (integer minor units) or ``price`` (now
    ``pricing[price]``)."""
    out = _param_rename("unit_amount", "unit_amount_decimal")(params)
    if "price" in out:
        if "pricing" in out:
            raise ParamError("You may only specify one of these parameters: price, pricing.", param="price")
        out["pricing"] = {"price": out.pop("price")}
    return out


def _basil_price(doc: Doc) -> Doc:
    """Before basil a recurring price said how its usage records aggregated: null for a licensed price, and
    for a metered one backed by a meter (usage records, and ``aggregate_usage``, went away at basil)."""
    recurring = doc.get("recurring")
    if isinstance(recurring, dict):
        doc["recurring"] = {**recurring, "aggregate_usage": None}
    return doc


BASIL = Change(
    since=at("2025-03-31.basil"),
    title="Invoices and lines name their parent and pricing; payments replace charge and payment_intent",
    source="docs.stripe.com/changelog/basil/2025-03-31 (its invoicing entries); stripe-node CHANGELOG 18.0.0",
    down={"invoice": _basil_invoice, "line_item": _basil_line, "invoiceitem": _basil_item,
          "price": _basil_price},
    up={"PostInvoiceitems": _basil_item_params,
        "PostInvoiceitemsInvoiceitem": _param_rename("unit_amount", "unit_amount_decimal")},
    # customer create/update lose coupon and promotion_code (services/discounts.py refuses them from then)
    behaviours=frozenset({"customer_discount_params_removed"}),
)


# --- 2024-04-10: invoice rendering_options -> rendering --------------------------------------------

def _rendering_down(doc: Doc) -> Doc:
    """Before 2024-04-10 an invoice shows ``rendering_options`` beside ``rendering`` (added in 2023)."""
    if "rendering" not in doc:
        return doc
    rendering = doc.get("rendering")
    options = None if rendering is None else {"amount_tax_display": rendering.get("amount_tax_display")}
    return {**doc, "rendering_options": options}


def _rendering_up(params: dict[str, Any]) -> dict[str, Any]:
    if "rendering_options" in params:  # arrears takes no rendering settings at any version yet
        raise ParamError("arrears does not take invoice rendering options yet: leave rendering_options out.",
                         param="rendering_options")
    return params


RENDERING = Change(
    since=at("2024-04-10"),
    title="Invoice `rendering_options` becomes `rendering`",
    source="docs.stripe.com/changelog/2024-04-10/renames-rendering-options-invoicing",
    # the same day: a product's `features` became `marketing_features` (stripe-node CHANGELOG 15.0.0)
    down={"invoice": _rendering_down, "product": lambda d: _rename(d, "marketing_features", "features")},
    up={"PostInvoices": _rendering_up, "PostInvoicesInvoice": _rendering_up,
        "PostProducts": _param_rename("features", "marketing_features"),
        "PostProductsProduct": _param_rename("features", "marketing_features")},
)


# --- 2022-08-01: pending invoice items are left out by default --------------------------------------

PENDING_ITEMS = Change(
    since=at("2022-08-01"),
    title="`pending_invoice_items_behavior` defaults to `exclude`; `include_and_require` removed",
    source="docs.stripe.com/changelog/2022-08-01/removes-include-require-value-invoices",
    behaviours=frozenset({"pending_items_excluded_by_default"}),
)


# --- 2020-08-27: customers stop embedding lists; tax_percent removed; search -------------------------

def _customer_lists(doc: Doc) -> Doc:
    if "id" not in doc or doc.get("deleted"):
        return doc
    base = f"/v1/customers/{doc['id']}"
    out = doc
    for name in ("sources", "subscriptions", "tax_ids"):
        given = doc.get(name)
        if isinstance(given, dict) and given.get("object") == "list":  # expanded (expand[]=tax_ids): the real ids
            out[name] = {**given, "total_count": len(given.get("data") or [])}
            continue
        out[name] = {"object": "list", "data": [], "has_more": False, "total_count": 0, "url": f"{base}/{name}"}
    return out


def _no_tax_percent(doc: Doc) -> Doc:
    if "id" in doc:
        doc["tax_percent"] = None
    return doc


def _tax_percent_up(params: dict[str, Any]) -> dict[str, Any]:
    if "tax_percent" not in params:
        return params
    out = dict(params)
    value = out.pop("tax_percent")
    if value not in (None, "", "0", 0):
        raise ParamError("arrears computes no tax: tax_percent can only be 0 (tax rates arrive with the catalog).",
                         param="tax_percent")
    return out


def _search_needs_2020(params: dict[str, Any]) -> dict[str, Any]:
    raise InvalidRequest("The minimum supported API Version to use search is 2020-08-27.")


AUG_2020 = Change(
    since=at("2020-08-27"),
    title="Customers no longer embed `sources`, `subscriptions`, `tax_ids`; `tax_percent` removed; search",
    source="docs.stripe.com/changelog/2020-08-27; docs.stripe.com/search (minimum version)",
    down={"customer": _customer_lists, "invoice": _no_tax_percent},
    up={"PostInvoices": _tax_percent_up, "PostInvoicesInvoice": _tax_percent_up,
        "GetCustomersSearch": _search_needs_2020, "GetInvoicesSearch": _search_needs_2020},
    behaviours=frozenset({"search"}),
)


# --- 2019-12-03: a voided invoice gives the customer's balance back ----------------------------------

VOID_BALANCE = Change(
    since=at("2019-12-03"),
    title="Voiding an invoice gives back the customer balance it applied",
    source="docs.stripe.com/changelog/2019-12-03/customer-balances-returned-voided-invoices",
    behaviours=frozenset({"void_returns_balance"}),
)


# --- 2019-10-17: billing -> collection_method; account_balance -> balance ----------------------------

OCT_2019 = Change(
    since=at("2019-10-17"),
    title="Invoice `billing` becomes `collection_method`; customer `account_balance` becomes `balance`",
    source="docs.stripe.com/changelog/2019-10-17/renames-billing-attribute, …/renames-account-balance-customer-object",
    down={"invoice": lambda d: _rename(d, "collection_method", "billing"),
          "customer": lambda d: _rename(d, "balance", "account_balance")},
    up={"PostInvoices": _param_rename("billing", "collection_method"),
        "PostInvoicesInvoice": _param_rename("billing", "collection_method"),
        "GetInvoices": _param_rename("billing", "collection_method"),
        "PostCustomers": _param_rename("account_balance", "balance"),
        "PostCustomersCustomer": _param_rename("account_balance", "balance")},
)


# --- 2019-03-14: invoice date -> created; application_fee -> application_fee_amount -----------------

MAR_2019 = Change(
    since=at("2019-03-14"),
    title="Invoice `date` becomes `created`; `application_fee` becomes `application_fee_amount`",
    source="docs.stripe.com/changelog/2019-03-14/renames-date-field-invoices-created",
    down={"invoice": lambda d: _rename(_rename(d, "created", "date"), "application_fee_amount", "application_fee")},
)


# --- 2018-11-08: invoice status replaces closed and forgiven ----------------------------------------

def _closed_forgiven(doc: Doc) -> Doc:
    if "status" not in doc:
        return doc
    status = doc["status"]
    closed = status in ("paid", "uncollectible", "void") or not doc.get("auto_advance", True)
    out = _without(doc, "status", "auto_advance")
    out["closed"] = closed
    out["forgiven"] = status == "uncollectible"
    return out


NOV_2018 = Change(
    since=at("2018-11-08"),
    title="Invoice `status` (draft, open, paid, uncollectible, void) and `auto_advance` replace `closed`/`forgiven`",
    source="docs.stripe.com/changelog/2018-11-08 (invoices-specify-auto-advance-field, "
           "mark-invoice-uncollectible-instead-forgiven)",
    down={"invoice": _closed_forgiven},
)


CHANGES: tuple[Change, ...] = (
    ENDIVE, DAHLIA, CLOVER, BASIL, RENDERING, PENDING_ITEMS, AUG_2020, VOID_BALANCE, OCT_2019, MAR_2019, NOV_2018,
)
BEHAVIOURS: dict[str, Version] = {name: c.since for c in CHANGES for name in c.behaviours}
