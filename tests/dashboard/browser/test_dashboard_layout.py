"""Every dashboard page on a phone (390×844) and on a desktop (1440×900), in chromium against a real server
with a dozen customers' worth of data: nothing wider than the window, no text (chart labels included, at
the size the screen shows them) under 11 px, a header that leaves the phone's screen to the page, and
axe-core at zero violations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from playwright.sync_api import expect

from tests import factories
from tests.dashboard.browser import a11y
from tests.dashboard.browser.conftest import shot, sign_in
from tests.support.server import Server

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
NAMES = ["Ada Lovelace", "Bartholomew Featherstonehaugh-Worthington", "Chidimma Okonkwo", "Dmitri Ivanov",
         "Eleanor Roosevelt", "Fatima Al-Fihri", "Grace Hopper", "Hiroshi Yamamoto", "Ingrid Bergström",
         "José Saramago", "Kwame Nkrumah", "Zoë Café — 北京"]


@pytest.fixture(scope="module")
def data(api: stripe.StripeClient) -> dict[str, str]:
    """A dozen customers with open invoices of different sizes; three written off, one of them paid later."""
    made: dict[str, str] = {}
    for i, name in enumerate(NAMES):
        cus = factories.customer(api, name=name, email=f"c{i}@example.com")
        inv = api.v1.invoices.finalize_invoice(factories.draft(api, amount=1000 * (i + 1) + 99, cus=cus).id)
        if i in (3, 7, 11):
            inv = api.v1.invoices.mark_uncollectible(inv.id)
        if i == 7:
            inv = api.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
        made.setdefault("customer", cus.id)
        made.setdefault("invoice", inv.id)
    made["event"] = api.v1.events.list(params={"limit": 1}).data[0].id
    return made


def pages(made: dict[str, str]) -> dict[str, str]:
    return {
        "invoices": "/dashboard/invoices",
        "invoice": f"/dashboard/invoices/{made['invoice']}",
        "confirm": f"/dashboard/invoices/{made['invoice']}/mark_uncollectible",
        "customers": "/dashboard/customers",
        "customer": f"/dashboard/customers/{made['customer']}",
        "events": "/dashboard/events",
        "event": f"/dashboard/events/{made['event']}",
        "bad-debt": "/dashboard/bad-debt",
        "not-found": "/dashboard/no-such-page",
    }


@pytest.fixture(params=sorted(VIEWPORTS))
def sized(request: pytest.FixtureRequest, browser: Any, dash_server: Server) -> Iterator[tuple[str, Any]]:
    """A fresh context at the viewport's size; CSP bypassed so that axe-core can be injected."""
    context = browser.new_context(base_url=dash_server.url, viewport=VIEWPORTS[request.param], bypass_csp=True)
    context.set_default_timeout(15_000)
    yield request.param, context.new_page()
    context.close()


def check(page: Any, size: str, name: str) -> list[str]:
    """What is wrong with the page as shown: overflow, small text, a tall header, axe's violations."""
    problems = []
    if (extra := a11y.overflow(page)) > 0:
        problems.append(f"{name}: {extra}px wider than the {size} window")
    problems += [f"{name}: {t['where']} text {t['text']!r} at {t['px']:.1f}px" for t in a11y.small_text(page)]
    header = a11y.header_box(page)
    if header["height"] > 0.25 * VIEWPORTS[size]["height"] or header["width"] > VIEWPORTS[size]["width"]:
        problems.append(f"{name}: the header takes {header['width']:.0f}×{header['height']:.0f}px")
    problems += [f"{name}: {v}" for v in a11y.violations(page)]
    return problems


@pytest.mark.slow
def test_every_page_fits_the_window_reads_at_11px_and_passes_axe(sized: tuple[str, Any],
                                                                  data: dict[str, str]) -> None:
    size, page = sized
    page.goto("/dashboard/sign-in")
    problems = check(page, size, "sign-in")
    sign_in(page)
    for name, path in pages(data).items():
        page.goto(path)
        expect(page.locator("main h1").first).to_be_visible()
        problems += check(page, size, name)
        shot(page, f"layout-{size}-{name}")
    assert problems == []


@pytest.mark.slow
def test_the_bad_debt_charts_on_a_phone_are_the_narrow_ones_with_readable_labels(sized: tuple[str, Any],
                                                                                data: dict[str, str]) -> None:
    size, page = sized
    sign_in(page)
    page.goto("/dashboard/bad-debt")
    shown = page.evaluate("() => [...document.querySelectorAll('svg.chart')]"
                          ".filter(s => s.getBoundingClientRect().width > 0).map(s => s.id)")
    expected = ["aging-chart", "bad-debt-chart"]
    assert shown == ([f"{c}-narrow" for c in expected] if size == "phone" else expected)
    sizes = a11y.chart_text_sizes(page)
    assert sizes and min(sizes) >= a11y.READABLE_PX
    # the phone's aging chart draws the 5 customers who owe the most (of 9), and says what the others owe
    left_out = page.get_by_text("The chart shows the 5 customers who owe the most; the other 4 owe")
    if size == "phone":
        expect(left_out).to_be_visible()
    else:
        expect(left_out).to_be_hidden()


@pytest.mark.slow
def test_the_lists_count_every_row_that_matches(page: Any, data: dict[str, str]) -> None:
    sign_in(page)
    expect(page.locator("#list-count")).to_have_text("12 invoices match.")
    page.goto("/dashboard/invoices?status=uncollectible")
    expect(page.locator("#list-count")).to_have_text("2 invoices match.")  # the third was paid after
    page.goto("/dashboard/invoices?q=" + "status%3A%22open%22")
    expect(page.locator("#list-count")).to_have_text("9 invoices match.")
    page.goto("/dashboard/customers")
    expect(page.locator("#list-count")).to_have_text("12 customers match.")
    page.goto("/dashboard/events?type=invoice.marked_uncollectible")
    expect(page.locator("#events-count")).to_have_text("3 events of type invoice.marked_uncollectible.")
