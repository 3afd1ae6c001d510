"""The pure rules of coupons, promotion codes and discounts (domain/discounts.py): which can be redeemed
now, and what a coupon takes off an amount."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from arrears.domain import discounts
from arrears.domain.errors import ParamError

NOW = 1_760_000_000


def coupon(**given: Any) -> dict[str, Any]:
    p: dict[str, Any] = {"percent_off": "25"} if "amount_off" not in given else {"currency": "usd"}
    p.update(given)
    discounts.check_coupon(p)
    return discounts.coupon("SAVE", NOW, False, p)


def code(cpn: dict[str, Any], **given: Any) -> dict[str, Any]:
    return discounts.promotion_code("promo_1", NOW, False, code="SPRING", cpn=cpn, p=given)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


# --- the coupon's terms ---------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "-5", "100.01", "250"])
def test_percent_off_outside_zero_to_a_hundred_is_refused(value: str) -> None:
    with pytest.raises(ParamError) as info:
        discounts.check_coupon({"percent_off": value})
    assert info.value.param == "percent_off"


def test_a_hundred_percent_off_is_allowed_and_shown_as_a_number() -> None:
    assert coupon(percent_off="100")["percent_off"] == 100.0


def test_a_coupon_takes_exactly_one_of_percent_off_and_amount_off() -> None:
    with pytest.raises(ParamError, match="exactly one"):
        discounts.check_coupon({})
    with pytest.raises(ParamError, match="exactly one"):
        discounts.check_coupon({"percent_off": "5", "amount_off": 100, "currency": "usd"})


def test_amount_off_needs_a_currency() -> None:
    with pytest.raises(ParamError) as info:
        discounts.check_coupon({"amount_off": 500})
    assert info.value.param == "currency"


def test_repeating_needs_months_and_only_repeating_takes_them() -> None:
    with pytest.raises(ParamError) as info:
        discounts.check_coupon({"percent_off": "5", "duration": "repeating"})
    assert info.value.param == "duration_in_months"
    with pytest.raises(ParamError):
        discounts.check_coupon({"percent_off": "5", "duration": "forever", "duration_in_months": 3})


def test_currency_options_belong_to_amount_off_coupons_only() -> None:
    with pytest.raises(ParamError) as info:
        discounts.check_coupon({"percent_off": "5", "currency_options": {"eur": {"amount_off": 100}}})
    assert info.value.param == "currency_options"


# --- redeeming a coupon ---------------------------------------------------------------------------

def test_a_coupon_past_its_redeem_by_is_no_longer_valid() -> None:
    cpn = coupon(redeem_by=NOW + 60)
    discounts.redeemable_coupon(cpn, NOW + 59)
    with pytest.raises(ParamError, match="no longer valid"):
        discounts.redeemable_coupon(cpn, NOW + 60)


def test_the_last_allowed_redemption_makes_the_coupon_invalid() -> None:
    cpn = coupon(max_redemptions=2)
    discounts.redeem_coupon(cpn, NOW)
    assert (cpn["times_redeemed"], cpn["valid"]) == (1, True)
    discounts.redeem_coupon(cpn, NOW)
    assert (cpn["times_redeemed"], cpn["valid"]) == (2, False)
    with pytest.raises(ParamError) as info:
        discounts.redeemable_coupon(cpn, NOW)
    assert info.value.code == "coupon_expired"


# --- redeeming a promotion code -------------------------------------------------------------------

def test_an_inactive_code_cannot_be_redeemed() -> None:
    with pytest.raises(ParamError) as info:
        discounts.redeemable_code(code(coupon(), active=False), coupon(), NOW)
    assert info.value.code == "promotion_code_inactive"


def test_an_expired_code_cannot_be_redeemed() -> None:
    promo = code(coupon(), expires_at=NOW + 10)
    discounts.redeemable_code(promo, coupon(), NOW + 9)
    with pytest.raises(ParamError, match="expired"):
        discounts.redeemable_code(promo, coupon(), NOW + 10)


def test_a_fully_redeemed_code_cannot_be_redeemed() -> None:
    promo = code(coupon(), max_redemptions=1)
    promo["times_redeemed"] = 1
    with pytest.raises(ParamError, match="fully redeemed"):
        discounts.redeemable_code(promo, coupon(), NOW)


def test_a_code_for_one_customer_refuses_another() -> None:
    promo = code(coupon(), customer="cus_A")
    discounts.redeemable_code(promo, coupon(), NOW, customer="cus_A")
    with pytest.raises(ParamError) as info:
        discounts.redeemable_code(promo, coupon(), NOW, customer="cus_B")
    assert info.value.code == "promotion_code_customer_not_eligible"


def test_a_first_time_code_refuses_a_customer_with_history() -> None:
    promo = code(coupon(), restrictions={"first_time_transaction": True})
    discounts.redeemable_code(promo, coupon(), NOW, first_time=True)
    with pytest.raises(ParamError, match="first-time"):
        discounts.redeemable_code(promo, coupon(), NOW, first_time=False)


def test_the_minimum_amount_applies_in_its_currency_and_in_its_currency_options() -> None:
    promo = code(coupon(), restrictions={"minimum_amount": 1000, "minimum_amount_currency": "usd",
                                         "currency_options": {"eur": {"minimum_amount": 900}}})
    discounts.redeemable_code(promo, coupon(), NOW, amount=1000, currency="usd")
    discounts.redeemable_code(promo, coupon(), NOW, amount=5, currency="gbp")  # no minimum asked in gbp
    with pytest.raises(ParamError) as info:
        discounts.redeemable_code(promo, coupon(), NOW, amount=899, currency="eur")
    assert info.value.code == "promotion_code_minimum_amount_not_met"


def test_a_code_of_an_invalid_coupon_cannot_be_redeemed() -> None:
    cpn = coupon(max_redemptions=1)
    discounts.redeem_coupon(cpn, NOW)
    with pytest.raises(ParamError, match="no longer valid"):
        discounts.redeemable_code(code(cpn), cpn, NOW)


def test_codes_hold_only_letters_and_digits_and_compare_regardless_of_case() -> None:
    assert discounts.check_code("Spring25") == "Spring25"
    with pytest.raises(ParamError):
        discounts.check_code("spring-25")
    assert discounts.same_code("SPRING", "spring")
    assert set(discounts.code_variants("Spring")) == {"Spring", "SPRING", "spring"}


# --- the discount amount ----------------------------------------------------------------------------

@pytest.mark.parametrize(("percent", "amount", "expected"), [
    ("25", 1000, 250),
    ("33.3", 1000, 333),      # 333.0
    ("12.5", 1001, 125),      # 125.125 -> 125
    ("12.5", 1004, 126),      # 125.5 -> 126: half up
    ("50", 1, 1),             # 0.5 -> 1: half up, not to even
    ("50", 3, 2),             # 1.5 -> 2
    ("50", -3, -2),           # a credit line: half away from zero
    ("100", 4321, 4321),
    ("0.01", 10_000, 1),
])
def test_percent_off_rounds_half_up_to_a_whole_minor_unit(percent: str, amount: int, expected: int) -> None:
    assert discounts.discount_amount(coupon(percent_off=percent), amount, "usd") == expected


def test_amount_off_is_capped_at_the_amount() -> None:
    cpn = coupon(amount_off=500)
    assert discounts.discount_amount(cpn, 2000, "usd") == 500
    assert discounts.discount_amount(cpn, 300, "usd") == 300
    assert discounts.discount_amount(cpn, -300, "usd") == 0


def test_amount_off_in_another_currency_comes_from_currency_options_or_does_not_apply() -> None:
    cpn = coupon(amount_off=500, currency_options={"eur": {"amount_off": 450}})
    assert discounts.discount_amount(cpn, 2000, "eur") == 450
    assert discounts.discount_amount(cpn, 2000, "gbp") is None


# --- discount objects -------------------------------------------------------------------------------

def test_a_repeating_discount_ends_its_months_later_clamped_to_the_month_end() -> None:
    cpn = coupon(duration="repeating", duration_in_months=1)
    assert discounts.discount_end(cpn, ts("2026-01-31T10:00:00")) == ts("2026-02-28T10:00:00")
    cpn = coupon(duration="repeating", duration_in_months=13)
    assert discounts.discount_end(cpn, ts("2026-03-15T00:00:00")) == ts("2027-04-15T00:00:00")


def test_once_and_forever_discounts_have_no_end() -> None:
    assert discounts.discount_end(coupon(duration="once"), NOW) is None
    assert discounts.discount_end(coupon(duration="forever"), NOW) is None


def test_a_discount_names_its_coupon_as_its_source() -> None:
    disc = discounts.discount("di_1", NOW, cpn=coupon(), customer="cus_A")
    assert disc["source"] == {"coupon": "SAVE", "type": "coupon"}
    assert (disc["customer"], disc["start"], disc["end"], disc["promotion_code"]) == ("cus_A", NOW, None, None)


def test_currency_keys_are_read_as_currencies_lowercased_and_unknown_ones_refused() -> None:
    assert discounts.by_currency({"EUR": {"amount_off": 1}}, "currency_options") == {"eur": {"amount_off": 1}}
    with pytest.raises(ParamError) as info:
        discounts.by_currency({"xyz": {"amount_off": 1}}, "currency_options")
    assert info.value.param == "currency_options[xyz]"
