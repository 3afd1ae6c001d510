"""Filter → SQL, shared by the backends. A ``Dialect`` says how to write a placeholder and how to reach
into the JSON ``data`` column for a metadata key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arrears.store.query import Cond, Filter
from arrears.store.tables import Table


@dataclass(frozen=True)
class Dialect:
    placeholder: Callable[[int], str]  # 1-based position -> "?" or "$1"
    metadata: Callable[[str], str]  # placeholder for the key -> SQL expression of the value


class Params:
    def __init__(self, dialect: Dialect, start: list[Any] | None = None) -> None:
        self.values: list[Any] = list(start or [])
        self.dialect = dialect

    def add(self, value: Any) -> str:
        self.values.append(value)
        return self.dialect.placeholder(len(self.values))


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def cond_sql(cond: Cond, table: Table, params: Params) -> str:
    if cond.field == "metadata":
        column = params.dialect.metadata(params.add(cond.key))
    elif cond.field in table.columns:
        column = cond.field
    else:  # faces only build filters over known columns; this is a programming error
        raise ValueError(f"{table.name} has no column {cond.field}")
    op = cond.op
    if op == "null":
        return f"{column} IS NULL"
    if op == "notnull":
        return f"{column} IS NOT NULL"
    if op in ("~", "!~"):
        pattern = params.add(f"%{_escape_like(str(cond.value))}%")
        neg = "NOT " if op == "!~" else ""
        return f"({column} IS NOT NULL AND {column} {neg}LIKE {pattern} ESCAPE '\\')"
    if op == "in":
        assert isinstance(cond.value, tuple)
        marks = ", ".join(params.add(v) for v in cond.value)
        return f"{column} IN ({marks})"
    if op == "!=":
        return f"({column} IS NULL OR {column} <> {params.add(cond.value)})"
    return f"{column} {op} {params.add(cond.value)}"


def where_sql(flt: Filter, table: Table, params: Params) -> str:
    if not flt.conds:
        return "1=1"
    joiner = " OR " if flt.any_of else " AND "
    return "(" + joiner.join(cond_sql(c, table, params) for c in flt.conds) + ")"
