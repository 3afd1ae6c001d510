"""``expand[]``: replace ids by the objects they name, up to four levels (``data.customer`` on lists).

``EXPANDABLE[object][field]`` is the table an id field points into, ``LIST`` for an embedded list
(``lines``), or ``None`` for fields Stripe lets you expand but arrears keeps no objects for (they
stay as they are: null or an id)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from arrears.domain.errors import ParamError

LIST = "list"
MAX_DEPTH = 4

EXPANDABLE: dict[str, dict[str, str | None]] = {
    "invoice": {
        "customer": "customers", "latest_revision": "invoices", "lines": LIST, "payments": LIST,
        "default_payment_method": None, "default_source": None, "on_behalf_of": None, "application": None,
        "test_clock": "test_clocks", "discounts": None, "account_tax_ids": None,
    },
    "line_item": {"discounts": None, "subscription": None},
    "invoiceitem": {"customer": "customers", "invoice": "invoices", "discounts": None, "test_clock": "test_clocks"},
    "customer": {"tax_ids": None, "default_source": None, "test_clock": "test_clocks", "discount": None},
    "customer_balance_transaction": {
        "customer": "customers", "invoice": "invoices", "credit_note": None, "checkout_session": None,
    },
    "tax_id": {"customer": "customers"},
    "coupon": {"applies_to": None},
    "promotion_code": {"customer": "customers", "promotion": None},
    "promotion_code.promotion": {"coupon": "coupons"},  # a nested hash: its owner's kind and field
    "discount": {"customer": "customers", "promotion_code": "promotion_codes", "source": None},
    "discount.source": {"coupon": "coupons"},
    "product": {"default_price": "prices", "tax_code": None},
    "price": {"product": "products", "tiers": None, "currency_options": None},  # arrears shows both always
}
# Includable lists: fields an object shows only when expanded, read as the rows of ``table`` whose
# ``column`` is the object's id, shown as a list at ``url`` (the customer's ``tax_ids``).
INCLUDED: dict[str, dict[str, tuple[str, str, str]]] = {
    "customer": {"tax_ids": ("tax_ids", "customer", "/v1/customers/{id}/tax_ids")},
}

Loader = Callable[[str, str], Awaitable[dict[str, Any] | None]]
# (table, column, value) -> the first rows of ``table`` whose ``column`` is ``value``, and whether there are more
Lister = Callable[[str, str, str], Awaitable[tuple[list[dict[str, Any]], bool]]]


def check(paths: list[str]) -> None:
    for path in paths:
        if path.count(".") >= MAX_DEPTH:
            raise ParamError(f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                             param="expand")


async def expand(obj: dict[str, Any], paths: list[str], load: Loader, *, prefix: str = "",
                 lister: Lister | None = None, within: str | None = None) -> dict[str, Any]:
    """``obj`` with ``paths`` expanded in place; ``load(table, id)`` returns a rendered object or None,
    ``lister`` the rows of an includable list (``INCLUDED``)."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        first, _, remainder = path.partition(".")
        groups.setdefault(first, [])
        if remainder:
            groups[first].append(remainder)
    kind = obj.get("object", within)  # a hash without ``object``: named by its owner (``discount.source``)
    for head, rest in groups.items():
        full = prefix + head
        if kind in ("list", "search_result") and head == "data":
            for item in obj["data"]:
                await expand(item, rest, load, prefix=full + ".", lister=lister)
            continue
        included = INCLUDED.get(str(kind), {}).get(head)
        if included is not None and lister is not None and isinstance(obj.get("id"), str) and not obj.get("deleted"):
            table, column, url = included
            rows, more = await lister(table, column, obj["id"])
            listing = {"object": "list", "data": rows, "has_more": more, "url": url.format(id=obj["id"])}
            obj[head] = await expand(listing, rest, load, prefix=full + ".", lister=lister) if rest else listing
            continue
        fields = EXPANDABLE.get(str(kind), {})
        if head not in fields or (head not in obj and not obj.get("deleted")):
            raise ParamError(f"This property cannot be expanded ({full}).", param="expand")
        if head not in obj:  # a deleted customer's stub {id, object, deleted}: nothing left to expand
            continue
        target = fields[head]
        value = obj[head]
        if target == LIST:
            if rest:
                await expand(value, rest, load, prefix=full + ".", lister=lister)
        elif target is not None and isinstance(value, str):
            loaded = await load(target, value)
            if loaded is not None:
                obj[head] = await expand(loaded, rest, load, prefix=full + ".", lister=lister) if rest else loaded
        elif rest and isinstance(value, dict):
            await expand(value, rest, load, prefix=full + ".", lister=lister, within=f"{kind}.{head}")
    return obj
