"""The posting rules of the bad-debt books (domain/ledger.py): every posting balances, and the story of
an invoice leaves the accounts where an accountant expects them."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain import ledger


def invoice(total: int, starting: int, ending: int) -> dict[str, int]:
    return {"total": total, "starting_balance": starting, "ending_balance": ending,
            "amount_due": total + starting - ending}


def books(*postings: list[ledger.Line]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for lines in postings:
        for account, amount in lines:
            totals[account] += amount
    return Counter({k: v for k, v in totals.items() if v})


def test_finalizing_with_customer_credit_books_revenue_and_consumes_the_credit() -> None:
    lines = ledger.finalization(invoice(1099, -500, 0))
    assert dict(lines) == {"accounts_receivable": 599, "customer_balance": 500, "revenue": -1099}


def test_finalizing_with_customer_debt_moves_the_debt_into_the_receivable() -> None:
    lines = ledger.finalization(invoice(1000, 300, 0))
    assert dict(lines) == {"accounts_receivable": 1300, "customer_balance": -300, "revenue": -1000}


def test_write_off_then_late_payment_recognises_a_recovery_and_clears_the_receivable() -> None:
    inv = invoice(1099, -500, 0)
    result = books(ledger.finalization(inv), ledger.write_off(599), ledger.recovery(599), ledger.payment(599))
    assert result == {"customer_balance": 500, "revenue": -1099, "bad_debt_expense": 599,
                      "bad_debt_recovered": -599, "cash": 599}


def test_voiding_an_uncollectible_invoice_leaves_nothing_behind() -> None:
    inv = invoice(1099, -500, 0)
    before = books(ledger.finalization(inv), ledger.write_off(599))
    assert books(ledger.finalization(inv), ledger.write_off(599), ledger.void(before)) == Counter()


def test_void_never_reverses_cash() -> None:
    assert ("cash", -100) not in ledger.void({"cash": 100, "accounts_receivable": 5, "revenue": -5})


def test_an_unbalanced_posting_is_refused() -> None:
    with pytest.raises(ledger.UnbalancedPosting):
        ledger.void({"accounts_receivable": 5})
    with pytest.raises(ledger.UnbalancedPosting):
        ledger.void({"no_such_account": 5, "revenue": -5})


def test_zero_lines_are_dropped() -> None:
    assert ledger.finalization(invoice(0, 0, 0)) == []
    assert ledger.payment(0) == []


@given(total=st.integers(-10**9, 10**9), balance=st.integers(-10**9, 10**9))
def test_every_finalization_balances_and_receivable_equals_amount_due(total: int, balance: int) -> None:
    combined = total + balance
    inv = invoice(total, balance, min(combined, 0))
    lines = dict(ledger.finalization(inv))
    assert sum(lines.values()) == 0
    assert lines.get("accounts_receivable", 0) == max(combined, 0)
