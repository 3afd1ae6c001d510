"""The small query language between the faces and the stores.

A face turns list filters or a search query into a ``Filter``; each store compiles it to its own SQL.
Fields are column names of the object's table (see ``store.tables``), or ``metadata`` with a ``key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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


@dataclass(slots=True)
class PageResult:
    docs: list[dict] = field(default_factory=list)  # type: ignore[type-arg]
    has_more: bool = False
