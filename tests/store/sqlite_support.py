"""Helpers of the SQLite store's tests (test_sqlite_store.py, test_rehearsal.py): a customer row, a store
opened around a test body, rows inserted in one write."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from arrears.domain import Doc
from arrears.store.base import Tx
from arrears.store.sqlite import SqliteStore

T = TypeVar("T")


def customer(n: int, **fields: Any) -> Doc:
    return {"id": f"cus_{n:04d}", "object": "customer", "created": 1_700_000_000 + n, "email": f"c{n}@example.com",
            "name": f"Customer {n}", "phone": None, "metadata": {}, **fields}


def run(path: Path, body: Callable[[SqliteStore], Awaitable[T]], *, timeout: float | None = None,
        **options: Any) -> T:
    """Open a store on ``path``, run ``body`` with it (failing after ``timeout`` seconds, if given), close it."""
    async def main() -> T:
        store = SqliteStore(str(path), **options)
        await store.open()
        try:
            return await asyncio.wait_for(body(store), timeout)
        finally:
            await store.close()
    return asyncio.run(main())


async def insert(store: SqliteStore, *docs: Doc, table: str = "customers") -> None:
    async def fn(tx: Tx) -> None:
        for doc in docs:
            await tx.insert(table, doc)
    await store.write(fn)
