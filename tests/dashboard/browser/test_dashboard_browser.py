"""The dashboard in a real browser (Debian's chromium, driven by Playwright) against a real server:
sign in, find an open invoice, mark it uncollectible through its button, see the status change and the
write-off reach the bad-debt chart; actions the state machine forbids are never offered."""

from __future__ import annotations

import re
from typing import Any

import stripe
from playwright.sync_api import expect

from tests import factories
from tests.dashboard.browser.conftest import shot, sign_in

# What the invoice page must offer in each status: the transition table, written out by hand so a
# change to it shows up here as a deliberate edit.
OFFERED = {
    "draft": ["Finalize", "Pay out of band"],
    "open": ["Pay out of band", "Mark uncollectible", "Void"],
    "paid": [],
    "uncollectible": ["Pay out of band", "Void"],
    "void": [],
}
ALL_ACTIONS = ["Finalize", "Pay out of band", "Mark uncollectible", "Void"]


def open_invoice_of(api: stripe.StripeClient, name: str) -> tuple[stripe.Customer, stripe.Invoice]:
    """An open invoice of 5.99 USD: 10.99 billed, 5.00 of the customer's credit applied."""
    cus = factories.customer(api, name=name, email=f"{name.split()[0].lower()}@example.com", balance=-500)
    inv = factories.draft(api, amount=1099, cus=cus)
    return cus, api.v1.invoices.finalize_invoice(inv.id)


def action_buttons(page: Any) -> list[str]:
    panel = page.get_by_role("region", name="Actions")
    return [text.strip() for text in panel.locator("a.button").all_inner_texts()]


def written_off(page: Any) -> int:
    """The sum of the written-off bars of the bad-debt chart, in minor units."""
    bars = page.locator('#bad-debt-chart rect[data-series="written_off"]')
    return sum(int(bar.get_attribute("data-amount")) for bar in bars.all())


def find_open_invoice(page: Any, customer_id: str) -> None:
    """From the invoice list: filter by status and customer, open the one invoice found."""
    page.get_by_role("link", name="Invoices", exact=True).click()
    page.get_by_label("Status").select_option("open")
    page.get_by_label("Customer ID").fill(customer_id)
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    shot(page, "invoices-list-filtered")
    rows.first.get_by_role("link").first.click()


def mark_uncollectible_through_the_button(page: Any) -> None:
    page.get_by_role("link", name="Mark uncollectible").click()
    dialog = page.get_by_role("dialog", name="Mark uncollectible?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(
        "Writes off 5.99 USD as bad debt: the receivable moves to bad-debt expense; the invoice can still be "
        "paid later or voided.")
    shot(page, "invoice-confirm-mark-uncollectible")
    dialog.get_by_role("button", name="Mark uncollectible").click()


def test_signing_in_needs_an_api_key_and_opens_the_invoice_list(page: Any) -> None:
    page.goto("/dashboard/invoices")
    expect(page).to_have_url(re.compile(r"/dashboard/sign-in\?next="))
    page.get_by_label("Secret API key").fill("pk_test_not_a_secret_key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Invalid API Key provided")).to_be_visible()
    shot(page, "sign-in-refused")
    page.get_by_label("Secret API key").fill("sk_test_dashboard")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/invoices$"))
    expect(page.get_by_text("Test key sk_test_")).to_be_visible()
    shot(page, "invoices")


def test_marking_an_open_invoice_uncollectible_through_its_button(page: Any, api: stripe.StripeClient) -> None:
    # Given an open invoice of 5.99 USD
    cus, inv = open_invoice_of(api, "Ada Lovelace")
    sign_in(page)
    # When the user finds it and marks it uncollectible, confirming what it does to the books
    find_open_invoice(page, cus.id)
    expect(page.get_by_role("heading", level=1)).to_contain_text("open")
    shot(page, "invoice-open")
    mark_uncollectible_through_the_button(page)
    # Then the page shows the new status, the timeline step and the actions that remain
    expect(page.get_by_role("status")).to_have_text("Invoice marked uncollectible: the debt is written off.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("uncollectible")
    expect(page.get_by_role("region", name="Status timeline")).to_contain_text("Marked uncollectible")
    expect(page.get_by_role("region", name="Events and webhook attempts")).to_contain_text(
        "invoice.marked_uncollectible")
    assert action_buttons(page) == OFFERED["uncollectible"]
    shot(page, "invoice-uncollectible")
    # and the API agrees: the same service ran
    after = api.v1.invoices.retrieve(inv.id)
    assert (after.status, after.amount_remaining) == ("uncollectible", 599)
    assert after.status_details.uncollectible.reason == "user_forgiven"


def test_a_write_off_made_in_the_dashboard_appears_in_the_bad_debt_chart(page: Any, api: stripe.StripeClient) -> None:
    cus, _inv = open_invoice_of(api, "Grace Hopper")
    sign_in(page)
    page.get_by_role("link", name="Bad debt").click()
    before = written_off(page) if page.locator("#bad-debt-chart").count() else 0
    find_open_invoice(page, cus.id)
    mark_uncollectible_through_the_button(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("uncollectible")
    page.get_by_role("link", name="Bad debt").click()
    chart = page.get_by_role("img", name=re.compile("Write-offs and recoveries"))
    expect(chart).to_be_visible()
    assert written_off(page) - before == 599
    expect(page.get_by_role("region", name="Totals by customer")).to_contain_text("Grace Hopper")
    shot(page, "bad-debt")


def test_actions_the_state_machine_forbids_are_not_offered(page: Any, api: stripe.StripeClient) -> None:
    sign_in(page)
    for status, expected in OFFERED.items():
        inv = factories.invoice_in(api, status)
        page.goto(f"/dashboard/invoices/{inv.id}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(status)
        assert action_buttons(page) == expected, status
        for label in set(ALL_ACTIONS) - set(expected):
            expect(page.get_by_role("link", name=label, exact=True)).to_have_count(0)
        shot(page, f"invoice-state-{status}")


def test_the_confirmation_dialog_works_from_the_keyboard(page: Any, api: stripe.StripeClient) -> None:
    _cus, inv = open_invoice_of(api, "Alan Turing")
    sign_in(page)
    page.goto(f"/dashboard/invoices/{inv.id}")
    trigger = page.get_by_role("link", name="Void")
    trigger.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Void?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(trigger).to_be_focused()
    assert api.v1.invoices.retrieve(inv.id).status == "open"


def test_without_javascript_an_action_confirms_on_its_own_page(browser: Any, dash_server: Any,
                                                              api: stripe.StripeClient) -> None:
    _cus, inv = open_invoice_of(api, "Katherine Johnson")
    context = browser.new_context(base_url=dash_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page)
        page.goto(f"/dashboard/invoices/{inv.id}")
        page.get_by_role("link", name="Pay out of band").click()
        expect(page.get_by_role("heading", name="Pay out of band?")).to_be_visible()
        expect(page.get_by_text("Records 5.99 USD received outside arrears")).to_be_visible()
        shot(page, "confirm-page-no-javascript")
        page.get_by_role("button", name="Pay out of band").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("paid")
    finally:
        context.close()
    assert api.v1.invoices.retrieve(inv.id).status == "paid"


def test_a_customer_page_shows_balance_transactions_invoices_and_delinquency(
        page: Any, api: stripe.StripeClient) -> None:
    cus, inv = open_invoice_of(api, "Mary Jackson")
    sign_in(page)
    page.get_by_role("link", name="Customers").click()
    page.get_by_label("Search with Stripe's query language").fill('name:"Mary Jackson"')
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Mary Jackson").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mary Jackson")
    expect(page.get_by_role("region", name="Balance transactions")).to_contain_text("applied to invoice")
    expect(page.get_by_role("region", name="Invoices")).to_contain_text(inv.number)
    expect(page.get_by_text("In good standing")).to_be_visible()
    shot(page, "customer")
    assert cus.id in page.url


def test_the_events_page_tails_new_events_filtered_by_type(page: Any, api: stripe.StripeClient) -> None:
    sign_in(page)
    page.get_by_role("link", name="Events").click()
    page.get_by_label("Type").fill("invoice.finalized")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("button", name="Pause live tail")).to_be_visible()
    # When an invoice is finalized after the page was opened
    _cus, inv = open_invoice_of(api, "Dorothy Vaughan")
    # Then its event appears without a reload, and other types stay out
    tail = page.locator("#event-tail tbody")
    expect(tail.locator("tr", has_text=inv.number)).to_have_count(1, timeout=15_000)
    assert set(tail.locator("td:nth-child(2)").all_inner_texts()) == {"invoice.finalized"}
    shot(page, "events")
    tail.locator("tr", has_text=inv.number).get_by_role("link").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("invoice.finalized")
    shot(page, "event")


def test_every_section_is_reachable_from_the_keyboard_and_renders(page: Any, api: stripe.StripeClient) -> None:
    factories.invoice_in(api, "uncollectible")
    sign_in(page)
    for name, heading in (("Customers", "Customers"), ("Events", "Events"), ("Bad debt", "Bad debt"),
                          ("Invoices", "Invoices")):
        link = page.get_by_role("navigation", name="Sections").get_by_role("link", name=name)
        link.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(link).to_have_attribute("aria-current", "page")
        shot(page, f"section-{name}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
