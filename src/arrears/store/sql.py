"""SQL shared by the backends: filters → WHERE, pages, and the per-table statements. A ``SqlDialect`` says
how to write a placeholder, how to reach into the JSON ``data`` column for a metadata key, and how to
lock a row read for update.

The scope (``base.Scope``) enters here and nowhere else: on a scoped table, a transaction of one
account gets ``account_id = … AND livemode = …`` in front of every WHERE and both values in every
INSERT; a SYSTEM transaction gets no such condition and may not insert into a scoped table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from arrears.store.base import Scope, ScopeError
from arrears.store.query import Cond, Filter, Group, Page, PageResult
from arrears.store.tables import Table

SCOPE_COLUMNS = ("account_id", "livemode")


@dataclass(frozen=True)
class SqlDialect:
    placeholder: Callable[[int], str]  # 1-based position -> "?" or "$1"
    metadata: Callable[[str], str]  # placeholder for the key -> SQL expression of the value
    lock: str = ""  # appended to a read for update: " FOR UPDATE", or "" where writers are serialized
    # (unix-time column, "month" | "quarter") -> SQL text "2026-11" | "2026-Q4"
    period: Callable[[str, str], str] = lambda column, period: column


class Params:
    def __init__(self, dialect: SqlDialect, start: list[Any] | None = None) -> None:
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


def filtered(table: Table, scope: Scope) -> bool:
    """Whether statements on ``table`` in ``scope`` carry the scope condition. A transaction of one
    account may not touch the unscoped tables (accounts, keys) at all."""
    if not table.scoped and not scope.system:
        raise ScopeError(f"{table.name} is read and written only in the SYSTEM scope")
    return table.scoped and not scope.system


def where_sql(flt: Filter, table: Table, params: Params, scope: Scope | None = None) -> str:
    """The WHERE of ``flt``; with a ``scope``, the scope's condition first (it is ANDed with the whole
    filter, so an OR filter cannot reach past it)."""
    prefix = ""
    if scope is not None and filtered(table, scope):
        prefix = f"account_id = {params.add(scope.account)} AND livemode = {params.add(scope.livemode)} AND "
    if not flt.conds:
        return prefix + "1=1"
    joiner = " OR " if flt.any_of else " AND "
    return prefix + "(" + joiner.join(cond_sql(c, table, params) for c in flt.conds) + ")"


def list_query(
    table: Table, flt: Filter, page: Page, cursor_seq: int | None, dialect: SqlDialect, scope: Scope
) -> tuple[str, list[Any], bool]:
    """(sql, params, reverse) for one page of ``data``; ``cursor_seq`` is the seq of the page's cursor
    object (-1 when it no longer exists). ``reverse``: the rows come oldest first and must be flipped."""
    params = Params(dialect)
    where = where_sql(flt, table, params, scope)
    order, reverse = ("ASC" if page.oldest_first else "DESC"), False
    if page.starting_after is not None:
        where += f" AND seq < {params.add(cursor_seq if cursor_seq is not None and cursor_seq >= 0 else -1)}"
    elif page.ending_before is not None:
        where += f" AND seq > {params.add(cursor_seq if cursor_seq is not None and cursor_seq >= 0 else 1 << 62)}"
        order, reverse = "ASC", True
    ordering = "" if page.unordered else f" ORDER BY seq {order}"
    sql = f"SELECT data FROM {table.name} WHERE {where}{ordering} LIMIT {int(page.limit) + 1}"
    return sql, params.values, reverse


def search_query(
    table: Table, flt: Filter, limit: int, after_seq: int | None, dialect: SqlDialect, scope: Scope
) -> tuple[str, list[Any]]:
    params = Params(dialect)
    where = where_sql(flt, table, params, scope)
    if after_seq is not None:
        where += f" AND seq < {params.add(after_seq)}"
    return f"SELECT seq, data FROM {table.name} WHERE {where} ORDER BY seq DESC LIMIT {int(limit) + 1}", params.values


def count_query(table: Table, flt: Filter, dialect: SqlDialect, scope: Scope) -> tuple[str, list[Any]]:
    params = Params(dialect)
    return f"SELECT count(*) FROM {table.name} WHERE {where_sql(flt, table, params, scope)}", params.values


@dataclass(frozen=True)
class Statements:
    """The fixed statements of one table in one dialect, built once per store: with the scope condition
    after ``id = …`` (``filtered``) for transactions of one account, without it for SYSTEM ones. Their
    scope values come after the statement's own (``by_id_params``)."""

    get: str
    get_for_update: str
    seq: str
    owner: str
    insert: str
    update: str
    delete: str


def _by_id(dialect: SqlDialect, first: int, filtered: bool) -> str:
    ph = dialect.placeholder
    scoped = f" AND account_id = {ph(first + 1)} AND livemode = {ph(first + 2)}" if filtered else ""
    return f"id = {ph(first)}{scoped}"


def update_sql(table: Table, dialect: SqlDialect, *, filtered: bool, columns: tuple[str, ...]) -> str:
    """``UPDATE`` of ``data`` and of the indexed ``columns`` given (all of them, or only those whose
    values changed: an index whose columns keep their values is then left alone)."""
    ph = dialect.placeholder
    sets = [*(f"{c} = {ph(i)}" for i, c in enumerate(columns, 1)), f"data = {ph(len(columns) + 1)}"]
    return f"UPDATE {table.name} SET {', '.join(sets)} WHERE {_by_id(dialect, len(columns) + 2, filtered)}"


def statements(table: Table, dialect: SqlDialect, *, filtered: bool) -> Statements:
    ph = dialect.placeholder

    def by_id(first: int) -> str:
        return _by_id(dialect, first, filtered)

    cols = list(table.columns)
    inserted = ["id", *cols, *(SCOPE_COLUMNS if table.scoped else ()), "data"]
    get = f"SELECT data FROM {table.name} WHERE {by_id(1)}"
    return Statements(
        get=get,
        get_for_update=get + dialect.lock,
        seq=f"SELECT seq FROM {table.name} WHERE {by_id(1)}",
        owner=f"SELECT account_id, livemode FROM {table.name} WHERE {by_id(1)}" if table.scoped else "",
        insert=(f"INSERT INTO {table.name} ({', '.join(inserted)}) "
                f"VALUES ({', '.join(ph(i) for i in range(1, len(inserted) + 1))})"),
        update=update_sql(table, dialect, filtered=filtered, columns=tuple(cols)),
        delete=f"DELETE FROM {table.name} WHERE {by_id(1)}",
    )


class Updates:
    """The ``UPDATE`` statements of one dialect, built on first use for each set of changed columns:
    with the column values a row had when read for update (``LockedRows``), its update sets only the
    columns whose values changed, besides ``data``."""

    def __init__(self, dialect: SqlDialect) -> None:
        self.dialect = dialect
        self._sql: dict[tuple[str, bool, tuple[str, ...]], str] = {}

    def statement(self, table: Table, doc: dict[str, Any], scope: Scope,
                  before: tuple[Any, ...] | None) -> tuple[str, list[Any], tuple[Any, ...], str]:
        """(sql, params, the row's new column values, its new JSON) to save ``doc``; ``before``: its
        column values as read for update in this transaction, or None to set every column."""
        values = column_values(table, doc)
        names = tuple(table.columns)
        if before is None:
            changed, changed_values = names, list(values)
        else:
            pairs = [(n, v) for n, v, old in zip(names, values, before, strict=True)
                     if v != old or type(v) is not type(old)]
            changed, changed_values = tuple(n for n, _ in pairs), [v for _, v in pairs]
        f, id_params = by_id_params(table, doc["id"], scope)
        key = (table.name, f, changed)
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = update_sql(table, self.dialect, filtered=f, columns=changed)
        data = orjson.dumps(doc).decode()
        return sql, [*changed_values, data, *id_params], values, data


class LockedRows:
    """One transaction's rows read for update, with their indexed column values, so that its update of
    such a row sets only the columns that changed (``Updates``). Only a row read for update qualifies:
    on PostgreSQL it is locked, so no other transaction can have changed its columns in between (an
    unlocked read could be stale, and a partial update would then leave columns and ``data``
    disagreeing); on SQLite the writer holds the whole database."""

    def __init__(self, updates: Updates) -> None:
        self.updates = updates
        self._columns: dict[tuple[str, str], tuple[Any, ...]] = {}

    def read(self, table: Table, obj_id: str, doc: dict[str, Any]) -> None:
        self._columns[table.name, obj_id] = column_values(table, doc)

    def update(self, table: Table, doc: dict[str, Any], scope: Scope) -> tuple[str, list[Any], str]:
        """(sql, params, the row's new JSON) of the update saving ``doc``."""
        key = (table.name, doc["id"])
        before = self._columns.get(key)
        sql, params, values, data = self.updates.statement(table, doc, scope, before)
        if before is not None:  # a second update in this transaction compares with the first
            self._columns[key] = values
        return sql, params, data


def column_values(table: Table, doc: dict[str, Any]) -> tuple[Any, ...]:
    """The indexed columns' values of ``doc``, in ``table.columns`` order."""
    return tuple(get(doc) for get in table.columns.values())


def by_id_params(table: Table, obj_id: str, scope: Scope) -> tuple[bool, list[Any]]:
    """Whether ``statements`` on ``table`` in ``scope`` carry the scope condition, and the parameters
    of their ``id = …`` condition: the id, then the scope's values when they do."""
    f = filtered(table, scope)
    return f, ([obj_id, scope.account, scope.livemode] if f else [obj_id])


def insert_values(table: Table, doc: dict[str, Any], scope: Scope) -> list[Any]:
    owner: list[Any] = []
    if table.scoped:
        if scope.system:
            raise ScopeError(f"a SYSTEM transaction cannot create {table.name}: use tx.within(the owner's scope)")
        owner = [scope.account, scope.livemode]
    else:
        filtered(table, scope)  # raises for a transaction of one account: the unscoped tables are SYSTEM's
    return [doc["id"], *(get(doc) for get in table.columns.values()), *owner, orjson.dumps(doc).decode()]


def scope_of(row: Any) -> Scope | None:
    """The Scope of an ``owner`` statement's row (account_id, livemode)."""
    return None if row is None else Scope(str(row[0]), bool(row[1]))


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
    table: Table, groups: tuple[Group, ...], total: str, flt: Filter, dialect: SqlDialect, scope: Scope
) -> tuple[str, list[Any]]:
    """``SELECT <groups>, SUM(total) ... GROUP BY <groups>``: one row per combination of the keys."""
    if total not in table.columns:
        raise ValueError(f"{table.name} has no column {total}")
    params = Params(dialect)
    keys = [_group_sql(g, table, params) for g in groups]
    where = where_sql(flt, table, params, scope)
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    sql = (f"SELECT {', '.join(keys)}, SUM({total}) FROM {table.name} WHERE {where} "
           f"GROUP BY {positions} ORDER BY {positions}")
    return sql, params.values
