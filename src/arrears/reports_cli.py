"""``arrears report aging|bad-debt|journal`` and ``arrears webhooks attempts``: the books and the delivery
log from the command line, as tables or as CSV / JSON for a spreadsheet or an accountant's import.

Where the data comes from, as the user expects it: with ``--api-base`` (or ARREARS_API_BASE) through the
running server's own endpoints (``/_arrears/v1/reports/…``, ``/_arrears/v1/webhook_attempts``); else from
the database ``arrears serve`` would use (``--database``, else ARREARS_DATABASE_URL, else ./arrears.db). A
SQLite file that does not exist, or a database not migrated, is a one-line error: never a new, empty one.

Tables show amounts in major units (the row's currency decides the decimals), customer names beside their
ids and a totals row per currency; CSV and JSON keep Stripe's minor units, and the CSV headers say so."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from arrears.config import from_env
from arrears.domain import Doc, currency, limits
from arrears.domain.errors import ParamError
from arrears.domain.money_format import format_amount
from arrears.services import reports
from arrears.store import open_store, shown, sqlite_path
from arrears.store.base import DEFAULT_ACCOUNT, SYSTEM, Scope, Store, Tx
from arrears.store.query import Cond, Filter, Page
from arrears.workflow.client import Api, WorkflowError, api_key_from

T = TypeVar("T")
# The columns that hold amounts, per report (minor units in the data).
MONEY = frozenset({*reports.BUCKETS, "total", "written_off", "recovered", "net", "debit", "credit"})
ENDPOINTS = {"aging": "aging", "bad-debt": "bad_debt", "journal": "journal"}
TITLES = {"aging": "Accounts receivable aging (open invoices, by days past due)", "journal": "Journal"}


# --- where the data comes from ---------------------------------------------------------------------

def database_of(args: argparse.Namespace) -> str:
    """The database URL ``arrears serve`` would use with the same flags and environment; WorkflowError for
    a SQLite file that is not there (opening it would make a new, empty one)."""
    url = from_env(database=args.database).database
    if url.startswith("sqlite:"):
        path = Path(sqlite_path(url))
        if str(path) != ":memory:" and not path.exists():
            where = "" if args.database or "ARREARS_DATABASE_URL" in os.environ else " (the default)"
            raise WorkflowError(
                f"there is no database at {path.resolve()}{where}: pass the one `arrears serve` uses with "
                "--database sqlite:///path/to/arrears.db (or ARREARS_DATABASE_URL), or ask the running server "
                "with --api-base http://127.0.0.1:12111.")
    return url


async def _reading(url: str, fn: Callable[[Tx], Awaitable[T]], scope: Scope) -> T:
    store: Store = open_store(url, migrate=False)
    try:
        try:
            pending = await store.pending_migrations()
        except (OSError, ConnectionError) as exc:
            raise WorkflowError(f"cannot open {shown(url)} ({exc}): is the database server running, "
                                "and is the URL right?") from None
        if pending:
            raise WorkflowError(f"{shown(url)} is not an arrears database at the current schema "
                                f"({len(pending)} migration(s) pending): run `arrears migrate --database "
                                f"{shown(url)}` or start `arrears serve` on it first.")
        await store.open()
        return await store.read(fn, scope=scope)
    finally:
        await store.close()


def read_database(url: str, fn: Callable[[Tx], Awaitable[T]], scope: Scope) -> T:
    try:
        return asyncio.run(_reading(url, fn, scope))
    except ParamError as exc:
        raise WorkflowError(exc.message) from None
    except Exception as exc:  # asyncpg's own errors (a refused password, no such database) are one line too
        if type(exc).__module__.startswith("asyncpg"):
            raise WorkflowError(f"cannot read {shown(url)}: {exc}") from None
        raise


def api_of(args: argparse.Namespace) -> Api | None:
    base = args.api_base or os.environ.get("ARREARS_API_BASE")
    if not base:
        return None
    return Api(base=base.rstrip("/"), key=api_key_from(args.api_key),
               account=args.account if getattr(args, "account", DEFAULT_ACCOUNT) != DEFAULT_ACCOUNT else None)


# --- the reports -----------------------------------------------------------------------------------

def _query(args: argparse.Namespace) -> Callable[[Tx], Awaitable[Doc]]:
    async def run(tx: Tx) -> Doc:
        if args.report == "aging":
            report = await reports.aging(tx, args.as_of or int(time.time()), args.currency)
        elif args.report == "bad-debt":
            report = await reports.bad_debt(tx, args.period, args.group_by, currency=args.currency)
        else:
            report = await reports.journal(tx)
        ids = {row["customer"] for row in report["rows"] if row.get("customer")}
        found = [await tx.get("customers", cid) for cid in sorted(ids)]
        report["customer_names"] = {doc["id"]: doc.get("name") or doc.get("email") for doc in found if doc}
        return report
    return run


def _from_api(api: Api, args: argparse.Namespace) -> Doc:
    params: dict[str, Any] = {}
    if args.report == "aging":
        params = {"as_of": args.as_of, "currency": args.currency}
    elif args.report == "bad-debt":
        params = {"period": args.period, "group_by": args.group_by, "currency": args.currency}
    report: Doc = api.call("GET", f"/_arrears/v1/reports/{ENDPOINTS[args.report]}", params)
    names = {}
    for cid in sorted({row["customer"] for row in report["rows"] if row.get("customer")}):
        response = api.request("GET", f"/v1/customers/{cid}")
        if response.status_code == 200:
            doc = response.json()
            names[cid] = doc.get("name") or doc.get("email")
    report["customer_names"] = names
    return report


def with_names(rows: list[Doc], names: dict[str, str | None]) -> list[Doc]:
    """Each row with ``customer_name`` right after ``customer`` (rows without a customer column unchanged)."""
    out = []
    for row in rows:
        if "customer" not in row:
            out.append(row)
            continue
        named: Doc = {}
        for key, value in row.items():
            named[key] = value
            if key == "customer":
                named["customer_name"] = names.get(value or "") or ""
        out.append(named)
    return out


def totals(rows: list[Doc]) -> list[Doc]:
    """One totals row per currency: the sum of every amount column."""
    sums: dict[str, Doc] = {}
    for row in rows:
        cur = row.get("currency") or ""
        total = sums.setdefault(cur, {key: ("" if key not in MONEY else 0) for key in row})
        total["currency"] = cur
        for key in row:
            if key in MONEY:
                total[key] += row[key] or 0
    first = next(iter(rows[0])) if rows else ""
    for total in sums.values():
        total[first] = "TOTAL"
    return [sums[cur] for cur in sorted(sums)]


def _header(key: str, currencies: set[str]) -> str:
    title = f"{key.replace('_', '-')} days" if key in reports.BUCKETS[1:] else key.replace("_", " ")
    if key not in MONEY:
        return title
    return f"{title} ({next(iter(currencies)).upper()})" if len(currencies) == 1 else f"{title} (major units)"


def _cell(key: str, value: Any, cur: str) -> str:
    if key in MONEY and isinstance(value, int):
        return format_amount(value, cur or "usd", display="number")  # the header names the currency
    return "" if value is None else str(value)


def table(title: str, rows: list[Doc], summary: list[Doc]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not rows:
        console.print(f"[bold]{title}[/bold]: nothing to report yet.")
        return
    currencies = {str(row.get("currency") or "") for row in rows}
    grid = Table(title=title, show_lines=False, show_footer=False)
    for key in rows[0]:
        grid.add_column(_header(key, currencies), justify="right" if key in MONEY else "left")
    for row in rows:
        grid.add_row(*(_cell(k, v, row.get("currency") or "") for k, v in row.items()))
    grid.add_section()
    for row in summary:
        grid.add_row(*(_cell(k, v, row.get("currency") or "") for k, v in row.items()), style="bold")
    console.print(grid)


def to_csv(rows: list[Doc]) -> str:
    """The rows as CSV: amount columns named with their unit (``total_minor_units``: cents for usd)."""
    buffer = io.StringIO()
    if rows:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([f"{key}_minor_units" if key in MONEY else key for key in rows[0]])
        writer.writerows([list(row.values()) for row in rows])
    return buffer.getvalue()


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    api = api_of(args)
    if api is not None:
        source = api.base
        report = _from_api(api, args)
    else:
        source = shown(database_of(args))
        report = read_database(database_of(args), _query(args), Scope(args.account, args.live))
    rows = with_names(report["rows"], report.pop("customer_names", {}))
    if args.format == "json":
        print(json.dumps({**report, "rows": rows}, indent=2))
    elif args.format == "csv":
        print(to_csv(rows), end="")
    else:
        title = TITLES.get(args.report) or f"Bad debt by {args.group_by} ({args.period})"
        table(title, rows, totals(rows))
        print(f"({len(rows)} rows from {source} in {time.monotonic() - started:.2f}s; amounts in major units "
              "of each row's currency)")
    return 0


# --- webhook delivery attempts -----------------------------------------------------------------------

def attempts(args: argparse.Namespace) -> int:
    api = api_of(args)
    if api is not None:
        params = {"event": args.event, "endpoint": args.endpoint, "limit": min(args.limit, 100)}
        rows = api.call("GET", "/_arrears/v1/webhook_attempts", params)["data"]
    else:
        flt = Filter(tuple(Cond(name, "=", value) for name, value in (("event", args.event),
                                                                      ("endpoint", args.endpoint)) if value))

        async def query(tx: Tx) -> list[Doc]:
            return (await tx.list("webhook_attempts", flt, Page(limit=args.limit))).docs

        rows = read_database(database_of(args), query, SYSTEM)
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'attempted (UTC)':19}  {'event':30} {'endpoint':30} {'#':>2} {'status':>6} {'ms':>6}  error")
    for row in rows:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row["created"]))
        print(f"{when:19}  {row['event']:30} {row['endpoint']:30} {row['attempt']:>2} "
              f"{row['status_code'] or '-'!s:>6} {row['latency_ms']:>6}  {row['error'] or ''}")
    if not rows:
        print("(no delivery attempts yet)")
    return 0


# --- arguments -------------------------------------------------------------------------------------

def _currency(text: str) -> str:
    try:
        return currency.parse(text)
    except ParamError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def as_of(text: str) -> int:
    """A unix time, or a UTC date (YYYY-MM-DD: the end of that day) or date and time (YYYY-MM-DDTHH:MM)."""
    try:
        if text.lstrip("-").isdigit():
            return limits.timestamp(int(text), "--as-of")
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date or a unix time: {text!r} (use 2026-01-31, 2026-01-31T12:00 or 1769817600)") from None
    except ParamError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = int(moment.timestamp())
    if len(text) == 10:  # a date alone: the whole of that day is in
        stamp += 86399
    try:
        return limits.timestamp(stamp, "--as-of")
    except ParamError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", help="database URL, as for `arrears serve` (env ARREARS_DATABASE_URL; "
                                           "default sqlite:///arrears.db)")
    parser.add_argument("--api-base", help="read through this running server instead, e.g. http://127.0.0.1:12111 "
                                           "(env ARREARS_API_BASE)")
    parser.add_argument("--api-key", help="API key for --api-base (env ARREARS_API_KEY; any sk_test_ key on an "
                                          "open server)")


def add_parser(sub: Any) -> None:
    report = sub.add_parser("report", help="the bad-debt books: aging, bad debt, journal")
    report.add_argument("report", choices=["aging", "bad-debt", "journal"])
    source_arguments(report)
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.add_argument("--currency", type=_currency, help="only this currency (usd; USD is read as usd)")
    report.add_argument("--as-of", type=as_of, help="aging as of this date (YYYY-MM-DD, UTC, end of day) or unix "
                                                    "time (default: now)")
    report.add_argument("--period", choices=["month", "quarter"], default="month")
    report.add_argument("--group-by", choices=["period", "customer", "currency"], default="period")
    report.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"whose books (default {DEFAULT_ACCOUNT})")
    report.add_argument("--live", action="store_true", help="live-mode books (default: test mode)")
    report.set_defaults(run=run)


def add_attempts_parser(hooks_sub: Any) -> None:
    attempts_parser = hooks_sub.add_parser("attempts", help="list delivery attempts, newest first")
    source_arguments(attempts_parser)
    attempts_parser.add_argument("--event", help="only attempts for this event id")
    attempts_parser.add_argument("--endpoint", help="only attempts for this webhook endpoint id")
    attempts_parser.add_argument("--limit", type=int, default=50)
    attempts_parser.add_argument("--format", choices=["table", "json"], default="table")
    attempts_parser.set_defaults(run=attempts)
