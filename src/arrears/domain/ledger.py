"""The books on bad debt: double-entry postings for each invoice event.

A posting is a list of lines ``(account, amount)`` in minor units, debit positive and credit negative;
every posting sums to zero. Entries are append-only: a correction is a new, reversing posting.

Accounts (debit-normal unless said):
    accounts_receivable   what customers owe on open invoices
    revenue               income recognised at finalization (credit-normal)
    customer_balance      the customers' balances: debit = they owe us, credit = credit we owe them
    cash                  payments received (on or off platform)
    bad_debt_expense      receivables written off (mark_uncollectible)
    bad_debt_recovered    written-off receivables paid after all (credit-normal)
    balance_adjustments   the other side of manual customer-balance changes

Entry kinds and their lines:
    finalization     Dr receivable (amount due), Dr/Cr customer_balance (balance applied), Cr revenue (total)
    payment          Dr cash, Cr receivable
    write_off        Dr bad_debt_expense, Cr receivable (the amount remaining)
    recovery         Dr receivable, Cr bad_debt_recovered — reinstates a written-off receivable; a
                     payment entry follows and settles it (we recognise recoveries, not reduced expense)
    void             the exact reverse of every non-cash balance the invoice left in the books
    balance_adjustment  Dr/Cr customer_balance, Cr/Dr balance_adjustments
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from arrears.domain import Doc

Line = tuple[str, int]

ACCOUNTS: Final = (
    "accounts_receivable", "revenue", "customer_balance", "cash", "bad_debt_expense", "bad_debt_recovered",
    "balance_adjustments",
)
KINDS: Final = ("finalization", "payment", "write_off", "recovery", "void", "balance_adjustment")


class UnbalancedPosting(ValueError):
    """A posting whose debits and credits differ: a bug, never a user error."""


def _clean(lines: list[Line]) -> list[Line]:
    kept = [(account, amount) for account, amount in lines if amount != 0]
    if sum(amount for _, amount in kept) != 0:
        raise UnbalancedPosting(f"debits and credits differ: {kept}")
    unknown = [account for account, _ in kept if account not in ACCOUNTS]
    if unknown:
        raise UnbalancedPosting(f"unknown accounts {unknown}")
    return kept


def finalization(inv: Doc) -> list[Line]:
    applied = (inv["ending_balance"] or 0) - (inv["starting_balance"] or 0)
    return _clean([
        ("accounts_receivable", inv["amount_due"]),
        ("customer_balance", applied),
        ("revenue", -inv["total"]),
    ])


def payment(amount: int) -> list[Line]:
    return _clean([("cash", amount), ("accounts_receivable", -amount)])


def write_off(amount: int) -> list[Line]:
    return _clean([("bad_debt_expense", amount), ("accounts_receivable", -amount)])


def recovery(amount: int) -> list[Line]:
    return _clean([("accounts_receivable", amount), ("bad_debt_recovered", -amount)])


def void(balances: Mapping[str, int], *, returns_balance: bool = True) -> list[Line]:
    """Reverse what the invoice left in every account but cash (a paid invoice cannot be voided). Before
    API 2019-12-03 the customer balance an invoice applied stayed applied: that credit is forfeited, so it
    moves to ``balance_adjustments`` instead of back to ``customer_balance``."""
    kept = ("cash",) if returns_balance else ("cash", "customer_balance")
    lines = [(account, -net) for account, net in sorted(balances.items()) if account not in kept]
    if not returns_balance:
        lines.append(("balance_adjustments", -sum(amount for _, amount in lines)))
    return _clean(lines)


def balance_adjustment(amount: int) -> list[Line]:
    return _clean([("customer_balance", amount), ("balance_adjustments", -amount)])
