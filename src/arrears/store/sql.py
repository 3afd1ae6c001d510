"""SQL shared by the backends: filters → WHERE, pages, and the per-table statements. A ``Dialect`` says
how to write a placeholder, how to reach into the JSON ``data`` column for a metadata key, and how to
lock a row read for update."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from arrears.store.query import Cond, Filter, Group, Page, PageResult
from arrears.store.tables import Table


@dataclass(frozen=True)
class Dialect:
    placeholder: Callable[[int], str]  # 1-based position -> "?" or "$1"
    metadata: Callable[[str], str]  # placeholder for the key -> SQL expression of the value
    lock: str = ""  # appended to a read for update: " FOR UPDATE", or "" where writers are serialized
    # (unix-time column, "month" | "quarter") -> SQL text "2026-11" | "2026-Q4"
    period: Callable[[str, str], str] = lambda column, period: column


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
    if cond.field != "metadata" and cond.field not in table.columns:
        # faces only build filters over known columns; this is a programming error
        raise ValueError(f"{table.name} has no column {cond.field}")

    def column() -> str:
        """The column's SQL; a metadata key is a parameter, added again at each use, in text order."""
        return params.dialect.metadata(params.add(cond.key)) if cond.field == "metadata" else cond.field

    op = cond.op
    if op == "null":
        return f"{column()} IS NULL"
    if op == "notnull":
        return f"{column()} IS NOT NULL"
    if op == "prefix":
        return f"({column()} LIKE {params.add(_escape_like(str(cond.value)) + '%')} ESCAPE '\\')"
    if op in ("~", "!~"):
        neg = "NOT " if op == "!~" else ""
        return (f"({column()} IS NOT NULL AND {column()} {neg}LIKE "
                f"{params.add(f'%{_escape_like(str(cond.value))}%')} ESCAPE '\\')")
    if op == "in":
        if not isinstance(cond.value, tuple):
            raise ValueError("an 'in' condition takes a tuple")
        col = column()
        marks = ", ".join(params.add(v) for v in cond.value)
        return f"{col} IN ({marks})"
    if op == "!=":
        return f"({column()} IS NULL OR {column()} <> {params.add(cond.value)})"
    return f"{column()} {op} {params.add(cond.value)}"


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


@dataclass(frozen=True)
class Statements:
    """The fixed statements of one table in one dialect, built once per store."""

    get: str
    get_for_update: str
    seq: str
    insert: str
    update: str
    delete: str


def statements(table: Table, dialect: Dialect) -> Statements:
    ph = dialect.placeholder
    cols = list(table.columns)
    get = f"SELECT data FROM {table.name} WHERE id = {ph(1)}"
    return Statements(
        get=get,
        get_for_update=get + dialect.lock,
        seq=f"SELECT seq FROM {table.name} WHERE id = {ph(1)}",
        insert=(f"INSERT INTO {table.name} ({', '.join(['id', *cols, 'data'])}) "
                f"VALUES ({', '.join(ph(i) for i in range(1, len(cols) + 3))})"),
        update=(f"UPDATE {table.name} SET "
                f"{', '.join([*(f'{c} = {ph(i)}' for i, c in enumerate(cols, 1)), f'data = {ph(len(cols) + 1)}'])} "
                f"WHERE id = {ph(len(cols) + 2)}"),
        delete=f"DELETE FROM {table.name} WHERE id = {ph(1)}",
    )


def insert_values(table: Table, doc: dict[str, Any]) -> list[Any]:
    return [doc["id"], *(get(doc) for get in table.columns.values()), orjson.dumps(doc).decode()]


def update_values(table: Table, doc: dict[str, Any]) -> list[Any]:
    return [*(get(doc) for get in table.columns.values()), orjson.dumps(doc).decode(), doc["id"]]


def page_result(data: list[str], page: Page, reverse: bool) -> PageResult:
    """A page from the ``data`` of the rows ``list_query`` returned (one more than the page when more)."""
    docs = [orjson.loads(d) for d in data[: page.limit]]
    if reverse:
        docs.reverse()
    return PageResult(docs=docs, has_more=len(data) > page.limit)


def search_result(rows: list[tuple[int, str]], limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """The docs of ``search_query``'s (seq, data) rows, and the seq to resume after when there are more."""
    more = len(rows) > limit
    rows = rows[:limit]
    return [orjson.loads(r[1]) for r in rows], (int(rows[-1][0]) if more and rows else None)


# (whole days past due below which, bucket): due today or later is current, 1-30 days late is 1_30, ...
AGE_BUCKETS = ((1, "current"), (31, "1_30"), (61, "31_60"), (91, "61_90"))


def _group_sql(group: Group, table: Table, params: Params) -> str:
    for column in (group.column, group.fallback):
        if column is not None and column not in table.columns:
            raise ValueError(f"{table.name} has no column {column}")
    column = group.column if group.fallback is None else f"COALESCE({group.column}, {group.fallback})"
    if group.period is not None:
        return params.dialect.period(column, group.period)
    if group.age_at is not None:
        now = group.age_at
        cases = " ".join(
            f"WHEN {column} IS NULL OR {params.add(now)} - {column} < {params.add(days * 86400)} THEN '{label}'"
            for days, label in AGE_BUCKETS
        )
        return f"CASE {cases} ELSE 'over_90' END"
    return column


def aggregate_query(
    table: Table, groups: tuple[Group, ...], total: str, flt: Filter, dialect: Dialect
) -> tuple[str, list[Any]]:
    """``SELECT <groups>, SUM(total) ... GROUP BY <groups>``: one row per combination of the keys."""
    if total not in table.columns:
        raise ValueError(f"{table.name} has no column {total}")
    params = Params(dialect)
    keys = [_group_sql(g, table, params) for g in groups]
    where = where_sql(flt, table, params)
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    sql = (f"SELECT {', '.join(keys)}, SUM({total}) FROM {table.name} WHERE {where} "
           f"GROUP BY {positions} ORDER BY {positions}")
    return sql, params.values
