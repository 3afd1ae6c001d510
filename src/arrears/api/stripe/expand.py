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
    "customer": {"default_source": None, "test_clock": "test_clocks"},
    "customer_balance_transaction": {
        "customer": "customers", "invoice": "invoices", "credit_note": None, "checkout_session": None,
    },
}

Loader = Callable[[str, str], Awaitable[dict[str, Any] | None]]


def check(paths: list[str]) -> None:
    for path in paths:
        if path.count(".") >= MAX_DEPTH:
            raise ParamError(f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                             param="expand")


async def expand(obj: dict[str, Any], paths: list[str], load: Loader, *, prefix: str = "") -> dict[str, Any]:
    """``obj`` with ``paths`` expanded in place; ``load(table, id)`` returns a rendered object or None."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        first, _, remainder = path.partition(".")
        groups.setdefault(first, [])
        if remainder:
            groups[first].append(remainder)
    kind = obj.get("object")
    for head, rest in groups.items():
        full = prefix + head
        if kind in ("list", "search_result") and head == "data":
            for item in obj["data"]:
                await expand(item, rest, load, prefix=full + ".")
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
                await expand(value, rest, load, prefix=full + ".")
        elif target is not None and isinstance(value, str):
            loaded = await load(target, value)
            if loaded is not None:
                obj[head] = await expand(loaded, rest, load, prefix=full + ".") if rest else loaded
        elif rest and isinstance(value, dict):
            await expand(value, rest, load, prefix=full + ".")
    return obj
