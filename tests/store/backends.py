"""The backends the storage contract holds on: SQLite, PostgreSQL and the memory store (store/memory.py,
the services tier's). A contract test takes the ``database`` fixture of its module, made with
``database_url``, and opens its stores with ``open_stores``."""

from __future__ import annotations

from pathlib import Path

import pytest

from arrears.store import open_store
from arrears.store.base import Store
from arrears.store.memory import MemoryStore, Tables
from tests.conftest import BACKENDS, fresh_database

MEMORY = "memory://"
STORE_BACKENDS = [*BACKENDS, "memory"]


def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on the backend of ``request.param``."""
    return MEMORY if request.param == "memory" else fresh_database(request.param, request, tmp_path)


def open_stores(url: str, count: int = 1) -> list[Store]:
    """``count`` stores of one database (as ``count`` processes would have): the memory ones share their rows."""
    if url == MEMORY:
        tables = Tables()
        return [MemoryStore(tables) for _ in range(count)]
    return [open_store(url) for _ in range(count)]
