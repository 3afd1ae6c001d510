"""Where a mark_uncollectible spends the time it holds the database's write lock, without HTTP:

    python -m bench.write_path [--marks 4000] [--batch 32] [--no-rehearsal]

Copies the main fixture (154k invoices), then runs ``services.transitions.mark_uncollectible`` plus the
rendering of its reply, as the Stripe face does, through ``SqliteStore.write`` in batches of ``--batch``
concurrent requests (one group commit each), and prints per mark:

- the rehearsal outside the lock (``Rehearsal.maybe_rehearse``, store/rehearsal.py), then, under the
  ``flock`` that serializes the writers of every process, its replay: re-running its reads
  (``Record.still_holds``), applying its writes (``Record.apply``); and COMMIT;
- with ``--no-rehearsal`` (the store's ``rehearsal=False``, a server's ``ARREARS_SQLITE_REHEARSAL=off``),
  the transaction function run under the lock (the fallback), with each of its ``Tx`` calls by table.

Each write names its kind (``mark_uncollectible``), as the request cycle does: a write without one is
never rehearsed.

The lines marked "lock" add up to the time a mark holds the lock: ``1 / that`` bounds the marks per
second of the whole server, whatever the number of workers."""

from __future__ import annotations

import argparse
import asyncio
import collections
import time
from collections.abc import Callable
from typing import Any

from bench.profile import main_fixture_copy

REREAD = "replay: re-run the rehearsal's reads (lock)"
APPLY = "replay: apply its writes (lock)"
COMMIT = "COMMIT: WAL write + fsync (lock)"
FUNCTION = "whole transaction function (its Tx calls, Python, JSON)"


def instrument(timings: dict[str, list[float]]) -> Callable[[], None]:
    """Time SqliteTx's calls, the rehearsal, its replay and SqliteStore._commit into ``timings``; returns
    the undo."""
    from arrears.store import rehearsal, sqlite, sqlite_tx

    saved: list[tuple[Any, str, Any]] = []

    def timed(owner: Any, name: str, label: Callable[..., str]) -> None:
        original = getattr(owner, name)
        saved.append((owner, name, original))
        if asyncio.iscoroutinefunction(original):
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    timings[label(*args)].append(time.perf_counter() - start)
        else:
            def wrapper(*args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    timings[label(*args)].append(time.perf_counter() - start)
        setattr(owner, name, wrapper)

    for method in ("get", "insert", "update", "list"):
        timed(sqlite_tx.SqliteTx, method, lambda tx, table, *_, m=method: (
            f"{m} {table}" + (" (rehearsal)" if isinstance(tx, rehearsal.Recording) else " (lock)")))
    timed(rehearsal.Rehearsal, "maybe_rehearse", lambda *_: "rehearsal, outside the lock")
    timed(rehearsal.Record, "still_holds", lambda *_: REREAD)
    timed(rehearsal.Record, "apply", lambda *_: APPLY)
    timed(sqlite.SqliteStore, "_commit", lambda _store: COMMIT)

    def undo() -> None:
        for owner, name, original in saved:
            setattr(owner, name, original)
    return undo


async def measure(db: str, targets: list[str], batch: int,
                  rehearsal: bool = True) -> tuple[float, dict[str, list[float]]]:
    from arrears.api.stripe.face import render
    from arrears.domain import versions
    from arrears.ids import IdGen
    from arrears.services import Ctx, transitions
    from arrears.store.sqlite import SqliteStore

    timings: dict[str, list[float]] = collections.defaultdict(list)
    undo = instrument(timings)
    store = SqliteStore(db, rehearsal=rehearsal)
    await store.open()
    ids = IdGen()
    try:
        start = time.perf_counter()
        for first in range(0, len(targets), batch):
            def command(invoice: str) -> Callable[[Any], Any]:
                ctx = Ctx(now=int(time.time()), ids=ids, request_id=ids.new("req", 14))

                async def fn(tx: Any) -> Any:
                    began = time.perf_counter()
                    done = await transitions.mark_uncollectible(tx, ctx, invoice, {})
                    out = await render(tx, done, [], versions.LATEST)
                    timings[FUNCTION].append(
                        time.perf_counter() - began)
                    return out
                return fn
            await asyncio.gather(*(store.write(command(i), kind="mark_uncollectible")
                                   for i in targets[first:first + batch]))
        elapsed = time.perf_counter() - start
    finally:
        await store.close()
        undo()
    return elapsed, timings


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--marks", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=32, help="requests per group commit")
    ap.add_argument("--no-rehearsal", action="store_true", help="run every function under the lock")
    args = ap.parse_args(argv)
    fx, db = main_fixture_copy("write-path")
    targets = fx.targets.read_text().split()[: args.marks]
    elapsed, timings = asyncio.run(measure(str(db), targets, args.batch, rehearsal=not args.no_rehearsal))
    n = len(targets)
    print(f"{n:,} marks in batches of {args.batch}: {n / elapsed:,.0f} marks/s in one process, "
          f"{elapsed / n * 1e6:.0f} µs each")
    print(f"{'':56s} {'calls':>7s} {'µs/call':>8s} {'µs/mark':>8s}")
    for label, values in sorted(timings.items(), key=lambda kv: -sum(kv[1])):
        total = sum(values)
        print(f"{label:56s} {len(values):7,d} {total / len(values) * 1e6:8.1f} {total / n * 1e6:8.1f}")
    # Under the lock: the function itself without a rehearsal (the fallback); with one, its replay (every
    # mark of this bench touches its own invoice, so none falls back).
    lock = sum(sum(timings[part]) for part in ((FUNCTION, COMMIT) if args.no_rehearsal else (REREAD, APPLY, COMMIT)))
    print(f"lock time per mark: {lock / n * 1e6:.0f} µs, so at most {n / lock:,.0f} marks/s for the whole server")


if __name__ == "__main__":
    main()
