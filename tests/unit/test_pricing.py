"""The pricing rule (domain/pricing.py): what a quantity of a price costs, with Stripe's documented examples
(docs.stripe.com/subscriptions/pricing-models/tiered-pricing: Typographic's fonts at 7, 6.50 and 6 USD;
docs.stripe.com/products-prices/pricing-models: packages by transform_quantity), and the terms a price
may have."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.domain import pricing
from arrears.domain.errors import ParamError

# Typographic's tiers: 1-5 fonts at 7 USD, 6-10 at 6.50 USD, 11+ at 6 USD (in cents)
FONT_TIERS = [{"up_to": "5", "unit_amount": 700}, {"up_to": "10", "unit_amount": 650},
              {"up_to": "inf", "unit_amount": 600}]


def price(**params: Any) -> dict[str, Any]:
    return {"id": "price_1", "product": "prod_1", **pricing.terms({"currency": "usd", **params})}


def tiered(mode: str, tiers: list[dict[str, Any]]) -> dict[str, Any]:
    return price(billing_scheme="tiered", tiers_mode=mode, tiers=tiers)


@pytest.mark.parametrize(("quantity", "total"), [(1, 700), (5, 3500), (6, 3900), (20, 12000), (25, 15000)])
def test_volume_tiers_bill_every_unit_at_the_tier_of_the_whole_quantity(quantity: int, total: int) -> None:
    assert pricing.amount(tiered("volume", FONT_TIERS), quantity) == total


@pytest.mark.parametrize(("quantity", "total"), [(1, 700), (5, 3500), (6, 4150), (20, 12750), (25, 15750)])
def test_graduated_tiers_bill_the_units_in_each_tier_at_its_own_amount(quantity: int, total: int) -> None:
    assert pricing.amount(tiered("graduated", FONT_TIERS), quantity) == total


def test_graduated_flat_amounts_are_billed_once_for_each_tier_reached() -> None:
    # Fixed fee and overage: 200 USD for the first 100,000 units, then 0.1 cent each
    tiers = [{"up_to": "100000", "flat_amount": 20000, "unit_amount": 0},
             {"up_to": "inf", "unit_amount_decimal": "0.1"}]
    p = tiered("graduated", tiers)
    assert pricing.amount(p, 0) == 20000  # the base fee even without usage
    assert pricing.amount(p, 100_000) == 20000
    assert pricing.amount(p, 100_010) == 20001


def test_volume_flat_amount_comes_with_the_tier_of_the_quantity() -> None:
    tiers = [{"up_to": "10", "flat_amount": 1000, "unit_amount": 100},
             {"up_to": "inf", "flat_amount": 500, "unit_amount": 90}]
    p = tiered("volume", tiers)
    assert pricing.amount(p, 10) == 2000
    assert pricing.amount(p, 11) == 500 + 990
    assert pricing.amount(p, 0) == 1000


def test_per_unit_decimal_amounts_round_once_half_to_even() -> None:
    p = price(unit_amount_decimal="0.5")
    assert [pricing.amount(p, q) for q in (1, 3, 5)] == [0, 2, 2]  # 0.5, 1.5, 2.5 -> 0, 2, 2
    assert pricing.amount(price(unit_amount_decimal="33.333333333333"), 3) == 100


@pytest.mark.parametrize(("rounding", "quantity", "total"),
                         [("up", 1, 500), ("up", 1000, 500), ("up", 1001, 1000), ("down", 1999, 500),
                          ("down", 999, 0), ("up", 0, 0)])
def test_transform_quantity_bills_whole_packages(rounding: str, quantity: int, total: int) -> None:
    p = price(unit_amount=500, transform_quantity={"divide_by": 1000, "round": rounding})
    assert pricing.amount(p, quantity) == total


def test_the_pricing_block_names_the_price_its_product_and_the_unit_amount() -> None:
    assert pricing.pricing(price(unit_amount=1200)) == {
        "type": "price_details", "price_details": {"price": "price_1", "product": "prod_1"},
        "unit_amount_decimal": "1200"}
    assert pricing.pricing(tiered("graduated", FONT_TIERS), 6)["unit_amount_decimal"] == "691.666666666667"
    assert pricing.pricing(tiered("volume", FONT_TIERS), 0)["unit_amount_decimal"] is None


def test_a_negative_quantity_is_refused() -> None:
    with pytest.raises(ParamError) as info:
        pricing.amount(price(unit_amount=1), -1)
    assert info.value.param == "quantity"


def test_only_an_active_one_time_price_of_the_currency_prices_an_item() -> None:
    good = {**price(unit_amount=5), "active": True, "currency": "usd"}
    assert pricing.usable(good, "usd", "pricing[price]") is good
    for bad, currency in (({**good, "active": False}, "usd"), (good, "eur"),
                          ({**good, **price(unit_amount=5, recurring={"interval": "month"})}, None)):
        with pytest.raises(ParamError) as info:
            pricing.usable(bad, currency, "pricing[price]")
        assert info.value.param == "pricing[price]"
    recurring = {**price(unit_amount=5, recurring={"interval": "month"}), "active": True, "currency": "usd"}
    assert pricing.usable(recurring, None, "price", one_time=False) is recurring


# --- terms ------------------------------------------------------------------------------------------

def refusal(**params: Any) -> ParamError:
    with pytest.raises(ParamError) as info:
        pricing.terms({"currency": "usd", **params})
    return info.value


def test_a_whole_decimal_unit_amount_shows_as_unit_amount_too() -> None:
    assert (price(unit_amount_decimal="1000.0")["unit_amount"], price(unit_amount_decimal="10.5")["unit_amount"]) == (
        1000, None)
    assert price(unit_amount_decimal="10.50")["unit_amount_decimal"] == "10.5"


def test_tiers_must_rise_and_end_in_inf() -> None:
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "5", "unit_amount": 1}]).param == "tiers[0][up_to]"
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "inf", "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]
                   ).param == "tiers[0][up_to]"
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "5", "unit_amount": 1}, {"up_to": "5", "unit_amount": 1},
                          {"up_to": "inf", "unit_amount": 1}]).param == "tiers[1][up_to]"
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "many", "unit_amount": 1}]).param == "tiers[0][up_to]"
    for odd in ("²", "0", "-3"):  # a superscript digit is a digit to str.isdigit, not to int()
        assert refusal(billing_scheme="tiered", tiers_mode="volume",
                       tiers=[{"up_to": odd, "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]
                       ).param == "tiers[0][up_to]"
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "inf", "unit_amount_decimal": "-0.5"}]).param == "tiers[0][unit_amount_decimal]"


def test_tiered_prices_need_a_mode_and_take_no_unit_amount_or_transform() -> None:
    assert refusal(billing_scheme="tiered", tiers=FONT_TIERS).param == "tiers_mode"
    assert refusal(billing_scheme="tiered", tiers_mode="volume").param == "tiers"
    assert refusal(billing_scheme="tiered", tiers_mode="volume", tiers=FONT_TIERS, unit_amount=5).param == (
        "unit_amount")
    assert refusal(billing_scheme="tiered", tiers_mode="volume", tiers=FONT_TIERS,
                   transform_quantity={"divide_by": 2, "round": "up"}).param == "transform_quantity"
    assert refusal(tiers=FONT_TIERS, unit_amount=5).param == "tiers"


def test_a_per_unit_price_needs_one_unit_amount() -> None:
    missing = refusal()
    assert (missing.param, missing.code) == ("unit_amount", "parameter_missing")
    both = refusal(unit_amount=1, unit_amount_decimal="1.5")
    assert (both.param, both.code) == ("unit_amount_decimal", "parameters_exclusive")
    assert pricing.terms({"unit_amount": 1}, "default_price_data")["unit_amount"] == 1
    assert refusal(unit_amount_decimal="-1").param == "unit_amount_decimal"


def test_recurring_defaults_and_bounds() -> None:
    assert price(unit_amount=1, recurring={"interval": "week"})["recurring"] == {
        "interval": "week", "interval_count": 1, "meter": None, "trial_period_days": None, "usage_type": "licensed"}
    assert price(unit_amount=1, recurring={"interval": "month", "interval_count": 36})["type"] == "recurring"
    assert refusal(unit_amount=1, recurring={"interval": "month", "interval_count": 37}).param == (
        "recurring[interval_count]")
    assert refusal(unit_amount=1, recurring={"interval": "month", "usage_type": "metered"}).param == (
        "recurring[meter]")


def test_a_flat_amount_decimal_must_be_whole() -> None:
    assert refusal(billing_scheme="tiered", tiers_mode="volume",
                   tiers=[{"up_to": "inf", "flat_amount_decimal": "1.5"}]).param == "tiers[0][flat_amount_decimal]"
    ok = pricing.tiers([{"up_to": "inf", "flat_amount_decimal": "100"}])
    assert (ok[0]["flat_amount"], ok[0]["flat_amount_decimal"], ok[0]["up_to"]) == (100, "100", None)


# --- any converted parameters: a price or a ParamError, never another exception --------------------

_DECIMALS = st.from_regex(r"-?\d{1,15}(\.\d{1,12})?", fullmatch=True)
_AMOUNTS = st.integers(min_value=0, max_value=10**12)
_TIER = st.fixed_dictionaries({"up_to": st.one_of(st.just("inf"), st.text(max_size=6), st.integers(0, 10**6).map(str))},
                              optional={"unit_amount": _AMOUNTS, "unit_amount_decimal": _DECIMALS,
                                        "flat_amount": _AMOUNTS, "flat_amount_decimal": _DECIMALS})
_TERMS = st.fixed_dictionaries({}, optional={
    "billing_scheme": st.sampled_from(["per_unit", "tiered"]), "tiers_mode": st.sampled_from(["graduated", "volume"]),
    "tiers": st.lists(_TIER, max_size=4), "unit_amount": _AMOUNTS, "unit_amount_decimal": _DECIMALS,
    "transform_quantity": st.fixed_dictionaries({"divide_by": st.integers(1, 10**6),
                                                 "round": st.sampled_from(["up", "down"])}),
    "recurring": st.fixed_dictionaries({"interval": st.sampled_from(["day", "week", "month", "year"])}, optional={
        "interval_count": st.integers(1, 2000), "usage_type": st.sampled_from(["licensed", "metered"]),
        "meter": st.text(min_size=1, max_size=5)}),
})


@settings(max_examples=300, deadline=None, database=None)
@given(params=_TERMS, quantity=st.integers(min_value=0, max_value=10**7))
def test_any_terms_make_a_price_whose_amount_is_an_integer_or_a_param_error(params: dict[str, Any],
                                                                             quantity: int) -> None:
    try:
        made = price(**params)
    except ParamError:
        return
    total = pricing.amount(made, quantity)
    assert isinstance(total, int) and total >= 0
    block = pricing.pricing(made, quantity)
    assert block["unit_amount_decimal"] is None or len(block["unit_amount_decimal"].partition(".")[2]) <= 12
