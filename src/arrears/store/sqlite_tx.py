"""The SQLite ``Tx``: the statements of every ``Tx`` call on one ``sqlite3`` connection.

Kept apart from the store (``sqlite.py``: group commit, the write lock, checkpoints) so that the
rehearsal (``rehearsal.py``) can record the same calls without importing the store.

Transaction functions run to completion without suspending: ``SqliteTx`` methods are coroutines only
to match the ``Tx`` Protocol; ``base.run_sync`` drives them and refuses one that really awaits.
"""

from __future__ import annotations

import builtins
import copy
import sqlite3
from typing import Any

import orjson

from arrears.domain import Doc
from arrears.store.base import OPEN, Scope, ScopeError
from arrears.store.query import Filter, Group, Page, PageResult
from arrears.store.sql import (
    LockedRows,
    SqlDialect,
    Statements,
    Updates,
    aggregate_query,
    by_id_params,
    count_query,
    insert_values,
    list_query,
    page_result,
    scope_of,
    search_query,
    search_result,
    statements,
)
from arrears.store.tables import TABLES

DIALECT = SqlDialect(
    placeholder=lambda n: "?",
    metadata=lambda key: f"json_extract(data, '$.metadata.' || json_quote({key}))",
    period=lambda col, period: (
        f"strftime('%Y-%m', {col}, 'unixepoch')" if period == "month" else
        f"(strftime('%Y', {col}, 'unixepoch') || '-Q' || "
        f"((CAST(strftime('%m', {col}, 'unixepoch') AS INTEGER) + 2) / 3))"
    ),
)
# (table, filtered by the scope?) -> its statements
STATEMENTS = {(name, f): statements(table, DIALECT, filtered=f)
              for name, table in TABLES.items() for f in (False, True)}
UPDATES = Updates(DIALECT)


class SqliteTx:
    """Tx over one sqlite3 connection, in one scope. Every statement goes through ``_rows`` (reads) or
    ``_write``, which the rehearsal's ``Recording`` overrides."""

    def __init__(self, conn: sqlite3.Connection, scope: Scope = OPEN, locked: LockedRows | None = None) -> None:
        self.conn = conn
        self.scope = scope
        self.locked = LockedRows(UPDATES) if locked is None else locked

    def _rows(self, table: str, sql: str, params: list[Any], row: str | None = None) -> builtins.list[Any]:
        """Run a read; ``row``: the id of the one row it reads, if it reads one by its id."""
        return self.conn.execute(sql, params).fetchall()

    def _write(self, table: str, sql: str, params: list[Any], row: tuple[str, str | None] | None = None) -> None:
        """Run a write; ``row``: the (id, JSON) it leaves the row with (None JSON: deleted)."""
        self.conn.execute(sql, params)

    def _by_id(self, table: str, obj_id: str) -> tuple[Statements, list[Any]]:
        """The table's statements for this scope and the parameters of an ``id = …`` statement."""
        scoped, params = by_id_params(TABLES[table], obj_id, self.scope)
        return STATEMENTS[table, scoped], params

    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None:
        # No lock to take: the writer holds the database (BEGIN IMMEDIATE under the flock).
        sql, params = self._by_id(table, obj_id)
        rows = self._rows(table, sql.get, params, row=obj_id)
        return self._loaded(table, obj_id, rows[0][0], for_update) if rows else None

    def _loaded(self, table: str, obj_id: str, data: str, for_update: bool) -> Doc:
        doc: Doc = orjson.loads(data)
        if for_update:
            self.locked.read(TABLES[table], obj_id, doc)
        return doc

    async def insert(self, table: str, doc: Doc) -> None:
        params = insert_values(TABLES[table], doc, self.scope)
        self._write(table, STATEMENTS[table, False].insert, params, (doc["id"], params[-1]))

    async def update(self, table: str, doc: Doc) -> None:
        sql, params, data = self.locked.update(TABLES[table], doc, self.scope)
        self._write(table, sql, params, (doc["id"], data))

    async def delete(self, table: str, obj_id: str) -> None:
        sql, params = self._by_id(table, obj_id)
        self._write(table, sql.delete, params, (obj_id, None))

    def _seq(self, table: str, obj_id: str) -> int | None:
        sql, params = self._by_id(table, obj_id)
        rows = self._rows(table, sql.seq, params)
        return int(rows[0][0]) if rows else None

    async def owner(self, table: str, obj_id: str) -> Scope | None:
        sql, params = self._by_id(table, obj_id)
        if not sql.owner:
            return None
        rows = self._rows(table, sql.owner, params)
        return scope_of(rows[0] if rows else None)

    def within(self, scope: Scope) -> SqliteTx:
        if not self.scope.system and scope != self.scope:
            raise ScopeError("only a SYSTEM transaction may act for another scope")
        narrowed = copy.copy(self)  # the same connection, rows read for update and (Recording) record
        narrowed.scope = scope
        return narrowed

    async def list(self, table: str, flt: Filter, page: Page) -> PageResult:
        cursor = page.starting_after or page.ending_before
        seq = None if cursor is None else (self._seq(table, cursor) or -1)
        sql, params, reverse = list_query(TABLES[table], flt, page, seq, DIALECT, self.scope)
        return page_result([r[0] for r in self._rows(table, sql, params)], page, reverse)

    async def search(
        self, table: str, flt: Filter, limit: int, after_seq: int | None
    ) -> tuple[builtins.list[Doc], int | None]:
        sql, params = search_query(TABLES[table], flt, limit, after_seq, DIALECT, self.scope)
        return search_result(self._rows(table, sql, params), limit)

    async def count(self, table: str, flt: Filter) -> int:
        sql, params = count_query(TABLES[table], flt, DIALECT, self.scope)
        return int(self._rows(table, sql, params)[0][0])

    async def aggregate(
        self, table: str, groups: tuple[Group, ...], total: str, flt: Filter
    ) -> builtins.list[tuple[Any, ...]]:
        sql, params = aggregate_query(TABLES[table], groups, total, flt, DIALECT, self.scope)
        return [tuple(row) for row in self._rows(table, sql, params)]
