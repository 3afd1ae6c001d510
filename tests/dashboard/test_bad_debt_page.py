"""The bad-debt page draws what the reports service returns (the contract of ``services.reports``):
stacked aging bars by bucket, write-offs and recoveries by period, totals by customer, and CSVs of each.
The service here is a stand-in returning fixed reports, so the page is tested on its own; the browser test
checks the real service end to end."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from arrears.api.auth import Authenticator
from arrears.api.dashboard import routes as dashboard
from arrears.api.env import Env
from arrears.clock import FixedClock
from arrears.ids import IdGen
from arrears.store import open_store
from tests.support.server import KEY

NOW = 1_795_000_000
BUCKETS = ["current", "1_30", "31_60", "61_90", "over_90"]


def aging_row(customer: str, currency: str, *amounts: int) -> dict[str, Any]:
    return {"customer": customer, "currency": currency, **dict(zip(BUCKETS, amounts, strict=True)),
            "total": sum(amounts)}


class StandInReports:
    """Returns the contract's shapes; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    async def aging(self, tx: Any, now: int, currency: str) -> dict[str, Any]:
        self.asked.append(("aging", now, currency))
        rows = [aging_row("cus_ada", "usd", 1000, 0, 2500, 0, 599), aging_row("cus_bob", "usd", 0, 700, 0, 0, 0),
                aging_row("cus_eur", "eur", 5000, 0, 0, 0, 0)]
        totals = [{"currency": "usd", **{b: sum(r[b] for r in rows[:2]) for b in [*BUCKETS, "total"]}},
                  {"currency": "eur", **{b: rows[2][b] for b in [*BUCKETS, "total"]}}]
        return {"object": "aging_report", "as_of": now, "buckets": BUCKETS, "rows": rows, "totals": totals}

    async def bad_debt(self, tx: Any, period: str, group_by: str) -> dict[str, Any]:
        self.asked.append(("bad_debt", period, group_by))
        if group_by == "customer":
            rows = [{"period": None, "customer": "cus_ada", "currency": "usd", "written_off": 1599, "recovered": 1000,
                     "net": 599}]
        else:
            rows = [{"period": "2026-10", "customer": None, "currency": "usd", "written_off": 1000, "recovered": 0,
                     "net": 1000},
                    {"period": "2026-11", "customer": None, "currency": "usd", "written_off": 599, "recovered": 1000,
                     "net": -401},
                    {"period": "2026-11", "customer": None, "currency": "eur", "written_off": 42, "recovered": 0,
                     "net": 42}]
        return {"object": "bad_debt_report", "period": period, "group_by": group_by, "rows": rows}

    def to_csv(self, report: dict[str, Any]) -> str:
        rows = report["rows"]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


@pytest.fixture()
def reports() -> StandInReports:
    return StandInReports()


@pytest.fixture()
def browser(tmp_path: Path, reports: StandInReports) -> Iterator[TestClient]:
    store = open_store(f"sqlite:///{tmp_path / 'arrears.db'}")
    env = Env(store=store, clock=FixedClock(NOW), ids=IdGen(), base_url="http://testserver",
              auth=Authenticator(store))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        yield
        await store.close()

    app = Starlette(routes=dashboard.routes(env, "a-test-secret-of-enough-length", reports=reports),
                    lifespan=lifespan)
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/dashboard/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        assert client.post("/dashboard/sign-in", data={"api_key": KEY, "csrf_token": token}).status_code == 303
        yield client


def bars(page: str, chart: str) -> list[tuple[str, str, int]]:
    svg = re.search(rf'<svg class="chart[^"]*" id="{chart}".*?</svg>', page, re.S)
    assert svg, f"no {chart} on the page"
    return [(series, label, int(amount)) for series, label, amount in re.findall(
        r'<rect [^>]*data-series="([^"]+)" data-label="([^"]+)" data-amount="(\d+)"', svg.group(0))]


def test_the_aging_chart_stacks_each_customers_open_receivables_by_bucket(browser: TestClient,
                                                                           reports: StandInReports) -> None:
    page = browser.get("/dashboard/bad-debt").text
    assert ("aging", NOW, "usd") in reports.asked
    drawn = bars(page, "aging-chart")
    assert ("current", "All customers", 1000) in drawn and ("1_30", "All customers", 700) in drawn
    assert [(s, a) for s, label, a in drawn if label == "cus_ada"] == [("current", 1000), ("31_60", 2500),
                                                                       ("over_90", 599)]
    assert not any(label == "cus_eur" for _, label, _ in drawn)  # another currency, another chart
    assert 'role="img"' in page and "Aging of open receivables in USD" in page


def test_write_offs_and_recoveries_are_drawn_per_period_in_order(browser: TestClient,
                                                                 reports: StandInReports) -> None:
    page = browser.get("/dashboard/bad-debt", params={"period": "quarter"}).text
    assert ("bad_debt", "quarter", "period") in reports.asked
    assert bars(page, "bad-debt-chart") == [
        ("written_off", "2026-10", 1000), ("recovered", "2026-10", 0),
        ("written_off", "2026-11", 599), ("recovered", "2026-11", 1000),
    ]
    assert "-4.01 USD" in page  # the net of 2026-11, in the table beside the chart


def test_totals_by_customer_are_listed(browser: TestClient) -> None:
    page = browser.get("/dashboard/bad-debt").text
    section = page[page.index('id="by-customer-h"'):]
    assert 'href="/dashboard/customers/cus_ada"' in section and "15.99 USD" in section


def test_another_currency_is_shown_on_its_own(browser: TestClient) -> None:
    page = browser.get("/dashboard/bad-debt", params={"currency": "eur"}).text
    assert bars(page, "bad-debt-chart") == [("written_off", "2026-11", 42), ("recovered", "2026-11", 0)]
    assert [label for _, label, _ in bars(page, "aging-chart")] == ["All customers", "cus_eur"]


@pytest.mark.parametrize(("report", "header", "rows"), [
    ("aging", "customer,currency,current,1_30,31_60,61_90,over_90,total",
     ["cus_ada,usd,1000,0,2500,0,599,4099", "cus_bob,usd,0,700,0,0,0,700"]),
    ("write-offs", "period,customer,currency,written_off,recovered,net",
     ["2026-10,,usd,1000,0,1000", "2026-11,,usd,599,1000,-401"]),
    ("by-customer", "period,customer,currency,written_off,recovered,net", [",cus_ada,usd,1599,1000,599"]),
])
def test_each_report_downloads_as_the_services_csv_of_the_chosen_currency(
        browser: TestClient, report: str, header: str, rows: list[str]) -> None:
    answer = browser.get(f"/dashboard/bad-debt/{report}.csv", params={"currency": "usd", "period": "month"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith(f'attachment; filename="arrears-{report}-usd')
    assert answer.text.splitlines() == [header, *rows]
