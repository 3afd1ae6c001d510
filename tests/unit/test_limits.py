"""The bounds on amounts and timestamps (domain/limits.py) as pure rules, and the formatting that must
survive a time no calendar reaches (a row kept before the bounds existed)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.api.dashboard import format as fmt
from arrears.api.schema import convert_fields
from arrears.api.stripe.params import INVOICE_CREATE, INVOICEITEM_CREATE, JOURNAL_REPORT, TEST_CLOCK_CREATE
from arrears.domain import limits
from arrears.domain.errors import ParamError
from arrears.domain.invoice import line_amount, recompute_totals
from arrears.services.reports import day

MAX = limits.DEFAULT_MAX_AMOUNT
INT64 = 2**63 - 1


def refusal(fn: Any, *args: Any, **kwargs: Any) -> ParamError:
    with pytest.raises(ParamError) as caught:
        fn(*args, **kwargs)
    return caught.value


# --- amounts --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("currency", "bound"), [("usd", 99_999_999), ("jpy", 99_999_999), ("idr", 999_999_999_999),
                                                 (None, 99_999_999)])
def test_an_amount_may_be_as_large_as_its_currency_allows_in_either_sign(currency: str | None, bound: int) -> None:
    assert limits.amount(bound, currency, "amount") == bound
    assert limits.amount(-bound, currency, "amount") == -bound
    assert refusal(limits.amount, bound + 1, currency, "amount").param == "amount"
    assert refusal(limits.amount, -bound - 1, currency, "amount").code == "amount_too_large"


@pytest.mark.parametrize(("value", "currency", "message"), [
    (10**8, "usd", "Amount must be no more than 999,999.99 USD (99999999 in minor units)."),
    (-(10**8), "usd", "Amount must be no less than -999,999.99 USD (-99999999 in minor units)."),
    (10**8, "jpy", "Amount must be no more than 99,999,999 JPY (99999999 in minor units)."),
    (10**12, "idr", "Amount must be no more than 9,999,999,999.99 IDR (999999999999 in minor units)."),
    (INT64, None, "Amount must be no more than 99999999 (in minor units)."),
])
def test_a_refused_amount_says_the_bound_in_stripes_words(value: int, currency: str | None, message: str) -> None:
    assert refusal(limits.amount, value, currency, "amount").message == message


def test_a_sum_past_the_bound_names_what_it_would_make_and_the_request_parameter() -> None:
    error = refusal(limits.total, 2 * MAX, "usd", "the invoice's total", "pending_invoice_items_behavior")
    assert error.param == "pending_invoice_items_behavior"
    assert error.message == ("This would make the invoice's total 1,999,999.98 USD: amounts must be between "
                             "-999,999.99 USD and 999,999.99 USD.")


def test_a_drafts_totals_past_the_bound_are_refused_before_any_total_changes() -> None:
    draft = {"currency": "usd", "lines": {"data": [{"amount": MAX}, {"amount": MAX}]}, "subtotal": 5, "total": 5,
             "pre_payment_credit_notes_amount": 0, "amount_paid": 0}
    before = copy.deepcopy(draft)
    assert refusal(recompute_totals, draft, 0, param="lines[0][amount]").param == "lines[0][amount]"
    assert draft == before


def test_a_drafts_amount_due_counts_the_customers_debt_against_the_bound() -> None:
    draft = {"currency": "usd", "lines": {"data": [{"amount": MAX}]}, "pre_payment_credit_notes_amount": 0,
             "amount_paid": 0}
    recompute_totals(draft, 0)
    assert draft["amount_due"] == MAX
    assert "amount due" in refusal(recompute_totals, draft, 1, param="x").message


def test_finalizing_checks_the_amount_due_and_the_customers_balance_after_it() -> None:
    limits.finalized(MAX, -MAX, "usd")
    assert "amount due" in refusal(limits.finalized, MAX + 1, 0, "usd").message
    assert "customer's balance" in refusal(limits.finalized, 0, -MAX - 1, "usd").message


@pytest.mark.parametrize(("unit", "quantity"), [("1000000000000000", 2**62), ("999999999999999.999999999999", INT64),
                                                ("-999999999999999.999999999999", INT64), ("0.000000000001", INT64)])
def test_line_amount_is_exact_for_any_unit_and_64_bit_quantity(unit: str, quantity: int) -> None:
    from fractions import Fraction

    assert line_amount(unit, quantity) == round(Fraction(unit) * quantity)


@given(unit=st.decimals(min_value=-10**15 + 1, max_value=10**15 - 1, places=12, allow_nan=False,
                        allow_infinity=False),
       quantity=st.integers(0, INT64))
def test_line_amount_never_raises(unit: Any, quantity: int) -> None:
    assert isinstance(line_amount(format(unit, "f"), quantity), int)


# --- timestamps -----------------------------------------------------------------------------------

def test_a_timestamp_is_a_unix_time_of_years_1970_to_9999() -> None:
    assert limits.timestamp(0, "due_date") == 0
    assert limits.timestamp(limits.MAX_TIMESTAMP, "due_date") == 253_402_300_799
    error = refusal(limits.timestamp, limits.MAX_TIMESTAMP + 1, "due_date")
    assert error.param == "due_date"
    assert error.message == ("Invalid timestamp: must be an integer Unix timestamp between 0 and 253402300799 "
                             "(the end of year 9999).")
    assert refusal(limits.timestamp, -1, "period[start]").param == "period[start]"


def test_a_clock_stays_a_century_before_the_end_so_its_derived_dates_stay_in_year_9999() -> None:
    assert fmt.when(limits.MAX_CLOCK_TIME) == "9899-12-31 23:59 UTC"
    furthest_due = limits.MAX_CLOCK_TIME + 36500 * 86400  # days_until_due is at most 36,500
    assert furthest_due <= limits.MAX_TIMESTAMP
    assert refusal(limits.timestamp, limits.MAX_CLOCK_TIME + 1, "frozen_time", latest=limits.MAX_CLOCK_TIME)


@pytest.mark.parametrize(("fields", "raw", "param"), [
    (INVOICE_CREATE, {"due_date": "-1"}, "due_date"),
    (INVOICE_CREATE, {"effective_at": str(INT64)}, "effective_at"),
    (INVOICEITEM_CREATE, {"period": {"start": "0", "end": "253402300800"}}, "period[end]"),
    (TEST_CLOCK_CREATE, {"frozen_time": str(10**17)}, "frozen_time"),
    (JOURNAL_REPORT, {"start": str(-(2**63) + 1)}, "start"),
])
def test_timestamp_parameters_are_refused_out_of_range_in_the_timestamps_words(
    fields: dict[str, Any], raw: dict[str, Any], param: str
) -> None:
    error = refusal(convert_fields, raw, fields)
    assert (error.param, error.message.startswith("Invalid timestamp: ")) == (param, True)


def test_amount_parameters_are_refused_past_the_largest_bound_of_any_currency() -> None:
    item = {"customer": "cus_1", "currency": "idr"}
    assert convert_fields({**item, "amount": "999999999999"}, INVOICEITEM_CREATE)["amount"] == limits.LARGEST_AMOUNT
    error = refusal(convert_fields, {**item, "amount": str(INT64)}, INVOICEITEM_CREATE)
    assert error.param == "amount"


# --- formatting what is already stored ------------------------------------------------------------

@pytest.mark.parametrize("ts", [10**17, INT64, -(2**63)])
def test_a_time_no_calendar_reaches_is_written_as_its_number(ts: int) -> None:
    assert fmt.when(ts) == str(ts)
    assert fmt.iso(ts) == str(ts)
    assert day(ts) == str(ts)


def test_times_within_the_bounds_are_written_as_dates() -> None:
    assert fmt.iso(limits.MAX_TIMESTAMP) == "9999-12-31T23:59:59Z"
    assert day(0) == "1970-01-01"
