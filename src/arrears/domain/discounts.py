"""Coupons, promotion codes and discounts: pure rules, no I/O.

A **coupon** takes ``percent_off`` (0 < p ≤ 100) or ``amount_off`` in its ``currency`` (with more currencies
in ``currency_options``) off an amount, for a ``duration``: ``once``, ``repeating`` (``duration_in_months``)
or ``forever``. It can be redeemed while it is ``valid``: before ``redeem_by`` and fewer than
``max_redemptions`` times. A **promotion code** is a customer-facing ``code`` for a coupon, with limits of its
own (``active``, ``expires_at``, ``max_redemptions``, a ``customer``, ``restrictions``). A **discount** is one
redemption: the coupon (or code) applied to a customer, an invoice or an item, from ``start`` to ``end``.

The discount amount (``discount_amount``) follows one named rounding rule, ``PERCENT_ROUNDING``: the exact
product amount × percent / 100, computed in ``Decimal`` from the percent as written, rounded half up to a
whole minor unit (half away from zero for the negative amounts of credit lines). Stripe's API reference
documents no rounding rule for percent discounts (its examples divide evenly); half up is the rule arrears
chose, stated once here and tested in tests/unit/test_discounts.py. An ``amount_off`` coupon takes at
most the amount it is applied to, in the amount's currency: its own ``currency``, or one of its
``currency_options``; in any other currency it does not apply (None).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

from arrears.domain import Doc
from arrears.domain import currency as currencies
from arrears.domain.errors import ParamError

DURATIONS: Final = ("forever", "once", "repeating")
PERCENT_ROUNDING: Final = ROUND_HALF_UP
MAX_MONTHS: Final = 1200  # a hundred years of a repeating coupon, so that ``end`` stays a date


# --- coupons ----------------------------------------------------------------------------------------

def percent(value: str | None) -> Decimal | None:
    """``percent_off`` as written (a decimal string), when it is within (0, 100]."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ParamError(f"Invalid decimal: {value}", param="percent_off") from None
    if not number > 0 or number > 100:
        raise ParamError("Invalid percent_off: it must be greater than 0 and less than or equal to 100.",
                         param="percent_off")
    return number


def by_currency(given: dict[str, Any] | None, param: str) -> dict[str, Any] | None:
    """A hash keyed by currency code (``currency_options``) with each code read as a currency is: one of
    Stripe's, lowercased; an unknown one is refused naming ``param[code]``."""
    if given is None:
        return None
    return {currencies.parse(code, param=f"{param}[{code}]"): value for code, value in given.items()}


def check_coupon(p: dict[str, Any]) -> None:
    """The rules of a new coupon's parameters beyond their types, in Stripe's words."""
    has_percent, has_amount = p.get("percent_off") is not None, p.get("amount_off") is not None
    if has_percent == has_amount:
        raise ParamError("You must pass exactly one of percent_off or amount_off.",
                         param="amount_off" if has_amount else "percent_off")
    percent(p.get("percent_off"))
    if has_amount:
        if p["amount_off"] <= 0:
            raise ParamError("Invalid amount_off: it must be a positive integer.", param="amount_off")
        if p.get("currency") is None:
            raise ParamError("You must pass currency when passing amount_off.", param="currency")
    elif p.get("currency_options"):
        raise ParamError("currency_options can only be set on a coupon with amount_off.", param="currency_options")
    for code, option in (p.get("currency_options") or {}).items():
        if code == p.get("currency"):
            raise ParamError(f"currency_options cannot include the coupon's own currency ({code}).",
                             param=f"currency_options[{code}]")
        if option["amount_off"] <= 0:
            raise ParamError("Invalid amount_off: it must be a positive integer.",
                             param=f"currency_options[{code}][amount_off]")
    duration = p.get("duration") or "once"
    months = p.get("duration_in_months")
    if duration == "repeating":
        if months is None:
            raise ParamError("You must pass duration_in_months when duration is repeating.",
                             param="duration_in_months")
    elif months is not None:
        raise ParamError("duration_in_months can only be set when duration is repeating.",
                         param="duration_in_months")
    if p.get("max_redemptions") is not None and p["max_redemptions"] <= 0:
        raise ParamError("Invalid max_redemptions: it must be a positive integer.", param="max_redemptions")


def check_redeem_by(redeem_by: int | None, now: int) -> None:
    if redeem_by is not None and redeem_by <= now:
        raise ParamError("Invalid redeem_by: it must be in the future.", param="redeem_by")


def currency_options(given: dict[str, Any] | None) -> dict[str, Doc] | None:
    return None if not given else {code: {"amount_off": o["amount_off"]} for code, o in sorted(given.items())}


def coupon(obj_id: str, now: int, livemode: bool, p: dict[str, Any]) -> Doc:
    """A new coupon in Stripe's shape (``check_coupon`` has passed). ``percent_off`` is a JSON number, as
    Stripe shows it; every computation reads it back through ``Decimal(str(...))``."""
    share = percent(p.get("percent_off"))
    products = (p.get("applies_to") or {}).get("products")
    return {
        "id": obj_id,
        "object": "coupon",
        "amount_off": p.get("amount_off"),
        "applies_to": None if products is None else {"products": list(products)},
        "created": now,
        "currency": p.get("currency") if p.get("amount_off") is not None else None,
        "currency_options": currency_options(p.get("currency_options")),
        "duration": p.get("duration") or "once",
        "duration_in_months": p.get("duration_in_months"),
        "livemode": livemode,
        "max_redemptions": p.get("max_redemptions"),
        "metadata": p.get("metadata") or {},
        "name": p.get("name"),
        "percent_off": None if share is None else float(share),
        "redeem_by": p.get("redeem_by"),
        "times_redeemed": 0,
        "valid": True,
    }


def coupon_valid(cpn: Doc, now: int) -> bool:
    """Whether the coupon can still be redeemed: before its ``redeem_by`` and under ``max_redemptions``."""
    if cpn.get("redeem_by") is not None and now >= cpn["redeem_by"]:
        return False
    return cpn.get("max_redemptions") is None or cpn["times_redeemed"] < cpn["max_redemptions"]


def as_of(cpn: Doc, now: int) -> Doc:
    """The coupon as a read at ``now`` shows it: ``valid`` false once its ``redeem_by`` has passed (the
    stored flag turns false only when a write touches the coupon: its last allowed redemption)."""
    valid = coupon_valid(cpn, now)
    return cpn if valid == cpn["valid"] else {**cpn, "valid": valid}


def redeemable_coupon(cpn: Doc, now: int, *, param: str = "coupon") -> None:
    """Raise, naming ``param``, unless the coupon can be redeemed now."""
    if not coupon_valid(cpn, now):
        raise ParamError(f"Coupon {cpn['id']} is no longer valid.", param=param, code="coupon_expired")


def redeem_coupon(cpn: Doc, now: int) -> None:
    """Count one redemption (the caller saves); ``valid`` turns false when it was the last one allowed."""
    cpn["times_redeemed"] += 1
    cpn["valid"] = coupon_valid(cpn, now)


# --- promotion codes --------------------------------------------------------------------------------

def check_code(code: str) -> str:
    """A customer-facing code: letters and digits only, as Stripe allows."""
    if not code.isascii() or not code.isalnum():
        raise ParamError("Invalid code: it may contain only letters (a-z, A-Z) and digits (0-9).", param="code")
    return code


def code_variants(code: str) -> tuple[str, ...]:
    """The spellings a code is compared under: Stripe compares codes regardless of case. The store matches
    exact values, so this is the code as given, in upper case and in lower case."""
    return tuple(dict.fromkeys((code, code.upper(), code.lower())))


def same_code(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def restrictions(given: dict[str, Any] | None, cpn: Doc) -> Doc:
    """A promotion code's ``restrictions`` from the parameters, checked against its coupon."""
    given = given or {}
    minimum, currency = given.get("minimum_amount"), given.get("minimum_amount_currency")
    if (minimum is None) != (currency is None):
        raise ParamError("You must pass minimum_amount and minimum_amount_currency together.",
                         param="restrictions[minimum_amount_currency]" if minimum is not None
                         else "restrictions[minimum_amount]")
    if minimum is not None and minimum < 0:
        raise ParamError("Invalid restrictions[minimum_amount]: it must be zero or more.",
                         param="restrictions[minimum_amount]")
    if cpn.get("amount_off") is not None and currency is not None and currency not in coupon_currencies(cpn):
        raise ParamError(f"restrictions[minimum_amount_currency] must be a currency of coupon {cpn['id']}.",
                         param="restrictions[minimum_amount_currency]")
    options = {code: {"minimum_amount": o["minimum_amount"]}
               for code, o in sorted((by_currency(given.get("currency_options"), "restrictions[currency_options]")
                                      or {}).items())}
    return {
        "currency_options": options,  # {} when none: the SDK reads this hash as a dict of objects
        "first_time_transaction": bool(given.get("first_time_transaction", False)),
        "minimum_amount": minimum,
        "minimum_amount_currency": currency,
    }


def promotion_code(obj_id: str, now: int, livemode: bool, *, code: str, cpn: Doc, p: dict[str, Any]) -> Doc:
    return {
        "id": obj_id,
        "object": "promotion_code",
        "active": p.get("active", True),
        "code": code,
        "created": now,
        "customer": p.get("customer"),
        "customer_account": None,
        "expires_at": p.get("expires_at"),
        "livemode": livemode,
        "max_redemptions": p.get("max_redemptions"),
        "metadata": p.get("metadata") or {},
        "promotion": {"coupon": cpn["id"], "type": "coupon"},
        "restrictions": restrictions(p.get("restrictions"), cpn),
        "times_redeemed": 0,
    }


def check_promotion_limits(p: dict[str, Any], cpn: Doc, now: int) -> None:
    """A new code's own limits cannot outlast its coupon's."""
    expires = p.get("expires_at")
    if expires is not None:
        if expires <= now:
            raise ParamError("Invalid expires_at: it must be in the future.", param="expires_at")
        if cpn.get("redeem_by") is not None and expires > cpn["redeem_by"]:
            raise ParamError("The promotion code's expires_at cannot be later than its coupon's redeem_by.",
                             param="expires_at")
    limit = p.get("max_redemptions")
    if limit is not None:
        if limit <= 0:
            raise ParamError("Invalid max_redemptions: it must be a positive integer.", param="max_redemptions")
        if cpn.get("max_redemptions") is not None and limit > cpn["max_redemptions"]:
            raise ParamError("The promotion code's max_redemptions cannot exceed its coupon's.",
                             param="max_redemptions")


def redeemable_code(promo: Doc, cpn: Doc, now: int, *, customer: str | None = None, amount: int | None = None,
                    currency: str | None = None, first_time: bool = True, param: str = "promotion_code") -> None:
    """Raise, naming ``param``, unless ``promo`` can be redeemed now by ``customer`` on ``amount`` in
    ``currency`` (None: not known yet, so not checked); ``first_time``: the customer has no earlier
    payments or invoices."""
    name = promo["code"]
    if not promo["active"]:
        raise ParamError(f"This promotion code is inactive: {name}.", param=param, code="promotion_code_inactive")
    if promo.get("expires_at") is not None and now >= promo["expires_at"]:
        raise ParamError(f"This promotion code has expired: {name}.", param=param, code="promotion_code_expired")
    if promo.get("max_redemptions") is not None and promo["times_redeemed"] >= promo["max_redemptions"]:
        raise ParamError(f"This promotion code has been fully redeemed: {name}.", param=param,
                         code="promotion_code_expired")
    if promo.get("customer") is not None and customer is not None and promo["customer"] != customer:
        raise ParamError(f"This promotion code cannot be redeemed by this customer: {name}.", param=param,
                         code="promotion_code_customer_not_eligible")
    rules = promo.get("restrictions") or {}
    if rules.get("first_time_transaction") and not first_time:
        raise ParamError(f"This promotion code is only for first-time customers: {name}.", param=param,
                         code="promotion_code_customer_not_eligible")
    minimum = minimum_amount(rules, currency)
    if minimum is not None and amount is not None and amount < minimum:
        raise ParamError(f"This promotion code requires a minimum amount of {minimum} {currency}: {name}.",
                         param=param, code="promotion_code_minimum_amount_not_met")
    redeemable_coupon(cpn, now, param=param)


def minimum_amount(rules: Doc, currency: str | None) -> int | None:
    """The minimum amount a code's restrictions ask in ``currency``, or None when they ask none there."""
    if currency is None:
        return None
    if rules.get("minimum_amount_currency") == currency:
        return int(rules["minimum_amount"])
    option = (rules.get("currency_options") or {}).get(currency)
    return None if option is None else int(option["minimum_amount"])


# --- the discount a coupon gives -----------------------------------------------------------------

def coupon_currencies(cpn: Doc) -> tuple[str, ...]:
    """The currencies an ``amount_off`` coupon has an amount in (none for a percent coupon: it fits all)."""
    if cpn.get("amount_off") is None:
        return ()
    return (cpn["currency"], *(cpn.get("currency_options") or {}))


def amount_off_in(cpn: Doc, currency: str) -> int | None:
    """The coupon's ``amount_off`` in ``currency``: its own, a currency option's, or None."""
    if cpn.get("amount_off") is None:
        return None
    if currency == cpn.get("currency"):
        return int(cpn["amount_off"])
    option = (cpn.get("currency_options") or {}).get(currency)
    return None if option is None else int(option["amount_off"])


def discount_amount(cpn: Doc, amount: int, currency: str) -> int | None:
    """What the coupon takes off ``amount`` (minor units of ``currency``): at most the amount, never below
    zero for a positive amount; None when an ``amount_off`` coupon has no amount in ``currency``. A
    percent coupon on a negative amount gives a negative discount (``PERCENT_ROUNDING``)."""
    if cpn.get("percent_off") is not None:
        exact = Decimal(amount) * Decimal(str(cpn["percent_off"])) / 100
        return int(exact.quantize(Decimal(1), rounding=PERCENT_ROUNDING))
    off = amount_off_in(cpn, currency)
    if off is None:
        return None
    return max(0, min(off, amount))


# --- discount objects -------------------------------------------------------------------------------

def add_months(ts: int, months: int) -> int:
    """``ts`` plus ``months`` calendar months (UTC), the day of the month clamped to the month's last."""
    when = datetime.fromtimestamp(ts, UTC)
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return int(when.replace(year=year, month=month, day=day).timestamp())


def discount_end(cpn: Doc, start: int) -> int | None:
    """When a discount of ``cpn`` started at ``start`` ends: ``duration_in_months`` later for a repeating
    coupon; never (None) for once and forever ones, as Stripe shows them."""
    if cpn.get("duration") == "repeating" and cpn.get("duration_in_months"):
        return add_months(start, int(cpn["duration_in_months"]))
    return None


def discount(obj_id: str, now: int, *, cpn: Doc, customer: str | None = None, promotion_code: str | None = None,
             invoice: str | None = None, invoice_item: str | None = None) -> Doc:
    return {
        "id": obj_id,
        "object": "discount",
        "checkout_session": None,
        "customer": customer,
        "customer_account": None,
        "end": discount_end(cpn, now),
        "invoice": invoice,
        "invoice_item": invoice_item,
        "promotion_code": promotion_code,
        "source": {"coupon": cpn["id"], "type": "coupon"},
        "start": now,
        "subscription": None,
        "subscription_item": None,
    }


def removed(disc: Doc) -> Doc:
    """The answer to deleting a discount: the discount, marked deleted."""
    return {**disc, "deleted": True}
