"""The bad-debt page: the aging of open receivables (stacked bars by bucket), write-offs and recoveries
over time (bars by period), totals by customer, each with a CSV download.

The numbers come from the reports service (``services.reports``: ``aging(tx, now, currency)`` and
``bad_debt(tx, period, group_by)``), the same functions behind ``/_arrears/v1/reports/*``; the dashboard
only draws them, beside the invoices marked uncollectible.

At scale the page stays short: the aging chart draws the customers who owe the most (``TOP``, fewer on
a phone) and says what the others owe together; the tables go by pages of ``PAGE_SIZE`` with a count of
all rows; totals by customer sort by amount or by name; the write-off chart shows every period between
the first and the last, empty ones as zero.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, Protocol
from urllib.parse import urlencode

from starlette.responses import Response

from arrears.api.dashboard import charts, periods
from arrears.api.dashboard.format import amount, money
from arrears.api.dashboard.web import SECURITY_HEADERS, Visit
from arrears.domain import Doc
from arrears.services import reports
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

PERIODS = ("month", "quarter")
TOP = 10  # customers in the aging chart (TOP_NARROW on a phone's chart)
TOP_NARROW = 5
NARROW_PERIODS = 12  # the latest periods in a phone's write-off chart (all of them are in the table)
PAGE_SIZE = 25
SORTS = ("amount", "name")
KEPT = ("currency", "period", "sort", "aging_page", "customers_page")  # the page's own query parameters
BUCKETS = {"current": "Current", "1_30": "1–30 days", "31_60": "31–60 days", "61_90": "61–90 days",
           "over_90": "Over 90 days"}
BUCKET_COLORS = ("#1d4ed8", "#0f766e", "#a16207", "#c2410c", "#991b1b")
FLOWS = (charts.Series("written_off", "Written off", "#b91c1c"), charts.Series("recovered", "Recovered", "#15803d"))


class Reports(Protocol):
    """The reports service as the dashboard uses it: the module ``arrears.services.reports`` (``SERVICE``),
    or a stand-in with the same functions."""

    def aging(self, tx: Tx, now: int, currency: str) -> Awaitable[Doc]: ...

    def bad_debt(self, tx: Tx, period: str, group_by: str) -> Awaitable[Doc]: ...

    def to_csv(self, report: Doc) -> str: ...  # a report's rows as CSV, as the reports API answers format=csv


SERVICE: Reports = reports


def _choices(visit: Visit) -> tuple[str, str]:
    currency = (visit.param("currency") or "usd").lower()
    period = visit.param("period")
    return (currency if currency.isalpha() and len(currency) == 3 else "usd",
            period if period in PERIODS else "month")


async def _reports(visit: Visit, service: Reports, currency: str, period: str
                   ) -> tuple[Doc, Doc, Doc, dict[str, Doc]]:
    now = visit.env.clock.now()

    async def read(tx: Tx) -> tuple[Doc, Doc, Doc, dict[str, Doc]]:
        aging = await service.aging(tx, now, currency)
        by_period = await service.bad_debt(tx, period, "period")
        by_customer = await service.bad_debt(tx, period, "customer")
        ids = {row["customer"] for row in aging["rows"]} | {row["customer"] for row in by_customer["rows"]}
        customers = {cid: doc for cid in sorted(i for i in ids if i) if (doc := await tx.get("customers", cid))}
        return aging, by_period, by_customer, customers

    return await visit.env.store.read(read, scope=visit.scope)


def _name(customers: dict[str, Doc], customer_id: str) -> str:
    doc = customers.get(customer_id) or {}
    return str(doc.get("name") or doc.get("email") or customer_id)


def _page_number(visit: Visit, name: str) -> int:
    text = visit.param(name)
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


class Pages:
    """One table's pages: the rows shown, their count and the links to the pages beside."""

    def __init__(self, visit: Visit, name: str, rows: Sequence[Any], anchor: str) -> None:
        self.count = len(rows)
        self.last = max(-(-self.count // PAGE_SIZE), 1)
        self.number = min(_page_number(visit, name), self.last)
        start = (self.number - 1) * PAGE_SIZE
        self.rows = list(rows[start:start + PAGE_SIZE])
        self.first_shown, self.last_shown = (start + 1, start + len(self.rows)) if self.rows else (0, 0)
        self.newer = _link(visit, anchor, **{name: str(self.number - 1)}) if self.number > 1 else None
        self.older = _link(visit, anchor, **{name: str(self.number + 1)}) if self.number < self.last else None


def _link(visit: Visit, anchor: str, **changes: str) -> str:
    params = {k: visit.param(k) for k in KEPT if visit.param(k)}
    params.update(changes)
    return "?" + urlencode({k: v for k, v in params.items() if v and v != "1"}) + "#" + anchor


def _aging_charts(currency: str, buckets: list[str], totals: list[Doc], rows: list[Doc],
                  customers: dict[str, Doc]) -> tuple[Any, Any, tuple[str, str]]:
    """The desktop and phone aging charts, and what each leaves out."""
    series = [charts.Series(b, BUCKETS[b], color) for b, color in zip(buckets, BUCKET_COLORS, strict=False)]
    title = f"Aging of open receivables in {currency.upper()}"

    def fmt(minor: int) -> str:
        return money(minor, currency)

    def short(minor: int) -> str:
        return amount(minor, currency)

    def bars(top: int) -> list[charts.Bar]:
        shown = [charts.Bar(_name(customers, r["customer"]), {b: r[b] for b in buckets}) for r in rows[:top]]
        if len(rows) <= top:  # the whole in the same scale as its parts only while it is not too tall
            shown = [charts.Bar("All customers", {b: t[b] for b in buckets}) for t in totals] + shown
        return shown

    desc = "Amount still owed on open invoices, by customer, stacked by days past the due date."
    if not rows:
        return None, None, ("", "")
    wide = charts.stacked_bars("aging-chart", title, desc, series, bars(TOP), fmt)
    narrow = charts.stacked_bars("aging-chart-narrow", title, desc, series, bars(TOP_NARROW), fmt,
                                 width=charts.NARROW, label_width=110, ticks=2, tick_fmt=short)
    return wide, narrow, (_left_out(rows, TOP, fmt), _left_out(rows, TOP_NARROW, fmt))


def _left_out(rows: list[Doc], top: int, fmt: charts.Format) -> str:
    """What a chart of the ``top`` customers leaves out, in words ("" when it leaves out no one)."""
    if len(rows) <= top:
        return ""
    owed = sum(r["total"] for r in rows[top:])
    return (f"The chart shows the {top} customers who owe the most; the other {len(rows) - top:,} owe "
            f"{fmt(owed)} together. Every customer is in the table.")


async def index(visit: Visit) -> Response:
    currency, period = _choices(visit)
    written_off = await visit.env.store.read(lambda tx: tx.list(
        "invoices", Filter((Cond("status", "=", "uncollectible"),)), Page(limit=25)),
        scope=visit.scope) if visit.may("invoice") else None
    context: dict[str, Any] = {"currency": currency, "period": period, "periods": PERIODS,
                               "uncollectible": None if written_off is None else written_off.docs}
    aging, by_period, by_customer, customers = await _reports(visit, visit.dash.reports, currency, period)

    def fmt(minor: int) -> str:
        return money(minor, currency)

    def short(minor: int) -> str:
        return amount(minor, currency)

    buckets = [b for b in aging["buckets"] if b in BUCKETS]
    aging_rows = sorted((r for r in aging["rows"] if r["currency"] == currency),
                        key=lambda r: (-r["total"], _name(customers, r["customer"]).lower()))
    totals = [t for t in aging["totals"] if t["currency"] == currency]
    aging_chart, aging_chart_narrow, aging_others = _aging_charts(currency, buckets, totals, aging_rows, customers)
    zero = {"customer": None, "currency": currency, "written_off": 0, "recovered": 0, "net": 0}
    flows = periods.filled(sorted((r for r in by_period["rows"] if r["currency"] == currency),
                                  key=lambda r: str(r["period"])), period, zero)
    flow_title = f"Write-offs and recoveries by {period} in {currency.upper()}"
    flow_desc = f"Bad debt written off and later recovered, one pair of bars per {period}."
    flow_bars = [charts.Bar(r["period"], {"written_off": r["written_off"], "recovered": r["recovered"]})
                 for r in flows]
    sort = visit.param("sort") if visit.param("sort") in SORTS else "amount"
    owed = [r for r in by_customer["rows"] if r["currency"] == currency]
    if sort == "name":
        owed.sort(key=lambda r: (_name(customers, r["customer"]).lower() if r["customer"] else "\uffff",
                                 r["customer"] or ""))
    else:
        owed.sort(key=lambda r: (-r["written_off"], -r["net"], _name(customers, r["customer"]).lower()))
    currencies = sorted({currency, *(r["currency"] for r in by_period["rows"]),
                         *(t["currency"] for t in aging["totals"])})
    context.update(
        currencies=currencies, buckets=buckets, bucket_labels=BUCKETS, aging=aging,
        aging_pages=Pages(visit, "aging_page", aging_rows, "aging-h"), totals=totals, flows=flows,
        customers=customers, sort=sort, sorts=SORTS, sort_link=lambda key: _link(
            visit, "by-customer-h", sort=key, customers_page=""),
        by_customer=Pages(visit, "customers_page", owed, "by-customer-h"),
        aging_chart=aging_chart, aging_chart_narrow=aging_chart_narrow, aging_others=aging_others,
        flow_chart=charts.grouped_bars("bad-debt-chart", flow_title, flow_desc, FLOWS, flow_bars, fmt)
        if flows else None,
        flow_chart_narrow=charts.grouped_bars(
            "bad-debt-chart-narrow", flow_title, flow_desc + f" The latest {NARROW_PERIODS} at most.", FLOWS,
            flow_bars[-NARROW_PERIODS:], fmt, width=charts.NARROW, height=220, ticks=3, tick_fmt=short)
        if flows else None,
        name=lambda cid: _name(customers, cid),
    )
    return visit.render("bad_debt.html", **context)


CSV_REPORTS = ("aging", "write-offs", "by-customer")


async def download(visit: Visit) -> Response:
    """A report as CSV, written by the reports service as its API writes it, for the chosen currency."""
    report = visit.request.path_params["report"]
    service = visit.dash.reports
    if report not in CSV_REPORTS:
        return visit.not_found(f"There is no report {report}.")
    currency, period = _choices(visit)
    aging, by_period, by_customer, _ = await _reports(visit, service, currency, period)
    chosen = {"aging": aging, "write-offs": by_period, "by-customer": by_customer}[report]
    rows = [row for row in chosen["rows"] if row["currency"] == currency]
    name = f"arrears-{report}-{currency}" + ("" if report == "aging" else f"-{period}") + ".csv"
    return Response(service.to_csv({**chosen, "rows": rows}), media_type="text/csv; charset=utf-8",
                    headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})
