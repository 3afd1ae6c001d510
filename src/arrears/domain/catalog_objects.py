"""Builders of the catalog's products and prices in Stripe's latest shape (API 2026-10-28.endive), with every
field stripe-python 16.1.0 declares on ``Product`` and ``Price``. A price's billing terms come from
``pricing.terms``; what a quantity of it costs is ``pricing.amount``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import ParamError

# What a product update may set, and how each parameter lands on the product.
PRODUCT_FIELDS = ("active", "default_price", "description", "images", "marketing_features", "metadata", "name",
                  "package_dimensions", "shippable", "statement_descriptor", "tax_code", "tax_details",
                  "unit_label", "url")


_NOT_IN_DESCRIPTORS = '<>\\\'"'


def statement_descriptor(text: str | None, param: str = "statement_descriptor") -> str | None:
    """Stripe's rule for a product's statement descriptor: none of < > \\ ' " and at least one letter (its
    length, at most 22, is the parameter's own bound)."""
    if text is None:
        return None
    if any(c in _NOT_IN_DESCRIPTORS for c in text):
        raise ParamError("Invalid statement_descriptor: it may not contain any of these characters: < > \\ ' \".",
                         param=param)
    if not any(c.isalpha() for c in text):
        raise ParamError("Invalid statement_descriptor: it must contain at least one letter.", param=param)
    return text


def package_dimensions(given: dict[str, Any] | None) -> Doc | None:
    """Inches and ounces, as numbers (Stripe's floats; these are measures, never money)."""
    if given is None:
        return None
    return {k: float(Decimal(str(given[k]))) for k in ("height", "length", "weight", "width")}


def marketing_features(given: list[dict[str, Any]] | None) -> list[Doc]:
    return [{"name": f.get("name")} for f in given or []]


def tax_details(given: dict[str, Any] | None) -> Doc | None:
    if given is None:
        return None
    return {"performance_location": given.get("performance_location"), "tax_code": given.get("tax_code")}


def product_field(key: str, value: Any) -> Any:
    """A product parameter's value as the product shows it."""
    if key == "package_dimensions":
        return package_dimensions(value)
    if key == "marketing_features":
        return marketing_features(value)
    if key == "tax_details":
        return tax_details(value)
    if key == "images":
        return list(value or [])
    if key == "statement_descriptor":
        return statement_descriptor(value)
    return value


def product(obj_id: str, now: int, livemode: bool, p: dict[str, Any]) -> Doc:
    return {
        "id": obj_id,
        "object": "product",
        "active": p.get("active", True),
        "created": now,
        "default_price": None,
        "description": p.get("description"),
        "images": list(p.get("images") or []),
        "livemode": livemode,
        "marketing_features": marketing_features(p.get("marketing_features")),
        "metadata": p.get("metadata") or {},
        "name": p["name"],
        "package_dimensions": package_dimensions(p.get("package_dimensions")),
        "shippable": p.get("shippable"),
        "statement_descriptor": statement_descriptor(p.get("statement_descriptor")),
        "tax_code": p.get("tax_code") or (p.get("tax_details") or {}).get("tax_code"),
        "tax_details": tax_details(p.get("tax_details")),
        "type": p.get("type") or "service",
        "unit_label": p.get("unit_label"),
        "updated": now,
        "url": p.get("url"),
    }


def price(obj_id: str, now: int, livemode: bool, *, product: str, terms: Doc, p: dict[str, Any]) -> Doc:
    """A new price of ``product`` with its billing ``terms`` (``pricing.terms``) and the rest of ``p``."""
    return {
        "id": obj_id,
        "object": "price",
        "active": p.get("active", True),
        "billing_scheme": terms["billing_scheme"],
        "created": now,
        "currency": p["currency"],
        "currency_options": None,
        "custom_unit_amount": None,
        "livemode": livemode,
        "lookup_key": p.get("lookup_key"),
        "metadata": p.get("metadata") or {},
        "nickname": p.get("nickname"),
        "product": product,
        "recurring": terms["recurring"],
        "tax_behavior": p.get("tax_behavior") or "unspecified",
        "tiers": terms["tiers"],
        "tiers_mode": terms["tiers_mode"],
        "transform_quantity": terms["transform_quantity"],
        "type": terms["type"],
        "unit_amount": terms["unit_amount"],
        "unit_amount_decimal": terms["unit_amount_decimal"],
    }
