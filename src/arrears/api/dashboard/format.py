"""How the dashboard writes money and time. Integer arithmetic only: amounts are minor units."""

from __future__ import annotations

import calendar
import time

# Stripe's currencies without minor units, and those with three decimals
# (https://docs.stripe.com/currencies#zero-decimal, #three-decimal).
ZERO_DECIMAL = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
})
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


def decimals(currency: str) -> int:
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def amount(minor: int, currency: str) -> str:
    """``1099, "usd"`` → ``"10.99"``; ``-500`` → ``"-5.00"``; ``1000, "jpy"`` → ``"1,000"``."""
    places = decimals(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**places)
    return f"{sign}{whole:,}" + (f".{part:0{places}d}" if places else "")


def money(minor: int | None, currency: str | None) -> str:
    """``"10.99 USD"``; an em dash when there is no amount."""
    if minor is None or currency is None:
        return "—"
    return f"{amount(minor, currency)} {currency.upper()}"


def when(ts: int | None) -> str:
    """A unix time as ``2026-11-03 14:05 UTC``; an em dash for none."""
    if ts is None:
        return "—"
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(ts))


def iso(ts: int) -> str:
    """A unix time for a ``<time datetime>`` attribute: ``2026-11-03T14:05:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def day_start(text: str) -> int | None:
    """``"2026-11-03"`` → the unix time of that UTC midnight; None for an empty or malformed date."""
    try:
        parsed = time.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        return None
    return calendar.timegm(parsed)
