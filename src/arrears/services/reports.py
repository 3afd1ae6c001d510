"""Reports over the books: AR aging and bad debt. The store aggregates (SQL GROUP BY on indexed
columns); this module only names the groups and shapes the rows.

Aging buckets are days past due of open invoices (due date, or finalization for invoices charged
automatically, which are due at once): current (not yet due), 1–30, 31–60, 61–90, over 90.
Bad debt per period: written off = debits to bad_debt_expense; recovered = credits to
bad_debt_recovered; net = written off − recovered.
"""

from __future__ import annotations

import csv
import io
import time
from collections import defaultdict
from typing import Any

from arrears.domain import Doc, limits
from arrears.domain.errors import ParamError
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Group, Page

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
PERIODS = ("month", "quarter")
GROUPINGS = ("period", "customer", "currency")
WRITE_OFF, RECOVERY = "bad_debt_expense", "bad_debt_recovered"
UNDATED = "undated"  # the period of ledger lines dated past year 9999 (kept before timestamps were bounded)


def _bounded(**times: int | None) -> None:
    """Report times from every caller (the API, the dashboard, the command line) within limits.py's."""
    for name, value in times.items():
        if value is not None:
            limits.timestamp(value, name)


def day(ts: int) -> str:
    """The UTC date of a Unix time; the number itself for one no calendar reaches (a row written before
    timestamps were bounded), so that one odd row never fails a whole report."""
    try:
        return time.strftime("%Y-%m-%d", time.gmtime(ts))
    except (OverflowError, OSError, ValueError):
        return str(ts)


async def aging(tx: Tx, now: int, currency: str | None = None) -> Doc:
    _bounded(as_of=now)
    conds = [Cond("status", "=", "open")]
    if currency:
        conds.append(Cond("currency", "=", currency))
    rows = await tx.aggregate("invoices", (Group("customer"), Group("currency"), Group("due_date", age_at=now,
                              fallback="finalized_at")), "amount_remaining", Filter(tuple(conds)))
    table: dict[tuple[str, str], dict[str, Any]] = {}
    totals: dict[str, dict[str, Any]] = {}
    for customer, cur, bucket, amount in rows:
        row = table.setdefault((customer, cur), {"customer": customer, "currency": cur,
                                                 **dict.fromkeys(BUCKETS, 0), "total": 0})
        total = totals.setdefault(cur, {"currency": cur, **dict.fromkeys(BUCKETS, 0), "total": 0})
        for target in (row, total):
            target[bucket] += amount
            target["total"] += amount
    return {"object": "aging_report", "as_of": now, "currency": currency, "buckets": list(BUCKETS),
            "rows": sorted(table.values(), key=lambda r: (-r["total"], r["customer"])),
            "totals": sorted(totals.values(), key=lambda r: r["currency"])}


async def bad_debt(tx: Tx, period: str = "month", group_by: str = "period", *, start: int | None = None,
                   end: int | None = None, currency: str | None = None) -> Doc:
    if period not in PERIODS:
        raise ParamError(f"Invalid period: must be one of {', '.join(PERIODS)}", param="period")
    if group_by not in GROUPINGS:
        raise ParamError(f"Invalid group_by: must be one of {', '.join(GROUPINGS)}", param="group_by")
    _bounded(start=start, end=end)
    conds = [Cond("account", "in", (WRITE_OFF, RECOVERY))]
    if start is not None:
        conds.append(Cond("created", ">=", start))
    if end is not None:
        conds.append(Cond("created", "<", end))
    if currency:
        conds.append(Cond("currency", "=", currency))
    first = Group("created", period=period) if group_by == "period" else Group(group_by)
    keys = (first, Group("currency"), Group("account")) if group_by != "currency" else (first, Group("account"))
    rows = await tx.aggregate("ledger_entries", keys, "amount", Filter(tuple(conds)))
    grouped: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(dict)
    for row in rows:
        *key, account, amount = row
        if group_by == "currency":
            key = [key[0], key[0]]
        entry = grouped[tuple(key)]
        if not entry:
            entry.update({"period": (key[0] or UNDATED) if group_by == "period" else None,
                          "customer": key[0] if group_by == "customer" else None,
                          "currency": key[1], "written_off": 0, "recovered": 0})
        if account == WRITE_OFF:
            entry["written_off"] += amount
        else:
            entry["recovered"] -= amount
    out = []
    for entry in grouped.values():
        entry["net"] = entry["written_off"] - entry["recovered"]
        out.append(entry)
    out.sort(key=lambda r: (str(r["period"] or r["customer"] or ""), r["currency"]))
    return {"object": "bad_debt_report", "period": period, "group_by": group_by, "rows": out}


def to_csv(report: Doc) -> str:
    """The report's rows as CSV (one header row, amounts in minor units)."""
    rows = report["rows"]
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


JOURNAL_LIMIT = 100_000
JOURNAL_COLUMNS = ("date", "entry", "kind", "account", "debit", "credit", "currency", "invoice", "customer",
                   "event", "line")


async def journal(tx: Tx, *, start: int | None = None, end: int | None = None) -> Doc:
    """Every ledger line in [start, end), oldest first, in the columns an accountant imports."""
    _bounded(start=start, end=end)
    conds = []
    if start is not None:
        conds.append(Cond("created", ">=", start))
    if end is not None:
        conds.append(Cond("created", "<", end))
    found = await tx.list("ledger_entries", Filter(tuple(conds)), Page(limit=JOURNAL_LIMIT, oldest_first=True))
    rows = [{
        "date": day(line["created"]), "entry": line["entry"],
        "kind": line["kind"], "account": line["account"], "debit": line["debit"], "credit": line["credit"],
        "currency": line["currency"], "invoice": line["invoice"], "customer": line["customer"],
        "event": line["event"], "line": line["id"],
    } for line in found.docs]
    return {"object": "journal", "rows": rows, "has_more": found.has_more}
