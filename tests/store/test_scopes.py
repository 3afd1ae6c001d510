"""Account isolation at the storage seam, on every backend (SQLite, PostgreSQL, memory): a transaction
of one account neither sees nor changes another account's rows (or its own in the other mode) whatever
the query, the SYSTEM scope sees every account but creates account data only as its owner, and the
accounts' own tables are SYSTEM's alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from arrears.store.base import OPEN, SYSTEM, Scope, ScopeError, Store, Tx
from arrears.store.query import Cond, Filter, Group, Page
from tests.store.backends import STORE_BACKENDS, database_url, open_stores

T = TypeVar("T")
ALPHA, BRAVO, ALPHA_LIVE = Scope("acct_alpha"), Scope("acct_bravo"), Scope("acct_alpha", True)


@pytest.fixture(params=STORE_BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend, the memory store's included."""
    return database_url(request, tmp_path)


def customer(n: int, name: str) -> dict[str, Any]:
    return {"id": f"cus_{n:04d}", "object": "customer", "created": 1_700_000_000 + n, "email": f"c{n}@example.com",
            "name": name, "phone": None, "metadata": {"who": name}}


def run(url: str, body: Callable[[Store], Awaitable[T]]) -> T:
    async def main() -> T:
        [store] = open_stores(url)
        await store.open()
        try:
            return await body(store)
        finally:
            await store.close()
    return asyncio.run(main())


async def fill(store: Store) -> None:
    for n, (scope, name) in enumerate([(ALPHA, "alpha"), (ALPHA, "alpha"), (BRAVO, "bravo"), (ALPHA_LIVE, "live")]):
        async def insert(tx: Tx, n: int = n, name: str = name) -> None:
            await tx.insert("customers", customer(n, name))
        await store.write(insert, scope=scope)


def test_a_scope_sees_only_its_own_rows_whatever_the_query(database: str) -> None:
    async def body(store: Store) -> dict[Scope, Any]:
        await fill(store)

        async def look(tx: Tx) -> Any:
            either = Filter((Cond("name", "=", "bravo"), Cond("name", "=", "alpha")), any_of=True)
            return (
                [await tx.get("customers", f"cus_{n:04d}") is not None for n in range(4)],
                sorted(d["id"] for d in (await tx.list("customers", either, Page(limit=10))).docs),
                sorted(d["id"] for d in (await tx.search("customers", Filter(), 10, None))[0]),
                await tx.count("customers", Filter()),
                await tx.aggregate("customers", (Group("name"),), "created", Filter()),
                [d["id"] for d in (await tx.list("customers", Filter(), Page(starting_after="cus_0003"))).docs],
            )
        return {scope: await store.read(look, scope=scope) for scope in (ALPHA, BRAVO, ALPHA_LIVE, SYSTEM)}

    seen = run(database, body)
    assert seen[ALPHA][0] == [True, True, False, False]
    assert seen[ALPHA][1:4] == (["cus_0000", "cus_0001"], ["cus_0000", "cus_0001"], 2)
    assert [row[0] for row in seen[ALPHA][4]] == ["alpha"]
    assert seen[BRAVO][0] == [False, False, True, False] and seen[BRAVO][3] == 1
    assert seen[ALPHA_LIVE][0] == [False, False, False, True] and seen[ALPHA_LIVE][3] == 1
    assert seen[ALPHA][5] == []  # another account's id as a cursor finds nothing
    assert seen[SYSTEM][0] == [True] * 4 and seen[SYSTEM][3] == 4


def test_a_scope_cannot_change_or_delete_another_accounts_row(database: str) -> None:
    async def body(store: Store) -> Any:
        await fill(store)

        async def tamper(tx: Tx) -> None:
            await tx.update("customers", {**customer(2, "bravo"), "name": "taken over"})
            await tx.delete("customers", "cus_0002")
        await store.write(tamper, scope=ALPHA)
        return await store.read(lambda tx: tx.get("customers", "cus_0002"), scope=BRAVO)

    assert run(database, body)["name"] == "bravo"


def test_system_sees_everything_but_creates_account_data_only_as_its_owner(database: str) -> None:
    async def body(store: Store) -> Any:
        await fill(store)

        async def create_bare(tx: Tx) -> None:
            await tx.insert("customers", customer(9, "nobody"))
        with pytest.raises(ScopeError):
            await store.write(create_bare, scope=SYSTEM)

        async def as_owner(tx: Tx) -> Scope | None:
            owner = await tx.owner("customers", "cus_0002")
            assert owner is not None
            await tx.within(owner).insert("customers", customer(9, "bravo's too"))
            return owner
        owner = await store.write(as_owner, scope=SYSTEM)
        return owner, await store.read(lambda tx: tx.count("customers", Filter()), scope=BRAVO)

    assert run(database, body) == (BRAVO, 2)


def test_one_account_cannot_act_for_another_or_read_the_key_tables(database: str) -> None:
    async def body(store: Store) -> None:
        async def escape(tx: Tx) -> None:
            await tx.within(BRAVO).get("customers", "cus_0002")
        with pytest.raises(ScopeError):
            await store.read(escape, scope=ALPHA)
        with pytest.raises(ScopeError):
            await store.read(lambda tx: tx.list("api_keys", Filter(), Page()), scope=ALPHA)

    run(database, body)


def test_a_store_call_without_a_scope_is_the_default_account_in_test_mode(database: str) -> None:
    async def body(store: Store) -> Any:
        await store.write(lambda tx: tx.insert("customers", customer(1, "open")))
        return await store.read(lambda tx: tx.owner("customers", "cus_0001"), scope=SYSTEM)

    assert run(database, body) == OPEN
