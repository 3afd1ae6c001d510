"""A tool's answer as a model reads it best: one line per object with its id, status and amounts first,
then the whole answer with those same keys first. Formatting only; the figures are the face's own.

    invoice in_1Q2w… status=uncollectible total=1099 (10.99 USD) amount_due=599 (5.99 USD) … customer=cus_…

Amounts stay in minor units, as the API has them, with the major-unit reading beside them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from arrears.domain.money import major

IDS = ("id", "invoice_id", "customer_id", "invoice_item_id", "object", "status", "number", "customer", "invoice")
AMOUNTS = ("total", "subtotal", "amount_due", "amount_paid", "amount_remaining", "amount", "unit_amount", "balance")
DATES = ("due_date", "created", "created_at")
FIRST = (*IDS, "currency", *AMOUNTS, *DATES)
MAX_LINES = 20


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else value


def _money(value: int, currency: Any) -> str:
    if isinstance(currency, str) and currency:
        return f"{value} ({major(value, currency)} {currency.upper()})"
    return str(value)


def line(obj: Mapping[str, Any]) -> str:
    """``invoice in_1 status=open total=1099 (10.99 USD) amount_due=1099 (10.99 USD) customer=cus_1``."""
    kind = obj.get("object") or next((k[:-3] for k in ("invoice_id", "customer_id", "invoice_item_id") if k in obj),
                                     "object")
    ident = obj.get("id") or obj.get("invoice_id") or obj.get("customer_id") or obj.get("invoice_item_id") or ""
    parts = [f"{kind} {ident}".strip()]
    for key in ("status", "number"):
        if obj.get(key) is not None:
            parts.append(f"{key}={obj[key]}")
    currency = obj.get("currency")
    money = [f"{k}={_money(obj[k], currency)}" for k in AMOUNTS if isinstance(obj.get(k), int)
             and not isinstance(obj.get(k), bool)]
    parts += money
    for key in ("customer", "invoice"):
        if key in obj and obj[key] is not None and key != kind:
            parts.append(f"{key}={_id_of(obj[key])}")
    if obj.get("deleted") is True:
        parts.append("deleted")
    return " ".join(parts)


def ordered(value: Any) -> Any:
    """The answer with ids, status, amounts and dates first in every object (the rest as the face sent it)."""
    if isinstance(value, Mapping):
        keys = [k for k in FIRST if k in value] + [k for k in value if k not in FIRST]
        return {k: ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


def _unwrapped(body: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]] | None, Mapping[str, Any] | None]:
    """(the items of a list answer, or the one object) in any face's shape."""
    if isinstance(body.get("data"), list):
        return [i for i in body["data"] if isinstance(i, Mapping)], None
    lists = [v for k, v in body.items() if k != "has_more" and isinstance(v, list)]
    if len(lists) == 1 and "has_more" in body:  # Flex: {"invoices": [...], "has_more": false}
        return [i for i in lists[0] if isinstance(i, Mapping)], None
    if len(body) == 1 and isinstance(next(iter(body.values())), Mapping):  # Flex: {"invoice": {...}}
        return None, next(iter(body.values()))
    return None, body


def summarise(body: Any) -> str:
    """The summary lines, a blank line, then the whole answer as JSON with the same keys first."""
    if not isinstance(body, Mapping):
        return body if isinstance(body, str) else json.dumps(body)
    items, one = _unwrapped(body)
    if items is not None:
        head = [f"{len(items)} result(s){', more after these' if body.get('has_more') else ''}:"]
        head += [f"- {line(i)}" for i in items[:MAX_LINES]]
        if len(items) > MAX_LINES:
            head.append(f"- … {len(items) - MAX_LINES} more in the JSON below")
    else:
        head = [line(one or body)]
    return "\n".join(head) + "\n\n" + json.dumps(ordered(body), ensure_ascii=False)
