"""The one way arrears writes an amount for a person: ``format_amount(500000, "jpy")`` → ``¥500,000``.

Every surface calls it: the hosted invoice page and its PDF (``api/documents.py``), the dashboard
(``api/dashboard/format.py``) and ``arrears report``. The number of decimals is the currency's exponent
(``money.decimals``: none for JPY or KRW, three for KWD, BHD, JOD, OMR and TND, two otherwise), so an
amount of 5000 in yen is five thousand yen, never "50.00". The symbol comes from ``SYMBOLS`` (CLDR's
English symbols, where one is unambiguous: ``$`` is the US dollar, the Canadian one is ``CA$``); a
currency without one is written with its code, ``KWD 1.500``. A locale sets the separators and where the
symbol stands (``LOCALES``); an unknown locale is written as English. Integer arithmetic only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from arrears.domain.money import decimals

# CLDR's symbols in English for the currencies that have one of their own; every other code is written
# as itself. (https://cldr.unicode.org, "en" locale, standard symbols.)
SYMBOLS: dict[str, str] = {
    "usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cny": "CN¥", "krw": "₩", "inr": "₹", "ils": "₪",
    "vnd": "₫", "php": "₱", "cad": "CA$", "aud": "A$", "nzd": "NZ$", "hkd": "HK$", "mxn": "MX$",
    "brl": "R$", "twd": "NT$", "xaf": "FCFA", "xof": "F\u202fCFA", "xpf": "CFPF", "xcd": "EC$",
}


@dataclass(frozen=True)
class Locale:
    """How one locale writes a number of money: its separators, and the symbol before or after."""

    group: str
    decimal: str
    symbol_first: bool
    space: str  # between the symbol and the number ("" for $12, a no-break space for 12 €)


NBSP, NNBSP = "\u00a0", "\u202f"
LOCALES: dict[str, Locale] = {
    "en": Locale(group=",", decimal=".", symbol_first=True, space=""),
    "de": Locale(group=".", decimal=",", symbol_first=False, space=NBSP),
    "fr": Locale(group=NNBSP, decimal=",", symbol_first=False, space=NBSP),
}


def _locale(tag: str) -> Locale:
    """``"fr-CA"`` → French; an unknown language → English."""
    return LOCALES.get(tag.replace("_", "-").split("-", 1)[0].lower(), LOCALES["en"])


def _number(minor: int, places: int, loc: Locale) -> str:
    whole, part = divmod(abs(minor), 10**places)
    grouped = f"{whole:,}".replace(",", loc.group)
    return grouped + (f"{loc.decimal}{part:0{places}d}" if places else "")


Display = Literal["symbol", "code", "number"]


def format_amount(amount: int, currency: str, locale: str = "en", *, display: Display = "symbol") -> str:
    """``1099, "usd"`` → ``$10.99``; ``5000, "jpy"`` → ``¥5,000``; ``1500, "kwd"`` → ``KWD 1.500``;
    ``-500, "eur"`` → ``-€5.00``; ``123456, "eur", "de"`` → ``1.234,56 €``.

    ``display="code"`` writes the number and then the code (``10.99 USD``), as the dashboard's tables do
    where several currencies meet; ``"number"`` the number alone (``10.99``), for a column whose header
    names the currency."""
    places = decimals(currency)
    return _compose(amount < 0, _number(amount, places, _locale(locale)), currency, _locale(locale), display)


def format_unit_amount(amount: Decimal, currency: str, locale: str = "en") -> str:
    """A unit price in minor units that may hold a fraction of one (Stripe's ``unit_amount_decimal``):
    ``Decimal("1250"), "usd"`` → ``$12.50``; ``Decimal("12.5"), "usd"`` → ``$0.125``. The currency's
    decimals at least, more only where the fraction needs them."""
    places = decimals(currency)
    if amount == amount.to_integral_value():
        return format_amount(int(amount), currency, locale)
    loc = _locale(locale)
    scaled = abs(amount).scaleb(-places)
    whole = int(scaled)
    fraction = format(scaled - whole, "f").split(".")[1].rstrip("0").ljust(places, "0")
    number = f"{whole:,}".replace(",", loc.group) + loc.decimal + fraction
    return _compose(amount < 0, number, currency, loc, "symbol")


def _compose(negative: bool, number: str, currency: str, loc: Locale, display: Display) -> str:
    code = currency.lower()
    sign = "-" if negative else ""
    if display == "number":
        return sign + number
    if display == "code":
        return f"{sign}{number}{NBSP if loc.space else ' '}{code.upper()}"
    symbol = SYMBOLS.get(code)
    # A bare code stands apart from the number in every locale (``KWD 1.500``, ``1,500 KWD``).
    space = loc.space if symbol else NBSP
    mark = symbol or code.upper()
    return f"{sign}{mark}{space}{number}" if loc.symbol_first else f"{sign}{number}{space}{mark}"
