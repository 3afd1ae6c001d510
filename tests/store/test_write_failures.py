"""A write that raises anything at all, on either backend: the caller gets the exception, nothing of
that write is applied, and the next write commits. On SQLite the drain also closes its transaction and
releases the flock. (Before, an exception other than sqlite3.Error escaped the SQLite drain with the
transaction open and the lock held: every later write of every process waited 10 s and failed with
"database is locked".)"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from arrears.domain import Doc
from arrears.store import open_store
from arrears.store.base import Store, Tx
from arrears.store.query import Filter, Page
from arrears.store.sqlite import SqliteStore

INT64 = 2**63 - 1
MODES = pytest.mark.parametrize("rehearsal", [True, False], ids=["rehearsed", "under the lock only"])
KIND = "insert"  # writes of a kind, so that they are rehearsed when the store rehearses


def customer(n: int, **fields: Any) -> Doc:
    return {"id": f"cus_{n:04d}", "object": "customer", "created": 1_700_000_000 + n, "email": f"c{n}@example.com",
            "name": f"Customer {n}", "phone": None, "metadata": {}, **fields}


def inserting(*docs: Doc) -> Callable[[Tx], Awaitable[str]]:
    async def fn(tx: Tx) -> str:
        for doc in docs:
            await tx.insert("customers", doc)
        return str(docs[-1]["id"])
    return fn


def lock_is_free(path: Path) -> bool:
    """Whether another writer (here: another open file description) could take the writers' flock now."""
    fd = os.open(str(path) + ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


async def ids(store: Store) -> list[str]:
    async def fn(tx: Tx) -> list[str]:
        return sorted(d["id"] for d in (await tx.list("customers", Filter(), Page(limit=100))).docs)
    return await store.read(fn)


def run(path: Path, body: Callable[[SqliteStore], Awaitable[None]], **options: Any) -> None:
    async def main() -> None:
        store = SqliteStore(str(path), **options)
        await store.open()
        # A wedged drain fails the test instead of hanging it; a store that failed is left open, since
        # closing it would wait for its checkpointer, which waits for the lock the wedged writer holds.
        await asyncio.wait_for(body(store), 10)
        await store.close()
    asyncio.run(main())


@pytest.mark.parametrize("exc", [OverflowError("too big"), RuntimeError("bug"), KeyError("missing")],
                         ids=lambda e: type(e).__name__)
def test_on_each_backend_a_write_raising_anything_applies_nothing_and_the_next_commits(
    database: str, exc: BaseException
) -> None:
    async def main() -> None:
        store = open_store(database)
        await store.open()
        try:
            with pytest.raises(type(exc)):
                await store.write(raising(exc))
            with pytest.raises((OverflowError, asyncpg.DataError)):  # past 64 bits in a column: the driver's
                await store.write(inserting(customer(3, created=INT64 + 1)))
            assert await store.write(inserting(customer(4))) == "cus_0004"
            assert await ids(store) == ["cus_0004"]
        finally:
            await store.close()
    asyncio.run(asyncio.wait_for(main(), 30))


def raising(exc: BaseException) -> Callable[[Tx], Awaitable[None]]:
    async def fn(tx: Tx) -> None:
        await tx.insert("customers", customer(2))
        raise exc
    return fn


@MODES
@pytest.mark.parametrize("exc", [OverflowError("too big"), RuntimeError("bug"), KeyError("missing")],
                         ids=lambda e: type(e).__name__)
def test_a_write_raising_any_exception_fails_alone_and_the_next_write_commits(
    tmp_path: Path, rehearsal: bool, exc: BaseException
) -> None:
    db = tmp_path / "a.db"

    async def body(store: SqliteStore) -> None:
        # Given a batch of three writes, the middle one raising
        results = await asyncio.gather(store.write(inserting(customer(1)), kind=KIND),
                                       store.write(raising(exc), kind="raising"),
                                       store.write(inserting(customer(3)), kind=KIND), return_exceptions=True)
        # Then its caller gets its exception, and the others commit
        assert results[0] == "cus_0001" and results[2] == "cus_0003"
        assert results[1] is exc
        assert not store._wconn.in_transaction and lock_is_free(db)
        # And the next write commits as usual
        assert await store.write(inserting(customer(4)), kind=KIND) == "cus_0004"
        assert await ids(store) == ["cus_0001", "cus_0003", "cus_0004"]

    run(db, body, rehearsal=rehearsal)


@MODES
def test_a_value_sqlite_cannot_hold_fails_the_write_alone_even_when_its_rehearsal_held(
    tmp_path: Path, rehearsal: bool
) -> None:
    db = tmp_path / "a.db"

    async def body(store: SqliteStore) -> None:
        # Given a write whose rehearsal records an INSERT of an integer beyond 64 bits (a column of the
        # table): the rehearsal only records it, the INSERT itself raises OverflowError under the lock
        too_big = customer(2, created=INT64 + 1)
        results = await asyncio.gather(store.write(inserting(customer(1)), kind=KIND),
                                       store.write(inserting(too_big), kind=KIND),
                                       store.write(inserting(customer(3)), kind=KIND), return_exceptions=True)
        assert isinstance(results[1], OverflowError)
        assert (results[0], results[2]) == ("cus_0001", "cus_0003")
        assert not store._wconn.in_transaction and lock_is_free(db)
        assert await store.write(inserting(customer(4)), kind=KIND) == "cus_0004"
        assert await ids(store) == ["cus_0001", "cus_0003", "cus_0004"]
        if rehearsal:
            assert store.rehearsal.counts["rehearsed"] >= 3

    run(db, body, rehearsal=rehearsal)


def test_a_write_that_breaks_the_batchs_transaction_fails_the_batch_and_releases_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.db"

    async def vandal(tx: Tx) -> None:
        tx.conn.execute("ROLLBACK")  # type: ignore[attr-defined]  # ends the batch's transaction itself

    async def body(store: SqliteStore) -> None:
        # When a write ends the transaction its batch runs in (its SAVEPOINT is gone with it)
        results = await asyncio.gather(store.write(inserting(customer(1))), store.write(vandal),
                                       return_exceptions=True)
        # Then every request of that batch is answered with an error (nothing of it committed)...
        assert all(isinstance(r, Exception) for r in results), results
        assert not store._wconn.in_transaction and lock_is_free(db)
        # ...and the store writes on
        assert await store.write(inserting(customer(4))) == "cus_0004"
        assert await ids(store) == ["cus_0004"]

    run(db, body, rehearsal=False)


def test_the_lock_is_released_for_another_process_after_a_failed_write(tmp_path: Path) -> None:
    db = tmp_path / "a.db"

    async def body(store: SqliteStore) -> None:
        with pytest.raises(OverflowError):
            await store.write(inserting(customer(1, created=INT64 + 1)))
        other = SqliteStore(str(db))  # another process's store on the same file
        await other.open()
        try:
            assert await asyncio.wait_for(other.write(inserting(customer(2))), 5) == "cus_0002"
        finally:
            await other.close()

    run(db, body)
