"""Versioned schema migrations: ``migrations/<backend>/NNNN_name.sql``, each applied once, in order, in
its own transaction, and recorded in the ``schema_migrations`` table. Both backends have the same
versions with the same tables, columns and indexes (tests/store/test_migrations.py checks it)."""

from __future__ import annotations

from importlib import resources


def read(backend: str) -> list[tuple[int, str, str]]:
    """(version, file name, sql) of every migration of ``backend`` ("sqlite" or "postgres"), in order."""
    folder = resources.files("arrears.store") / "migrations" / backend
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text()))
    return sorted(found)
