"""Fixtures: databases of invoices written straight through arrears' own code (documents built by
``arrears.domain.objects`` and the domain rules, rows written by the store's ``Tx``), in big
transactions instead of one HTTP call each. SQLite fixtures are cached under bench/.work/fixtures/,
keyed by their size and the schema's migrations, so the 1M-invoice database is built once.

Each database holds ``customers`` customers, then ``targets`` open invoices (the ones the
mark_uncollectible scenario walks, each once), then ``invoices`` background invoices in every status
(4/10 open, 3/10 paid, 1/10 draft, uncollectible and void); every invoice carries one line from an
invoice item (also stored), so each is Stripe-sized (~3 KB of JSON)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arrears.domain import Doc, objects
from arrears.domain import invoice as rules
from arrears.ids import IdGen

FIXTURE_VERSION = 1
BASE_URL = "http://127.0.0.1:12111"
GET_SAMPLE = 10_000  # GET scenarios pick among this many invoices, drawn across the whole table
_MIX = ("open", "open", "open", "open", "paid", "paid", "paid", "draft", "uncollectible", "void")


@dataclass(frozen=True)
class Fixture:
    database: Path  # the SQLite file, or a marker file beside a PostgreSQL database
    get_ids: Path  # invoice ids to GET, one a line
    targets: Path  # open invoice ids to mark, in order, one a line
    customer: str  # a customer to create invoices for
    counts: dict[str, int]


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.label, self.total, self.done, self.enabled = label, total, 0, enabled
        self.started = self.last = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.2 or self.done >= self.total):
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            eta = (self.total - self.done) / rate if rate else 0
            sys.stderr.write(f"\r  {self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,}"
                             f" {rate:,.0f}/s ETA {eta:.0f}s ")
            if self.done >= self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _finalize(inv: Doc, cust: Doc, now: int) -> None:
    """What finalizing does to a draft's fields (services/transitions.py ``_finalize``), without events:
    a number from the customer's sequence, the totals due, the hosted URLs."""
    inv["number"] = f"{cust['invoice_prefix']}-{cust['next_invoice_sequence']:04d}"
    cust["next_invoice_sequence"] += 1
    cust["currency"] = inv["currency"]
    due, ending = rules.apply_balance(inv["total"], 0)
    inv.update(starting_balance=0, ending_balance=ending, amount_due=due, amount_remaining=due, status=rules.OPEN,
               effective_at=now, hosted_invoice_url=f"{BASE_URL}/i/{inv['id']}",
               invoice_pdf=f"{BASE_URL}/i/{inv['id']}/pdf", automatically_finalizes_at=None)
    inv["status_transitions"]["finalized_at"] = now


def _close(inv: Doc, status: str, stamp: str, now: int) -> None:
    inv["status"] = status
    inv["status_transitions"][stamp] = now
    inv["auto_advance"] = False
    inv["next_payment_attempt"] = None


def invoice_docs(ids: IdGen, cust: Doc, status: str, now: int, n: int) -> tuple[Doc, Doc]:
    """An invoice in ``status`` with one line, and its invoice item."""
    inv = objects.invoice(ids.new("in"), now, False, cust=cust, currency="usd", base_url=BASE_URL,
                          p={"description": f"Bench invoice {n}", "metadata": {"bench": str(n)}})
    item = objects.invoiceitem(ids.new("ii"), now, False, customer=cust["id"], currency="usd",
                               amount=1099 + n % 5000, quantity=1, unit_amount_decimal=None,
                               p={"description": "Consulting hours"})
    item["invoice"] = inv["id"]
    inv["lines"]["data"].append(objects.line_for_item(ids.new("il"), inv["id"], item))
    rules.recompute_totals(inv, 0)
    if status != rules.DRAFT:
        _finalize(inv, cust, now)
    if status == rules.PAID:
        inv.update(amount_paid=inv["amount_due"], amount_remaining=0)
        _close(inv, rules.PAID, "paid_at", now)
    elif status == rules.UNCOLLECTIBLE:
        _close(inv, rules.UNCOLLECTIBLE, "marked_uncollectible_at", now)
        inv["status_details"] = {"uncollectible": {"reason": "user_forgiven"}}
    elif status == rules.VOID:
        _close(inv, rules.VOID, "voided_at", now)
    return inv, item


def generate(customers: int, targets: int, invoices: int, seed: int = 7) -> Iterator[tuple[str, Doc]]:
    """(table, document) rows: the target invoices first, then the background ones, then the
    customers (last, with their final invoice sequence)."""
    ids = IdGen()
    now = int(time.time()) - 86400
    rng = random.Random(seed)
    custs = [objects.customer(ids.new("cus"), now, False, ids.invoice_prefix(),
                              {"email": f"bench{i}@example.com", "name": f"Bench Customer {i}"})
             for i in range(customers)]
    for n in range(targets + invoices):
        status = rules.OPEN if n < targets else _MIX[n % len(_MIX)]
        inv, item = invoice_docs(ids, custs[rng.randrange(customers)], status, now - (targets + invoices - n), n)
        yield "invoiceitems", item
        yield "invoices", inv
    for cust in custs:
        yield "customers", cust


def drive(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a store coroutine that never suspends (SQLite's Tx methods)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("a SQLite Tx method suspended")


def _key(customers: int, targets: int, invoices: int) -> str:
    from arrears.store.sqlite import migrations

    text = json.dumps([FIXTURE_VERSION, customers, targets, invoices, [m[1] for m in migrations()]])
    return hashlib.sha1(text.encode()).hexdigest()[:10]


async def _migrate(store: Any) -> None:
    try:
        await store.migrate()
    finally:
        await store.close()


def _write_ids(path: Path, ids: list[str]) -> None:
    path.write_text("\n".join(ids) + "\n")


def sqlite_fixture(folder: Path, *, invoices: int, targets: int, customers: int = 100,
                   progress: bool = True) -> Fixture:
    """A cached SQLite database (build it when missing). Callers that write must work on a copy."""
    from arrears.store.sqlite import SqliteStore, SqliteTx

    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"sqlite-{invoices}-{targets}-{_key(customers, targets, invoices)}"
    meta_path = stem.with_suffix(".json")
    db = stem.with_suffix(".db")
    if meta_path.exists() and db.exists():
        meta = json.loads(meta_path.read_text())
        return Fixture(db, Path(meta["get_ids"]), Path(meta["targets"]), meta["customer"], meta["counts"])
    for stale in folder.glob(f"sqlite-{invoices}-{targets}-*"):  # this fixture for an older schema
        stale.unlink()
    building = stem.with_suffix(".building")
    for stale in folder.glob(building.name + "*"):
        stale.unlink()
    asyncio.run(_migrate(SqliteStore(str(building), migrate=True)))
    for extra in (".lock",):
        Path(str(building) + extra).unlink(missing_ok=True)
    conn = sqlite3.connect(building, isolation_level=None)
    conn.execute("PRAGMA journal_mode=OFF")  # a fresh file being built: no journal, no fsync
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-1000000")
    tx = SqliteTx(conn)
    total = customers + 2 * (targets + invoices)
    bar = Progress(f"fixture: {invoices + targets:,} invoices", total, progress)
    target_ids: list[str] = []
    background: list[str] = []
    first_customer = ""
    started = time.monotonic()
    conn.execute("BEGIN")
    pending = 0
    for table, doc in generate(customers, targets, invoices):
        drive(tx.insert(table, doc))
        if table == "invoices":
            (target_ids if len(target_ids) < targets else background).append(doc["id"])
        elif table == "customers" and not first_customer:
            first_customer = doc["id"]
        pending += 1
        if pending == 20_000:
            conn.execute("COMMIT")
            conn.execute("BEGIN")
            bar.add(pending)
            pending = 0
    conn.execute("COMMIT")
    bar.add(pending)
    conn.execute("PRAGMA journal_mode=WAL")  # what arrears runs with
    conn.execute("ANALYZE")
    conn.close()
    fd = os.open(building, os.O_RDONLY)  # on disk before it is used: see run._flush
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(building, db)
    sample = background if len(background) <= GET_SAMPLE else random.Random(1).sample(background, GET_SAMPLE)
    get_ids, target_file = stem.with_suffix(".get-ids"), stem.with_suffix(".targets")
    _write_ids(get_ids, sample)
    _write_ids(target_file, target_ids)
    counts = {"customers": customers, "targets": targets, "background_invoices": invoices,
              "invoices": targets + invoices, "bytes": db.stat().st_size,
              "build_seconds": round(time.monotonic() - started, 1)}
    meta_path.write_text(json.dumps({"get_ids": str(get_ids), "targets": str(target_file),
                                     "customer": first_customer, "counts": counts}))
    return Fixture(db, get_ids, target_file, first_customer, counts)


async def _pg_load(url: str, rows: list[tuple[str, Doc]], bar: Progress) -> None:
    from arrears.store import open_store

    store = open_store(url, migrate=True)
    await store.open()
    try:
        for start in range(0, len(rows), 2000):
            chunk = rows[start:start + 2000]

            async def insert(tx: Any, chunk: list[tuple[str, Doc]] = chunk) -> None:
                for table, doc in chunk:
                    await tx.insert(table, doc)

            await store.write(insert)
            bar.add(len(chunk))
    finally:
        await store.close()


def postgres_fixture(url: str, folder: Path, *, targets: int, customers: int = 100,
                     progress: bool = True) -> Fixture:
    """Customers and ``targets`` open invoices in a fresh PostgreSQL database, through the store's Tx."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = list(generate(customers, targets, 0))
    bar = Progress(f"fixture: {targets:,} invoices on PostgreSQL", len(rows), progress)
    started = time.monotonic()
    asyncio.run(_pg_load(url, rows, bar))
    target_ids = [doc["id"] for table, doc in rows if table == "invoices"]
    first_customer = next(doc["id"] for table, doc in rows if table == "customers")
    target_file = folder / "pg.targets"
    _write_ids(target_file, target_ids)
    counts = {"customers": customers, "targets": targets, "background_invoices": 0, "invoices": targets,
              "build_seconds": round(time.monotonic() - started, 1)}
    return Fixture(folder / "pg", target_file, target_file, first_customer, counts)
