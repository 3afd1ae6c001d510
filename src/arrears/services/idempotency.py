"""Idempotent writes (Stripe's ``Idempotency-Key``): the first result of a write is stored under its key
and replayed to a retry with the same parameters, for 24 hours; a retry with other parameters is refused.

Below the faces, so any face can use it: a face computes the request's ``fingerprint``, wraps its
transaction function with ``idempotent``, and answers a ``Replayed`` as the stored reply. The record is
claimed in the write's own transaction, before the work, so two concurrent requests with one key execute
once. A failure whose work was kept (``CommitThenRaise``) is stored with that work; a failure that rolled
the work back is stored afterwards, in a second transaction (``remember_failure``), as Stripe stores the
result of every request whose execution began. ``prune`` forgets records older than the TTL."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from arrears.domain import Doc
from arrears.domain.errors import ArrearsError, IdempotencyError
from arrears.store.base import OPEN, CommitThenRaise, Scope, Store, Tx
from arrears.store.query import Cond, Filter, Page

TABLE = "idempotency_keys"
IDEMPOTENCY_TTL = 24 * 3600  # seconds a stored result is replayed; then the key runs anew
MAX_KEY_LENGTH = 255
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Replayed:
    """The stored reply of an earlier request with the same key and parameters."""

    status: int
    body: Doc
    request_id: str  # the request that produced it (Stripe's Original-Request header)


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    """What a retry must repeat to be replayed: the method, the path and the validated parameters."""
    return hashlib.sha256(orjson.dumps([method, path, params], option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_id(key: str, scope: Scope) -> str:
    """The stored result's id: keys are the account's own, as on Stripe (the default account's test mode
    keeps the form it had before accounts)."""
    if scope == OPEN:
        return "idem_" + key
    return f"idem_{scope.account}_{'live' if scope.livemode else 'test'}_{key}"


def idempotent(stored: str, key: str, fp: str, now: int, request_id: str, execute: Callable[[Tx], Awaitable[R]],
               render_error: Callable[[ArrearsError], tuple[int, Doc]]) -> Callable[[Tx], Awaitable[R | Replayed]]:
    """Wrap the write ``execute`` so that its first result is stored under ``stored`` (a ``record_id``) and
    replayed for retries with the same fingerprint ``fp``. ``render_error`` is the face's error table, for
    a failure stored with its kept work."""

    async def run(tx: Tx) -> R | Replayed:
        prior = await tx.get(TABLE, stored)
        if prior is not None and prior["created"] > now - IDEMPOTENCY_TTL:
            if prior["fingerprint"] != fp:
                raise IdempotencyError(
                    "Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different request.")
            return Replayed(prior["status"], prior["body"], prior["request_id"])
        if prior is not None:
            await tx.delete(TABLE, stored)
        # Claim the key before executing: on PostgreSQL a concurrent request with the same key waits on
        # this row's unique index, then re-runs (store retry) and replays what this one stored.
        record = {"id": stored, "created": now, "fingerprint": fp, "status": 0, "body": None,
                  "request_id": request_id}
        await tx.insert(TABLE, record)
        try:
            result = await execute(tx)
        except CommitThenRaise as keep:  # the work is kept, so is its failure for the retries
            status, body = render_error(keep.error)
            await tx.update(TABLE, {**record, "status": status, "body": body})
            raise
        await tx.update(TABLE, {**record, "status": 200, "body": result})
        return result

    return run


async def remember_failure(store: Store, scope: Scope, key: str, fp: str, now: int, request_id: str, status: int,
                           body: Doc) -> None:
    """Store the failed reply of a request whose execution began and whose work rolled back, unless the
    key already holds a result."""
    stored = record_id(key, scope)

    async def run(tx: Tx) -> None:
        if await tx.get(TABLE, stored) is None:
            await tx.insert(TABLE, {"id": stored, "created": now, "fingerprint": fp, "status": status, "body": body,
                                    "request_id": request_id})

    await store.write(run, scope=scope, kind="RememberIdempotentFailure")


async def prune(tx: Tx, now: int, limit: int = 1000) -> int:
    """Forget up to ``limit`` results older than the TTL (in the scope the transaction runs in); how many."""
    old = await tx.list(TABLE, Filter((Cond("created", "<", now - IDEMPOTENCY_TTL),)), Page(limit=limit))
    for record in old.docs:
        await tx.delete(TABLE, record["id"])
    return len(old.docs)
