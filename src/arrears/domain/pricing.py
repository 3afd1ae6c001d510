"""What a quantity of a price costs, and the terms a price may have. Pure rules, no I/O.

A price (domain/catalog_objects.py builds it) bills ``per_unit`` (``unit_amount_decimal`` per unit, after
``transform_quantity`` when it has one) or ``tiered`` (``tiers`` with ``tiers_mode``):

- **graduated**: each tier bills the units that fall in it, plus its ``flat_amount`` when any unit does;
  the first tier's flat amount is billed even for a quantity of 0 (Stripe's "fixed fee and overage" model
  is a first tier of a flat fee and no unit amount).
- **volume**: the tier the whole quantity falls in bills every unit, plus its flat amount; a quantity of 0
  falls in the first tier.

A tier bills units up to and including its ``up_to``; the last one has ``up_to`` null (``inf`` in a
request). Amounts are computed exactly in ``Decimal`` and rounded once, to an integer of minor units,
half-to-even: the house's one rule for decimal amounts (``invoice.line_amount``, docs/adr/0003-money.md).
Sources: docs.stripe.com/products-prices/pricing-models (tiers, transform quantity),
docs.stripe.com/api/prices/object."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import ParamError

_EXACT = Context(prec=64)
INF = "inf"
_TWELVE_PLACES = Decimal("1e-12")  # Stripe's *_decimal fields carry at most 12 decimal places
MAX_TIERS = 250
# Stripe: "Maximum of three years interval allowed (3 years, 36 months, or 156 weeks)".
MAX_INTERVAL_COUNT = {"day": 1095, "week": 156, "month": 36, "year": 3}


def rounded(exact: Decimal) -> int:
    """An exact amount in minor units as an integer: half-to-even, the house's one rounding rule."""
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_EXACT))


def billed_quantity(price: Doc, quantity: int) -> int:
    """``quantity`` after the price's ``transform_quantity``: divided by ``divide_by`` and rounded ``up``
    or ``down`` to a whole number (Stripe's packages: 1001 units at divide_by=1000, round=up bill 2)."""
    transform = price.get("transform_quantity")
    if not transform:
        return quantity
    packages, rest = divmod(quantity, int(transform["divide_by"]))
    return packages + (1 if rest and transform["round"] == "up" else 0)


def _decimal(whole: int | None, text: str | None) -> Decimal:
    if text is not None:
        return Decimal(text)
    return Decimal(whole or 0)


def _tier_unit(tier: Doc) -> Decimal:
    return _decimal(tier.get("unit_amount"), tier.get("unit_amount_decimal"))


def _tier_flat(tier: Doc) -> Decimal:
    return _decimal(tier.get("flat_amount"), tier.get("flat_amount_decimal"))


def _graduated(tiers: list[Doc], quantity: int) -> Decimal:
    total, lower = Decimal(0), 0
    for index, tier in enumerate(tiers):
        upper = tier["up_to"]
        in_tier = (quantity if upper is None else min(quantity, upper)) - lower
        if in_tier > 0 or index == 0:
            total += _EXACT.multiply(_tier_unit(tier), Decimal(max(in_tier, 0))) + _tier_flat(tier)
        if upper is None or quantity <= upper:
            break
        lower = upper
    return total


def _volume(tiers: list[Doc], quantity: int) -> Decimal:
    tier = next(t for t in tiers if t["up_to"] is None or quantity <= t["up_to"])
    return _EXACT.multiply(_tier_unit(tier), Decimal(quantity)) + _tier_flat(tier)


def exact_amount(price: Doc, quantity: int) -> Decimal:
    """What ``quantity`` units of ``price`` cost, in minor units, before rounding."""
    if quantity < 0:
        raise ParamError("Invalid quantity: must be greater than or equal to 0", param="quantity")
    if price["billing_scheme"] == "tiered":
        tiers = price["tiers"]
        return _graduated(tiers, quantity) if price["tiers_mode"] == "graduated" else _volume(tiers, quantity)
    unit = _decimal(price.get("unit_amount"), price.get("unit_amount_decimal"))
    return _EXACT.multiply(unit, Decimal(billed_quantity(price, quantity)))


def amount(price: Doc, quantity: int) -> int:
    """What ``quantity`` units of ``price`` cost, in minor units (rounded half-to-even). The caller bounds
    the result by the currency's largest amount (domain/limits.py)."""
    return rounded(exact_amount(price, quantity))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def unit_amount_decimal(price: Doc, quantity: int) -> str | None:
    """The unit amount a line of ``quantity`` units of ``price`` shows: the price's own for a per-unit
    price without a transform, else the amount spread over the quantity, to 12 places (None for 0 units)."""
    if price["billing_scheme"] == "per_unit" and not price.get("transform_quantity"):
        return str(price["unit_amount_decimal"])
    if quantity == 0:
        return None
    spread = _EXACT.divide(Decimal(amount(price, quantity)), Decimal(quantity))
    return _plain(spread.quantize(_TWELVE_PLACES, rounding=ROUND_HALF_EVEN, context=_EXACT))


def pricing(price: Doc, quantity: int = 1) -> Doc:
    """The ``pricing`` block of an invoice item or line priced by ``price``."""
    return {
        "type": "price_details",
        "price_details": {"price": price["id"], "product": price["product"]},
        "unit_amount_decimal": unit_amount_decimal(price, quantity),
    }


def usable(price: Doc, currency: str | None, param: str, *, one_time: bool = True) -> Doc:
    """``price`` when a new invoice item (or line) may be priced by it: active, of ``currency`` (the
    invoice's or the item's, when known), and one-time where only one-time prices are taken (Stripe's
    invoice items); refused naming ``param`` otherwise. For the totals step, which prices items."""
    if not price["active"]:
        raise ParamError("The price specified is inactive. This field only accepts active prices.", param=param)
    if one_time and price["type"] != "one_time":
        raise ParamError(f"The price specified is set to `type={price['type']}` but this field only accepts prices "
                         "with `type=one_time`.", param=param)
    if currency is not None and price["currency"] != currency:
        raise ParamError(f"The price's currency ({price['currency']}) does not match the currency of this item "
                         f"({currency}).", param=param)
    return price


# --- the terms a price may have (create) ---------------------------------------------------------------

def _exclusive(p: dict[str, Any], a: str, b: str, prefix: str = "") -> None:
    if p.get(a) is not None and p.get(b) is not None:
        raise ParamError(f"You may only specify one of these parameters: {prefix}{a}, {prefix}{b}.",
                         param=f"{prefix}{b}", code="parameters_exclusive")


def _up_to(value: Any, param: str) -> int | None:
    text = str(value)
    if text == INF:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ParamError(f"Invalid {param}: must be a positive integer or `inf`.", param=param)
    return int(text)


def _not_negative(text: str | None, param: str) -> None:
    if text is not None and Decimal(text) < 0:
        raise ParamError(f"Invalid {param}: must be greater than or equal to 0.", param=param)


def _whole(text: str | None, param: str) -> None:
    """A flat amount given as a decimal must still be a whole number of minor units (Stripe's rule)."""
    if text is not None and Decimal(text) != Decimal(text).to_integral_value():
        raise ParamError(f"Invalid {param}: a flat amount must be a whole number of minor units.", param=param)


def tiers(given: list[dict[str, Any]]) -> list[Doc]:
    """The tiers of a request as the price shows them, in order, each bounded above by its ``up_to``
    (increasing), the last one by ``inf``; refused with the parameter at fault otherwise."""
    if not given:
        raise ParamError("Tiered prices need at least one tier: pass `tiers`.", param="tiers")
    out: list[Doc] = []
    previous = 0
    for i, tier in enumerate(given):
        at = f"tiers[{i}]"
        _exclusive(tier, "unit_amount", "unit_amount_decimal", f"{at}[")
        _exclusive(tier, "flat_amount", "flat_amount_decimal", f"{at}[")
        _not_negative(tier.get("unit_amount_decimal"), f"{at}[unit_amount_decimal]")
        _not_negative(tier.get("flat_amount_decimal"), f"{at}[flat_amount_decimal]")
        _whole(tier.get("flat_amount_decimal"), f"{at}[flat_amount_decimal]")
        upper = _up_to(tier["up_to"], f"{at}[up_to]")
        last = i == len(given) - 1
        if upper is None and not last:
            raise ParamError(f"Only the last tier may have `up_to` set to `inf`, but {at} does.",
                             param=f"{at}[up_to]")
        if upper is not None and last:
            raise ParamError(f"The last tier must have `up_to` set to `inf`, but {at} has {upper}.",
                             param=f"{at}[up_to]")
        if upper is not None and upper <= previous:
            raise ParamError(f"Tiers must be in increasing order of `up_to`, but {at}[up_to] is {upper} after "
                             f"{previous}.", param=f"{at}[up_to]")
        previous = upper or previous
        unit_decimal = tier.get("unit_amount_decimal")
        unit = tier.get("unit_amount")
        flat_decimal = tier.get("flat_amount_decimal")
        flat = tier.get("flat_amount")
        if flat is None and flat_decimal is not None:
            flat = int(Decimal(flat_decimal))
        out.append({
            "flat_amount": flat,
            "flat_amount_decimal": _plain(Decimal(flat_decimal)) if flat_decimal is not None else (
                None if flat is None else str(flat)),
            "unit_amount": unit if unit_decimal is None else None,
            "unit_amount_decimal": _plain(Decimal(unit_decimal)) if unit_decimal is not None else (
                None if unit is None else str(unit)),
            "up_to": upper,
        })
    if len(out) > MAX_TIERS:
        raise ParamError(f"A price can have at most {MAX_TIERS} tiers.", param="tiers")
    return out


def recurring(given: dict[str, Any] | None) -> Doc | None:
    """``recurring`` as the price shows it: interval, interval_count (1 by default, at most 3 years),
    usage_type (licensed by default; metered needs a meter), meter, trial_period_days."""
    if given is None:
        return None
    interval = given["interval"]
    count = int(given.get("interval_count") or 1)
    if count > MAX_INTERVAL_COUNT[interval]:
        raise ParamError(
            "Invalid recurring[interval_count]: the longest interval allowed is three years (3 years, 36 months, "
            f"156 weeks or 1095 days), but this is {count} {interval}s.", param="recurring[interval_count]")
    usage = given.get("usage_type") or "licensed"
    if usage == "metered" and not given.get("meter"):
        raise ParamError("Metered prices must be backed by a meter: pass `recurring[meter]`.",
                         param="recurring[meter]", code="parameter_missing")
    if usage == "licensed" and given.get("meter"):
        raise ParamError("Only metered prices take a meter: set `recurring[usage_type]` to `metered`.",
                         param="recurring[meter]")
    return {"interval": interval, "interval_count": count, "meter": given.get("meter"),
            "trial_period_days": given.get("trial_period_days"), "usage_type": usage}


def terms(p: dict[str, Any], prefix: str = "") -> Doc:
    """The billing fields of a new price from its parameters (``prefix``: "default_price_data" when a
    product's create carries them): billing_scheme, unit amounts, tiers, tiers_mode, transform_quantity,
    recurring and type. Refused with Stripe's parameter names when they do not make a price."""
    def name(key: str) -> str:
        return f"{prefix}[{key}]" if prefix else key

    scheme = p.get("billing_scheme") or "per_unit"
    _exclusive(p, "unit_amount", "unit_amount_decimal", f"{prefix}[" if prefix else "")
    out: Doc = {"billing_scheme": scheme, "recurring": recurring(p.get("recurring")), "tiers": None,
                "tiers_mode": None, "transform_quantity": None, "unit_amount": None, "unit_amount_decimal": None}
    out["type"] = "one_time" if out["recurring"] is None else "recurring"
    if scheme == "tiered":
        for key in ("unit_amount", "unit_amount_decimal"):
            if p.get(key) is not None:
                raise ParamError(f"`{name(key)}` cannot be set on a tiered price: give each tier its amounts "
                                 "in `tiers` instead.", param=name(key))
        if p.get("transform_quantity") is not None:
            raise ParamError("`transform_quantity` cannot be combined with tiers.", param="transform_quantity")
        if p.get("tiers_mode") is None:
            raise ParamError("Missing required param: tiers_mode.", param="tiers_mode", code="parameter_missing")
        if p.get("tiers") is None:
            raise ParamError("Missing required param: tiers.", param="tiers", code="parameter_missing")
        out["tiers"] = tiers(p["tiers"])
        out["tiers_mode"] = p["tiers_mode"]
        return out
    for key in ("tiers", "tiers_mode"):
        if p.get(key) is not None:
            raise ParamError(f"`{key}` needs `billing_scheme` set to `tiered`.", param=key)
    if p.get("unit_amount") is None and p.get("unit_amount_decimal") is None:
        raise ParamError(f"Missing required param: {name('unit_amount')}.", param=name("unit_amount"),
                         code="parameter_missing")
    if p.get("unit_amount") is not None:
        out["unit_amount"] = int(p["unit_amount"])
        out["unit_amount_decimal"] = str(out["unit_amount"])
    else:
        exact = Decimal(p["unit_amount_decimal"])
        if exact < 0:
            raise ParamError(f"Invalid {name('unit_amount_decimal')}: must be greater than or equal to 0.",
                             param=name("unit_amount_decimal"))
        out["unit_amount_decimal"] = _plain(exact)
        whole = exact == exact.to_integral_value()
        out["unit_amount"] = int(exact) if whole else None
    if p.get("transform_quantity") is not None:
        transform = p["transform_quantity"]
        out["transform_quantity"] = {"divide_by": int(transform["divide_by"]), "round": transform["round"]}
    return out
