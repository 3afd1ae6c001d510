"""Filter → SQL, shared by the backends. A ``Dialect`` says how to write a placeholder and how to reach
into the JSON ``data`` column for a metadata key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arrears.store.query import Cond, Filter, Page
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
    if op == "prefix":
        return f"({column} LIKE {params.add(_escape_like(str(cond.value)) + '%')} ESCAPE '\\')"
    if op in ("~", "!~"):
        pattern = params.add(f"%{_escape_like(str(cond.value))}%")
        neg = "NOT " if op == "!~" else ""
        return f"({column} IS NOT NULL AND {column} {neg}LIKE {pattern} ESCAPE '\\')"
    if op == "in":
        if not isinstance(cond.value, tuple):
            raise ValueError("an 'in' condition takes a tuple")
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


def list_query(
    table: Table, flt: Filter, page: Page, cursor_seq: int | None, dialect: Dialect
) -> tuple[str, list[Any], bool]:
    """(sql, params, reverse) for one page of ``data``; ``cursor_seq`` is the seq of the page's cursor
    object (-1 when it no longer exists). ``reverse``: the rows come oldest first and must be flipped."""
    params = Params(dialect)
    where = where_sql(flt, table, params)
    order, reverse = ("ASC" if page.oldest_first else "DESC"), False
    if page.starting_after is not None:
        where += f" AND seq < {params.add(cursor_seq if cursor_seq is not None and cursor_seq >= 0 else -1)}"
    elif page.ending_before is not None:
        where += f" AND seq > {params.add(cursor_seq if cursor_seq is not None and cursor_seq >= 0 else 1 << 62)}"
        order, reverse = "ASC", True
    sql = f"SELECT data FROM {table.name} WHERE {where} ORDER BY seq {order} LIMIT {int(page.limit) + 1}"
    return sql, params.values, reverse


def search_query(
    table: Table, flt: Filter, limit: int, after_seq: int | None, dialect: Dialect
) -> tuple[str, list[Any]]:
    params = Params(dialect)
    where = where_sql(flt, table, params)
    if after_seq is not None:
        where += f" AND seq < {params.add(after_seq)}"
    return f"SELECT seq, data FROM {table.name} WHERE {where} ORDER BY seq DESC LIMIT {int(limit) + 1}", params.values


def count_query(table: Table, flt: Filter, dialect: Dialect) -> tuple[str, list[Any]]:
    params = Params(dialect)
    return f"SELECT count(*) FROM {table.name} WHERE {where_sql(flt, table, params)}", params.values
