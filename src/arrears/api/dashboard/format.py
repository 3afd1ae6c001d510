"""How the dashboard writes money and time. Money goes through the one formatter every surface uses
(``domain/money_format.py``), in its code style (``10.99 USD``), since the dashboard's tables mix
currencies. A time no calendar reaches (a row kept before timestamps were bounded) is written as its
number, so that one odd row never fails a page."""

from __future__ import annotations

import calendar
import time

from arrears.domain.money_format import format_amount


def amount(minor: int, currency: str) -> str:
    """``1099, "usd"`` → ``"10.99"``; ``-500`` → ``"-5.00"``; ``1000, "jpy"`` → ``"1,000"``."""
    return format_amount(minor, currency, display="number")


def money(minor: int | None, currency: str | None) -> str:
    """``"10.99 USD"``; an em dash when there is no amount."""
    if minor is None or currency is None:
        return "—"
    return format_amount(minor, currency, display="code")


def _utc(pattern: str, ts: int) -> str:
    try:
        return time.strftime(pattern, time.gmtime(ts))
    except (OverflowError, OSError, ValueError):
        return str(ts)


def when(ts: int | None) -> str:
    """A unix time as ``2026-11-03 14:05 UTC``; an em dash for none."""
    if ts is None:
        return "—"
    return _utc("%Y-%m-%d %H:%M UTC", ts)


def iso(ts: int) -> str:
    """A unix time for a ``<time datetime>`` attribute: ``2026-11-03T14:05:00Z``."""
    return _utc("%Y-%m-%dT%H:%M:%SZ", ts)


def day_start(text: str) -> int | None:
    """``"2026-11-03"`` → the unix time of that UTC midnight; None for an empty or malformed date."""
    try:
        parsed = time.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        return None
    return calendar.timegm(parsed)
