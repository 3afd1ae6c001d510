"""The SQLite store on its own (no HTTP): group commit, durability, reads, lists, filters, several
processes on one file, and migrations. The rehearsal: test_rehearsal.py."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from arrears.domain import Doc
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page
from arrears.store.sqlite import SqliteStore, migrations
from tests.store.sqlite_support import customer, insert, run


async def get(store: SqliteStore, obj_id: str, table: str = "customers") -> Doc | None:
    async def fn(tx: Tx) -> Doc | None:
        return await tx.get(table, obj_id)
    return await store.read(fn)


EVERYTHING = Filter()


async def listed(store: SqliteStore, flt: Filter = EVERYTHING, **page: Any) -> tuple[list[str], bool]:
    async def fn(tx: Tx) -> tuple[list[str], bool]:
        result = await tx.list("customers", flt, Page(**page))
        return [d["id"] for d in result.docs], result.has_more
    return await store.read(fn)


# --- group commit ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rehearsal", [True, False], ids=["rehearsed", "under the lock only"])
def test_a_failing_request_rolls_back_alone_and_the_rest_of_its_batch_commits(tmp_path: Path,
                                                                              rehearsal: bool) -> None:
    db = tmp_path / "a.db"
    outside_view: list[int] = []

    def inserting(n: int) -> Callable[[Tx], Awaitable[str]]:
        async def fn(tx: Tx) -> str:
            await tx.insert("customers", customer(n))
            return f"cus_{n:04d}"
        return fn

    async def failing(tx: Tx) -> None:
        await tx.insert("customers", customer(2))
        raise ValueError("rule broken")

    async def last(tx: Tx) -> str:
        await tx.insert("customers", customer(4))
        # Still inside the batch: another connection sees nothing of it yet, this transaction sees
        # every request before it except the one that failed.
        with sqlite3.connect(db) as other:
            outside_view.append(other.execute("SELECT count(*) FROM customers").fetchone()[0])
        assert await tx.get("customers", "cus_0002") is None
        assert await tx.get("customers", "cus_0003") is not None
        return "cus_0004"

    async def body(store: SqliteStore) -> list[Any]:
        results = await asyncio.gather(
            store.write(inserting(0), kind="insert"), store.write(inserting(1), kind="insert"),
            store.write(failing, kind="failing"), store.write(inserting(3), kind="insert"),
            store.write(last, kind="last"), return_exceptions=True)
        stored = [await get(store, f"cus_{n:04d}") for n in range(5)]
        return [results, [None if s is None else s["id"] for s in stored]]

    (results, stored) = run(db, body, rehearsal=rehearsal)

    # The five requests shared one transaction. (``last`` ran twice when rehearsed: its rehearsal, on
    # the committed data, failed its own assertion, so it ran again under the lock.)
    assert outside_view == ([0, 0] if rehearsal else [0])
    assert results[:2] == ["cus_0000", "cus_0001"] and results[3:] == ["cus_0003", "cus_0004"]
    assert isinstance(results[2], ValueError)
    assert stored == ["cus_0000", "cus_0001", None, "cus_0003", "cus_0004"]


def test_a_request_that_fails_after_several_statements_leaves_no_trace(tmp_path: Path) -> None:
    async def half_done(tx: Tx) -> None:
        await tx.insert("customers", customer(1))
        doc = customer(0, name="changed")
        await tx.update("customers", doc)
        await tx.delete("customers", "cus_0002")
        raise RuntimeError("boom")

    async def body(store: SqliteStore) -> list[Doc | None]:
        await insert(store, customer(0), customer(2))
        with pytest.raises(RuntimeError):
            await store.write(half_done)
        return [await get(store, f"cus_{n:04d}") for n in range(3)]

    first, second, third = run(tmp_path / "a.db", body)

    assert first is not None and first["name"] == "Customer 0"
    assert second is None and third is not None


def test_a_transaction_function_that_really_awaits_is_refused(tmp_path: Path) -> None:
    async def sleeps(tx: Tx) -> None:
        await tx.insert("customers", customer(1))
        await asyncio.sleep(0.01)

    async def body(store: SqliteStore) -> Doc | None:
        with pytest.raises(RuntimeError):
            await store.write(sleeps)
        return await get(store, "cus_0001")

    assert run(tmp_path / "a.db", body) is None


# --- durability and reads -------------------------------------------------------------------------

def test_a_committed_write_survives_reopening(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, lambda store: insert(store, customer(1, metadata={"k": "v"})))

    again = run(db, lambda store: get(store, "cus_0001"))

    assert again == customer(1, metadata={"k": "v"})


def test_reads_see_each_committed_write(tmp_path: Path) -> None:
    async def body(store: SqliteStore) -> list[Any]:
        seen = []
        await insert(store, customer(1))
        seen.append(await get(store, "cus_0001"))

        async def rename(tx: Tx) -> None:
            doc = await tx.get("customers", "cus_0001")
            assert doc is not None
            await tx.update("customers", {**doc, "name": "Renamed", "email": "new@example.com"})
        await store.write(rename)
        seen.append(await get(store, "cus_0001"))
        seen.append(await listed(store, Filter((Cond("email", "=", "new@example.com"),))))

        async def remove(tx: Tx) -> None:
            await tx.delete("customers", "cus_0001")
        await store.write(remove)
        seen.append(await get(store, "cus_0001"))
        return seen

    created, renamed, by_new_email, deleted = run(tmp_path / "a.db", body)

    assert created is not None and created["name"] == "Customer 1"
    assert renamed is not None and renamed["name"] == "Renamed"
    assert by_new_email == (["cus_0001"], False)  # the indexed column follows the document
    assert deleted is None


# --- lists, filters, search -----------------------------------------------------------------------

def test_list_is_newest_first_and_cursors_page_both_ways(tmp_path: Path) -> None:
    ids = [f"cus_{n:04d}" for n in range(5)]

    async def body(store: SqliteStore) -> dict[str, Any]:
        for n in range(5):
            await insert(store, customer(n))
        return {
            "first": await listed(store, limit=2),
            "after": await listed(store, limit=2, starting_after=ids[3]),
            "last": await listed(store, limit=2, starting_after=ids[1]),
            "before": await listed(store, limit=2, ending_before=ids[1]),
            "before_top": await listed(store, limit=2, ending_before=ids[3]),
            "unknown": await listed(store, limit=2, starting_after="cus_gone"),
        }

    pages = run(tmp_path / "a.db", body)

    assert pages["first"] == ([ids[4], ids[3]], True)
    assert pages["after"] == ([ids[2], ids[1]], True)
    assert pages["last"] == ([ids[0]], False)
    assert pages["before"] == ([ids[3], ids[2]], True)
    assert pages["before_top"] == ([ids[4]], False)
    assert pages["unknown"] == ([], False)


def test_filters_match_metadata_columns_and_combinators(tmp_path: Path) -> None:
    docs = [
        customer(0, metadata={"plan": "pro", "order.id": "o-1"}),
        customer(1, metadata={"plan": "free"}),
        customer(2, metadata={}, email=None),
        customer(3, metadata={"plan": "pro"}, name="Jenny Rosen"),
    ]

    def plan(value: str, op: Any = "=") -> Cond:
        return Cond("metadata", op, value, key="plan")

    async def body(store: SqliteStore) -> dict[str, Any]:
        await insert(store, *docs)
        out = {
            "pro": await listed(store, Filter((plan("pro"),))),
            "dotted_key": await listed(store, Filter((Cond("metadata", "=", "o-1", key="order.id"),))),
            "not_pro": await listed(store, Filter((plan("pro", "!="),))),
            "no_plan": await listed(store, Filter((Cond("metadata", "null", key="plan"),))),
            "pro_and_name": await listed(store, Filter((plan("pro"), Cond("name", "~", "Rosen")))),
            "free_or_no_email": await listed(store, Filter((plan("free"), Cond("email", "null")), any_of=True)),
            "created_range": await listed(store, Filter((Cond("created", ">", 1_700_000_000),
                                                         Cond("created", "<=", 1_700_000_002)))),
            "like_is_literal": await listed(store, Filter((Cond("email", "~", "%"),))),
        }

        async def count(tx: Tx) -> int:
            return await tx.count("customers", Filter((plan("pro"),)))
        out["count"] = await store.read(count)
        return out

    found = run(tmp_path / "a.db", body)

    assert found["pro"] == (["cus_0003", "cus_0000"], False)
    assert found["dotted_key"] == (["cus_0000"], False)
    assert found["not_pro"] == (["cus_0002", "cus_0001"], False)  # a missing key is "not pro"
    assert found["no_plan"] == (["cus_0002"], False)
    assert found["pro_and_name"] == (["cus_0003"], False)
    assert found["free_or_no_email"] == (["cus_0002", "cus_0001"], False)
    assert found["created_range"] == (["cus_0002", "cus_0001"], False)
    assert found["like_is_literal"] == ([], False)
    assert found["count"] == 2


def test_search_pages_newest_first_and_resumes_after_the_last_seq(tmp_path: Path) -> None:
    flt = Filter((Cond("metadata", "=", "yes", key="match"),))

    async def body(store: SqliteStore) -> list[list[str]]:
        await insert(store, *[customer(n, metadata={"match": "yes" if n % 2 == 0 else "no"}) for n in range(9)])

        async def page(after: int | None) -> tuple[list[Doc], int | None]:
            async def fn(tx: Tx) -> tuple[list[Doc], int | None]:
                return await tx.search("customers", flt, 2, after)
            return await store.read(fn)

        pages, after = [], None
        while True:
            docs, after = await page(after)
            pages.append([d["id"] for d in docs])
            if after is None:
                return pages

    assert run(tmp_path / "a.db", body) == [["cus_0008", "cus_0006"], ["cus_0004", "cus_0002"], ["cus_0000"]]


# --- several processes on one file ----------------------------------------------------------------

WORKER = textwrap.dedent("""
    import asyncio, sys
    from arrears.store.sqlite import SqliteStore

    path, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

    async def main():
        store = SqliteStore(path)
        await store.open()  # every worker migrates: they race on a fresh file
        def write(n):
            async def fn(tx):
                doc = {"id": f"cus_w{worker}_{n}", "object": "customer", "created": n, "email": None,
                       "name": f"worker {worker}", "phone": None, "metadata": {}}
                await tx.insert("customers", doc)
            return store.write(fn)
        for start in range(0, count, 10):  # ten requests in flight at a time: batches form
            await asyncio.gather(*(write(n) for n in range(start, min(start + 10, count))))
        await store.close()

    asyncio.run(main())
""")


def test_several_processes_write_to_one_file_without_losing_or_locking(tmp_path: Path) -> None:
    db, workers, count = tmp_path / "shared.db", 4, 60

    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(db), str(w), str(count)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(workers)]
    outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]

    assert [code for code, _ in outcomes] == [0] * workers, [err for _, err in outcomes]
    assert not any("locked" in err for _, err in outcomes)
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM customers")}
        applied = conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert stored == {f"cus_w{w}_{n}" for w in range(workers) for n in range(count)}
    assert applied == len(migrations())


# --- migrations -----------------------------------------------------------------------------------

def test_migrate_twice_applies_each_migration_once(tmp_path: Path) -> None:
    names = [name for _, name, _ in migrations()]

    async def main() -> list[list[str]]:
        store = SqliteStore(str(tmp_path / "a.db"), migrate=False)
        try:
            return [await store.pending_migrations(), await store.migrate(), await store.migrate(),
                    await store.pending_migrations()]
        finally:
            await store.close()

    pending, first, second, after = asyncio.run(main())

    assert pending == names and first == names
    assert second == [] and after == []


def test_opening_an_unmigrated_file_without_auto_migrate_names_the_command(tmp_path: Path) -> None:
    async def main() -> None:
        store = SqliteStore(str(tmp_path / "a.db"), migrate=False)
        try:
            await store.open()
        finally:
            await store.close()

    with pytest.raises(RuntimeError, match="arrears migrate"):
        asyncio.run(main())


# --- checkpoints ----------------------------------------------------------------------------------

def test_commits_never_checkpoint_and_the_checkpointer_keeps_the_wal_small(tmp_path: Path) -> None:
    """A COMMIT only appends to the WAL (the store's connections have no automatic checkpoint: it would
    run under the write lock); the store's checkpoint thread copies the WAL back, so the WAL is reused
    from its start instead of growing with everything ever written."""
    db = tmp_path / "a.db"
    big = "x" * 3000

    async def body(store: SqliteStore) -> tuple[list[int], int]:
        auto = [conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] for conn in (store._wconn, store._rconn)]
        for batch in range(300):
            await insert(store, *(customer(batch * 20 + n, name=big) for n in range(20)))
            await asyncio.sleep(0.005)
        return auto, (tmp_path / "a.db-wal").stat().st_size

    auto, wal = run(db, body)
    written = 300 * 20 * 2 * 3000  # each name is in its column and in the JSON document
    assert auto == [0, 0]
    assert wal < written / 3, (wal, written)
