"""The hosted invoice page and its PDF, fetched as a customer would from the URLs the SDK's invoice names:
both show the seller, the customer, the number, the dates, every line and Stripe's totals block, with
amounts written in the invoice's currency (¥5,000, not 50.00 JPY), and a stamp once the invoice is paid,
void or written off. The PDF is read back with pypdf."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.documents.reading import page_text, pdf_pages, squeeze

NBSP = "\u00a0"


def fetch(url: str | None) -> httpx.Response:
    assert url
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    return answer


def invoice_with(client: stripe.StripeClient, items: list[dict[str, Any]], *, currency: str,
                 customer: dict[str, Any] | None = None, **params: Any) -> stripe.Invoice:
    cus = factories.new_customer(client, **(customer or {}))
    for item in items:
        client.v1.invoice_items.create(params={"customer": cus.id, "currency": currency, **item})
    draft = client.v1.invoices.create(params={"customer": cus.id, "currency": currency,
                                              "pending_invoice_items_behavior": "include", **params})
    return client.v1.invoices.finalize_invoice(draft.id)


@pytest.mark.parametrize(("currency", "amount", "written"), [
    ("jpy", 5000, "¥5,000"),
    ("eur", 123456, "€1,234.56"),
    ("kwd", 1500, f"KWD{NBSP}1.500"),
])
def test_the_page_and_the_pdf_write_amounts_in_the_invoices_own_currency(
        client: stripe.StripeClient, currency: str, amount: int, written: str) -> None:
    # Given an open invoice of one line in a zero-, two- or three-decimal currency
    inv = invoice_with(client, [{"amount": amount, "description": "Consulting"}], currency=currency)

    # When its hosted page and PDF are fetched
    page = page_text(fetch(inv.hosted_invoice_url).text)
    pdf = "\n".join(pdf_pages(fetch(inv.invoice_pdf).content))

    # Then both write the amount with the currency's own decimals: line, total, amount due
    assert page.count(written) >= 3, page
    assert squeeze(pdf).count(squeeze(written)) >= 3, pdf
    wrong = f"{amount / 100:,.2f}"  # what the old pages printed for every currency
    if currency != "eur":
        assert wrong not in page and wrong not in pdf


def test_the_documents_show_seller_customer_dates_footer_custom_fields_and_the_totals_block(
        client: stripe.StripeClient) -> None:
    # Given a customer with an address and an invoice with a footer, custom fields and a due date
    inv = invoice_with(
        client, [{"quantity": 2, "unit_amount_decimal": "1200", "description": "Support"},
                 {"amount": 1000, "description": "Setup fee"}],
        currency="usd", customer={"name": "Ada Lovelace", "email": "ada@example.com",
                                  "address": {"line1": "12 St James's Square", "city": "London",
                                              "postal_code": "SW1Y 4JH", "country": "GB"}},
        collection_method="send_invoice", days_until_due=30, footer="Thank you: pay within 30 days.",
        custom_fields=[{"name": "PO number", "value": "PO-778"}])

    page = page_text(fetch(inv.hosted_invoice_url).text)
    pdf = squeeze("\n".join(pdf_pages(fetch(inv.invoice_pdf).content)))

    for text in ("Ada Lovelace", "ada@example.com", "12 St James's Square", "SW1Y 4JH London", "GB",
                 str(inv.number), inv.account_name or "arrears", "Date of issue", "Date due", "PO number",
                 "PO-778", "Thank you: pay within 30 days.", "Support", "Setup fee", "$12.00", "$24.00",
                 "Subtotal", "Total", "Amount due", "Amount paid", "Amount remaining", "$34.00"):
        assert text in page, text
        assert squeeze(text) in pdf, text
    # no stamp on an open invoice: its amount due says what is owed
    for stamp in ("PAID", "VOID", "UNCOLLECTIBLE"):
        assert stamp not in page


@pytest.mark.parametrize(("status", "stamp", "moment"), [
    ("paid", "PAID", "Paid on"), ("void", "VOID", "Voided on"),
    ("uncollectible", "UNCOLLECTIBLE", "Marked uncollectible on")])
def test_a_paid_void_or_written_off_invoice_carries_its_stamp_and_date_on_page_and_pdf(
        client: stripe.StripeClient, status: str, stamp: str, moment: str) -> None:
    inv = factories.invoice_in(client, status)
    page = page_text(fetch(inv.hosted_invoice_url).text)
    pdf = pdf_pages(fetch(inv.invoice_pdf).content)
    assert stamp in page.split() and moment in page
    assert stamp in pdf[0].split() and squeeze(moment) in squeeze(pdf[0])


def test_unicode_names_and_symbols_survive_in_the_pdf(client: stripe.StripeClient) -> None:
    # Given a customer and lines named in Latin, Greek, Cyrillic and Chinese, billed in euros
    name = "Zoë Café — 北京"
    inv = invoice_with(client, [{"amount": 4200, "description": "Ελληνικά и русский — 東京の仕事"}],
                       currency="eur", customer={"name": name})
    # When the PDF is read back
    pdf = squeeze("\n".join(pdf_pages(fetch(inv.invoice_pdf).content)))
    # Then every character is there, the euro sign too (once "Zoº CafØ ? ??" and "?")
    for text in (name, "Ελληνικά и русский — 東京の仕事", "€42.00"):
        assert squeeze(text) in pdf, text
    assert "?" not in pdf


@pytest.mark.slow
def test_an_invoice_of_seventy_lines_prints_every_line_on_pages_that_repeat_the_table_header(
        client: stripe.StripeClient) -> None:
    # Given an invoice of 70 lines (a one-page PDF once lost 29 of them)
    items = [{"amount": 100 + i, "description": f"Line {i:02d} · Zoë"} for i in range(70)]
    inv = invoice_with(client, items, currency="eur")

    # When the PDF is read back page by page
    pages = pdf_pages(fetch(inv.invoice_pdf).content)

    # Then it runs to several pages, each with the table's header and its page number
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "DESCRIPTION" in text and "AMOUNT" in text, number
        assert f"Page {number} of {len(pages)}" in text
    # and every line is printed exactly once, in the invoice's order
    flat = squeeze("\n".join(pages))
    order = [line.description for line in client.v1.invoices.line_items.list(inv.id, params={"limit": 100}).data]
    assert sorted(order) == sorted(item["description"] for item in items)
    positions = [flat.find(squeeze(description or "")) for description in order]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert all(flat.count(squeeze(description or "")) == 1 for description in order)
    assert squeeze(f"€{sum(range(100, 170)) / 100:,.2f}") in flat  # the total, on the last page
    # and the hosted page lists them all too
    page = page_text(fetch(inv.hosted_invoice_url).text)
    assert all(f"Line {i:02d} · Zoë" in page for i in range(70))


def test_markup_in_names_is_shown_as_text_not_run(client: stripe.StripeClient) -> None:
    inv = invoice_with(client, [{"amount": 100, "description": "<img src=x onerror=alert(1)>"}], currency="usd",
                       customer={"name": "<script>alert(1)</script>"})
    body = fetch(inv.hosted_invoice_url).text
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_pdf_is_named_for_the_invoice_and_keeps_the_pages_security_headers(
        client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "open")
    answer = fetch(inv.invoice_pdf)
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == f'inline; filename="Invoice-{inv.number}.pdf"'
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    page = fetch(inv.hosted_invoice_url)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page.text
    assert "http" not in page.text.split("<body>")[0].replace('"http://www.w3.org', "")  # nothing loads
