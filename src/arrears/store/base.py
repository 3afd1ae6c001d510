"""The storage seam. Services see only ``Tx``; the app sees only ``Store``.

A ``Store`` runs a function inside one transaction: ``write`` for a command (committed before the
caller hears back), ``read`` for queries. A function that raises rolls its writes back, except when it
raises ``domain.errors.CommitThenRaise``: then its writes are committed and the wrapped error raised.
Backends: ``sqlite.SqliteStore`` (group commit) and ``postgres.PostgresStore`` (asyncpg; ``for_update``
takes a row lock; a refused transaction runs ``fn`` again, so ``fn`` must have no effect outside the
transaction). Objects are JSON documents with a few indexed columns (``tables.py``).
"""

from __future__ import annotations

import builtins
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from arrears.store.query import Filter, Group, Page, PageResult

Doc = dict[str, Any]
T = TypeVar("T")


class Tx(Protocol):
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


TxFn = Callable[[Tx], Awaitable[T]]


class Store(Protocol):
    url: str

    async def write(self, fn: Callable[[Tx], Awaitable[T]]) -> T: ...

    async def read(self, fn: Callable[[Tx], Awaitable[T]]) -> T: ...

    async def open(self) -> None: ...

    async def migrate(self, progress: Callable[[str], None] | None = None) -> list[str]:
        """Bring the schema to head; the names of the migrations applied."""
        ...

    async def pending_migrations(self) -> list[str]: ...

    async def close(self) -> None: ...
