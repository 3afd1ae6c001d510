"""Storage: ``open_store(url)`` picks the backend from the database URL."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from arrears.store.base import Store


def sqlite_path(url: str) -> str:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    if url.startswith("sqlite://"):
        return url[len("sqlite://"):]
    raise ValueError(url)


def shown(url: str) -> str:
    """The URL as logs may print it: a password in it is replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def open_store(url: str, *, synchronous: str = "FULL", migrate: bool = True, pool_size: int = 10,
               rehearsal: bool = True) -> Store:
    """A Store for ``sqlite:///path`` (relative) or ``sqlite:////abs/path``, or for
    ``postgresql://user@host:port/db`` (``postgres://`` too). ``synchronous`` and ``rehearsal`` (rehearse
    writes outside the write lock: ``store/rehearsal.py``) are SQLite's settings; ``pool_size`` is the
    connections one process keeps to PostgreSQL. Raises ValueError when the URL names no backend arrears
    has."""
    if url.startswith("sqlite:"):
        from arrears.store.sqlite import SqliteStore

        return SqliteStore(sqlite_path(url), synchronous=synchronous, migrate=migrate, rehearsal=rehearsal)
    if url.startswith(("postgresql://", "postgres://")):
        from arrears.store.postgres import PostgresStore

        return PostgresStore(url, pool_size=pool_size, migrate=migrate)
    raise ValueError(
        f"unsupported database URL {url!r}: use sqlite:///path/to/file.db or postgresql://user@host:port/db"
    )
