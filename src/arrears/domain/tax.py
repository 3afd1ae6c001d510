"""Tax rates and the tax of an amount: pure rules, no I/O.

A tax rate is a percentage (0 to 100, at most four decimal places, as Stripe's ``percentage``) and a
flag: **exclusive** rates are added on top of the amount, **inclusive** ones are already inside it and
are extracted from it.

The rounding rule, ``round_tax``, is one: **each rate's tax on each line is rounded on its own to the
nearest minor unit, halves away from zero**, and the invoice's tax is the sum of those rounded amounts.
Stripe's tax-rate guide shows it: a $0.43 line at 15 % has $0.0645 of tax, shown as $0.06; a $4.84 line at
15 % has $0.7265, shown as $0.73; the invoice's tax is $0.79 (not 15 % of $5.27 = $0.7905 rounded once).
Stripe's rounding page says halves go up ($0.025 becomes $0.03).

Several rates on one amount:

- exclusive rates are each applied to the same taxable amount (they do not compound);
- inclusive rates share the amount in proportion: with inclusive rates r1..rn on a gross amount A the net
  is A / (1 + r1 + … + rn) and rate i's tax is A · ri / (1 + r1 + … + rn), each rounded by ``round_tax``;
  the taxable amount shown is A minus the rounded inclusive taxes, so net and taxes add up to A exactly;
- when a line has both kinds, the exclusive rates apply to that net (arrears' reading: tax is never levied
  on tax).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from arrears.domain.errors import ParamError

MAX_PERCENTAGE = Decimal(100)
PERCENTAGE_PLACES = 4
HUNDRED = Decimal(100)

# Stripe's enum of tax_type (stripe-python's TaxRate.tax_type).
TAX_TYPES: tuple[str, ...] = (
    "admissions_tax", "amusement_tax", "attendance_tax", "communications_tax", "digital_excise_tax",
    "entertainment_tax", "get_fund", "gross_receipts_tax", "gst", "hospitality_tax", "hst", "igst", "jct",
    "lease_tax", "luxury_tax", "mass_transit_parking_tax", "nhil", "parking_tax", "pst", "qst", "resort_tax",
    "retail_delivery_fee", "rst", "sales_tax", "service_tax", "tourism_tax", "utility_users_tax", "vat",
)


def round_tax(value: Decimal) -> int:
    """The one rounding rule of tax: to the nearest minor unit, halves away from zero."""
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def percentage(value: str | int | float | Decimal, param: str = "percentage") -> Decimal:
    """A tax rate's percentage as given: a number from 0 to 100 with at most four decimal places."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ParamError(f"Invalid decimal: {str(value)[:100]}", param=param) from None
    if not number.is_finite():
        raise ParamError(f"Invalid decimal: {str(value)[:100]}", param=param)
    if number < 0 or number > MAX_PERCENTAGE:
        raise ParamError("Tax rate percentages must be between 0 and 100.", param=param)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PERCENTAGE_PLACES:
        raise ParamError(f"Tax rate percentages can have at most {PERCENTAGE_PLACES} decimal places.", param=param)
    return number


def shown(number: Decimal) -> float | int:
    """A percentage as Stripe's JSON shows it: a number (20, 7.25), never a string."""
    normal = number.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


@dataclass(frozen=True, slots=True)
class Rate:
    """What the arithmetic needs of a tax rate."""

    id: str
    percentage: Decimal
    inclusive: bool


@dataclass(frozen=True, slots=True)
class Tax:
    """One rate's tax on one amount: ``amount`` of tax, on ``taxable_amount`` (the net)."""

    rate: str
    amount: int
    taxable_amount: int
    inclusive: bool


def exclusive_tax(amount: int, pct: Decimal) -> int:
    """The tax added on top of ``amount`` at ``pct`` percent."""
    return round_tax(Decimal(amount) * pct / HUNDRED)


def inclusive_tax(amount: int, pct: Decimal) -> int:
    """The tax inside the gross ``amount`` at ``pct`` percent: amount − amount / (1 + pct/100)."""
    return round_tax(Decimal(amount) * pct / (HUNDRED + pct))


def taxes(amount: int, rates: list[Rate] | tuple[Rate, ...]) -> list[Tax]:
    """Every rate's tax on one line's ``amount`` (after its discounts), in the order of ``rates``."""
    inclusive = [r for r in rates if r.inclusive]
    share = HUNDRED + sum((r.percentage for r in inclusive), Decimal(0))
    extracted = {r.id: round_tax(Decimal(amount) * r.percentage / share) for r in inclusive}
    net = amount - sum(extracted.values())
    out = []
    for r in rates:
        if r.inclusive:
            out.append(Tax(r.id, extracted[r.id], net, True))
        else:
            out.append(Tax(r.id, exclusive_tax(net, r.percentage), net, False))
    return out


def added(found: list[Tax]) -> int:
    """What the taxes add to the amount: the exclusive ones (inclusive tax is inside it already)."""
    return sum(t.amount for t in found if not t.inclusive)


def totals(found: list[Tax]) -> dict[str, int]:
    """The tax of each rate over several lines: the sum of each line's rounded tax (``round_tax``)."""
    out: dict[str, int] = {}
    for t in found:
        out[t.rate] = out.get(t.rate, 0) + t.amount
    return out


# --- the tax_rate object --------------------------------------------------------------------------

# What an update may change: everything but the arithmetic (percentage, inclusive), as Stripe's.
UPDATABLE = ("active", "country", "description", "display_name", "jurisdiction", "metadata", "state", "tax_type")


def tax_rate(obj_id: str, now: int, livemode: bool, p: dict[str, object]) -> dict[str, object]:
    """A new ``tax_rate`` in Stripe's shape (API 2026-10-28.endive). A manual rate is a percentage rate:
    ``effective_percentage`` is its percentage, ``flat_amount`` and ``jurisdiction_level`` are null."""
    pct = shown(percentage(p["percentage"]))  # type: ignore[arg-type]
    return {
        "id": obj_id,
        "object": "tax_rate",
        "active": p.get("active", True),
        "country": p.get("country"),
        "created": now,
        "description": p.get("description"),
        "display_name": p["display_name"],
        "effective_percentage": pct,
        "flat_amount": None,
        "inclusive": p["inclusive"],
        "jurisdiction": p.get("jurisdiction"),
        "jurisdiction_level": None,
        "livemode": livemode,
        "metadata": p.get("metadata") or {},
        "percentage": pct,
        "rate_type": "percentage",
        "state": p.get("state"),
        "tax_type": p.get("tax_type"),
    }


def rate_of(doc: dict[str, object]) -> Rate:
    """The arithmetic's view of a stored tax rate."""
    return Rate(str(doc["id"]), Decimal(str(doc["percentage"])), bool(doc["inclusive"]))
