"""The invoice rules of arrears.domain.invoice, with no I/O.

Expectations are written from the reference (stripe-invoices.md §2.2-§2.3 for the status machine, §4.2
for the customer balance, ADR 0003 for rounding), never read back from ``TRANSITIONS``/``REFUSALS``.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.domain import invoice as invoice_rules
from arrears.domain.errors import InvalidRequest, StateError
from arrears.domain.invoice import (
    allowed_actions,
    apply_balance,
    line_amount,
    next_status,
    recompute_totals,
    require_deletable,
    require_editable,
)
from arrears.domain.machine import Machine

STATUSES = ("draft", "open", "paid", "uncollectible", "void")
ACTIONS = ("finalize", "pay", "send", "void", "mark_uncollectible", "delete", "edit_lines")

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
REFINALIZE = "This invoice is already finalized, you can't re-finalize a non-draft invoice."
ONLY_DRAFTS = "You can only delete draft invoices."
NOT_EDITABLE = "Invalid invoice: This invoice is no longer editable"
CANNOT_SEND = ("This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact "
               "with details, so we can help.")

# (action, status) -> the status it leads to. Every pair not listed is refused.
MOVES: dict[tuple[str, str], str] = {
    ("finalize", "draft"): "open",
    ("pay", "draft"): "paid",  # finalize and pay in one call
    ("pay", "open"): "paid",
    ("pay", "uncollectible"): "paid",
    ("send", "draft"): "open",  # finalize, then send
    ("send", "open"): "open",
    ("send", "uncollectible"): "uncollectible",
    ("void", "open"): "void",
    ("void", "uncollectible"): "void",
    ("mark_uncollectible", "open"): "uncollectible",
}
# Allowed, but not moves: guards that leave the status as it is (the lines change, or the draft disappears).
GUARDED = {("edit_lines", "draft"), ("delete", "draft")}
GUARDS = {"edit_lines": require_editable, "delete": require_deletable}

# (action, status) -> Stripe's refusal message, for every refused pair.
REFUSED: dict[tuple[str, str], str] = {
    **{("finalize", s): REFINALIZE for s in ("open", "paid", "uncollectible", "void")},
    ("pay", "paid"): "Invoice is already paid",
    ("pay", "void"): NOT_OPEN,
    ("send", "paid"): CANNOT_SEND,
    ("send", "void"): CANNOT_SEND,
    **{("void", s): NOT_OPEN for s in ("draft", "paid", "void")},
    ("mark_uncollectible", "draft"): NOT_OPEN,
    ("mark_uncollectible", "paid"): NOT_OPEN,
    ("mark_uncollectible", "void"): NOT_OPEN,
    ("mark_uncollectible", "uncollectible"): "This invoice has already been marked uncollectible.",
    **{("delete", s): ONLY_DRAFTS for s in ("open", "paid", "uncollectible", "void")},
    **{("edit_lines", s): NOT_EDITABLE for s in ("open", "paid", "uncollectible", "void")},
}

ALL_CELLS = [pytest.param(action, status, id=f"{status}-{action}") for action in ACTIONS for status in STATUSES]


def an_invoice(status: str, **fields: Any) -> dict[str, Any]:
    return {"id": "in_test", "status": status, **fields}


def ask(action: str, invoice: dict[str, Any]) -> str:
    """The status ``action`` leaves the invoice in: the table's move, or the status a passed guard keeps."""
    if action in GUARDS:
        GUARDS[action](invoice)
        return str(invoice["status"])
    return next_status(action, invoice)


def test_the_expected_table_names_every_cell_exactly_once() -> None:
    allowed = set(MOVES) | GUARDED
    assert not allowed & set(REFUSED)
    assert allowed | set(REFUSED) == {(a, s) for a in ACTIONS for s in STATUSES}


# --- next_status ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "status"), [c for c in ALL_CELLS if (c.values[0], c.values[1]) in MOVES])
def test_an_allowed_action_leads_to_its_status(action: str, status: str) -> None:
    assert next_status(action, an_invoice(status)) == MOVES[action, status]


@pytest.mark.parametrize(("action", "status"), sorted(GUARDED))
def test_deleting_a_draft_or_editing_its_lines_is_allowed_and_keeps_it_a_draft(action: str, status: str) -> None:
    invoice = an_invoice(status)
    assert ask(action, invoice) == "draft"  # does not raise
    assert invoice == an_invoice(status)


@pytest.mark.parametrize(("action", "status"), [c for c in ALL_CELLS if (c.values[0], c.values[1]) in REFUSED])
def test_a_refused_action_raises_a_state_error_with_stripes_wording(action: str, status: str) -> None:
    with pytest.raises(StateError) as refused:
        ask(action, an_invoice(status))
    err = refused.value
    assert err.message == REFUSED[action, status]
    assert str(err) == REFUSED[action, status]
    # Only line edits carry a code; the other wrong-state refusals have none (reference §2.3 notes)
    assert err.code == ("invoice_not_editable" if action == "edit_lines" else None)
    assert err.param is None
    # And it says which cell of the table refused
    assert (err.obj_id, err.status, err.action) == ("in_test", status, action)


def test_a_state_error_is_an_invalid_request() -> None:
    with pytest.raises(InvalidRequest):
        next_status("finalize", an_invoice("paid"))


def test_next_status_does_not_change_the_invoice() -> None:
    inv = an_invoice("open", amount_due=599)
    next_status("mark_uncollectible", inv)
    assert inv == an_invoice("open", amount_due=599)


# --- allowed_actions ------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "actions"), [
    ("draft", {"finalize", "pay", "send", "delete", "edit_lines"}),
    ("open", {"pay", "send", "void", "mark_uncollectible"}),
    ("uncollectible", {"pay", "send", "void"}),  # written off, but it can still be paid or voided
    ("paid", set()),
    ("void", set()),
])
def test_allowed_actions_per_status(status: str, actions: set[str]) -> None:
    found = allowed_actions(status)
    assert set(found) == actions
    assert len(found) == len(set(found))


@pytest.mark.parametrize(("action", "status"), ALL_CELLS)
def test_allowed_actions_agrees_with_next_status(action: str, status: str) -> None:
    try:
        ask(action, an_invoice(status))
        allowed = True
    except StateError:
        allowed = False
    assert (action in allowed_actions(status)) is allowed


def test_an_unknown_status_allows_nothing() -> None:
    assert allowed_actions("deleted") == []


# --- apply_balance (reference §4.2) ---------------------------------------------------------------

@pytest.mark.parametrize(("total", "balance", "due", "ending"), [
    pytest.param(1099, -500, 599, 0, id="credit-smaller-than-total"),  # Stripe's docs example
    pytest.param(300, -500, 0, -200, id="credit-larger-than-total"),
    pytest.param(3000, -1000, 2000, 0, id="emulator-recording"),
    pytest.param(3100, -1100, 2000, 0, id="revenue-recognition-doc"),
    pytest.param(1099, -1099, 0, 0, id="credit-equal-to-total"),
    pytest.param(1099, 300, 1399, 0, id="debt-added-to-amount-due"),
    pytest.param(0, 300, 300, 0, id="debt-on-an-empty-invoice"),
    pytest.param(1099, 0, 1099, 0, id="no-balance"),
    pytest.param(0, 0, 0, 0, id="nothing-at-all"),
    pytest.param(-200, 0, 0, -200, id="negative-total-becomes-credit"),
    pytest.param(-200, -500, 0, -700, id="negative-total-adds-to-credit"),
    pytest.param(-500, 300, 0, -200, id="negative-total-larger-than-debt"),
    pytest.param(-200, 300, 100, 0, id="negative-total-smaller-than-debt"),
])
def test_apply_balance(total: int, balance: int, due: int, ending: int) -> None:
    assert apply_balance(total, balance) == (due, ending)


@given(total=st.integers(-10**9, 10**9), balance=st.integers(-10**9, 10**9))
def test_apply_balance_never_loses_or_invents_money(total: int, balance: int) -> None:
    due, ending = apply_balance(total, balance)
    assert due >= 0  # nothing negative is ever charged
    assert ending <= 0  # a debt is always billed, only credit can be left over
    assert due + ending == total + balance  # what the customer owes overall is the same before and after
    if total >= 0 and balance <= 0:
        assert balance <= ending  # no more credit is left than there was


# --- recompute_totals -----------------------------------------------------------------------------

def test_a_drafts_totals_come_from_its_lines_and_the_customers_balance() -> None:
    draft = {"lines": {"data": [{"amount": 1000}, {"amount": 99}]},
             "pre_payment_credit_notes_amount": 0, "amount_paid": 0}
    recompute_totals(draft, -500)
    assert (draft["subtotal"], draft["total"], draft["subtotal_excluding_tax"], draft["total_excluding_tax"]) == (
        1099, 1099, 1099, 1099)
    assert (draft["starting_balance"], draft["amount_due"], draft["amount_remaining"]) == (-500, 599, 599)


def test_a_negative_line_reduces_the_total() -> None:
    draft = {"lines": {"data": [{"amount": 1099}, {"amount": -99}]},
             "pre_payment_credit_notes_amount": 0, "amount_paid": 0}
    recompute_totals(draft, 0)
    assert (draft["total"], draft["amount_due"]) == (1000, 1000)


# --- line_amount (ADR 0003: unit_amount_decimal × quantity, half-to-even) -------------------------

@pytest.mark.parametrize(("unit", "quantity", "amount"), [
    pytest.param("1099", 3, 3297, id="whole-cents"),
    pytest.param("12.3", 10, 123, id="exact-product"),
    pytest.param("0.5", 1, 0, id="half-rounds-down-to-even-zero"),
    pytest.param("1.5", 1, 2, id="half-rounds-up-to-even-two"),
    pytest.param("2.5", 1, 2, id="half-rounds-down-to-even-two"),
    pytest.param("0.25", 6, 2, id="product-1.5-to-2"),
    pytest.param("0.125", 20, 2, id="product-2.5-to-2"),
    pytest.param("10.005", 100, 1000, id="product-1000.5-to-1000"),
    pytest.param("10.015", 100, 1002, id="product-1001.5-to-1002"),
    pytest.param("1.15", 10, 12, id="product-11.5-to-12-where-float-gives-11"),
    pytest.param("0.333", 3, 1, id="below-half-up"),
    pytest.param("0.4999", 1, 0, id="just-below-half"),
    pytest.param("0.5001", 1, 1, id="just-above-half"),
    pytest.param("0.00005", 10000, 0, id="tiny-unit-many-times"),
    pytest.param("-2.5", 1, -2, id="negative-half-to-even"),
    pytest.param("-3.5", 1, -4, id="negative-half-to-even-away"),
    pytest.param("999.99", 0, 0, id="zero-quantity"),
])
def test_line_amount_rounds_half_to_even(unit: str, quantity: int, amount: int) -> None:
    result = line_amount(unit, quantity)
    assert result == amount
    assert type(result) is int


@given(
    cents=st.integers(-10**8, 10**8),
    places=st.integers(0, 12),
    quantity=st.integers(0, 10**4),
)
def test_line_amount_is_the_exact_product_rounded_half_to_even(cents: int, places: int, quantity: int) -> None:
    unit = Fraction(cents, 10**places)
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 10**places}.{abs(cents) % 10**places:0{places}d}" \
        if places else str(cents)
    assert Fraction(text) == unit
    # Python's round() on a Fraction is exact and rounds ties to even: an oracle independent of Decimal
    assert line_amount(text, quantity) == round(unit * quantity)


# --- the moves' field effects (pure) ----------------------------------------------------------------

def an_open_invoice(**fields: Any) -> dict[str, Any]:
    return an_invoice("open", auto_advance=True, next_payment_attempt=1_800_003_600, automatically_finalizes_at=None,
                      amount_paid=0, amount_remaining=599, amount_paid_off_stripe=0,
                      status_transitions={"finalized_at": 1_800_000_000, "marked_uncollectible_at": None,
                                          "paid_at": None, "voided_at": None}, **fields)


def test_marking_uncollectible_sets_the_status_its_time_and_reason_and_stops_collection() -> None:
    inv = an_open_invoice()
    invoice_rules.mark_uncollectible(inv, 1_800_086_400, "user_forgiven")
    assert inv["status"] == "uncollectible"
    assert inv["status_transitions"]["marked_uncollectible_at"] == 1_800_086_400
    assert inv["status_details"] == {"uncollectible": {"reason": "user_forgiven"}}
    assert (inv["auto_advance"], inv["next_payment_attempt"], inv["amount_remaining"]) == (False, None, 599)


def test_settling_receives_what_remains_and_drops_the_uncollectible_detail() -> None:
    inv = an_open_invoice()
    invoice_rules.mark_uncollectible(inv, 1_800_086_400, "user_forgiven")
    assert invoice_rules.settle(inv, 1_800_172_800, out_of_band=True) == 599
    assert (inv["status"], inv["amount_paid"], inv["amount_remaining"], inv["amount_paid_off_stripe"]) == (
        "paid", 599, 0, 599)
    assert inv["status_transitions"]["paid_at"] == 1_800_172_800 and "status_details" not in inv


def test_voiding_sets_the_status_and_its_time() -> None:
    inv = an_open_invoice()
    invoice_rules.void(inv, 1_800_086_400)
    assert (inv["status"], inv["status_transitions"]["voided_at"], inv["auto_advance"]) == ("void", 1_800_086_400,
                                                                                          False)


@pytest.mark.parametrize("move", [
    lambda inv: invoice_rules.mark_uncollectible(inv, 1, "user_forgiven"),
    lambda inv: invoice_rules.settle(inv, 1),
    lambda inv: invoice_rules.void(inv, 1),
    lambda inv: invoice_rules.open_draft(inv, 1, page="http://x/i"),
], ids=["mark_uncollectible", "settle", "void", "open_draft"])
def test_a_move_the_table_refuses_changes_no_field(move: Any) -> None:
    inv = an_open_invoice()
    inv["status"] = "void"  # a status from which no move leads anywhere
    before = copy.deepcopy(inv)
    with pytest.raises(StateError):
        move(inv)
    assert inv == before


def test_another_lifecycle_gets_its_moves_guards_and_refusals_from_its_own_tables() -> None:
    machine = Machine(moves={"confirm": {"requires_confirmation": "succeeded"}},
                      refusals={"confirm": {"*": "Cannot confirm."}, "update": {"*": "Cannot update."}},
                      guards={"update": frozenset({"requires_confirmation"})}, codes={"update": "not_editable"})
    intent = {"id": "pi_1", "status": "requires_confirmation"}
    assert machine.next_status("confirm", intent) == "succeeded"
    machine.require("update", intent)
    assert machine.allowed("requires_confirmation") == ["confirm", "update"]
    done = {"id": "pi_1", "status": "succeeded"}
    with pytest.raises(StateError) as refused:
        machine.require("update", done)
    assert (refused.value.message, refused.value.code, refused.value.action) == ("Cannot update.", "not_editable",
                                                                                 "update")
    assert machine.allowed("succeeded") == []
