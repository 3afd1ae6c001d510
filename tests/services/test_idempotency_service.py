"""The idempotency service (services/idempotency.py) without a server: what a retry must repeat to be
replayed (the fingerprint), whose key it is (the record id), what a replay gives back, and how long a
result is kept (the TTL, and the prune that forgets it). Over the memory store (store/memory.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from arrears.domain import Doc
from arrears.domain.errors import ArrearsError, CardError, IdempotencyError
from arrears.services import idempotency
from arrears.services.idempotency import IDEMPOTENCY_TTL, Replayed
from arrears.store.base import OPEN, CommitThenRaise, Scope, Tx
from arrears.store.memory import MemoryStore

T = TypeVar("T")
NOW = 1_800_000_000
FP = idempotency.fingerprint("POST", "/v1/customers", {"email": "a@example.com"})


def render_error(exc: ArrearsError) -> tuple[int, Doc]:
    return 402, {"error": {"message": exc.message}}


class Counted:
    """A write that inserts one customer per execution and answers it."""

    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self, tx: Tx) -> Doc:
        self.runs += 1
        doc = {"id": f"cus_{self.runs}", "object": "customer", "created": NOW}
        await tx.insert("customers", doc)
        return doc


def run(store: MemoryStore, fn: Callable[[Tx], Awaitable[T]], scope: Scope = OPEN) -> T:
    return asyncio.run(store.write(fn, scope=scope))


def keyed(execute: Callable[[Tx], Awaitable[Any]], *, now: int = NOW, fp: str = FP, request_id: str = "req_1",
          key: str = "k1", scope: Scope = OPEN) -> Callable[[Tx], Awaitable[Any]]:
    return idempotency.idempotent(idempotency.record_id(key, scope), key, fp, now, request_id, execute, render_error)


def stored(store: MemoryStore, key: str = "k1", scope: Scope = OPEN) -> Doc | None:
    async def get(tx: Tx) -> Doc | None:
        return await tx.get("idempotency_keys", idempotency.record_id(key, scope))
    return asyncio.run(store.read(get, scope=scope))


def test_the_fingerprint_is_the_same_for_the_same_request_whatever_the_order_of_its_parameters() -> None:
    one = {"email": "a@example.com", "metadata": {"x": "1", "y": "2"}}
    other = {"metadata": {"y": "2", "x": "1"}, "email": "a@example.com"}
    assert idempotency.fingerprint("POST", "/v1/c", one) == idempotency.fingerprint("POST", "/v1/c", other)


@pytest.mark.parametrize("method, path, params", [
    ("POST", "/v1/customers", {"email": "b@example.com"}),  # another value
    ("POST", "/v1/customers", {"email": "a@example.com", "name": "A"}),  # one parameter more
    ("POST", "/v1/customers/cus_1", {"email": "a@example.com"}),  # another path
    ("DELETE", "/v1/customers", {"email": "a@example.com"}),  # another method
])
def test_the_fingerprint_differs_when_the_method_the_path_or_a_parameter_differs(
        method: str, path: str, params: dict[str, Any]) -> None:
    assert idempotency.fingerprint(method, path, params) != FP


def test_a_key_of_the_default_account_in_test_mode_keeps_its_plain_record_id() -> None:
    assert idempotency.record_id("k1", OPEN) == "idem_k1"


def test_one_key_names_a_record_of_its_own_per_account_and_mode() -> None:
    ids = {idempotency.record_id("k1", scope) for scope in (
        OPEN, Scope("acct_a", False), Scope("acct_a", True), Scope("acct_b", False))}
    assert len(ids) == 4
    assert idempotency.record_id("k1", Scope("acct_a", True)) == "idem_acct_a_live_k1"
    assert idempotency.record_id("k1", Scope("acct_a", False)) == "idem_acct_a_test_k1"


def test_a_retry_with_the_same_parameters_replays_the_first_result_without_executing_again() -> None:
    store, execute = MemoryStore(), Counted()
    first = run(store, keyed(execute, request_id="req_first"))
    again = run(store, keyed(execute, now=NOW + 60, request_id="req_again"))
    assert execute.runs == 1
    assert first == {"id": "cus_1", "object": "customer", "created": NOW}
    assert again == Replayed(200, first, "req_first")


def test_a_retry_with_other_parameters_is_refused_and_executes_nothing() -> None:
    store, execute = MemoryStore(), Counted()
    run(store, keyed(execute))
    other = idempotency.fingerprint("POST", "/v1/customers", {"email": "b@example.com"})
    with pytest.raises(IdempotencyError, match="same parameters they were first used with"):
        run(store, keyed(execute, fp=other))
    assert execute.runs == 1


def test_the_same_key_in_another_account_executes_on_its_own() -> None:
    store, execute = MemoryStore(), Counted()
    run(store, keyed(execute))
    elsewhere = Scope("acct_b", False)
    assert not isinstance(run(store, keyed(execute, scope=elsewhere), scope=elsewhere), Replayed)
    assert execute.runs == 2


def test_a_result_is_replayed_until_the_ttl_has_passed_then_the_key_runs_anew() -> None:
    store, execute = MemoryStore(), Counted()
    run(store, keyed(execute, request_id="req_first"))
    assert isinstance(run(store, keyed(execute, now=NOW + IDEMPOTENCY_TTL - 1)), Replayed)
    anew = run(store, keyed(execute, now=NOW + IDEMPOTENCY_TTL, request_id="req_later"))
    assert anew == {"id": "cus_2", "object": "customer", "created": NOW}
    assert execute.runs == 2
    record = stored(store)
    assert record is not None and (record["created"], record["request_id"]) == (NOW + IDEMPOTENCY_TTL, "req_later")


def test_a_failure_whose_work_is_kept_is_stored_with_it_and_replayed() -> None:
    store = MemoryStore()

    async def declined(tx: Tx) -> Doc:
        await tx.insert("customers", {"id": "cus_kept", "object": "customer", "created": NOW})
        raise CommitThenRaise(CardError("Your card was declined.", code="card_declined"))

    with pytest.raises(CardError):
        run(store, keyed(declined, request_id="req_declined"))
    assert asyncio.run(store.read(lambda tx: tx.get("customers", "cus_kept"))) is not None
    assert run(store, keyed(declined)) == Replayed(402, {"error": {"message": "Your card was declined."}},
                                                  "req_declined")


def test_a_remembered_failure_is_replayed_but_never_overwrites_a_stored_result() -> None:
    store, execute = MemoryStore(), Counted()
    failure = {"error": {"message": "No such customer: 'cus_x'"}}
    asyncio.run(idempotency.remember_failure(store, OPEN, "k2", FP, NOW, "req_failed", 404, failure))
    assert run(store, keyed(execute, key="k2")) == Replayed(404, failure, "req_failed")
    first = run(store, keyed(execute, key="k3", request_id="req_ok"))
    asyncio.run(idempotency.remember_failure(store, OPEN, "k3", FP, NOW, "req_failed", 404, failure))
    assert run(store, keyed(execute, key="k3")) == Replayed(200, first, "req_ok")
    assert execute.runs == 1


def test_prune_forgets_the_results_older_than_the_ttl_and_keeps_the_others() -> None:
    store, execute = MemoryStore(), Counted()
    run(store, keyed(execute, key="old", now=NOW - IDEMPOTENCY_TTL - 1))
    run(store, keyed(execute, key="young", now=NOW - IDEMPOTENCY_TTL + 1))
    assert run(store, lambda tx: idempotency.prune(tx, NOW)) == 1
    assert stored(store, "old") is None
    assert stored(store, "young") is not None
