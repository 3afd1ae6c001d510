"""The bad-debt page: the aging of open receivables (stacked bars by bucket), write-offs and recoveries
over time (bars by period), totals by customer, each with a CSV download.

The numbers come from the reports service (``services.reports``: ``aging(tx, now, currency)`` and
``bad_debt(tx, period, group_by)``), the same functions behind ``/_arrears/v1/reports/*``; the dashboard
only draws them, beside the invoices marked uncollectible.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Protocol

from starlette.responses import Response

from arrears.api.dashboard import charts
from arrears.api.dashboard.format import money
from arrears.api.dashboard.web import SECURITY_HEADERS, Visit
from arrears.domain import Doc
from arrears.services import reports
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

PERIODS = ("month", "quarter")
CHART_CUSTOMERS = 12
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

    buckets = [b for b in aging["buckets"] if b in BUCKETS]
    series = [charts.Series(b, BUCKETS[b], color) for b, color in zip(buckets, BUCKET_COLORS, strict=False)]
    aging_rows = sorted((r for r in aging["rows"] if r["currency"] == currency), key=lambda r: -r["total"])
    totals = [t for t in aging["totals"] if t["currency"] == currency]
    bars = [charts.Bar("All customers", {b: t[b] for b in buckets}) for t in totals]
    bars += [charts.Bar(_name(customers, r["customer"]), {b: r[b] for b in buckets})
             for r in aging_rows[:CHART_CUSTOMERS]]
    flows = sorted((r for r in by_period["rows"] if r["currency"] == currency), key=lambda r: r["period"])
    currencies = sorted({currency, *(r["currency"] for r in by_period["rows"]),
                         *(t["currency"] for t in aging["totals"])})
    context.update(
        currencies=currencies, buckets=buckets, bucket_labels=BUCKETS, aging=aging, aging_rows=aging_rows,
        totals=totals, flows=flows, customers=customers,
        by_customer=[r for r in by_customer["rows"] if r["currency"] == currency],
        aging_chart=charts.stacked_bars(
            "aging-chart", f"Aging of open receivables in {currency.upper()}",
            "Amount still owed on open invoices, by customer, stacked by days past the due date.",
            series, bars, fmt) if bars else None,
        flow_chart=charts.grouped_bars(
            "bad-debt-chart", f"Write-offs and recoveries by {period} in {currency.upper()}",
            f"Bad debt written off and later recovered, one pair of bars per {period}.",
            FLOWS, [charts.Bar(r["period"], {"written_off": r["written_off"], "recovered": r["recovered"]})
                    for r in flows], fmt) if flows else None,
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
