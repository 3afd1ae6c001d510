"""The bounds of the integers arrears accepts and keeps, and the errors that say so.

Amounts: Stripe's amounts "support up to eight digits" of minor units (99999999: 999,999.99 USD), and
twelve for IDR (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). arrears holds
every amount a request names (an item's amount, unit_amount_decimal × quantity, a balance
transaction) and every sum it keeps across requests (a draft's subtotal, total and amount due, an
invoice's amount due when it is finalized, a customer's balance) to that bound, in either sign: a sum
that would pass it is refused before anything is written. So no figure comes near the 64 bits of a
database integer, however many requests add up.

Timestamps: Unix times from 0 to the last second of year 9999, the range every date formatter and both
databases handle. A test clock stays a century earlier (``MAX_CLOCK_TIME``), so that the times derived
from its time (a due date up to 36,500 days later) are still dates of year 9999 at the latest.
"""

from __future__ import annotations

from typing import Final

from arrears.domain.errors import ParamError
from arrears.domain.money import major

DEFAULT_MAX_AMOUNT: Final = 99_999_999  # eight digits of minor units
MAX_AMOUNTS: Final = {"idr": 999_999_999_999}  # the currencies Stripe lets go further: twelve digits
LARGEST_AMOUNT: Final = max(DEFAULT_MAX_AMOUNT, *MAX_AMOUNTS.values())  # before the currency is known

MIN_TIMESTAMP: Final = 0
MAX_TIMESTAMP: Final = 253_402_300_799  # 9999-12-31T23:59:59Z
MAX_CLOCK_TIME: Final = 250_246_627_199  # 9899-12-31T23:59:59Z
CLOCK_ADVANCE_MAX: Final = 731 * 86400  # Stripe: a clock advances at most two years (a leap day included)

TOO_LARGE: Final = "amount_too_large"


def max_amount(currency: str | None) -> int:
    """The largest amount, in minor units, of ``currency`` (an unknown currency: the common bound)."""
    return MAX_AMOUNTS.get((currency or "").lower(), DEFAULT_MAX_AMOUNT)


def _written(minor: int, currency: str | None) -> str:
    return f"{major(minor, currency)} {currency.upper()}" if currency else f"{minor} (in minor units)"


def amount(value: int, currency: str | None, param: str | None) -> int:
    """``value`` when it is an amount ``currency`` can have; otherwise Stripe's refusal, naming ``param``."""
    bound = max_amount(currency)
    if -bound <= value <= bound:
        return value
    limit = bound if value > 0 else -bound
    shown = f"{_written(limit, currency)} ({limit} in minor units)" if currency else _written(limit, None)
    raise ParamError(f"Amount must be no {'more' if value > 0 else 'less'} than {shown}.", param=param,
                     code=TOO_LARGE)


def total(value: int, currency: str | None, what: str, param: str | None) -> int:
    """``value``, a sum kept across requests (``what``: "the invoice's total"), when it is within the
    bound of ``currency``; otherwise the refusal of the request that would make it so."""
    bound = max_amount(currency)
    if -bound <= value <= bound:
        return value
    raise ParamError(
        f"This would make {what} {_written(value, currency)}: amounts must be between "
        f"{_written(-bound, currency)} and {_written(bound, currency)}.", param=param, code=TOO_LARGE)


def draft_totals(subtotal: int, amount_due: int, currency: str | None, param: str | None) -> None:
    """A draft's subtotal (= total: arrears keeps no tax or discounts) and amount due, within the bound."""
    total(subtotal, currency, "the invoice's total", param)
    total(amount_due, currency, "the invoice's amount due", param)


def finalized(amount_due: int, balance: int, currency: str) -> None:
    """An invoice being finalized: its amount due, and its customer's balance after it, within the bound
    (either may have moved since the draft's totals were last checked)."""
    total(amount_due, currency, "the invoice's amount due", None)
    total(balance, currency, "the customer's balance", None)


def timestamp(value: int, param: str, *, latest: int = MAX_TIMESTAMP) -> int:
    """``value`` when it is a Unix time of years 1970 to 9999 (or up to ``latest``); otherwise a refusal."""
    if MIN_TIMESTAMP <= value <= latest:
        return value
    raise timestamp_error(param, latest)


def timestamp_error(param: str, latest: int = MAX_TIMESTAMP) -> ParamError:
    return ParamError(
        f"Invalid timestamp: must be an integer Unix timestamp between {MIN_TIMESTAMP} and {latest}"
        f"{' (the end of year 9999)' if latest == MAX_TIMESTAMP else ''}.", param=param)
