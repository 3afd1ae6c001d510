"""The storage seam. Services see only ``Tx``; the app sees only ``Store``.

A ``Store`` runs a function inside one transaction: ``write`` for a command (committed before the
caller hears back), ``read`` for queries. A function that raises rolls its writes back, except when it
raises ``CommitThenRaise``: then its writes are committed and the wrapped error raised. ``write`` takes
the command's name as ``kind`` (SQLite keeps its rehearsal odds per kind; ``rehearsal.py``).
Backends: ``sqlite.SqliteStore`` (group commit) and ``postgres.PostgresStore`` (asyncpg; ``for_update``
takes a row lock; a refused transaction runs ``fn`` again, so ``fn`` must have no effect outside the
transaction). Objects are JSON documents with a few indexed columns (``tables.py``).

Every transaction runs in a ``Scope``: the account and mode a request was authenticated to. A scoped
Tx adds ``account_id = … AND livemode = …`` to every statement on an account's tables and sets both on
every insert, so a service cannot read or touch another account's rows and needs no filter of its own.
``SYSTEM`` is the scope of background work (webhook delivery, pruning, schedulers): it sees every
account and may update rows, but it cannot create account data; it asks ``owner`` whose a row is and
works on ``within(scope)``, the same transaction seen as that account. A caller that names no scope
gets ``OPEN``, the default account in test mode, which is what open mode serves (ADR 0006).
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from arrears.domain import Doc
from arrears.store.query import Filter, Group, Page, PageResult

if TYPE_CHECKING:
    from arrears.domain.errors import ArrearsError

T = TypeVar("T")
DEFAULT_ACCOUNT = "acct_default"


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose data a transaction sees: one account in one mode, or every account (``account`` None)."""

    account: str | None
    livemode: bool = False

    @property
    def system(self) -> bool:
        return self.account is None


SYSTEM = Scope(None)
OPEN = Scope(DEFAULT_ACCOUNT, False)


class ScopeError(RuntimeError):
    """A transaction tried to leave its scope: a programming error, never a client's."""


class CommitThenRaise(Exception):  # noqa: N818 - a signal to the store, not an error name
    """Raised by a command whose work must be kept although the request fails (a declined payment is
    recorded): the store commits the transaction, then raises ``error`` to the caller."""

    def __init__(self, error: ArrearsError) -> None:
        super().__init__(error.message)
        self.error = error


class Tx(Protocol):
    scope: Scope

    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None: ...

    async def insert(self, table: str, doc: Doc) -> None: ...

    async def update(self, table: str, doc: Doc) -> None: ...

    async def delete(self, table: str, obj_id: str) -> None: ...

    async def list(self, table: str, flt: Filter, page: Page) -> PageResult: ...

    async def search(
        self, table: str, flt: Filter, limit: int, after_seq: int | None
    ) -> tuple[builtins.list[Doc], int | None]:
        """Up to ``limit`` docs newest first, older than ``after_seq``; and the seq to resume after."""
        ...

    async def count(self, table: str, flt: Filter) -> int: ...

    async def aggregate(
        self, table: str, groups: tuple[Group, ...], total: str, flt: Filter
    ) -> builtins.list[tuple[Any, ...]]:
        """Rows of (key..., sum of ``total``) grouped by ``groups``: reports aggregate in SQL."""
        ...

    async def owner(self, table: str, obj_id: str) -> Scope | None:
        """The scope a row belongs to (None when there is no such row in this Tx's view)."""
        ...

    def within(self, scope: Scope) -> Tx:
        """This transaction seen as ``scope``; only a SYSTEM Tx may narrow itself to an account."""
        ...


TxFn = Callable[[Tx], Awaitable[T]]


class Store(Protocol):
    url: str

    async def write(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN, kind: str | None = None) -> T:
        """Run ``fn`` in one transaction and commit before returning its result. ``fn`` may run more
        than once (PostgreSQL re-runs a transaction it refused; SQLite rehearses it outside the write
        lock): only the writes of the run that counts are kept, so ``fn`` must do nothing but its
        ``Tx`` calls and computing its result. ``kind``: the command's name (an operationId), the same
        for every call of one command; SQLite rehearses only writes that have one, with odds kept per
        kind. Other backends ignore it."""
        ...

    async def read(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN) -> T: ...

    async def open(self) -> None: ...

    async def migrate(self, progress: Callable[[str], None] | None = None) -> list[str]:
        """Bring the schema to head; the names of the migrations applied."""
        ...

    async def pending_migrations(self) -> list[str]: ...

    async def close(self) -> None: ...


def run_sync(coro: Awaitable[T]) -> T:
    """Run a transaction function's coroutine to its end, which it reaches without suspending: the
    SQLite and memory stores run a command in one step, so ``fn`` may await nothing but its Tx calls."""
    try:
        coro.send(None)  # type: ignore[attr-defined]  # a coroutine: every TxFn is an ``async def``
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()  # type: ignore[attr-defined]
    raise RuntimeError("a transaction function awaited something outside the store")
