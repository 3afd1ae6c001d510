"""Versioned migrations on both backends: an empty database goes from zero to head, each version once,
and the two backends' schemas have the same tables, columns and indexes."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest

from arrears.store import open_store, sqlite_path, versions
from arrears.store.base import Store
from tests.support.postgres import Cluster

T = TypeVar("T")


def backend_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def with_store(url: str, body: Callable[[Store], Awaitable[T]]) -> T:
    async def main() -> T:
        store = open_store(url, migrate=False)
        try:
            return await body(store)
        finally:
            await store.close()
    return asyncio.run(main())


def applied_versions(url: str) -> list[int]:
    if backend_of(url) == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as conn:
            return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]

    async def fetch() -> list[int]:
        conn = await asyncpg.connect(url)
        try:
            return [r[0] for r in await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")]
        finally:
            await conn.close()
    return asyncio.run(fetch())


def schema(url: str) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """table -> (column names, index names), without the migrations' own table."""
    if backend_of(url) == "sqlite":
        with sqlite3.connect(sqlite_path(url)) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: (frozenset(r[1] for r in conn.execute(f"PRAGMA table_info({t})")),
                        frozenset(r[1] for r in conn.execute(f"PRAGMA index_list({t})")
                                  if not r[1].startswith("sqlite_autoindex")))
                    for t in tables if t != "schema_migrations"}

    async def fetch() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        conn = await asyncpg.connect(url)
        try:
            columns = await conn.fetch("SELECT table_name, column_name FROM information_schema.columns "
                                       "WHERE table_schema = 'public'")
            indexes = await conn.fetch("SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' "
                                       "AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'")
        finally:
            await conn.close()
        tables = {r[0] for r in columns} - {"schema_migrations"}
        return {t: (frozenset(r[1] for r in columns if r[0] == t), frozenset(r[1] for r in indexes if r[0] == t))
                for t in tables}
    return asyncio.run(fetch())


def test_both_backends_have_the_same_migration_versions() -> None:
    assert [(v, name) for v, name, _ in versions.read("sqlite")] == \
        [(v, name) for v, name, _ in versions.read("postgres")]


def test_an_empty_database_migrates_from_zero_to_head_once(database: str) -> None:
    # Given an empty database
    migrations = versions.read(backend_of(database))
    assert with_store(database, lambda s: s.pending_migrations()) == [name for _, name, _ in migrations]

    # When it is migrated twice
    first = with_store(database, lambda s: s.migrate())
    second = with_store(database, lambda s: s.migrate())

    # Then every migration ran once, in order, and the schema is at the head version
    assert first == [name for _, name, _ in migrations]
    assert second == []
    assert applied_versions(database) == [v for v, _, _ in migrations]
    assert with_store(database, lambda s: s.pending_migrations()) == []


def test_processes_migrating_at_once_apply_each_migration_once(database: str) -> None:
    procs = [subprocess.Popen([sys.executable, "-m", "arrears", "migrate", "--database", database],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]

    assert [p.returncode for p in procs] == [0] * 4, outputs
    applied = [int(out.split("migration(s) applied")[0].split()[-1]) for out, _ in outputs]
    assert sum(applied) == len(versions.read(backend_of(database)))
    assert applied_versions(database) == [v for v, _, _ in versions.read(backend_of(database))]


def test_the_database_url_can_come_from_the_environment(database: str) -> None:
    result = subprocess.run([sys.executable, "-m", "arrears", "migrate"], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "ARREARS_DATABASE_URL": database})

    assert result.returncode == 0, result.stderr
    assert applied_versions(database) == [v for v, _, _ in versions.read(backend_of(database))]


def test_both_backends_migrate_to_the_same_tables_columns_and_indexes(pg_cluster: Cluster, tmp_path: Path) -> None:
    lite = f"sqlite:///{tmp_path}/same.db"
    pg = pg_cluster.create_database("same")
    for url in (lite, pg):
        with_store(url, lambda s: s.migrate())

    assert schema(lite) == schema(pg)


def test_postgres_keeps_invoice_numbers_unique_and_documents_lz4_compressed(pg_cluster: Cluster) -> None:
    url = pg_cluster.create_database("lz4")
    with_store(url, lambda s: s.migrate())
    tables = schema(url)

    async def check() -> None:
        conn = await asyncpg.connect(url)
        try:
            compression = await conn.fetch(
                "SELECT c.relname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attname = 'data'")
            assert len(compression) == len(tables), compression
            assert all(r[1] == b"l" for r in compression), compression
            await conn.execute("INSERT INTO invoices (id, status, created, number, data) "
                               "VALUES ('in_1', 'open', 1, 'A-0001', '{}')")
            with pytest.raises(asyncpg.UniqueViolationError):
                await conn.execute("INSERT INTO invoices (id, status, created, number, data) "
                                   "VALUES ('in_2', 'open', 1, 'A-0001', '{}')")
        finally:
            await conn.close()
    asyncio.run(check())


def test_rows_from_before_accounts_belong_to_the_default_account_with_their_numbers(database: str) -> None:
    # Given a database at version 4 holding an invoice with a number, in test mode, and a live customer
    before = [m for m in versions.read(backend_of(database)) if m[0] < 5]
    invoice = ('in_old', 'open', 1, 'OLD-0001', '{"id": "in_old", "livemode": false, "number": "OLD-0001"}')
    customer = ('cus_live', 1, '{"id": "cus_live", "livemode": true}')

    async def setup_pg() -> None:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                               "applied_at bigint NOT NULL)")
            for version, name, sql in before:
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations VALUES ($1, $2, 0)", version, name)
            await conn.execute("INSERT INTO invoices (id, status, created, number, data) VALUES ($1, $2, $3, $4, $5)",
                               *invoice)
            await conn.execute("INSERT INTO customers (id, created, data) VALUES ($1, $2, $3)", *customer)
        finally:
            await conn.close()

    if backend_of(database) == "sqlite":
        with sqlite3.connect(sqlite_path(database)) as conn:
            conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)")
            for version, name, sql in before:
                conn.executescript(sql)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 0)", (version, name))
            conn.execute("INSERT INTO invoices (id, status, created, number, data) VALUES (?, ?, ?, ?, ?)", invoice)
            conn.execute("INSERT INTO customers (id, created, data) VALUES (?, ?, ?)", customer)
    else:
        asyncio.run(setup_pg())

    # When it is migrated to head
    with_store(database, lambda s: s.migrate())

    # Then the rows are the default account's, in the mode their documents say, the number kept
    from arrears.store.base import OPEN, SYSTEM, Scope
    from arrears.store.query import Cond, Filter, Page

    async def look(store: Store) -> tuple[object, ...]:
        await store.open()
        numbered = await store.read(lambda tx: tx.list("invoices", Filter((Cond("number", "=", "OLD-0001"),)),
                                                       Page()), scope=OPEN)
        return (await store.read(lambda tx: tx.owner("invoices", "in_old"), scope=SYSTEM),
                await store.read(lambda tx: tx.owner("customers", "cus_live"), scope=SYSTEM),
                [d["id"] for d in numbered.docs])
    assert with_store(database, look) == (OPEN, Scope("acct_default", True), ["in_old"])
