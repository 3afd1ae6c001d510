"""SQLite backend: stdlib ``sqlite3``, WAL, group commit.

Writes from every request of this process go to one queue. A drain task takes up to ``batch_max`` of
them, opens one ``BEGIN IMMEDIATE`` (under an ``flock`` on ``<db>.lock`` so that several processes
queue in the kernel instead of polling SQLite's busy handler), runs each request's function inside its
own SAVEPOINT (a failing request rolls back alone), COMMITs, and only then answers the requests. So
every acknowledged write is as durable as ``synchronous=FULL`` while one fsync serves many requests.
Reads run inline on a separate connection (WAL readers never block the writer).

Only one writer of all processes holds the database at a time, so the time a request spends under the
lock bounds the server's writes per second. A write that names its ``kind`` may first be *rehearsed*
outside the lock and *replayed* under it (``rehearsal.py``, off with ``rehearsal=False``); every other
write, and every rehearsal that does not hold, *falls back* to running its function under the lock.

Each request of a batch ends in one ``Outcome``: ``Done`` (its writes stay; its result is answered
after COMMIT), ``Keep`` (its writes stay; its error is raised after COMMIT: ``CommitThenRaise``),
``Refused`` (a replayed domain error: it wrote nothing) or ``Failed`` (its function raised: its
SAVEPOINT is rolled back). Whatever goes wrong, every request is answered, the transaction is closed
and the flock released.

Checkpoints (copying the WAL back into the database file) run on a thread of their own, outside the
write lock: SQLite's automatic checkpoint would run inside a COMMIT, while every writer of every
process waits. A PASSIVE checkpoint runs beside writers and readers; at most one runs at a time.

Transaction functions run to completion without suspending (``base.run_sync``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from arrears.domain.errors import ArrearsError
from arrears.store import versions
from arrears.store.base import OPEN, CommitThenRaise, Scope, Tx, run_sync
from arrears.store.rehearsal import Record, Rehearsal
from arrears.store.sqlite_tx import DIALECT, SqliteTx

__all__ = ["DIALECT", "Checkpointer", "Done", "Failed", "Keep", "Outcome", "Refused", "SqliteStore", "SqliteTx",
           "migrations"]

T = TypeVar("T")
log = logging.getLogger("arrears.store")


def _connect(path: str, synchronous: str, cache_kib: int = 32000) -> sqlite3.Connection:
    """A connection of this store. Page caches: 32 MB for the writer, less for the reader and the
    checkpointer, whose pages the OS's cache holds anyway (the RSS of a worker stays under ~100 MB)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the Checkpointer's job, outside the write lock
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


class Checkpointer:
    """Checkpoints the WAL on its own thread and connection, at most every ``interval`` seconds while
    there are commits to copy back, in two passes:

    1. PASSIVE, beside the writers: copies the bulk of the WAL without waiting for anybody (nor calling
       the busy handler);
    2. PASSIVE again under the writers' ``flock``: copies the few frames committed during pass 1. With
       nothing appended meanwhile the WAL is then wholly copied, so the next writer starts it over from
       its beginning. Without this pass, under steady writes a checkpoint would never catch up and the
       WAL file would grow without end.

    Several processes may each run one: SQLite lets one checkpoint run at a time."""

    def __init__(self, path: str, synchronous: str, interval: float = 0.2) -> None:
        self.path = path
        self.synchronous = synchronous
        self.interval = interval
        self.wanted = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="arrears-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _checkpoint(self, conn: sqlite3.Connection, lock_fd: int) -> None:
        with contextlib.suppress(sqlite3.Error):  # e.g. a full disk: the WAL keeps the data; next time
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                fcntl.flock(lock_fd, fcntl.LOCK_UN)

    def _run(self) -> None:
        conn = _connect(self.path, self.synchronous, cache_kib=2000)
        lock_fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                self.wanted.wait()
                if self._stopping.is_set():
                    break
                self.wanted.clear()
                self._checkpoint(conn, lock_fd)
                if self._stopping.wait(self.interval):
                    break
            self._checkpoint(conn, lock_fd)
        finally:
            os.close(lock_fd)
            conn.close()

    def close(self) -> None:
        self._stopping.set()
        self.wanted.set()
        self._thread.join()


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every SQLite migration, in order."""
    return versions.read("sqlite")


@dataclass(slots=True)
class Pending:
    """A write waiting for the drain."""

    fn: Callable[[Tx], Awaitable[Any]]
    scope: Scope
    future: asyncio.Future[Any]
    record: Record | None  # its rehearsal, to replay; None: it runs under the lock


@dataclass(slots=True)
class Done:
    """The request's writes stay; ``result`` is answered once the batch commits."""

    result: Any
    keeps: ClassVar[bool] = True


@dataclass(slots=True)
class Keep:
    """The request's writes stay (``CommitThenRaise``); ``error`` is raised once the batch commits."""

    error: ArrearsError
    keeps: ClassVar[bool] = True


@dataclass(slots=True)
class Refused:
    """A domain error decided by what the request read, replayed from its rehearsal: it wrote nothing,
    so it is answered at once."""

    error: ArrearsError
    keeps: ClassVar[bool] = False


@dataclass(slots=True)
class Failed:
    """The request's function (or the batch's COMMIT) raised: nothing of it stays; answered at once."""

    error: BaseException
    keeps: ClassVar[bool] = False


Outcome = Done | Keep | Refused | Failed


def replayed(record: Record) -> Outcome:
    """The outcome of a rehearsal whose replay held."""
    if record.error is None:
        return Done(record.result)
    if isinstance(record.error, CommitThenRaise):
        return Keep(record.error.error)
    return Refused(record.error)


def answer(future: asyncio.Future[Any], outcome: Outcome) -> None:
    """Tell the caller, unless it went away."""
    if future.done():
        return
    if isinstance(outcome, Done):
        future.set_result(outcome.result)
    else:
        future.set_exception(outcome.error)


class SqliteStore:
    def __init__(self, path: str, *, synchronous: str = "FULL", batch_max: int = 64, migrate: bool = True,
                 rehearsal: bool = True) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.synchronous = synchronous
        self.batch_max = batch_max
        self.auto_migrate = migrate
        self.rehearsal = Rehearsal(enabled=rehearsal)  # its counts: how the writes ran
        self._pending: list[Pending] = []
        self._draining = False
        self._exec: ThreadPoolExecutor | None = None
        self._checkpointer: Checkpointer | None = None
        self._lock_fd = -1

    # --- lifecycle ----------------------------------------------------------------------------------
    def _open_files(self) -> None:
        if self._lock_fd < 0:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._lock_fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
            self._wconn = _connect(self.path, self.synchronous)

    async def open(self) -> None:
        self._open_files()
        if self.auto_migrate:
            await self.migrate()
        elif await self.pending_migrations():
            raise RuntimeError(f"database {self.path} is not migrated: run `arrears migrate --database {self.url}`")
        self._rconn = _connect(self.path, self.synchronous, cache_kib=8000)
        self._exec = ThreadPoolExecutor(max_workers=1, thread_name_prefix="arrears-sqlite-commit")
        self._checkpointer = Checkpointer(self.path, self.synchronous)

    async def close(self) -> None:
        while self._draining or self._pending:
            await asyncio.sleep(0.01)
        if self._exec:
            self._exec.shutdown(wait=True)
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        for conn in (getattr(self, "_wconn", None), getattr(self, "_rconn", None)):
            if conn is not None:
                conn.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _applied(self) -> set[int]:
        self._wconn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)"
        )
        return {row[0] for row in self._wconn.execute("SELECT version FROM schema_migrations")}

    async def pending_migrations(self) -> list[str]:
        self._open_files()
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            applied = self._applied()
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        return [name for version, name, _ in migrations() if version not in applied]

    async def migrate(self, progress: Callable[[str], None] | None = None) -> list[str]:
        """Apply every pending migration, each in its own transaction. Safe to run from many processes."""
        self._open_files()
        done = []
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            applied = self._applied()
            for version, name, sql in migrations():
                if version in applied:
                    continue
                if progress:
                    progress(name)
                self._wconn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\nINSERT INTO schema_migrations VALUES ({version}, '{name}', "
                    f"CAST(strftime('%s','now') AS INTEGER));\nCOMMIT;"
                )
                done.append(name)
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        return done

    # --- transactions -------------------------------------------------------------------------------
    async def read(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN) -> T:
        conn = self._rconn
        conn.execute("BEGIN")
        try:
            return run_sync(fn(SqliteTx(conn, scope)))
        finally:
            conn.execute("COMMIT")

    async def write(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN, kind: str | None = None) -> T:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        record = self.rehearsal.maybe_rehearse(self._rconn, fn, kind, scope)
        self._pending.append(Pending(fn, scope, fut, record))
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain())
        return await fut

    def _begin(self) -> None:
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            if self._wconn.in_transaction:  # never expected: a transaction left open is undone first
                self._wconn.execute("ROLLBACK")
            self._wconn.execute("BEGIN IMMEDIATE")
        except BaseException:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            raise

    def _commit(self) -> None:
        try:
            self._wconn.execute("COMMIT")
        finally:
            self._end()
        if self._checkpointer is not None:
            self._checkpointer.wanted.set()

    def _end(self) -> None:
        """Close the batch's transaction: roll back whatever is still open (nothing after a COMMIT), and
        let the other writers in, whatever the rollback does."""
        try:
            if self._wconn.in_transaction:
                self._wconn.execute("ROLLBACK")
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _run_one(self, write: Pending) -> Outcome:
        """One request of the batch, in its own SAVEPOINT: its rehearsal replayed when that holds, else
        its function run under the lock. Anything it raises rolls back its SAVEPOINT alone (``Failed``).
        Raises only when the SAVEPOINT itself cannot be rolled back (the batch's transaction is gone)."""
        conn = self._wconn
        conn.execute("SAVEPOINT request")
        try:
            outcome = self._replay_or_run(conn, write)
        except BaseException as exc:
            conn.execute("ROLLBACK TO request")
            outcome = Failed(exc)
        conn.execute("RELEASE request")
        return outcome

    def _replay_or_run(self, conn: sqlite3.Connection, write: Pending) -> Outcome:
        if write.record is not None:
            if self.rehearsal.replay(conn, write.record):
                return replayed(write.record)
            conn.execute("ROLLBACK TO request")  # whatever a replay that failed halfway applied
        self.rehearsal.counts["fallback"] += 1
        try:
            return Done(run_sync(write.fn(SqliteTx(conn, write.scope))))
        except CommitThenRaise as keep:
            return Keep(keep.error)

    def _run_batch(self, batch: list[Pending]) -> list[tuple[asyncio.Future[Any], Outcome]]:
        """Run each request of the batch (``_run_one``); answer at once those whose writes do not stay.
        Returns the others, to answer once the batch commits."""
        kept = []
        for write in batch:
            if write.future.done():  # the caller went away before we started: nothing to do
                continue
            outcome = self._run_one(write)
            if outcome.keeps:
                kept.append((write.future, outcome))
            else:
                answer(write.future, outcome)
        return kept

    async def _drain(self) -> None:
        """Answer every pending write, batch after batch. Whatever goes wrong, each request of a batch is
        answered (its outcome after COMMIT, or an exception: nothing of it applied), the transaction is
        closed and the flock released, so the next batch writes as usual."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch = self._pending[: self.batch_max]
                del self._pending[: self.batch_max]
                try:
                    await loop.run_in_executor(self._exec, self._begin)
                except BaseException as exc:
                    _fail(batch, exc)
                    continue
                try:
                    kept = self._run_batch(batch)
                except BaseException as exc:  # the batch itself cannot go on: none of it is applied
                    log.exception("a SQLite write batch failed; rolled back")
                    with contextlib.suppress(BaseException):
                        self._end()
                    _fail(batch, exc)
                    continue
                try:
                    await loop.run_in_executor(self._exec, self._commit)
                except BaseException as exc:
                    kept = [(fut, Failed(exc)) for fut, _ in kept]
                for fut, outcome in kept:
                    answer(fut, outcome)
        finally:
            self._draining = False


def _fail(batch: list[Pending], exc: BaseException) -> None:
    """Answer every request of ``batch`` not answered yet with ``exc``: none of it was applied."""
    for write in batch:
        answer(write.future, Failed(exc))
