"""The tax of an amount at one or several rates (domain/tax.py), with Stripe's documented examples and the
rounding rule: each rate's tax on each line rounded on its own, halves away from zero."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arrears.domain import tax
from arrears.domain.errors import ParamError


def rate(pct: str, inclusive: bool = False, rate_id: str = "txr_1") -> tax.Rate:
    return tax.Rate(rate_id, Decimal(pct), inclusive)


def test_stripes_two_line_example_rounds_each_line_not_the_invoice() -> None:
    # Stripe's tax-rate guide: $0.43 and $4.84 at 15 %: $0.0645 -> $0.06 and $0.7265 -> $0.73, $0.79 in all
    lines = [tax.taxes(43, [rate("15")]), tax.taxes(484, [rate("15")])]
    assert [t.amount for found in lines for t in found] == [6, 73]
    assert tax.totals([t for found in lines for t in found]) == {"txr_1": 79}
    assert 43 + 484 + sum(tax.added(found) for found in lines) == 606  # the total Stripe shows, $6.06


def test_rounding_per_line_can_differ_from_rounding_the_invoice_once() -> None:
    # Two $0.50 lines at 1 %: each $0.005 rounds to $0.01, so the invoice's tax is $0.02, not 1 % of $1.00
    found = [t for amount in (50, 50) for t in tax.taxes(amount, [rate("1")])]
    assert tax.totals(found) == {"txr_1": 2}
    assert tax.exclusive_tax(100, Decimal(1)) == 1


def test_an_exclusive_rate_is_added_on_top() -> None:
    # Stripe's support answer: an exclusive 10 % on €600 makes an invoice of €660
    [found] = tax.taxes(60000, [rate("10")])
    assert (found.amount, found.taxable_amount, found.inclusive) == (6000, 60000, False)
    assert 60000 + tax.added([found]) == 66000


def test_an_inclusive_rate_is_extracted_from_the_amount() -> None:
    # ... and an inclusive 10 % on €600 leaves the total at €600, of which 600 - 600/1.1 = €54.545… is tax
    [found] = tax.taxes(60000, [rate("10", inclusive=True)])
    assert (found.amount, found.taxable_amount) == (5455, 54545)
    assert tax.added([found]) == 0


@pytest.mark.parametrize("amount, pct, expected", [
    (50, "1", 1),  # 0.5 -> 1: a half goes up
    (49, "1", 0),  # 0.49 -> 0
    (150, "1", 2),  # 1.5 -> 2
    (-50, "1", -1),  # a credit's half goes away from zero too
    (1000, "7.25", 73),  # 72.5 -> 73
    (999, "0", 0),
])
def test_the_rounding_rule_is_half_away_from_zero(amount: int, pct: str, expected: int) -> None:
    assert tax.exclusive_tax(amount, Decimal(pct)) == expected


def test_several_exclusive_rates_do_not_compound() -> None:
    # A 5 % GST and a 9.975 % QST on $100.00: each on the same $100.00
    found = tax.taxes(10000, [rate("5", rate_id="gst"), rate("9.975", rate_id="qst")])
    assert [(t.rate, t.amount, t.taxable_amount) for t in found] == [("gst", 500, 10000), ("qst", 998, 10000)]


def test_several_inclusive_rates_share_the_amount_and_add_up_to_it() -> None:
    # 119.00 with 10 % and 9 % inside: the net is 119 / 1.19 = 100.00, the taxes 10.00 and 9.00
    found = tax.taxes(11900, [rate("10", True, "a"), rate("9", True, "b")])
    assert [(t.amount, t.taxable_amount) for t in found] == [(1000, 10000), (900, 10000)]
    # and where the shares round, net + taxes is still the gross amount
    odd = tax.taxes(1000, [rate("7", True, "a"), rate("13", True, "b")])
    assert odd[0].taxable_amount + sum(t.amount for t in odd) == 1000


def test_an_exclusive_rate_beside_an_inclusive_one_applies_to_the_net() -> None:
    found = tax.taxes(11000, [rate("10", True, "vat"), rate("5", False, "local")])
    assert [(t.rate, t.amount, t.taxable_amount) for t in found] == [("vat", 1000, 10000), ("local", 500, 10000)]
    assert tax.added(found) == 500


@pytest.mark.parametrize("value, message", [
    ("100.0001", "Tax rate percentages must be between 0 and 100."),
    ("-0.5", "Tax rate percentages must be between 0 and 100."),
    ("1.23456", "Tax rate percentages can have at most 4 decimal places."),
    ("NaN", "Invalid decimal: NaN"),
    ("abc", "Invalid decimal: abc"),
])
def test_a_percentage_outside_stripes_bounds_is_refused(value: str, message: str) -> None:
    with pytest.raises(ParamError) as info:
        tax.percentage(value)
    assert (info.value.message, info.value.param) == (message, "percentage")


@pytest.mark.parametrize("value, shown", [("20", 20), ("20.0", 20), ("7.25", 7.25), ("0", 0), ("100", 100),
                                          ("8.8750", 8.875)])
def test_a_percentage_is_shown_as_a_json_number(value: str, shown: float) -> None:
    assert tax.shown(tax.percentage(value)) == shown


def test_a_new_rate_is_a_percentage_rate_whose_effective_percentage_is_its_own() -> None:
    doc = tax.tax_rate("txr_1", 1_700_000_000, False, {"display_name": "VAT", "percentage": "19", "inclusive": True})
    assert (doc["percentage"], doc["effective_percentage"], doc["rate_type"], doc["active"]) == (19, 19, "percentage",
                                                                                                True)
    assert tax.rate_of(doc) == tax.Rate("txr_1", Decimal(19), True)
