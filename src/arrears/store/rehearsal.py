"""The SQLite rehearsal: a write run outside the write lock, so that it holds the lock for less time.

Only one writer of all processes holds the database at a time, so the time a request spends under the
lock bounds the server's writes per second. One vocabulary, in names, counters and docs:

- **rehearse**: before the write joins its batch, run its function on the reader connection
  (``Recording``, one snapshot): its reads run and are kept with the rows they returned, its writes are
  only recorded, its result or domain error is kept (a ``Record``);
- **replay**: under the lock, inside the request's SAVEPOINT, run the recorded reads again; when each
  returns the same rows, running the function now would do the same, so its recorded writes are
  applied and its recorded outcome answered;
- **fallback**: run the function under the lock, as without a rehearsal: when the write was not
  rehearsed, when its rehearsal could not be recorded (``Unrecordable``: a query over a table it had
  written), or when its replay did not hold (a read changed: an earlier request of the batch, or
  another process, wrote that row; or a write failed).

A function may thus run twice, as one can on PostgreSQL, which re-runs a refused transaction: only the
writes of the run that counts are kept.

The odds are kept per *kind* of write: the command's name, which the caller passes to
``Store.write(fn, kind=...)``. A write without a kind is never rehearsed. A kind whose rehearsals keep
failing (it writes a row the other requests of its batch write too, such as a finalize moving its
customer's invoice sequence) would only pay twice, so it stops rehearsing but for one call in
``PROBE_EVERY``, to notice when that changes. ``Rehearsal(enabled=False)`` (the server's
``ARREARS_SQLITE_REHEARSAL=off``) rehearses nothing.
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import ArrearsError
from arrears.store.base import CommitThenRaise, Scope, Tx, run_sync
from arrears.store.sqlite_tx import SqliteTx

SCORE_BOUND = 8  # a kind's score stays in [-SCORE_BOUND, SCORE_BOUND]: +1 when its replay held, -2 when not
PROBE_EVERY = 32  # a kind that stopped rehearsing still rehearses one call in this many


class Unrecordable(Exception):
    """The rehearsal cannot stand in for this function: it falls back to running under the lock."""


class Record:
    """What a function did in its rehearsal (``Recording``): each read statement with the rows it
    returned, each write statement, and the function's outcome."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.reads: builtins.list[tuple[str, builtins.list[Any], builtins.list[Any]]] = []
        self.writes: builtins.list[tuple[str, builtins.list[Any]]] = []
        self.written: set[str] = set()  # tables written
        # (table, id) -> (scope, JSON of the row as this function left it, or None once deleted)
        self.own: dict[tuple[str, str], tuple[Scope, str | None]] = {}
        self.result: Any = None
        self.error: CommitThenRaise | ArrearsError | None = None

    @property
    def keeps_writes(self) -> bool:
        """A result, or an error the command's work must be kept with (``CommitThenRaise``); a domain
        error otherwise, decided by what the function read, which writes nothing."""
        return self.error is None or isinstance(self.error, CommitThenRaise)

    def still_holds(self, conn: sqlite3.Connection) -> bool:
        """Whether every read returns the same rows now: then running the function now would do the
        same writes and give the same outcome."""
        return all(conn.execute(sql, params).fetchall() == rows for sql, params, rows in self.reads)

    def apply(self, conn: sqlite3.Connection) -> None:
        for sql, params in self.writes:
            conn.execute(sql, params)


class Recording(SqliteTx):
    """The Tx of a rehearsal, outside the write lock: reads run on the reader connection and are
    recorded with their rows; writes are recorded, not run. A read of a row this function wrote
    answers what it wrote; a query over a table it wrote cannot be answered that way, so the rehearsal
    gives up (``Unrecordable``)."""

    def __init__(self, conn: sqlite3.Connection, scope: Scope, record: Record) -> None:
        super().__init__(conn, scope)
        self.record = record

    def _rows(self, table: str, sql: str, params: list[Any], row: str | None = None) -> builtins.list[Any]:
        # A query over a table this function wrote would miss its writes; a row read by its id is
        # answered from them when it is one of its own (``get``), else it is as the database has it.
        if table in self.record.written and row is None:
            raise Unrecordable(f"a query over {table} after writing to it")
        rows = self.conn.execute(sql, params).fetchall()
        self.record.reads.append((sql, params, rows))
        return rows

    def _write(self, table: str, sql: str, params: list[Any], row: tuple[str, str | None] | None = None) -> None:
        self.record.written.add(table)
        self.record.writes.append((sql, params))
        if row is not None:
            self.record.own[table, row[0]] = (self.scope, row[1])

    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None:
        own = self.record.own.get((table, obj_id))
        if own is None:
            return await super().get(table, obj_id, for_update=for_update)
        scope, data = own
        if scope != self.scope:
            raise Unrecordable("a row written in another scope")
        return None if data is None else self._loaded(table, obj_id, data, for_update)


class Rehearsal:
    """The rehearsal of one store: whether it is on, each kind's odds, and how the writes ran.

    ``counts``: "rehearsed" (rehearsals run, recorded or not), "replayed" (records that held under the
    lock: their writes applied, their outcomes answered), "fallback" (functions run under the lock)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.counts = {"rehearsed": 0, "replayed": 0, "fallback": 0}
        self._scores: dict[str, int] = {}  # kind -> how well its replays have been holding
        self._skipped: dict[str, int] = {}  # kind -> calls not rehearsed while its score was low

    def maybe_rehearse(self, conn: sqlite3.Connection, fn: Callable[[Tx], Awaitable[Any]], kind: str | None,
                       scope: Scope) -> Record | None:
        """Rehearse ``fn`` on ``conn`` (the reader connection, outside the lock) when it is worth it: a
        record to replay under the lock, or None to fall back."""
        if not self.enabled or kind is None or not self._worth_it(kind):
            return None
        self.counts["rehearsed"] += 1
        record = Record(kind)
        conn.execute("BEGIN")
        try:
            record.result = run_sync(fn(Recording(conn, scope, record)))
        except (CommitThenRaise, ArrearsError) as outcome:  # decided by what it read, like a result
            record.error = outcome
        except Exception:  # Unrecordable, or anything else: the function falls back instead
            self._score(kind, False)
            return None
        finally:
            if conn.in_transaction:  # (a function that ended it itself changed nothing: a read-only snapshot)
                conn.execute("COMMIT")
        return record

    def replay(self, conn: sqlite3.Connection, record: Record) -> bool:
        """Under the lock, inside the request's SAVEPOINT: when every read of the rehearsal still returns
        the same rows, apply its writes (none for a domain error) and say so. Otherwise, or when a write
        fails (a unique key taken meanwhile, a value SQLite cannot hold), say no: the caller rolls back
        to its SAVEPOINT and falls back, and the function meets the same failure itself."""
        try:
            held = record.still_holds(conn)
            if held and record.keeps_writes:
                record.apply(conn)
        except Exception:
            held = False
        self._score(record.kind, held)
        if held:
            self.counts["replayed"] += 1
        return held

    def _worth_it(self, kind: str) -> bool:
        """Rehearse a kind while its replays mostly hold; else one call in PROBE_EVERY."""
        if self._scores.get(kind, 1) > 0:
            return True
        self._skipped[kind] = skipped = self._skipped.get(kind, 0) + 1
        return skipped % PROBE_EVERY == 0

    def _score(self, kind: str, held: bool) -> None:
        score = self._scores.get(kind, 1) + (1 if held else -2)
        self._scores[kind] = max(-SCORE_BOUND, min(SCORE_BOUND, score))
