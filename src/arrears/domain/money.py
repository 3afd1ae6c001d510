"""Money as Stripe writes it: an integer of a currency's minor units. How many decimals each currency
has, and an amount written in major units ("10.99", "1,000"). Integer arithmetic only."""

from __future__ import annotations

# Stripe's currencies without minor units, and those with three decimals
# (https://docs.stripe.com/currencies#zero-decimal, #three-decimal).
ZERO_DECIMAL = frozenset({
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
})
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


def decimals(currency: str) -> int:
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def major(minor: int, currency: str) -> str:
    """``1099, "usd"`` → ``"10.99"``; ``-500`` → ``"-5.00"``; ``1000, "jpy"`` → ``"1,000"``."""
    places = decimals(currency)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10**places)
    return f"{sign}{whole:,}" + (f".{part:0{places}d}" if places else "")
