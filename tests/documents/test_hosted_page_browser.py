"""The hosted invoice page in Debian's chromium, on a phone (390×844, as a mobile browser lays it out)
and on a desktop (1440×900): the page fits the screen's width, with nothing scrolling sideways, even with
a long unbroken name; its text stays readable; and the stamp, the amount due and the PDF link are on it.
Screenshots go to ``test-artifacts/browser/`` (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.conftest import make_client, serve_in
from tests.dashboard.browser.conftest import ARTIFACTS, browser  # noqa: F401  (the module's chromium)
from tests.support.server import Server

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 3}
DESKTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_in(tmp_path_factory.mktemp("hosted-page"))


@pytest.fixture(scope="module")
def api(page_server: Server) -> stripe.StripeClient:
    return make_client(page_server.url)


def invoice(api: stripe.StripeClient, currency: str, status: str = "open") -> stripe.Invoice:
    cus = api.v1.customers.create(params={
        "name": "Zoë Café — 北京 Internationale Handelsgesellschaft", "email": "accounts-payable@example.com",
        "address": {"line1": "Donaudampfschifffahrtsgesellschaftskapitänsstraße 12", "city": "Wien",
                    "postal_code": "1010", "country": "AT"}})
    for description, amount in (("Consulting, November (" + "x" * 80 + ")", 480000),
                                ("Support plan", 129900), ("Travel", 35000)):
        api.v1.invoice_items.create(params={"customer": cus.id, "currency": currency, "amount": amount,
                                            "description": description})
    draft = api.v1.invoices.create(params={"customer": cus.id, "currency": currency, "footer": "Danke!",
                                           "pending_invoice_items_behavior": "include",
                                           "collection_method": "send_invoice", "days_until_due": 14})
    inv = api.v1.invoices.finalize_invoice(draft.id)
    if status == "paid":
        inv = api.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})
    return inv


def layout(tab: Any) -> dict[str, Any]:
    return tab.evaluate("""() => {
        const texts = [...document.querySelectorAll('body *')].filter(el =>
            [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && el.offsetParent !== null);
        return {
            inner: window.innerWidth,
            scroll: document.documentElement.scrollWidth,
            widest: Math.max(...[...document.querySelectorAll('body *')].map(el => el.getBoundingClientRect().right)),
            smallest: Math.min(...texts.map(el => parseFloat(getComputedStyle(el).fontSize))),
        };
    }""")


@pytest.mark.slow
@pytest.mark.parametrize(("size", "options"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("currency", ["jpy", "eur", "kwd"])
def test_the_hosted_page_fits_the_screen_without_sideways_scrolling_and_stays_readable(
        browser: Any, api: stripe.StripeClient, size: str, options: dict[str, Any],  # noqa: F811
        currency: str) -> None:
    # Given an open invoice with long, unbroken names
    inv = invoice(api, currency)
    context = browser.new_context(**options)
    try:
        tab = context.new_page()
        # When a customer opens its hosted page on a phone or a desktop
        tab.goto(inv.hosted_invoice_url or "")
        measured = layout(tab)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"hosted-invoice-{currency}-{size}.png"), full_page=True)
        # Then the page is laid out at the screen's width (a phone would use 980 px without the viewport
        # meta) and nothing sticks out to the side
        assert measured["inner"] == options["viewport"]["width"], measured
        assert measured["scroll"] <= measured["inner"], measured
        assert measured["widest"] <= measured["inner"] + 0.5, measured
        # and no text is smaller than 12 px
        assert measured["smallest"] >= 12, measured
        # and what the customer came for is there
        body = tab.inner_text("body")
        assert inv.number and inv.number in body
        assert {"jpy": "¥644,900", "eur": "€6,449.00", "kwd": "KWD\u00a0644.900"}[currency] in body
        assert tab.get_by_role("link", name="Download invoice (PDF)").get_attribute("href") == inv.invoice_pdf
    finally:
        context.close()


@pytest.mark.slow
def test_a_paid_invoices_stamp_is_shown_on_a_phone(browser: Any, api: stripe.StripeClient) -> None:  # noqa: F811
    inv = invoice(api, "usd", status="paid")
    context = browser.new_context(**PHONE)
    try:
        tab = context.new_page()
        tab.goto(inv.hosted_invoice_url or "")
        stamp = tab.get_by_role("status")
        assert stamp.inner_text() == "PAID" and stamp.is_visible()
        assert layout(tab)["scroll"] <= 390
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize(("size", "options"), [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("status", ["open", "paid"])
def test_the_hosted_page_has_no_accessibility_violations(browser: Any, api: stripe.StripeClient,  # noqa: F811
                                                         size: str, options: dict[str, Any], status: str) -> None:
    from tests.dashboard.browser.a11y import violations

    inv = invoice(api, "eur", status=status)
    # axe-core is injected by the test: the page's own Content-Security-Policy would refuse it, rightly
    context = browser.new_context(bypass_csp=True, **options)
    try:
        tab = context.new_page()
        tab.goto(inv.hosted_invoice_url or "")
        assert violations(tab) == []
    finally:
        context.close()
