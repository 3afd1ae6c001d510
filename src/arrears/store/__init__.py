"""Storage: ``open_store(url)`` picks the backend from the database URL."""

from __future__ import annotations

from arrears.store.base import Store


def sqlite_path(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    if url.startswith("sqlite://"):
        return url[len("sqlite://"):]
    raise ValueError(url)


def open_store(url: str, *, synchronous: str = "FULL", migrate: bool = True) -> Store:
    """A Store for ``sqlite:///path`` (relative) or ``sqlite:////abs/path``. Raises ValueError when the
    URL names no backend arrears has."""
    if url.startswith("sqlite:"):
        from arrears.store.sqlite import SqliteStore

        return SqliteStore(sqlite_path(url), synchronous=synchronous, migrate=migrate)
    raise ValueError(
        f"unsupported database URL {url!r}: use sqlite:///path/to/file.db"
    )
