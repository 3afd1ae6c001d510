"""SQLite backend: stdlib ``sqlite3``, WAL, group commit.

Writes from every request of this process go to one queue. A drain task takes up to ``batch_max`` of
them, opens one ``BEGIN IMMEDIATE`` (under an ``flock`` on ``<db>.lock`` so that several processes
queue in the kernel instead of polling SQLite's busy handler), runs each request's function inside its
own SAVEPOINT (a failing request rolls back alone), COMMITs, and only then answers the requests. So
every acknowledged write is as durable as ``synchronous=FULL`` while one fsync serves many requests.
Reads run inline on a separate connection (WAL readers never block the writer).

Only one writer of all processes holds the database at a time, so the time a request spends under the
lock bounds the server's writes per second. To keep that time short, ``write`` first *rehearses* the
function outside the lock, on the reader connection (``Recording``): its reads run and are kept with
the rows they returned, its writes are only recorded, its result or domain error is kept. Under the
lock, inside the request's SAVEPOINT, the reads run again; when each returns the same rows, running the
function now would do the same, so its recorded writes are applied and its outcome answered
(``_replay``). When a read has changed (an earlier request of the batch, or another process, wrote
that row), a write fails, or the rehearsal could not be recorded (a query over a table the function
had written), the function runs under the lock as before. A function may thus run twice, as one can
on PostgreSQL, which re-runs a refused transaction: only the writes of the run that counts are kept.
A kind of function (its ``__qualname__``; the faces name each command's) whose rehearsals keep failing
stops rehearsing but for one call in ``REHEARSAL_PROBE``: it would only pay twice.

Checkpoints (copying the WAL back into the database file) run on a thread of their own, outside the
write lock: SQLite's automatic checkpoint would run inside a COMMIT, while every writer of every
process waits. A PASSIVE checkpoint runs beside writers and readers; at most one runs at a time.

Transaction functions run to completion without suspending: ``SqliteTx`` methods are coroutines only
to match the ``Tx`` Protocol; ``_run_sync`` drives them and refuses one that really awaits.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import orjson

from arrears.domain.errors import ArrearsError, CommitThenRaise
from arrears.store import versions
from arrears.store.base import OPEN, Doc, Scope, ScopeError, Tx
from arrears.store.query import Filter, Group, Page, PageResult
from arrears.store.sql import (
    Dialect,
    LockedRows,
    Statements,
    Updates,
    aggregate_query,
    by_id_params,
    count_query,
    insert_values,
    list_query,
    page_result,
    scope_of,
    search_query,
    search_result,
    statements,
)
from arrears.store.tables import TABLES

T = TypeVar("T")
log = logging.getLogger("arrears.store")
DIALECT = Dialect(
    placeholder=lambda n: "?",
    metadata=lambda key: f"json_extract(data, '$.metadata.' || json_quote({key}))",
    period=lambda col, period: (
        f"strftime('%Y-%m', {col}, 'unixepoch')" if period == "month" else
        f"(strftime('%Y', {col}, 'unixepoch') || '-Q' || "
        f"((CAST(strftime('%m', {col}, 'unixepoch') AS INTEGER) + 2) / 3))"
    ),
)
# (table, filtered by the scope?) -> its statements
STATEMENTS = {(name, f): statements(table, DIALECT, filtered=f)
              for name, table in TABLES.items() for f in (False, True)}
UPDATES = Updates(DIALECT)


REHEARSAL_SCORE = 8  # bounds of a kind of function's score: +1 when its rehearsal held, -2 when not
REHEARSAL_PROBE = 32  # a kind that stopped rehearsing still rehearses one call in this many


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a SQLite transaction function awaited something outside the store")


class SqliteTx:
    """Tx over one sqlite3 connection, in one scope. Every statement goes through ``_rows`` (reads) or
    ``_write``, which ``Recording`` overrides."""

    def __init__(self, conn: sqlite3.Connection, scope: Scope = OPEN, locked: LockedRows | None = None) -> None:
        self.conn = conn
        self.scope = scope
        self.locked = LockedRows(UPDATES) if locked is None else locked

    def _rows(self, table: str, sql: str, params: list[Any], row: str | None = None) -> builtins.list[Any]:
        """Run a read; ``row``: the id of the one row it reads, if it reads one by its id."""
        return self.conn.execute(sql, params).fetchall()

    def _write(self, table: str, sql: str, params: list[Any], row: tuple[str, str | None] | None = None) -> None:
        """Run a write; ``row``: the (id, JSON) it leaves the row with (None JSON: deleted)."""
        self.conn.execute(sql, params)

    def _by_id(self, table: str, obj_id: str) -> tuple[Statements, list[Any]]:
        """The table's statements for this scope and the parameters of an ``id = …`` statement."""
        scoped, params = by_id_params(TABLES[table], obj_id, self.scope)
        return STATEMENTS[table, scoped], params

    async def get(self, table: str, obj_id: str, *, for_update: bool = False) -> Doc | None:
        # No lock to take: the writer holds the database (BEGIN IMMEDIATE under the flock).
        sql, params = self._by_id(table, obj_id)
        rows = self._rows(table, sql.get, params, row=obj_id)
        return self._loaded(table, obj_id, rows[0][0], for_update) if rows else None

    def _loaded(self, table: str, obj_id: str, data: str, for_update: bool) -> Doc:
        doc: Doc = orjson.loads(data)
        if for_update:
            self.locked.read(TABLES[table], obj_id, doc)
        return doc

    async def insert(self, table: str, doc: Doc) -> None:
        params = insert_values(TABLES[table], doc, self.scope)
        self._write(table, STATEMENTS[table, False].insert, params, (doc["id"], params[-1]))

    async def update(self, table: str, doc: Doc) -> None:
        sql, params, data = self.locked.update(TABLES[table], doc, self.scope)
        self._write(table, sql, params, (doc["id"], data))

    async def delete(self, table: str, obj_id: str) -> None:
        sql, params = self._by_id(table, obj_id)
        self._write(table, sql.delete, params, (obj_id, None))

    def _seq(self, table: str, obj_id: str) -> int | None:
        sql, params = self._by_id(table, obj_id)
        rows = self._rows(table, sql.seq, params)
        return int(rows[0][0]) if rows else None

    async def owner(self, table: str, obj_id: str) -> Scope | None:
        sql, params = self._by_id(table, obj_id)
        if not sql.owner:
            return None
        rows = self._rows(table, sql.owner, params)
        return scope_of(rows[0] if rows else None)

    def within(self, scope: Scope) -> SqliteTx:
        if not self.scope.system and scope != self.scope:
            raise ScopeError("only a SYSTEM transaction may act for another scope")
        narrowed = copy.copy(self)  # the same connection, rows read for update and (Recording) record
        narrowed.scope = scope
        return narrowed

    async def list(self, table: str, flt: Filter, page: Page) -> PageResult:
        cursor = page.starting_after or page.ending_before
        seq = None if cursor is None else (self._seq(table, cursor) or -1)
        sql, params, reverse = list_query(TABLES[table], flt, page, seq, DIALECT, self.scope)
        return page_result([r[0] for r in self._rows(table, sql, params)], page, reverse)

    async def search(
        self, table: str, flt: Filter, limit: int, after_seq: int | None
    ) -> tuple[builtins.list[Doc], int | None]:
        sql, params = search_query(TABLES[table], flt, limit, after_seq, DIALECT, self.scope)
        return search_result(self._rows(table, sql, params), limit)

    async def count(self, table: str, flt: Filter) -> int:
        sql, params = count_query(TABLES[table], flt, DIALECT, self.scope)
        return int(self._rows(table, sql, params)[0][0])

    async def aggregate(
        self, table: str, groups: tuple[Group, ...], total: str, flt: Filter
    ) -> builtins.list[tuple[Any, ...]]:
        sql, params = aggregate_query(TABLES[table], groups, total, flt, DIALECT, self.scope)
        return [tuple(row) for row in self._rows(table, sql, params)]


class Unrecordable(Exception):
    """The optimistic run cannot stand in for this function: it runs under the write lock instead."""


class Record:
    """What a transaction function did in its optimistic run (``Recording``): each read statement with
    the rows it returned, each write statement, and the function's outcome."""

    def __init__(self) -> None:
        self.reads: builtins.list[tuple[str, builtins.list[Any], builtins.list[Any]]] = []
        self.writes: builtins.list[tuple[str, builtins.list[Any]]] = []
        self.written: set[str] = set()  # tables written
        # (table, id) -> (scope, JSON of the row as this function left it, or None once deleted)
        self.own: dict[tuple[str, str], tuple[Scope, str | None]] = {}
        self.result: Any = None
        self.error: BaseException | None = None

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
    """A Tx for the optimistic run of a write, outside the write lock: reads run on the reader
    connection and are recorded with their rows; writes are recorded, not run. A read of a row this
    function wrote answers what it wrote; a query over a table it wrote cannot be answered that way,
    so the run gives up (``Unrecordable``)."""

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


# A write waiting for the drain: its function, scope, the caller's future and its rehearsal (if any).
Pending = tuple[Callable[[Tx], Awaitable[Any]], Scope, asyncio.Future[Any], Record | None]


class SqliteStore:
    def __init__(self, path: str, *, synchronous: str = "FULL", batch_max: int = 64, migrate: bool = True,
                 optimistic: bool = True) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self.synchronous = synchronous
        self.batch_max = batch_max
        self.auto_migrate = migrate
        self.optimistic = optimistic
        # how the writes ran: "rehearsed" outside the lock, then "applied" from the record under it, or
        # run "under the lock"
        self.counts = {"rehearsed": 0, "applied": 0, "under the lock": 0}
        # per kind of function (its __qualname__): how well its rehearsals have been doing, in
        # [-REHEARSAL_SCORE, REHEARSAL_SCORE]; and how many calls skipped their rehearsal since
        self._scores: dict[str, int] = {}
        self._skipped: dict[str, int] = {}
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
            return _run_sync(fn(SqliteTx(conn, scope)))  # type: ignore[arg-type]
        finally:
            conn.execute("COMMIT")

    def _worth_rehearsing(self, fn: Callable[..., Any]) -> bool:
        """Rehearse a kind of function while its rehearsals mostly hold. One whose rehearsals keep
        failing (it writes a row that the other requests of its batch wrote too, such as a finalize
        moving its customer's invoice sequence) would only pay twice: it runs under the lock, but one
        call in REHEARSAL_PROBE still rehearses, to notice when that changes."""
        kind = getattr(fn, "__qualname__", "")
        if self._scores.get(kind, 1) > 0:
            return True
        self._skipped[kind] = skipped = self._skipped.get(kind, 0) + 1
        return skipped % REHEARSAL_PROBE == 0

    def _scored(self, fn: Callable[..., Any], held: bool) -> None:
        kind = getattr(fn, "__qualname__", "")
        score = self._scores.get(kind, 1) + (1 if held else -2)
        self._scores[kind] = max(-REHEARSAL_SCORE, min(REHEARSAL_SCORE, score))

    def _rehearse(self, fn: Callable[[Tx], Awaitable[Any]], scope: Scope) -> Record | None:
        """Run ``fn`` optimistically, outside the write lock, on the reader connection (one snapshot):
        its reads and writes recorded (``Recording``), its result or domain error kept. None when the
        record cannot stand in for the function."""
        self.counts["rehearsed"] += 1
        record = Record()
        conn = self._rconn
        conn.execute("BEGIN")
        try:
            record.result = _run_sync(fn(Recording(conn, scope, record)))  # type: ignore[arg-type]
        except (CommitThenRaise, ArrearsError) as outcome:  # decided by what it read, like a result
            record.error = outcome
        except Exception:  # Unrecordable, or anything else: the function runs under the lock instead
            return None
        finally:
            if conn.in_transaction:  # (a function that ended it itself changed nothing: a read-only snapshot)
                conn.execute("COMMIT")
        return record

    async def write(self, fn: Callable[[Tx], Awaitable[T]], *, scope: Scope = OPEN) -> T:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        record = None
        if self.optimistic and self._worth_rehearsing(fn):
            record = self._rehearse(fn, scope)
            if record is None:
                self._scored(fn, False)
        self._pending.append((fn, scope, fut, record))
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

    @staticmethod
    def _replay(conn: sqlite3.Connection, record: Record) -> bool:
        """Under the lock, inside the request's SAVEPOINT: when every read of the optimistic run still
        returns the same rows, apply its writes (none for a domain error) and say so; otherwise, or
        when a write fails (a unique key taken meanwhile, a value SQLite cannot hold), leave nothing
        behind and say no: the function then runs under the lock, and meets the same failure itself."""
        try:
            if not record.still_holds(conn):
                return False
            if record.keeps_writes:
                record.apply(conn)
            return True
        except Exception:
            conn.execute("ROLLBACK TO request")
            return False

    def _run(self, conn: sqlite3.Connection, fn: Callable[[Tx], Awaitable[Any]], scope: Scope,
             record: Record | None) -> tuple[bool, Any]:
        """One request of the batch, inside its SAVEPOINT: (True, what to answer after COMMIT) when its
        writes stay, (False, the refusal) when it wrote nothing. Raises what the function raised."""
        if record is not None:
            held = self._replay(conn, record)
            self._scored(fn, held)
            if held:
                self.counts["applied"] += 1
                if record.keeps_writes:
                    return True, record.result if record.error is None else record.error
                return False, record.error  # a refusal: it wrote nothing
        self.counts["under the lock"] += 1
        try:
            return True, _run_sync(fn(SqliteTx(conn, scope)))  # type: ignore[arg-type]
        except CommitThenRaise as keep:
            return True, keep

    def _run_batch(self, batch: list[Pending]) -> list[tuple[asyncio.Future[Any], Any]]:
        """Run each request of the batch in its own SAVEPOINT: one that raises anything at all (its
        function, its replay) is rolled back alone and gets the exception. Returns the requests to
        answer once the batch commits. Raises only when the batch itself cannot go on (a SAVEPOINT
        that cannot be rolled back): the caller then rolls the whole batch back."""
        conn = self._wconn
        done: list[tuple[asyncio.Future[Any], Any]] = []
        for fn, scope, fut, record in batch:
            if fut.done():  # the caller went away before we started: nothing to do
                continue
            conn.execute("SAVEPOINT request")
            try:
                kept, outcome = self._run(conn, fn, scope, record)
            except BaseException as exc:
                conn.execute("ROLLBACK TO request")
                conn.execute("RELEASE request")
                fut.set_exception(exc)
                continue
            conn.execute("RELEASE request")
            if kept:
                done.append((fut, outcome))
            else:
                fut.set_exception(outcome)
        return done

    async def _drain(self) -> None:
        """Answer every pending write, batch after batch. Whatever goes wrong, each request of a batch is
        answered (its result after COMMIT, or an exception: nothing of it applied), the transaction is
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
                    done = self._run_batch(batch)
                except BaseException as exc:
                    log.exception("a SQLite write batch failed; rolled back")
                    with contextlib.suppress(BaseException):
                        self._end()
                    _fail(batch, exc)
                    continue
                try:
                    await loop.run_in_executor(self._exec, self._commit)
                except BaseException as exc:
                    for fut, _ in done:
                        if not fut.done():
                            fut.set_exception(exc)
                else:
                    for fut, result in done:
                        if fut.done():
                            continue
                        if isinstance(result, CommitThenRaise):
                            fut.set_exception(result.error)
                        else:
                            fut.set_result(result)
        finally:
            self._draining = False


def _fail(batch: list[Pending], exc: BaseException) -> None:
    """Answer every request of ``batch`` not answered yet with ``exc``: none of it was applied."""
    for _, _, fut, _ in batch:
        if not fut.done():
            fut.set_exception(exc)
