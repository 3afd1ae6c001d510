"""Time the bad-debt reports (services/reports.py) on the harness's 1M-invoice fixture.

    python -m bench.report_timing [--fixture bench/.work/fixtures/sqlite-1000000-*.db] [--ledger-lines 400000]

The fixture (built by `make bench`) holds invoices but no ledger: a copy gets `--ledger-lines` synthetic
write-off and recovery lines spread over a year and 100 customers, then each report runs three times
through the same code the API and the CLI use. Results: bench/results/reports.json.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import shutil
import sqlite3
import time
from pathlib import Path

from arrears.services import reports
from arrears.store import open_store

WORK = Path(__file__).resolve().parent / ".work"
RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"


def _prepare(fixture: Path, lines: int) -> Path:
    copy = WORK / "reports.db"
    if not copy.exists():
        print(f"copying {fixture.name} ({fixture.stat().st_size >> 20} MB) ...", flush=True)
        shutil.copyfile(fixture, copy)
    return copy


def _add_ledger(db: Path, lines: int) -> None:
    conn = sqlite3.connect(db)
    if conn.execute("SELECT count(*) FROM ledger_entries WHERE id LIKE 'le_syn%'").fetchone()[0] >= lines:
        return
    print(f"adding {lines:,} synthetic ledger lines ...", flush=True)
    conn.execute(f"""WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(lines)})
        INSERT OR IGNORE INTO ledger_entries (id, entry, kind, created, account, currency, amount, invoice, customer,
                                              event, data, account_id, livemode)
        SELECT 'le_syn' || i, 'je_syn' || (i / 2), CASE WHEN i % 4 = 0 THEN 'recovery' ELSE 'write_off' END,
               1767225600 + (i * 79) % 31536000,
               CASE WHEN i % 4 = 0 THEN 'bad_debt_recovered' ELSE 'bad_debt_expense' END, 'usd',
               CASE WHEN i % 4 = 0 THEN -(i % 5000) ELSE i % 5000 END, 'in_syn' || i, 'cus_syn' || (i % 100),
               NULL, '{{}}', 'acct_default', 0 FROM n""")
    conn.commit()
    conn.close()


async def _time(db: Path) -> dict[str, dict[str, float | int]]:
    store = open_store(f"sqlite:///{db}")
    await store.open()  # migrates the copy to head (report indexes included)
    now = int(time.time())
    runs = {
        "aging": lambda tx: reports.aging(tx, now),
        "bad_debt_by_month": lambda tx: reports.bad_debt(tx, "month", "period"),
        "bad_debt_by_quarter_and_customer": lambda tx: reports.bad_debt(tx, "quarter", "customer"),
        "bad_debt_by_currency": lambda tx: reports.bad_debt(tx, "month", "currency"),
    }
    out: dict[str, dict[str, float | int]] = {}
    try:
        for name, query in runs.items():
            seconds = []
            for _ in range(3):
                started = time.perf_counter()
                report = await store.read(query)
                seconds.append(time.perf_counter() - started)
            out[name] = {"rows": len(report["rows"]), "best_s": round(min(seconds), 3),
                         "worst_s": round(max(seconds), 3)}
            print(f"{name:34} {out[name]['rows']:>5} rows  best {min(seconds):.3f} s  worst {max(seconds):.3f} s")
    finally:
        await store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fixture", help="the 1M-invoice SQLite fixture (default: the one make bench cached)")
    ap.add_argument("--ledger-lines", type=int, default=400_000)
    args = ap.parse_args()
    found = [args.fixture] if args.fixture else sorted(glob.glob(str(WORK / "fixtures" / "sqlite-1000000-*.db")))
    if not found:
        raise SystemExit("no 1M-invoice fixture: run `make bench` first (it builds and caches one)")
    db = _prepare(Path(found[0]), args.ledger_lines)
    _add_ledger(db, args.ledger_lines)
    conn = sqlite3.connect(db)
    invoices, open_ = conn.execute("SELECT count(*), sum(status = 'open') FROM invoices").fetchone()
    conn.close()
    timings = asyncio.run(_time(db))
    RESULTS.write_text(json.dumps({"invoices": invoices, "open_invoices": open_, "ledger_lines": args.ledger_lines,
                                   "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                   "reports": timings}, indent=1))
    print(f"{invoices:,} invoices ({open_:,} open): written to {RESULTS}")


if __name__ == "__main__":
    main()
