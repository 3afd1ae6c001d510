"""The storage contract on every backend (SQLite, PostgreSQL and the memory store; no HTTP): queries
answer alike, a read-modify-write under ``get(..., for_update=True)`` never loses an update, even from
two stores (two processes' pools) at once, and a command that must keep its work commits before
raising. On PostgreSQL, a transaction refused for a reason a re-run settles (here a unique violation)
runs again and then sees the winner's row."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from arrears.domain import Doc
from arrears.domain.errors import InvalidRequest
from arrears.store import open_store, shown
from arrears.store.base import CommitThenRaise, Store, Tx
from arrears.store.postgres import PostgresStore
from arrears.store.query import Cond, Filter, Page
from tests.store.backends import STORE_BACKENDS, database_url, open_stores
from tests.support.postgres import PostgresMissing, find_bin

T = TypeVar("T")


@pytest.fixture(params=STORE_BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend, the memory store's included."""
    return database_url(request, tmp_path)


def customer(n: int, **fields: Any) -> Doc:
    return {"id": f"cus_{n:04d}", "object": "customer", "created": 1_700_000_000 + n, "email": f"c{n}@example.com",
            "name": f"Customer {n}", "phone": None, "balance": 0, "metadata": {"tier": "gold" if n % 3 else "free"},
            **fields}


def run(url: str, body: Callable[[list[Store]], Awaitable[T]], stores: int = 1) -> T:
    async def main() -> T:
        opened = open_stores(url, stores)
        for store in opened:
            await store.open()
        try:
            return await body(opened)
        finally:
            for store in opened:
                await store.close()
    return asyncio.run(main())


def test_lists_filters_search_and_counts_answer_alike(database: str) -> None:
    async def body(stores: list[Store]) -> Any:
        [store] = stores

        async def fill(tx: Tx) -> None:
            for n in range(1, 31):
                await tx.insert("customers", customer(n))
        await store.write(fill)
        gold = Filter((Cond("metadata", "=", "gold", key="tier"),))

        async def query(tx: Tx) -> Any:
            first = await tx.list("customers", Filter(), Page(limit=7))
            second = await tx.list("customers", Filter(), Page(limit=7, starting_after=first.docs[-1]["id"]))
            back = await tx.list("customers", Filter(), Page(limit=3, ending_before=second.docs[0]["id"]))
            found, after = await tx.search("customers", gold, 5, None)
            more, _ = await tx.search("customers", gold, 5, after)
            some = Filter((Cond("email", "~", "c1"), Cond("created", ">", 1_700_000_012)))
            either = Filter((Cond("name", "=", "Customer 2"), Cond("email", "prefix", "c30")), any_of=True)
            return ([d["id"] for d in first.docs], first.has_more, [d["id"] for d in second.docs],
                    [d["id"] for d in back.docs], [d["id"] for d in found + more],
                    await tx.count("customers", gold), [d["id"] for d in (await tx.list("customers", some,
                                                                                    Page(limit=50))).docs],
                    [d["id"] for d in (await tx.list("customers", either, Page(limit=50))).docs])
        return await store.read(query)

    first, more, second, back, gold, count, some, either = run(database, body)
    assert first == [f"cus_{n:04d}" for n in range(30, 23, -1)] and more
    assert second == [f"cus_{n:04d}" for n in range(23, 16, -1)]
    assert back == [f"cus_{n:04d}" for n in range(26, 23, -1)]
    assert gold == [f"cus_{n:04d}" for n in range(29, 0, -1) if n % 3][:10]
    assert count == 20
    assert some == [f"cus_{n:04d}" for n in (19, 18, 17, 16, 15, 14, 13)]
    assert either == ["cus_0030", "cus_0002"]


@pytest.mark.parametrize("stores", [1, 2], ids=["one store", "two stores"])
def test_a_read_for_update_never_loses_a_concurrent_update(database: str, stores: int) -> None:
    async def add_one(tx: Tx) -> None:
        doc = await tx.get("customers", "cus_0001", for_update=True)
        assert doc is not None
        doc["balance"] += 1
        await tx.update("customers", doc)

    async def body(opened: list[Store]) -> int:
        async def insert(tx: Tx) -> None:
            await tx.insert("customers", customer(1))
        await opened[0].write(insert)
        await asyncio.gather(*(opened[i % len(opened)].write(add_one) for i in range(60)))
        found = await opened[0].read(lambda tx: tx.get("customers", "cus_0001"))
        assert found is not None
        return int(found["balance"])

    assert run(database, body, stores) == 60


def test_updates_after_a_read_for_update_keep_columns_and_data_agreeing(database: str) -> None:
    """An update of a row read for update sets only the indexed columns that changed (sql.Updates):
    filters on the changed and on the unchanged columns still find what ``data`` says, after two
    updates in one transaction and after an update of a row not read for update."""
    async def body(stores: list[Store]) -> Any:
        [store] = stores

        async def setup(tx: Tx) -> None:
            await tx.insert("customers", customer(1))
            await tx.insert("customers", customer(2))
        await store.write(setup)

        async def change(tx: Tx) -> None:
            one = await tx.get("customers", "cus_0001", for_update=True)
            assert one is not None
            one["name"] = "Renamed"
            await tx.update("customers", one)
            one["email"] = "new@example.com"
            await tx.update("customers", one)
            two = await tx.get("customers", "cus_0002")  # not for update: every column is set
            assert two is not None
            two["email"] = "two@example.com"
            await tx.update("customers", two)
        await store.write(change)

        async def query(tx: Tx) -> Any:
            def ids(found: Any) -> list[str]:
                return [d["id"] for d in found.docs]
            by = {f: ids(await tx.list("customers", Filter((Cond(c, "=", v),)), Page(limit=10)))
                  for f, (c, v) in {"renamed": ("name", "Renamed"), "old name": ("name", "Customer 1"),
                                    "new email": ("email", "new@example.com"),
                                    "old email": ("email", "c1@example.com"),
                                    "two": ("email", "two@example.com"),
                                    "created": ("created", 1_700_000_001)}.items()}
            return by, await tx.get("customers", "cus_0001")
        return await store.read(query)

    by, doc = run(database, body)
    assert by == {"renamed": ["cus_0001"], "old name": [], "new email": ["cus_0001"], "old email": [],
                  "two": ["cus_0002"], "created": ["cus_0001"]}
    assert doc["name"] == "Renamed" and doc["email"] == "new@example.com"


def test_a_command_reads_its_own_writes_in_the_order_it_made_them(database: str) -> None:
    """PostgreSQL sends a command's writes together (postgres.Writes) when it next reads what it wrote
    or ends; what the command reads is still what it wrote, in the order it wrote it, and a row
    written twice holds the second write."""
    async def command(tx: Tx) -> Any:
        for n in (1, 2, 3):
            await tx.insert("customers", customer(n))
        first = await tx.get("customers", "cus_0002")
        assert first is not None
        first["name"] = "Two"
        await tx.update("customers", first)
        first["name"] = "Deux"
        await tx.update("customers", first)
        await tx.insert("customers", customer(4))
        listed = [d["id"] for d in (await tx.list("customers", Filter(), Page(limit=10))).docs]
        await tx.delete("customers", "cus_0001")
        gone = await tx.get("customers", "cus_0001")
        return listed, gone, await tx.count("customers", Filter())

    async def body(stores: list[Store]) -> Any:
        [store] = stores
        inside = await store.write(command)
        after = await store.read(lambda tx: tx.get("customers", "cus_0002"))
        return inside, after

    (listed, gone, count), after = run(database, body)
    assert listed == ["cus_0004", "cus_0003", "cus_0002", "cus_0001"]
    assert gone is None and count == 3
    assert after is not None and after["name"] == "Deux"


def test_a_command_that_must_keep_its_work_commits_then_raises(database: str) -> None:
    async def declined(tx: Tx) -> None:
        await tx.insert("customers", customer(7))
        raise CommitThenRaise(InvalidRequest("kept, then refused"))

    async def body(stores: list[Store]) -> Doc | None:
        [store] = stores
        with pytest.raises(InvalidRequest, match="kept, then refused"):
            await store.write(declined)
        return await store.read(lambda tx: tx.get("customers", "cus_0007"))

    assert run(database, body) is not None


def test_a_command_that_raises_leaves_none_of_its_writes(database: str) -> None:
    async def setup(tx: Tx) -> None:
        await tx.insert("customers", customer(1))
        await tx.insert("customers", customer(2))

    async def refused(tx: Tx) -> None:
        await tx.insert("customers", customer(3))
        one = await tx.get("customers", "cus_0001", for_update=True)
        assert one is not None
        one["name"] = "Changed"
        await tx.update("customers", one)
        await tx.delete("customers", "cus_0002")
        raise InvalidRequest("refused after writing")

    async def body(stores: list[Store]) -> Any:
        [store] = stores
        await store.write(setup)
        with pytest.raises(InvalidRequest, match="refused after writing"):
            await store.write(refused)

        async def look(tx: Tx) -> Any:
            return [d["name"] for d in (await tx.list("customers", Filter(), Page(limit=10))).docs]
        return await store.read(look)

    assert run(database, body) == ["Customer 2", "Customer 1"]


def test_postgres_reruns_a_transaction_that_lost_a_unique_race(pg_cluster: Any) -> None:
    url = pg_cluster.create_database("rerun")
    runs: list[str] = []

    def claim(who: str) -> Callable[[Tx], Awaitable[str]]:
        async def fn(tx: Tx) -> str:
            runs.append(who)
            found = await tx.get("idempotency_keys", "idem_k")
            if found is not None:
                return f"{who} found {found['owner']}"
            await asyncio.sleep(0.05)  # both have looked and found nothing
            await tx.insert("idempotency_keys", {"id": "idem_k", "created": 1, "owner": who})
            return f"{who} inserted"
        return fn

    async def body(stores: list[Store]) -> list[str]:
        a, b = stores
        return list(await asyncio.gather(a.write(claim("a")), b.write(claim("b"))))

    results = run(url, body, stores=2)
    assert sorted(r.split()[1] for r in results) == ["found", "inserted"]
    assert len(runs) == 3  # the loser ran twice
    winner = next(r.split()[0] for r in results if r.endswith("inserted"))
    assert all(r.endswith(f"found {winner}") for r in results if "found" in r)


def test_a_password_in_a_database_url_is_never_printed() -> None:
    assert shown("postgresql://arrears:s3cret@db:5432/arrears") == "postgresql://arrears:***@db:5432/arrears"
    assert shown("postgresql://arrears@db/arrears") == "postgresql://arrears@db/arrears"


def test_postgres_store_is_picked_for_postgres_urls() -> None:
    assert isinstance(open_store("postgresql://u@127.0.0.1:5432/db"), PostgresStore)
    assert isinstance(open_store("postgres://u@127.0.0.1:5432/db"), PostgresStore)
    with pytest.raises(ValueError, match="postgresql://"):
        open_store("mysql://u@h/db")


def test_a_missing_postgres_fails_the_suite_with_the_command_that_installs_it(tmp_path: Path) -> None:
    with pytest.raises(PostgresMissing, match=r"sudo apt-get install postgresql.*make test"):
        find_bin([str(tmp_path), ""])
