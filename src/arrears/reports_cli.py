"""``arrears report aging|bad-debt|journal``: the bad-debt books from the command line, as rich tables
or as CSV / JSON for a spreadsheet or an accountant's import."""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from arrears.config import from_env
from arrears.domain import Doc, currency, limits
from arrears.domain.errors import ParamError
from arrears.services import reports
from arrears.store import open_store
from arrears.store.base import DEFAULT_ACCOUNT, Scope


def _money(amount: int) -> str:
    return f"{amount / 100:,.2f}"


async def _run(database: str, query: Any, scope: Scope) -> Doc:
    store = open_store(database)
    await store.open()
    try:
        result: Doc = await store.read(query, scope=scope)
        return result
    finally:
        await store.close()


def _query(args: argparse.Namespace) -> Any:
    if args.report == "aging":
        now = args.as_of or int(time.time())
        return lambda tx: reports.aging(tx, now, args.currency)
    if args.report == "bad-debt":
        return lambda tx: reports.bad_debt(tx, args.period, args.group_by, currency=args.currency)
    return lambda tx: reports.journal(tx)


def _table(report: Doc, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    rows = report["rows"]
    table = Table(title=title, show_lines=False)
    if not rows:
        Console().print(f"[bold]{title}[/bold]: nothing to report yet.")
        return
    money = {k for k, v in rows[0].items() if isinstance(v, int) and k not in ("date",)}
    for key in rows[0]:
        table.add_column(key.replace("_", " "), justify="right" if key in money else "left")
    for row in rows:
        table.add_row(*(_money(v) if k in money else ("" if v is None else str(v)) for k, v in row.items()))
    Console().print(table)


def run(args: argparse.Namespace) -> int:
    settings = from_env(database=args.database)
    started = time.monotonic()
    report = asyncio.run(_run(settings.database, _query(args), Scope(args.account, args.live)))
    if args.format == "json":
        print(json.dumps(report, indent=2))
    elif args.format == "csv":
        print(reports.to_csv(report), end="")
    else:
        titles = {"aging": "Accounts receivable aging (open invoices, by days past due)",
                  "bad-debt": f"Bad debt by {args.group_by} ({args.period})", "journal": "Journal"}
        _table(report, titles[args.report])
        print(f"({len(report['rows'])} rows from {settings.database} in {time.monotonic() - started:.2f}s; "
              "amounts in major units)")
    return 0


def _currency(text: str) -> str:
    try:
        return currency.parse(text)
    except ParamError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _timestamp(text: str) -> int:
    try:
        return limits.timestamp(int(text), "--as-of")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a unix time: {text!r}") from None
    except ParamError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def add_parser(sub: Any) -> None:
    report = sub.add_parser("report", help="the bad-debt books: aging, bad debt, journal")
    report.add_argument("report", choices=["aging", "bad-debt", "journal"])
    report.add_argument("--database", help="database URL (env ARREARS_DATABASE_URL)")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.add_argument("--currency", type=_currency, help="only this currency (usd; USD is read as usd)")
    report.add_argument("--as-of", type=_timestamp, help="aging as of this unix time (default: now)")
    report.add_argument("--period", choices=["month", "quarter"], default="month")
    report.add_argument("--group-by", choices=["period", "customer", "currency"], default="period")
    report.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"whose books (default {DEFAULT_ACCOUNT})")
    report.add_argument("--live", action="store_true", help="live-mode books (default: test mode)")
    report.set_defaults(run=run)
