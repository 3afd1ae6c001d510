"""The one money formatter (``domain/money_format.py``) over Stripe's whole currency table: each currency
is written with its own number of decimals, so 5000 in yen is ¥5,000 and 1500 in dinars KWD 1.500."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from arrears.api.dashboard import format as dashboard_format
from arrears.domain.currency import SUPPORTED
from arrears.domain.money import THREE_DECIMAL, ZERO_DECIMAL, decimals
from arrears.domain.money_format import LOCALES, SYMBOLS, format_amount, format_unit_amount

NBSP = "\u00a0"


def read_back(text: str, currency: str) -> int:
    """The minor units an English amount names: its sign and digits, the decimals counted off."""
    mark = SYMBOLS.get(currency, currency.upper())
    negative = text.startswith("-")
    body = text.removeprefix("-")
    assert body.startswith(mark), (text, mark)
    number = body.removeprefix(mark).removeprefix(NBSP)
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", number), text
    whole, _, part = number.replace(",", "").partition(".")
    assert len(part) == decimals(currency), (text, decimals(currency))
    value = int(whole) * 10 ** decimals(currency) + int(part or 0)
    return -value if negative else value


@pytest.mark.parametrize("currency", SUPPORTED)
def test_every_supported_currency_is_written_with_its_own_decimals_and_reads_back_to_the_same_amount(
        currency: str) -> None:
    for amount in (0, 1, 99, 5000, 123456789, -250075):
        text = format_amount(amount, currency)
        assert read_back(text, currency) == amount, text


def test_zero_and_three_decimal_currencies_are_the_ones_stripe_lists_and_all_are_supported() -> None:
    assert {"jpy", "krw", "vnd", "clp", "xaf"} <= ZERO_DECIMAL <= set(SUPPORTED)
    assert {"bhd", "jod", "kwd", "omr", "tnd"} == THREE_DECIMAL
    assert set(SUPPORTED) >= THREE_DECIMAL
    assert set(SYMBOLS) <= set(SUPPORTED)


@pytest.mark.parametrize(("amount", "currency", "written"), [
    (5000, "jpy", "¥5,000"),  # not "50.00 JPY", as the hosted page, the PDF and the report once wrote it
    (5000, "krw", "₩5,000"),
    (1099, "usd", "$10.99"),
    (123456, "eur", "€1,234.56"),
    (1500, "kwd", f"KWD{NBSP}1.500"),
    (1, "bhd", f"BHD{NBSP}0.001"),
    (123456789, "tnd", f"TND{NBSP}123,456.789"),
    (-500, "eur", "-€5.00"),
    (-5000, "jpy", "-¥5,000"),
    (1099, "cad", "CA$10.99"),
    (250000, "chf", f"CHF{NBSP}2,500.00"),
])
def test_amounts_are_written_as_a_reader_expects(amount: int, currency: str, written: str) -> None:
    assert format_amount(amount, currency) == written
    assert format_amount(amount, currency.upper()) == written


def test_a_locale_sets_the_separators_and_where_the_symbol_stands() -> None:
    assert format_amount(123456, "eur", "de") == f"1.234,56{NBSP}€"
    assert format_amount(123456, "eur", "de-AT") == f"1.234,56{NBSP}€"
    assert format_amount(123456, "eur", "fr_FR") == f"1\u202f234,56{NBSP}€"
    assert format_amount(1500, "kwd", "de") == f"1,500{NBSP}KWD"
    assert format_amount(123456, "eur", "xx") == format_amount(123456, "eur", "en") == "€1,234.56"
    assert set(LOCALES) >= {"en", "de", "fr"}


def test_code_and_number_styles_keep_the_dashboards_and_reports_columns() -> None:
    assert format_amount(599, "usd", display="code") == "5.99 USD"
    assert format_amount(5000, "jpy", display="code") == "5,000 JPY"
    assert format_amount(-1500, "kwd", display="number") == "-1.500"
    # the dashboard's helpers are the same formatter, with their names and output kept
    assert dashboard_format.money(5000, "jpy") == "5,000 JPY"
    assert dashboard_format.money(599, "usd") == "5.99 USD"
    assert dashboard_format.amount(1000, "jpy") == "1,000"
    assert dashboard_format.money(None, "usd") == "—"


@pytest.mark.parametrize(("unit", "currency", "written"), [
    ("1250", "usd", "$12.50"),
    ("12.5", "usd", "$0.125"),
    ("0.5", "jpy", "¥0.5"),
    ("1500", "kwd", f"KWD{NBSP}1.500"),
    ("123456.78", "kwd", f"KWD{NBSP}123.45678"),
    ("-12.5", "eur", "-€0.125"),
])
def test_a_unit_price_keeps_a_fraction_of_a_minor_unit(unit: str, currency: str, written: str) -> None:
    assert format_unit_amount(Decimal(unit), currency) == written
