"""PostgreSQL backend: asyncpg, one pool per process, one transaction per command.

``write(fn)`` runs ``fn`` in a READ COMMITTED transaction on a pooled connection and commits before
returning. ``get(..., for_update=True)`` is ``SELECT … FOR UPDATE``: the services lock the invoice they
move and the customer whose balance or invoice sequence they change, so conflicting commands on one
object wait for each other and the second one sees the first one's result. When PostgreSQL refuses a
transaction for a reason that a re-run settles (a serialization failure, a deadlock, or a unique
violation: a concurrent request took the same idempotency key or invoice number first), the whole
``fn`` runs again in a new transaction, where the service's own checks see the committed row.

A command's writes are buffered (``Writes``) and sent as one statement when it next reads a table it
wrote, writes a row again, reads a row for update, or ends: fewer round trips (ADR 0004).

``read(fn)`` runs in a READ ONLY REPEATABLE READ transaction: every query of one request sees one
snapshot (a list and the objects it expands agree), and a read-only transaction never fails to
serialize. Documents are JSON text in ``data`` (key order kept as Stripe's; see docs/deployment.md for
the measurements), compressed with lz4 where the server has it.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import orjson

from arrears.domain import Doc
from arrears.domain.limits import MAX_TIMESTAMP, MIN_TIMESTAMP
from arrears.store import shown, versions
from arrears.store.base import OPEN, CommitThenRaise, Scope, ScopeError, Tx
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

T = TypeVar("T")
log = logging.getLogger("arrears.store")
PERIOD_FORMATS = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q'}
DIALECT = SqlDialect(
    placeholder=lambda n: f"${n}",
    metadata=lambda key: f"(data::json -> 'metadata' ->> {key})",
    lock=" FOR UPDATE",
    # No period (NULL, as SQLite's strftime answers) for a time past year 9999 or before 1970, which only
    # rows written before timestamps were bounded hold: to_timestamp would fail the whole report.
    period=lambda col, period: (
        f"CASE WHEN {col} BETWEEN {MIN_TIMESTAMP} AND {MAX_TIMESTAMP} THEN "
        f"to_char(to_timestamp({col}) AT TIME ZONE 'UTC', '{PERIOD_FORMATS[period]}') END"
    ),
)
# (table, filtered by the scope?) -> its statements
STATEMENTS = {(name, f): statements(table, DIALECT, filtered=f)
              for name, table in TABLES.items() for f in (False, True)}
UPDATES = Updates(DIALECT)
# What a re-run of the whole transaction settles (SQLSTATE 40001, 40P01, 23505).
RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError, asyncpg.UniqueViolationError)
MAX_ATTEMPTS = 10
# pg_advisory_lock key that serializes migrations across processes and hosts ("arrears" in ASCII).
MIGRATION_LOCK = 0x61727265617273


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What the pool runs on a connection given back, after asyncpg has rolled back any transaction
    left open: nothing. asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`` on every release, one more round trip per request; the pool's connections
    never take advisory locks, open cursors outside a transaction, LISTEN or SET anything (migrations
    run on a connection of their own)."""


_COMBINED: dict[tuple[Any, ...], str] = {}


def _renumbered(sql: str, offset: int) -> str:
    """``sql`` with each placeholder $k made $(k + offset)."""
    def shift(m: re.Match[str]) -> str:
        return f"${int(m.group(1)) + offset}"
    return re.sub(r"\$(\d+)", shift, sql)


def combined(statements: builtins.list[tuple[str, builtins.list[Any]]]) -> tuple[str, builtins.list[Any]]:
    """Several writes as one statement. The inserts into one table become one multi-row INSERT, whose
    rows take their ``seq`` in the order given; then, with more than one statement left,
    ``WITH w1 AS (…), w2 AS (…) SELECT 1``. PostgreSQL runs every data-modifying statement of a WITH
    once, on one snapshot, in no set order: fine for statements on different rows (``Writes`` sees to
    that) whose order matters only within a table."""
    merged: dict[str, builtins.list[builtins.list[Any]]] = {}  # an INSERT's text -> its rows' values
    others: builtins.list[tuple[str, builtins.list[Any]]] = []
    for sql, params in statements:
        if sql.startswith("INSERT "):
            merged.setdefault(sql, []).append(params)
        else:
            others.append((sql, params))
    key = (tuple((sql, len(rows)) for sql, rows in merged.items()), tuple(sql for sql, _ in others))
    text = _COMBINED.get(key)
    if text is None:
        parts, n = [], 0

        def marks(count: int) -> str:
            nonlocal n
            n += count
            return ", ".join(f"${i}" for i in range(n - count + 1, n + 1))

        for sql, rows in merged.items():
            head = sql.split(" VALUES ", 1)[0]
            parts.append(f"{head} VALUES " + ", ".join(f"({marks(len(row))})" for row in rows))
        for sql, params in others:
            parts.append(_renumbered(sql, n))
            n += len(params)
        text = parts[0] if len(parts) == 1 else (
            "WITH " + ", ".join(f"w{i} AS ({part})" for i, part in enumerate(parts, 1)) + " SELECT 1")
        _COMBINED[key] = text
    values = [v for rows in merged.values() for row in rows for v in row]
    return text, values + [v for _, params in others for v in params]


class Writes:
    """A command's writes not sent yet. They go to PostgreSQL together, as one statement, when the
    command next reads a table it wrote, writes a row it already wrote, locks a row (reads it for
    update: the writes before a lock keep their place before it), or ends: a mark_uncollectible sends
    its UPDATE, event and two ledger lines in one round trip instead of four."""

    def __init__(self) -> None:
        self.statements: builtins.list[tuple[str, builtins.list[Any]]] = []
        self.rows: set[tuple[str, str]] = set()
        self.tables: set[str] = set()


class PgTx:
    """Tx over one asyncpg connection inside a transaction, in one scope. Writes are buffered
    (``Writes``) until ``flush``, which the store calls before COMMIT."""

    def __init__(self, conn: asyncpg.Connection, scope: Scope = OPEN, locked: LockedRows | None = None,
                 writes: Writes | None = None) -> None:
        self.conn = conn
        self.scope = scope
        self.locked = LockedRows(UPDATES) if locked is None else locked
        self.writes = Writes() if writes is None else writes

    async def flush(self) -> None:
        """Send the buffered writes (one statement for all of them)."""
        pending = self.writes.statements
        if not pending:
            return
        self.writes.statements, self.writes.rows, self.writes.tables = [], set(), set()
        sql, params = pending[0] if len(pending) == 1 else combined(pending)
        await self.conn.execute(sql, *params)

    async def _write(self, table: str, obj_id: str, sql: str, params: builtins.list[Any]) -> None:
        if (table, obj_id) in self.writes.rows:  # one statement may not change a row twice
            await self.flush()
        self.writes.statements.append((sql, params))
        self.writes.rows.add((table, obj_id))
        self.writes.tables.add(table)

    async def _reading(self, table: str) -> None:
        if table in self.writes.tables:
            await self.flush()

    def _by_id(self, table: str, obj_id: str) -> tuple[Statements, list[Any]]:
        """The table's statements for this scope and the parameters of an ``id = …`` statement."""
        scoped, params = by_id_params(TABLES[table], obj_id, self.scope)
        return STATEMENTS[table, scoped], params

    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None:
        if for_update:
            # Writes made before taking a lock go first: an idempotency key is claimed (a concurrent
            # claim of it waits on its unique index) before the invoice is locked, not after.
            await self.flush()
        else:
            await self._reading(table)
        sql, params = self._by_id(table, obj_id)
        data = await self.conn.fetchval(sql.get_for_update if for_update else sql.get, *params)
        if data is None:
            return None
        doc: Doc = orjson.loads(data)
        if for_update:
            self.locked.read(TABLES[table], obj_id, doc)
        return doc

    async def insert(self, table: str, doc: Doc) -> None:
        values = insert_values(TABLES[table], doc, self.scope)
        await self._write(table, doc["id"], STATEMENTS[table, False].insert, values)

    async def update(self, table: str, doc: Doc) -> None:
        sql, params, _ = self.locked.update(TABLES[table], doc, self.scope)
        await self._write(table, doc["id"], sql, params)

    async def delete(self, table: str, obj_id: str) -> None:
        sql, params = self._by_id(table, obj_id)
        await self._write(table, obj_id, sql.delete, params)

    async def owner(self, table: str, obj_id: str) -> Scope | None:
        await self._reading(table)
        sql, params = self._by_id(table, obj_id)
        return scope_of(await self.conn.fetchrow(sql.owner, *params)) if sql.owner else None

    def within(self, scope: Scope) -> PgTx:
        if not self.scope.system and scope != self.scope:
            raise ScopeError("only a SYSTEM transaction may act for another scope")
        return PgTx(self.conn, scope, self.locked, self.writes)

    async def list(self, table: str, flt: Filter, page: Page) -> PageResult:
        await self._reading(table)
        cursor = page.starting_after or page.ending_before
        seq = None
        if cursor is not None:
            sql, params = self._by_id(table, cursor)
            seq = await self.conn.fetchval(sql.seq, *params) or -1
        query, values, reverse = list_query(TABLES[table], flt, page, seq, DIALECT, self.scope)
        return page_result([r[0] for r in await self.conn.fetch(query, *values)], page, reverse)

    async def search(
        self, table: str, flt: Filter, limit: int, after_seq: int | None
    ) -> tuple[builtins.list[Doc], int | None]:
        await self._reading(table)
        sql, params = search_query(TABLES[table], flt, limit, after_seq, DIALECT, self.scope)
        return search_result([(r[0], r[1]) for r in await self.conn.fetch(sql, *params)], limit)

    async def count(self, table: str, flt: Filter) -> int:
        await self._reading(table)
        sql, params = count_query(TABLES[table], flt, DIALECT, self.scope)
        return int(await self.conn.fetchval(sql, *params))

    async def aggregate(
        self, table: str, groups: tuple[Group, ...], total: str, flt: Filter
    ) -> builtins.list[tuple[Any, ...]]:
        await self._reading(table)
        sql, params = aggregate_query(TABLES[table], groups, total, flt, DIALECT, self.scope)
        return [(*row[:-1], int(row[-1])) for row in await self.conn.fetch(sql, *params)]


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every PostgreSQL migration, in order."""
    return versions.read("postgres")


class PostgresStore:
    def __init__(self, url: str, *, pool_size: int = 10, migrate: bool = True) -> None:
        self.url = url
        self.pool_size = pool_size
        self.auto_migrate = migrate
        self._pool: asyncpg.Pool | None = None

    # --- lifecycle ----------------------------------------------------------------------------------
    async def open(self) -> None:
        if self.auto_migrate:
            await self.migrate()
        elif await self.pending_migrations():
            url = shown(self.url)
            raise RuntimeError(f"database {url} is not migrated: run `arrears migrate --database {url}`")
        self._pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self.pool_size, reset=_keep_session)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _applied(self, conn: asyncpg.Connection) -> set[int]:
        if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
            return set()
        return {row[0] for row in await conn.fetch("SELECT version FROM schema_migrations")}

    async def pending_migrations(self) -> list[str]:
        conn = await asyncpg.connect(self.url)
        try:
            applied = await self._applied(conn)
        finally:
            await conn.close()
        return [name for version, name, _ in migrations() if version not in applied]

    async def migrate(self, progress: Callable[[str], None] | None = None) -> list[str]:
        """Apply every pending migration, each in its own transaction, under an advisory lock: processes
        starting together on several hosts apply each migration once and wait for each other."""
        conn = await asyncpg.connect(self.url)
        done = []
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
            try:
                await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                                   "(version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)")
                applied = await self._applied(conn)
                for version, name, sql in migrations():
                    if version in applied:
                        continue
                    if progress:
                        progress(name)
                    async with conn.transaction():
                        await conn.execute(sql)
                        await conn.execute("INSERT INTO schema_migrations VALUES ($1, $2, $3)",
                                           version, name, int(time.time()))
                    done.append(name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        finally:
            await conn.close()
        return done

    # --- transactions -------------------------------------------------------------------------------
    def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("PostgresStore used before open()")
        return self._pool

    async def read(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN) -> T:
        async with self._opened().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            return await fn(PgTx(conn, scope))

    async def write(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN, kind: str | None = None) -> T:
        """``kind`` is ignored: PostgreSQL has no rehearsal (its re-runs are of refused transactions)."""
        attempt = 1
        while True:
            try:
                return await self._write_once(fn, scope)
            except RETRYABLE as exc:
                if attempt >= MAX_ATTEMPTS:
                    raise
                log.debug("re-running a transaction refused with %s (attempt %d)", type(exc).__name__, attempt)
            await asyncio.sleep(random.uniform(0, 0.001 * 2**attempt))  # spread the re-runs apart
            attempt += 1

    async def _write_once(self, fn: Callable[[Tx], Awaitable[T]], scope: Scope) -> T:
        kept: CommitThenRaise | None = None
        result: Any = None
        async with self._opened().acquire() as conn, conn.transaction(isolation="read_committed"):
            tx = PgTx(conn, scope)
            try:
                result = await fn(tx)
            except CommitThenRaise as keep:  # the command's writes stay; its error goes to the caller
                kept = keep
            await tx.flush()
        if kept is not None:
            raise kept.error
        return result  # type: ignore[no-any-return]
