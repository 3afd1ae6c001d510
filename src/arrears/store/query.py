"""The small query language between the faces and the stores.

A face turns list filters or a search query into a ``Filter``; each store compiles it to its own SQL.
Fields are column names of the object's table (see ``store.tables``), or ``metadata`` with a ``key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Op = Literal["=", "!=", "<", "<=", ">", ">=", "~", "!~", "null", "notnull", "in", "prefix"]


@dataclass(frozen=True, slots=True)
class Cond:
    field: str
    op: Op
    value: str | int | bool | tuple[str, ...] | None = None
    key: str | None = None  # the metadata key when field == "metadata"


@dataclass(frozen=True, slots=True)
class Filter:
    conds: tuple[Cond, ...] = ()
    any_of: bool = False  # True: OR the conditions; False: AND them


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list, newest first. ``starting_after``/``ending_before`` are object ids."""

    limit: int = 10
    starting_after: str | None = None
    ending_before: str | None = None
    oldest_first: bool = False  # for work queues; API lists are always newest first
    # Any order: lets the database pick the index of the filter (a due-time index) instead of walking seq.
    # For "is anything due?" probes and work batches, never for lists a client pages through.
    unordered: bool = False


@dataclass(slots=True)
class PageResult:
    docs: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    has_more: bool = False


@dataclass(frozen=True, slots=True)
class Group:
    """A GROUP BY key of an aggregate: a column as it is, a unix-time column bucketed by ``period``
    ("month" → "2026-11", "quarter" → "2026-Q4"), or days past the column at ``age_at`` bucketed for AR
    aging ("current", "1_30", "31_60", "61_90", "over_90"; ``fallback`` stands in where it is null)."""

    column: str
    period: str | None = None
    age_at: int | None = None
    fallback: str | None = None


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _text(value: Any) -> str:
    return str(value).translate(_ASCII_LOWER)


def holds(cond: Cond, value: Any) -> bool:
    """Whether ``cond`` holds for ``value`` (the field's value, already read), with the meaning the SQL
    backends give each operator: a NULL matches only ``null`` and ``!=``; ``~`` is an ASCII
    case-insensitive substring, ``prefix`` a case-insensitive prefix; an order between values of
    different types holds for none. Stores in Python (store/memory.py) and filters of objects in Python
    (the catalog's lists) share it."""
    op, wanted = cond.op, cond.value
    if op == "null":
        return value is None
    if op == "notnull":
        return value is not None
    if op == "!=":
        return value is None or value != wanted
    if value is None:
        return False
    if op == "prefix":
        return _text(value).startswith(_text(wanted))
    if op in ("~", "!~"):
        return (_text(wanted) in _text(value)) is (op == "~")
    if op == "in":
        if not isinstance(wanted, tuple):
            raise ValueError("an 'in' condition takes a tuple")
        return value in wanted
    if op == "=":
        return bool(value == wanted)
    try:
        if op == "<":
            return bool(value < wanted)
        if op == "<=":
            return bool(value <= wanted)
        if op == ">":
            return bool(value > wanted)
        return bool(value >= wanted)
    except TypeError:
        return False
