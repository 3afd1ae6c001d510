"""A Store in memory: dicts of JSON rows, for the services tier (tests/services/), held to the same
contract tests as SQLite and PostgreSQL (tests/store/).

It keeps what the seam promises and nothing of SQL: a row is stored as its JSON (so a reader gets its
own copy, as from a database) with the indexed columns of ``tables.py`` beside it, and the scope rules
of ``sql.py`` (an account's Tx sees and changes its own rows only; SYSTEM sees all, creates account data
only ``within`` the owner's scope; the unscoped tables are SYSTEM's). A transaction function runs to the
end without yielding to the event loop, as on SQLite (it must await nothing but its ``Tx`` calls), so
transactions are serial; a function that raises has its writes undone, except with ``CommitThenRaise``.
Text matches (``~``, ``prefix``) ignore ASCII case, as SQLite's LIKE does. There is no schema:
``migrate`` has nothing to do."""

from __future__ import annotations

import builtins
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from arrears.domain import Doc
from arrears.domain.limits import MAX_TIMESTAMP, MIN_TIMESTAMP
from arrears.store.base import OPEN, CommitThenRaise, Scope, ScopeError, Tx, run_sync
from arrears.store.query import Cond, Filter, Group, Page, PageResult
from arrears.store.query import holds as query_holds
from arrears.store.sql import AGE_BUCKETS
from arrears.store.tables import TABLES, Table

T = TypeVar("T")


class DuplicateRow(Exception):
    """An insert of an id its table already holds (a primary-key violation on the SQL backends)."""


@dataclass(slots=True)
class Row:
    seq: int
    owner: Scope | None  # None on the unscoped tables
    data: bytes
    columns: dict[str, Any]


@dataclass
class Tables:
    """What a database holds: table -> id -> row. Stores made on one ``Tables`` share it, as two
    processes share one database."""

    rows: dict[str, dict[str, Row]] = field(default_factory=lambda: {name: {} for name in TABLES})
    last_seq: int = 0


Undo = list[tuple[str, str, Row | None]]  # (table, id, the row as it was before: None when it was absent)


class MemoryTx:
    def __init__(self, tables: Tables, scope: Scope = OPEN, undo: Undo | None = None) -> None:
        self.tables = tables
        self.scope = scope
        self.undo: Undo = [] if undo is None else undo

    # --- rows in view --------------------------------------------------------------------------------
    def _table(self, table: str) -> tuple[Table, dict[str, Row]]:
        spec = TABLES[table]
        if not spec.scoped and not self.scope.system:
            raise ScopeError(f"{table} is read and written only in the SYSTEM scope")
        return spec, self.tables.rows[table]

    def _visible(self, row: Row | None) -> Row | None:
        if row is None or self.scope.system or row.owner is None or row.owner == self.scope:
            return row
        return None

    def _row(self, table: str, obj_id: str) -> Row | None:
        return self._visible(self._table(table)[1].get(obj_id))

    def _rows(self, table: str, flt: Filter) -> builtins.list[Row]:
        """The rows in view that ``flt`` matches, oldest first."""
        spec, rows = self._table(table)
        for c in flt.conds:
            if c.field != "metadata" and c.field not in spec.columns:
                raise ValueError(f"{table} has no column {c.field}")
        found = [r for r in rows.values() if self._visible(r) is not None and _matches(flt, r)]
        found.sort(key=lambda r: r.seq)
        return found

    def _set(self, table: str, obj_id: str, row: Row | None) -> None:
        rows = self.tables.rows[table]
        self.undo.append((table, obj_id, rows.get(obj_id)))
        if row is None:
            del rows[obj_id]
        else:
            rows[obj_id] = row

    # --- the Tx protocol -----------------------------------------------------------------------------
    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None:
        row = self._row(table, obj_id)
        return None if row is None else _doc(row)

    async def insert(self, table: str, doc: Doc) -> None:
        spec, rows = self._table(table)
        if spec.scoped and self.scope.system:
            raise ScopeError(f"a SYSTEM transaction cannot create {table}: use tx.within(the owner's scope)")
        if doc["id"] in rows:
            raise DuplicateRow(f"{table} already holds {doc['id']}")
        self.tables.last_seq += 1
        owner = self.scope if spec.scoped else None
        self._set(table, doc["id"], Row(self.tables.last_seq, owner, orjson.dumps(doc), _columns(spec, doc)))

    async def update(self, table: str, doc: Doc) -> None:
        row = self._row(table, doc["id"])
        if row is not None:
            spec = TABLES[table]
            self._set(table, doc["id"], Row(row.seq, row.owner, orjson.dumps(doc), _columns(spec, doc)))

    async def delete(self, table: str, obj_id: str) -> None:
        if self._row(table, obj_id) is not None:
            self._set(table, obj_id, None)

    async def owner(self, table: str, obj_id: str) -> Scope | None:
        row = self._row(table, obj_id)
        return None if row is None else row.owner

    def within(self, scope: Scope) -> Tx:
        if not self.scope.system and scope != self.scope:
            raise ScopeError("only a SYSTEM transaction may act for another scope")
        return MemoryTx(self.tables, scope, self.undo)

    async def list(self, table: str, flt: Filter, page: Page) -> PageResult:
        rows = self._rows(table, flt)
        cursor = page.starting_after or page.ending_before
        cursor_row = None if cursor is None else self._row(table, cursor)
        reverse = False
        if page.starting_after is not None:
            bound = cursor_row.seq if cursor_row is not None else -1
            rows = [r for r in rows if r.seq < bound]
        elif page.ending_before is not None:
            bound = cursor_row.seq if cursor_row is not None else 1 << 62
            rows, reverse = [r for r in rows if r.seq > bound], True
        if not (page.oldest_first or reverse):
            rows.reverse()
        taken = rows[: page.limit]
        if reverse:
            taken.reverse()
        return PageResult(docs=[_doc(r) for r in taken], has_more=len(rows) > page.limit)

    async def search(
        self, table: str, flt: Filter, limit: int, after_seq: int | None
    ) -> tuple[builtins.list[Doc], int | None]:
        rows = [r for r in reversed(self._rows(table, flt)) if after_seq is None or r.seq < after_seq]
        taken = rows[:limit]
        more = len(rows) > limit and bool(taken)
        return [_doc(r) for r in taken], (taken[-1].seq if more else None)

    async def count(self, table: str, flt: Filter) -> int:
        return len(self._rows(table, flt))

    async def aggregate(
        self, table: str, groups: tuple[Group, ...], total: str, flt: Filter
    ) -> builtins.list[tuple[Any, ...]]:
        spec = TABLES[table]
        for name in (total, *(c for g in groups for c in (g.column, g.fallback) if c is not None)):
            if name not in spec.columns:
                raise ValueError(f"{table} has no column {name}")
        sums: dict[tuple[Any, ...], int | None] = {}
        for row in self._rows(table, flt):
            key = tuple(_group_key(g, row.columns) for g in groups)
            value = row.columns[total]
            before = sums.get(key)
            sums[key] = before if value is None else (before or 0) + value
        ordered = sorted(sums, key=lambda k: tuple((v is not None, v) for v in k))
        return [(*key, sums[key]) for key in ordered]


def _doc(row: Row) -> Doc:
    doc: Doc = orjson.loads(row.data)
    return doc


def _columns(table: Table, doc: Doc) -> dict[str, Any]:
    return {name: get(doc) for name, get in table.columns.items()}


def _matches(flt: Filter, row: Row) -> bool:
    if not flt.conds:
        return True
    hits = (_holds(c, row) for c in flt.conds)
    return any(hits) if flt.any_of else all(hits)


def _holds(cond: Cond, row: Row) -> bool:
    """Whether ``cond`` holds for ``row``'s column (or metadata key), as the SQL backends say (query.holds)."""
    if cond.field == "metadata":
        value = ((_doc(row).get("metadata") or {}).get(cond.key)) if cond.key is not None else None
    else:
        value = row.columns[cond.field]
    return query_holds(cond, value)


def _group_key(group: Group, columns: dict[str, Any]) -> Any:
    value = columns[group.column]
    if value is None and group.fallback is not None:
        value = columns[group.fallback]
    if group.period is not None:
        if value is None or not MIN_TIMESTAMP <= value <= MAX_TIMESTAMP:
            return None
        at = time.gmtime(value)
        return f"{at.tm_year:04d}-{at.tm_mon:02d}" if group.period == "month" else \
            f"{at.tm_year:04d}-Q{(at.tm_mon + 2) // 3}"
    if group.age_at is not None:
        for days, label in AGE_BUCKETS:
            if value is None or group.age_at - value < days * 86400:
                return label
        return "over_90"
    return value


class MemoryStore:
    def __init__(self, tables: Tables | None = None) -> None:
        self.tables = Tables() if tables is None else tables
        self.url = "memory://"

    def _run(self, fn: Callable[[Tx], Awaitable[T]], scope: Scope, *, keep: bool) -> T:
        tx = MemoryTx(self.tables, scope)
        try:
            result = run_sync(fn(tx))
        except CommitThenRaise as kept:
            if not keep:
                self._roll_back(tx.undo)
            raise kept.error from None
        except BaseException:
            self._roll_back(tx.undo)
            raise
        if not keep:
            self._roll_back(tx.undo)
        return result

    def _roll_back(self, undo: Undo) -> None:
        for table, obj_id, before in reversed(undo):
            rows = self.tables.rows[table]
            if before is None:
                rows.pop(obj_id, None)
            else:
                rows[obj_id] = before
        undo.clear()

    async def write(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN, kind: str | None = None) -> T:
        """Run ``fn`` once and keep its writes (``kind``, the command's name, is of no use here)."""
        return self._run(fn, scope, keep=True)

    async def read(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN) -> T:
        """Run ``fn``; whatever it writes is undone."""
        return self._run(fn, scope, keep=False)

    async def open(self) -> None:
        return None

    async def migrate(self, progress: Callable[[str], None] | None = None) -> builtins.list[str]:
        return []

    async def pending_migrations(self) -> builtins.list[str]:
        return []

    async def close(self) -> None:
        return None
