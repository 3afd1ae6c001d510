"""What an invoice document shows (``api/documents.py``), read from a stored invoice without a server:
the stamp and the dates of each status, the totals block in Stripe's order, unit prices, and each line's
discounts and taxes. The page and the PDF both draw this one reading."""

from __future__ import annotations

import pytest

from arrears.api import documents
from tests.documents.samples import invoice, line


@pytest.mark.parametrize(("status", "stamp", "moment"), [
    ("open", None, None), ("paid", "PAID", "Paid on"), ("void", "VOID", "Voided on"),
    ("uncollectible", "UNCOLLECTIBLE", "Marked uncollectible on")])
def test_each_status_has_its_stamp_and_its_date(status: str, stamp: str | None, moment: str | None) -> None:
    doc = documents.document(invoice(status=status))
    assert doc.stamp == stamp
    labels = [label for label, _ in doc.dates]
    assert labels[:2] == ["Date of issue", "Date due"]
    assert dict(doc.dates)["Date of issue"] == "November 3, 2026"
    if moment:
        assert labels[2:] == [moment] and dict(doc.dates)[moment] == "November 4, 2026"
    else:
        assert labels[2:] == []


def test_the_totals_block_follows_stripes_order_with_discounts_taxes_and_an_applied_balance() -> None:
    inv = invoice(currency="eur", lines=[line("Work", 10000, "eur")],
                  total_discount_amounts=[{"amount": 1000, "discount": "di_1"}],
                  total_taxes=[{"amount": 1710, "tax_behavior": "exclusive"}])
    inv.update(total=10710, amount_due=9710, amount_remaining=9710)  # 10.00 of customer credit applied
    doc = documents.document(inv)
    assert doc.totals == [("Subtotal", "€100.00"), ("Discount", "-€10.00"), ("Tax", "€17.10"),
                          ("Total", "€107.10"), ("Applied balance", "-€10.00"), ("Amount due", "€97.10"),
                          ("Amount paid", "€0.00"), ("Amount remaining", "€97.10")]
    assert doc.amount_due == "€97.10"


def test_a_line_shows_quantity_unit_price_amount_and_its_own_discounts_and_taxes() -> None:
    lines = [line("Seats", 3000, quantity=3, unit_amount_decimal="1000",
                  discount_amounts=[{"amount": 300, "discount": "di_1"}], taxes=[{"amount": 540}]),
             line("Metered", 125, quantity=10, unit_amount_decimal="12.5"),
             line(None, 1000, quantity=3),  # no unit price recorded, not divisible: none shown
             line("Flat", 1000, quantity=4)]
    shown = documents.document(invoice(lines=lines)).lines
    assert [(s.description, s.quantity, s.unit_price, s.amount) for s in shown] == [
        ("Seats", "3", "$10.00", "$30.00"), ("Metered", "10", "$0.125", "$1.25"),
        ("Item", "3", "—", "$10.00"), ("Flat", "4", "$2.50", "$10.00")]
    assert shown[0].notes == ["Discount -$3.00", "Tax $5.40"]


def test_the_seller_and_customer_carry_their_addresses_email_and_tax_ids() -> None:
    doc = documents.document(invoice(account_tax_ids=[{"type": "gb_vat", "value": "GB123456789"}]))
    assert doc.seller.name == "Acme Ltd" and doc.seller.lines == ["GB", "GB VAT GB123456789"]
    assert doc.customer.name == "Zoë Café — 北京"
    assert doc.customer.lines == ["1 Rue de la Paix", "75002 Paris", "FR", "zoe@example.com", "EU VAT FR12345678901"]
    assert doc.custom_fields == [("PO number", "PO-778")]
    assert doc.footer == "Acme Ltd · Registered in England"


def test_a_customer_without_a_name_is_billed_by_email_and_zero_decimal_amounts_keep_no_decimals() -> None:
    doc = documents.document(invoice(currency="jpy", lines=[line("Seminar", 5000, "jpy")], customer_name=None))
    assert doc.customer.name == "zoe@example.com" and "zoe@example.com" not in doc.customer.lines
    assert doc.lines[0].amount == "¥5,000" and ("Total", "¥5,000") in doc.totals


def test_the_page_escapes_what_customers_typed() -> None:
    html = documents.page_html(documents.document(invoice(customer_name="<b>Bold</b> & Co")))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html and "<b>Bold</b>" not in html
