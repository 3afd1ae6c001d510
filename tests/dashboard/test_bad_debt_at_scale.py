"""The bad-debt page at a thousand customers: a short page (tables by pages with a count, a chart of the
customers who owe the most), totals by customer sortable by amount and by name, every month between the
first and the last write-off in the chart and its table. A stand-in reports service (the contract of
``services.reports``) gives the page its numbers; the charts' and periods' rules are unit-tested below."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from arrears.api.dashboard import charts, periods
from tests.dashboard.test_bad_debt_page import BUCKETS, aging_row, bars, browser  # noqa: F401 - a fixture

MANY = 1000


class ScaleReports:
    """A thousand customers owing 1.00 to 10.00 USD each, write-offs in January and April only, bad debt of
    customers whose names sort the other way round from their amounts."""

    async def aging(self, tx: Any, now: int, currency: str) -> dict[str, Any]:
        rows = [aging_row(f"cus_{i:04d}", "usd", 100 * (i % 10 + 1), 0, 0, 0, i) for i in range(MANY)]
        rows.sort(key=lambda r: (-r["total"], r["customer"]))
        totals = [{"currency": "usd", **{b: sum(r[b] for r in rows) for b in [*BUCKETS, "total"]}}]
        return {"object": "aging_report", "as_of": now, "buckets": BUCKETS, "rows": rows, "totals": totals}

    async def bad_debt(self, tx: Any, period: str, group_by: str) -> dict[str, Any]:
        if group_by == "customer":
            rows = [{"period": None, "customer": f"cus_{name}", "currency": "usd", "written_off": amount,
                     "recovered": 0, "net": amount} for name, amount in (("ada", 100), ("bob", 300), ("cy", 200))]
        else:
            rows = [{"period": label, "customer": None, "currency": "usd", "written_off": amount, "recovered": 0,
                     "net": amount} for label, amount in (
                ("2026-01", 1000), ("2026-04", 500)) if period == "month"] or [
                {"period": label, "customer": None, "currency": "usd", "written_off": 7, "recovered": 0, "net": 7}
                for label in ("2025-Q3", "2026-Q2")]
        return {"object": "bad_debt_report", "period": period, "group_by": group_by, "rows": rows}

    def to_csv(self, report: dict[str, Any]) -> str:
        return ""


@pytest.fixture()
def reports() -> ScaleReports:
    return ScaleReports()


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("<section", start)
    return page[start:end if end > 0 else None]


def body_rows(html: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert tbody
    return re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S)


def test_the_aging_table_goes_by_pages_of_25_with_a_count_of_every_customer(browser: TestClient) -> None:  # noqa: F811
    page = browser.get("/dashboard/bad-debt").text
    aging = section(page, "aging-h")
    assert "1,000 customers with open receivables, 1–25 shown." in aging
    assert len(body_rows(aging)) == 25
    assert 'href="?aging_page=2#aging-h"' in aging and "Page 1 of 40" in aging
    last = section(browser.get("/dashboard/bad-debt", params={"aging_page": "40"}).text, "aging-h")
    assert len(body_rows(last)) == 1000 - 39 * 25 and "976–1000 shown" in last and "rel=\"next\"" not in last
    beyond = section(browser.get("/dashboard/bad-debt", params={"aging_page": "999"}).text, "aging-h")
    assert "Page 40 of 40" in beyond  # a page past the end shows the last one


def test_the_aging_chart_draws_the_top_customers_and_says_what_the_others_owe(browser: TestClient) -> None:  # noqa: F811
    page = browser.get("/dashboard/bad-debt").text
    wide = {label for _, label, _ in bars(page, "aging-chart")}
    narrow = {label for _, label, _ in bars(page, "aging-chart-narrow")}
    assert len(wide) == 10 and len(narrow) == 5 and "All customers" not in wide
    assert "cus_0999" in wide  # 1,000 + 999 owed: the most
    assert "The chart shows the 10 customers who owe the most; the other 990 owe" in page
    assert "The chart shows the 5 customers who owe the most; the other 995 owe" in page


def test_every_month_between_the_first_and_the_last_write_off_is_shown(browser: TestClient) -> None:  # noqa: F811
    page = browser.get("/dashboard/bad-debt").text
    drawn = [(label, amount) for series, label, amount in bars(page, "bad-debt-chart") if series == "written_off"]
    assert drawn == [("2026-01", 1000), ("2026-02", 0), ("2026-03", 0), ("2026-04", 500)]
    table = section(page, "flows-h")
    assert [re.search(r'<th scope="row">([^<]+)', r).group(1) for r in body_rows(table)] == [  # type: ignore[union-attr]
        "2026-01", "2026-02", "2026-03", "2026-04"]
    quarters = browser.get("/dashboard/bad-debt", params={"period": "quarter"}).text
    assert [label for s, label, _ in bars(quarters, "bad-debt-chart") if s == "written_off"] == [
        "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]


def test_totals_by_customer_sort_by_amount_written_off_and_by_name(browser: TestClient) -> None:  # noqa: F811
    def order(params: dict[str, str]) -> list[str]:
        html = section(browser.get("/dashboard/bad-debt", params=params).text, "by-customer-h")
        return re.findall(r'href="/dashboard/customers/(cus_\w+)"', html)

    assert order({}) == ["cus_bob", "cus_cy", "cus_ada"]  # largest first, by default
    assert order({"sort": "amount"}) == ["cus_bob", "cus_cy", "cus_ada"]
    assert order({"sort": "name"}) == ["cus_ada", "cus_bob", "cus_cy"]
    by_name = section(browser.get("/dashboard/bad-debt", params={"sort": "name"}).text, "by-customer-h")
    assert 'aria-sort="ascending"' in by_name and "3 customers with bad debt" in by_name
    assert 'href="?sort=amount#by-customer-h"' in by_name


# --- the rules behind it -------------------------------------------------------------------------------------

def test_periods_fill_the_gaps_and_keep_undated_rows_last() -> None:
    zero = {"written_off": 0}
    rows = [{"period": "2025-11", "written_off": 1}, {"period": "2026-02", "written_off": 2},
            {"period": "undated", "written_off": 3}]
    assert [(r["period"], r["written_off"]) for r in periods.filled(rows, "month", zero)] == [
        ("2025-11", 1), ("2025-12", 0), ("2026-01", 0), ("2026-02", 2), ("undated", 3)]
    assert periods.span(["2026-Q1", "2025-Q4"], "quarter") == ["2025-Q4", "2026-Q1"]
    assert periods.filled([], "month", zero) == []


def test_a_narrow_chart_thins_its_period_labels_so_that_none_overlaps() -> None:
    series = [charts.Series("written_off", "Written off", "#b91c1c")]
    months = [charts.Bar(label, {"written_off": 100}) for label in periods.span(["2024-01", "2026-12"], "month")]
    svg = str(charts.grouped_bars("c", "T", "D", series, months, str, width=charts.NARROW))
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"[^>]*>(\d{4}-\d\d)</text>', svg)
    assert 2 <= len(labels) < len(months) and labels[-1][1] == "2026-12"
    xs = [float(x) for x, _ in labels]
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 7 * charts.CHAR  # 7 characters apart at least
    assert len(re.findall(r"<rect [^>]*data-series", svg)) == len(months)  # every month still has its bar


def test_long_labels_are_cut_to_fit_and_the_legend_wraps_on_a_narrow_chart() -> None:
    assert charts.fit("A customer with a very long name indeed", 110) == "A customer w…"
    assert charts.fit("Ada", 110) == "Ada"
    series = [charts.Series(k, label, "#1d4ed8") for k, label in (
        ("current", "Current"), ("1_30", "1–30 days"), ("31_60", "31–60 days"), ("61_90", "61–90 days"),
        ("over_90", "Over 90 days"))]
    svg = str(charts.stacked_bars("a", "T", "D", series, [charts.Bar("x", {"current": 5})], str,
                                  width=charts.NARROW, label_width=110, ticks=2))
    legend = re.search(r'<g class="legend"[^>]*>(.*?)</g>', svg, re.S)
    assert legend
    xs = [float(x) for x in re.findall(r'<rect x="([\d.]+)"', legend.group(1))]
    ys = {float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)"', legend.group(1))}
    assert max(xs) < charts.NARROW and len(ys) > 1
    assert 'viewBox="0 0 340 ' in svg and 'class="chart narrow"' in svg
