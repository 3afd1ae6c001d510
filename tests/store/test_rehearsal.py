"""The SQLite rehearsal (store/rehearsal.py) through a real SqliteStore, no HTTP: a write of a kind is
rehearsed outside the lock and replayed under it while what it read holds, else it falls back to running
under the lock; odds per kind; writes without a kind and stores with the rehearsal off never rehearse; and
each way a request ends (``Done``, ``Keep``, ``Refused``, ``Failed``) reaches its caller as it should."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from arrears.domain import Doc
from arrears.domain.errors import CardError, InvalidRequest
from arrears.store import open_store
from arrears.store.base import CommitThenRaise, Tx
from arrears.store.query import Filter, Page
from arrears.store.rehearsal import Record
from arrears.store.sqlite import Done, Failed, Keep, Refused, SqliteStore, answer, replayed
from tests.store import sqlite_support
from tests.store.sqlite_support import customer, insert

T = TypeVar("T")
EVERYTHING = Filter()


def run(path: Path, body: Callable[[SqliteStore], Awaitable[T]], **options: Any) -> T:
    """``sqlite_support.run``, failing after 20 s: a wedged drain fails its test instead of hanging."""
    return sqlite_support.run(path, body, timeout=20, **options)


async def get(store: SqliteStore, obj_id: str) -> Doc | None:
    async def fn(tx: Tx) -> Doc | None:
        return await tx.get("customers", obj_id)
    return await store.read(fn)


async def stored_ids(store: SqliteStore) -> list[str]:
    async def fn(tx: Tx) -> list[str]:
        return sorted(d["id"] for d in (await tx.list("customers", EVERYTHING, Page(limit=100))).docs)
    return await store.read(fn)


# --- rehearse, replay, fall back ------------------------------------------------------------------

def add_to_balance(cus: str, amount: int) -> Callable[[Tx], Awaitable[int]]:
    async def fn(tx: Tx) -> int:
        doc = await tx.get("customers", cus, for_update=True)
        if doc is None:
            raise InvalidRequest(f"No such customer: '{cus}'")
        doc["balance"] = doc.get("balance", 0) + amount
        await tx.update("customers", doc)
        return int(doc["balance"])
    return fn


def test_independent_writes_are_rehearsed_outside_the_lock_and_applied_under_it(tmp_path: Path) -> None:
    async def body(store: SqliteStore) -> tuple[list[int], list[Any], dict[str, int]]:
        await insert(store, *(customer(n, balance=0) for n in range(8)))
        before = dict(store.rehearsal.counts)
        results = await asyncio.gather(*(store.write(add_to_balance(f"cus_{n:04d}", n), kind="add")
                                         for n in range(8)))
        stored = [(await get(store, f"cus_{n:04d}") or {}).get("balance") for n in range(8)]
        return results, stored, {k: store.rehearsal.counts[k] - before[k] for k in before}

    results, stored, counts = run(tmp_path / "a.db", body)
    assert results == list(range(8)) and stored == list(range(8))
    assert counts == {"rehearsed": 8, "replayed": 8, "fallback": 0}


def test_writes_that_read_what_an_earlier_one_of_the_batch_changed_run_again_under_the_lock(
        tmp_path: Path) -> None:
    """Ten increments of one balance in one batch: each rehearsal read the committed balance, so only
    the first still holds under the lock; the others run there again and nothing is lost."""
    async def body(store: SqliteStore) -> tuple[list[int], Any, dict[str, int]]:
        await insert(store, customer(1, balance=0))
        before = dict(store.rehearsal.counts)
        results = await asyncio.gather(*(store.write(add_to_balance("cus_0001", 1), kind="add") for _ in range(10)))
        final = (await get(store, "cus_0001") or {}).get("balance")
        return results, final, {k: store.rehearsal.counts[k] - before[k] for k in before}

    results, final, counts = run(tmp_path / "a.db", body)
    assert sorted(results) == list(range(1, 11)) and final == 10
    assert counts["replayed"] >= 1 and counts["fallback"] >= 1
    assert counts["replayed"] + counts["fallback"] == 10


def test_a_rehearsed_refusal_stands_only_while_what_it_read_does(tmp_path: Path) -> None:
    """A command refused in its rehearsal (no such customer) succeeds when an earlier request of its
    batch creates the customer; refused again where nothing changed, it writes nothing."""
    async def body(store: SqliteStore) -> list[Any]:
        created = store.write(lambda tx: tx.insert("customers", customer(5, balance=0)), kind="create")
        return list(await asyncio.gather(created, store.write(add_to_balance("cus_0005", 3), kind="add"),
                                         store.write(add_to_balance("cus_0006", 3), kind="add"),
                                         return_exceptions=True))

    _, added, refused = run(tmp_path / "a.db", body)
    assert added == 3
    assert isinstance(refused, InvalidRequest) and "cus_0006" in refused.message


def test_a_function_reads_its_own_writes_and_a_query_after_a_write_runs_under_the_lock(tmp_path: Path) -> None:
    async def own_row(tx: Tx) -> Any:
        await tx.insert("customers", customer(7))
        doc = await tx.get("customers", "cus_0007", for_update=True)
        assert doc is not None
        doc["name"] = "Seven"
        await tx.update("customers", doc)
        return (await tx.get("customers", "cus_0007") or {}).get("name")

    async def listing_after_write(tx: Tx) -> list[str]:
        await tx.insert("customers", customer(8))
        return [d["id"] for d in (await tx.list("customers", EVERYTHING, Page(limit=10))).docs]

    async def body(store: SqliteStore) -> tuple[Any, Any, dict[str, int]]:
        before = dict(store.rehearsal.counts)
        name = await store.write(own_row, kind="own_row")
        listed = await store.write(listing_after_write, kind="listing_after_write")
        return name, listed, {k: store.rehearsal.counts[k] - before[k] for k in before}

    name, listed, counts = run(tmp_path / "a.db", body)
    assert name == "Seven" and listed == ["cus_0008", "cus_0007"]
    assert counts == {"rehearsed": 2, "replayed": 1, "fallback": 1}


def test_a_key_taken_by_an_earlier_request_of_the_batch_fails_as_without_rehearsal(tmp_path: Path) -> None:
    async def body(store: SqliteStore) -> list[Any]:
        def make() -> Awaitable[None]:
            return store.write(lambda tx: tx.insert("customers", customer(9)), kind="create")
        return list(await asyncio.gather(make(), make(), return_exceptions=True))

    first, second = run(tmp_path / "a.db", body)
    assert first is None and isinstance(second, sqlite3.IntegrityError)


def test_a_kind_of_write_whose_rehearsals_keep_failing_stops_rehearsing_and_another_kind_does_not(
        tmp_path: Path) -> None:
    """Batches of increments of one balance (each rehearsal but the first of a batch fails) between
    batches of increments of separate balances (every rehearsal holds): the first kind soon runs under
    the lock without rehearsing, the second keeps rehearsing, and no increment is lost."""
    async def body(store: SqliteStore) -> tuple[Any, list[Any], int, int]:
        await insert(store, *(customer(n, balance=0) for n in range(6)))
        rehearsed_hot = rehearsed_cold = 0
        counts = store.rehearsal.counts
        for _ in range(12):
            before = counts["rehearsed"]
            await asyncio.gather(*(store.write(add_to_balance("cus_0000", 1), kind="hot") for _ in range(5)))
            rehearsed_hot += counts["rehearsed"] - before
            before = counts["rehearsed"]
            await asyncio.gather(*(store.write(add_to_balance(f"cus_{n:04d}", 1), kind="cold")
                                   for n in range(1, 6)))
            rehearsed_cold += counts["rehearsed"] - before
        balances = [(await get(store, f"cus_{n:04d}") or {}).get("balance") for n in range(6)]
        return balances[0], balances[1:], rehearsed_hot, rehearsed_cold

    hot, cold, rehearsed_hot, rehearsed_cold = run(tmp_path / "a.db", body)
    assert hot == 60 and cold == [12] * 5
    assert rehearsed_cold == 60
    assert rehearsed_hot < 20


def test_a_kind_that_stopped_rehearsing_leaves_another_kind_of_the_same_function_rehearsing(tmp_path: Path) -> None:
    """The odds belong to the kind named to ``write``, not to the function: every ``add_to_balance``
    closure has one ``__qualname__``, yet a new kind of it rehearses at once after "hot" stopped."""
    async def body(store: SqliteStore) -> tuple[int, dict[str, int], Any]:
        await insert(store, customer(0, balance=0))
        counts = store.rehearsal.counts
        for _ in range(12):  # each batch: five increments of one balance, all but one replay in vain
            await asyncio.gather(*(store.write(add_to_balance("cus_0000", 1), kind="hot") for _ in range(5)))
        before = counts["rehearsed"]
        await store.write(add_to_balance("cus_0000", 1), kind="hot")
        hot_alone = counts["rehearsed"] - before
        before = dict(counts)
        await store.write(add_to_balance("cus_0000", 1), kind="fresh")
        fresh = {k: counts[k] - before[k] for k in before}
        return hot_alone, fresh, (await get(store, "cus_0000") or {}).get("balance")

    hot_alone, fresh, balance = run(tmp_path / "a.db", body)
    assert hot_alone == 0  # "hot" no longer rehearses (but for a probe now and then)
    assert fresh == {"rehearsed": 1, "replayed": 1, "fallback": 0}
    assert balance == 62


def test_a_write_without_a_kind_is_never_rehearsed(tmp_path: Path) -> None:
    """Housekeeping, the dashboard and webhook delivery name no kind: they run under the lock, and no
    score is kept for them to share."""
    async def body(store: SqliteStore) -> tuple[list[int], dict[str, int]]:
        await insert(store, *(customer(n, balance=0) for n in range(8)))
        before = dict(store.rehearsal.counts)
        results = await asyncio.gather(*(store.write(add_to_balance(f"cus_{n:04d}", n)) for n in range(8)))
        return results, {k: store.rehearsal.counts[k] - before[k] for k in before}

    results, counts = run(tmp_path / "a.db", body)
    assert results == list(range(8))
    assert counts == {"rehearsed": 0, "replayed": 0, "fallback": 8}


def test_with_the_rehearsal_off_no_write_is_rehearsed_whatever_its_kind(tmp_path: Path) -> None:
    async def body(store: SqliteStore) -> tuple[list[int], dict[str, int]]:
        await insert(store, *(customer(n, balance=0) for n in range(8)))
        before = dict(store.rehearsal.counts)
        results = await asyncio.gather(*(store.write(add_to_balance(f"cus_{n:04d}", n), kind="add")
                                         for n in range(8)))
        return results, {k: store.rehearsal.counts[k] - before[k] for k in before}

    results, counts = run(tmp_path / "a.db", body, rehearsal=False)
    assert results == list(range(8))
    assert counts == {"rehearsed": 0, "replayed": 0, "fallback": 8}


def test_open_store_passes_the_rehearsal_switch_to_sqlite(tmp_path: Path) -> None:
    on = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    off = open_store(f"sqlite:///{tmp_path / 'b.db'}", rehearsal=False)
    assert isinstance(on, SqliteStore) and isinstance(off, SqliteStore)
    assert on.rehearsal.enabled and not off.rehearsal.enabled


@pytest.mark.parametrize(("value", "enabled"), [(None, True), ("on", True), ("off", False), ("0", False)])
def test_arrears_sqlite_rehearsal_reaches_the_servers_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, enabled: bool
) -> None:
    from arrears.app import build
    from arrears.config import from_env

    monkeypatch.setenv("ARREARS_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    if value is None:
        monkeypatch.delenv("ARREARS_SQLITE_REHEARSAL", raising=False)
    else:
        monkeypatch.setenv("ARREARS_SQLITE_REHEARSAL", value)
    settings = from_env()
    store = build(settings).state.env.store
    assert settings.sqlite_rehearsal is enabled
    assert isinstance(store, SqliteStore) and store.rehearsal.enabled is enabled


# --- how each request of a batch ends, as its caller hears it -------------------------------------

def inserting(n: int, then: BaseException | None = None) -> Callable[[Tx], Awaitable[str]]:
    """A write that inserts customer ``n``, then returns its id or raises ``then``."""
    async def fn(tx: Tx) -> str:
        await tx.insert("customers", customer(n))
        if then is not None:
            raise then
        return f"cus_{n:04d}"
    return fn


@pytest.mark.parametrize("rehearsal", [True, False], ids=["rehearsed", "under the lock only"])
def test_each_way_a_request_ends_reaches_its_caller_and_only_kept_work_is_committed(
    tmp_path: Path, rehearsal: bool
) -> None:
    declined = CardError("Your card was declined.", code="card_declined")
    refused = InvalidRequest("refused by what it read")
    bug = RuntimeError("a bug")

    async def body(store: SqliteStore) -> tuple[list[Any], list[str], dict[str, int]]:
        # Given one batch of four writes: a result (Done), kept work with an error (Keep), a domain
        # refusal (Refused when replayed, else a failure), and a bug (Failed)
        results = await asyncio.gather(
            store.write(inserting(1), kind="done"),
            store.write(inserting(2, CommitThenRaise(declined)), kind="keep"),
            store.write(inserting(3, refused), kind="refused"),
            store.write(inserting(4, bug), kind="failed"),
            return_exceptions=True)
        return list(results), await stored_ids(store), dict(store.rehearsal.counts)

    results, stored, counts = run(tmp_path / "a.db", body, rehearsal=rehearsal)
    # Then the result is answered, the kept work's caller gets the wrapped error, not the signal...
    assert results[0] == "cus_0001"
    assert results[1] is declined
    assert results[2] is refused and results[3] is bug
    # ...and only the work of the first two is committed
    assert stored == ["cus_0001", "cus_0002"]
    if rehearsal:  # three replayed from their rehearsals; the bug's rehearsal could not stand in
        assert counts == {"rehearsed": 4, "replayed": 3, "fallback": 1}


def test_a_replayed_record_ends_as_done_keep_or_refused_by_its_outcome() -> None:
    done, keep, refusal = Record("k"), Record("k"), Record("k")
    done.result = {"id": "in_1"}
    declined = CardError("declined", code="card_declined")
    keep.error = CommitThenRaise(declined)
    refusal.error = InvalidRequest("no")

    assert replayed(done) == Done({"id": "in_1"})
    assert replayed(keep) == Keep(declined)
    assert replayed(refusal) == Refused(refusal.error)
    assert done.keeps_writes and keep.keeps_writes and not refusal.keeps_writes


def test_answer_sets_a_result_for_done_and_raises_the_error_of_every_other_outcome() -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        error = InvalidRequest("no")
        outcomes = [Done(7), Keep(error), Refused(error), Failed(error)]
        futures = [loop.create_future() for _ in outcomes]
        for fut, outcome in zip(futures, outcomes, strict=True):
            answer(fut, outcome)
        gone = loop.create_future()
        gone.cancel()
        answer(gone, Done(8))  # a caller that went away is left alone
        return [fut.result() if fut.exception() is None else fut.exception() for fut in futures]

    seven, *errors = asyncio.run(main())
    assert seven == 7
    assert all(isinstance(e, InvalidRequest) for e in errors)
    assert [Done.keeps, Keep.keeps, Refused.keeps, Failed.keeps] == [True, True, False, False]


def test_commit_then_raise_lives_in_the_store_not_the_domain() -> None:
    from arrears.domain import errors

    assert not hasattr(errors, "CommitThenRaise")
