"""The invoice commands of services/transitions.py run on the memory store: each transition's field
effects, the customer balance it applies or gives back, its events and its ledger postings, and the
refusal of every cell the table forbids (with nothing changed). Expectations come from the reference
(stripe-invoices.md §3-§4), not from the code."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from arrears.domain.errors import CardError, InvalidRequest, StateError
from arrears.services import invoiceitems, invoices, lines, transitions
from arrears.store.query import Cond
from tests.services.world import DAY, T0, World

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
REFINALIZE = "This invoice is already finalized, you can't re-finalize a non-draft invoice."
CANNOT_SEND = ("This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact "
               "with details, so we can help.")
COMMANDS = {"finalize": transitions.finalize, "pay": transitions.pay, "send": transitions.send,
            "void": transitions.void, "mark_uncollectible": transitions.mark_uncollectible}
# (action, status) -> Stripe's refusal, for the cells a command refuses
REFUSED: dict[tuple[str, str], str] = {
    **{("finalize", s): REFINALIZE for s in ("open", "paid", "uncollectible", "void")},
    ("pay", "paid"): "Invoice is already paid",
    ("pay", "void"): NOT_OPEN,
    ("send", "paid"): CANNOT_SEND,
    ("send", "void"): CANNOT_SEND,
    **{("void", s): NOT_OPEN for s in ("draft", "paid", "void")},
    **{("mark_uncollectible", s): NOT_OPEN for s in ("draft", "paid", "void")},
    ("mark_uncollectible", "uncollectible"): "This invoice has already been marked uncollectible.",
}


@pytest.fixture()
def world() -> World:
    return World()


def entries_balance(world: World, invoice_id: str) -> None:
    by_entry: Counter[str] = Counter()
    for line in world.entries_of(invoice_id):
        by_entry[line["entry"]] += line["amount"]
    assert by_entry and set(by_entry.values()) == {0}, by_entry


def in_status(world: World, status: str) -> dict[str, Any]:
    """A sent-by-email invoice of 10.99 (due in 30 days) brought to ``status`` by the commands."""
    inv = world.draft(collection_method="send_invoice", days_until_due=30)
    if status != "draft":
        inv = world.run(transitions.finalize, inv["id"], {})
    if status == "paid":
        inv = world.run(transitions.pay, inv["id"], {"paid_out_of_band": True})
    elif status == "uncollectible":
        inv = world.run(transitions.mark_uncollectible, inv["id"], {})
    elif status == "void":
        inv = world.run(transitions.void, inv["id"], {})
    assert inv["status"] == status
    return inv


# --- finalize ---------------------------------------------------------------------------------------

def test_finalizing_a_sent_draft_opens_it_numbered_with_its_page_due_date_events_and_revenue(world: World) -> None:
    # Given a customer whose next sequence is 7 and a sent draft of 10.99 without a due date
    cus = world.new_customer(invoice_prefix="SVC", next_invoice_sequence=7)
    draft = world.draft(cus, collection_method="send_invoice")
    # When it is finalized
    world.advance(60)
    inv = world.run(transitions.finalize, draft["id"], {})
    # Then it is open, numbered from the customer's sequence, finalized now, due in 30 days
    assert inv["status"] == "open" and inv["number"] == "SVC-0007"
    assert world.customer(cus["id"])["next_invoice_sequence"] == 8
    assert inv["status_transitions"]["finalized_at"] == T0 + 60 == inv["effective_at"]
    assert inv["due_date"] == T0 + 60 + 30 * DAY and inv["next_payment_attempt"] is None
    assert inv["hosted_invoice_url"].startswith(f"http://127.0.0.1:12111/i/{inv['id']}/test_")
    assert inv["invoice_pdf"] == inv["hosted_invoice_url"] + "/pdf"
    assert (inv["amount_due"], inv["amount_remaining"], inv["amount_paid"]) == (1099, 1099, 0)
    assert world.invoice(inv["id"]) == inv
    assert world.events_of(inv["id"]) == ["invoice.created", "invoice.finalized"]
    # And the books show a receivable against revenue
    assert world.books_of(inv["id"]) == Counter({"accounts_receivable": 1099, "revenue": -1099})
    entries_balance(world, inv["id"])


def test_finalizing_a_charged_draft_with_auto_advance_schedules_the_first_attempt_an_hour_later(
    world: World,
) -> None:
    draft = world.draft(auto_advance=True)
    assert draft["automatically_finalizes_at"] == T0 + 3601
    inv = world.run(transitions.finalize, draft["id"], {})
    assert inv["next_payment_attempt"] == T0 + 3600 and inv["automatically_finalizes_at"] is None
    assert inv["due_date"] is None


def test_customer_credit_is_applied_at_finalization_and_given_back_when_the_invoice_is_voided(
    world: World,
) -> None:
    # Given a customer with 5.00 of credit and a draft of 10.99
    cus = world.new_customer(balance=-500)
    inv = world.open_invoice(cus)
    # Then finalizing applies the credit: 5.99 is due and the balance is spent
    assert (inv["starting_balance"], inv["ending_balance"], inv["amount_due"]) == (-500, 0, 599)
    assert world.customer(cus["id"])["balance"] == 0
    applied = world.rows("balance_transactions", Cond("invoice", "=", inv["id"]))
    assert [(t["type"], t["amount"], t["ending_balance"]) for t in applied] == [("applied_to_invoice", 500, 0)]
    entries_balance(world, inv["id"])
    # When the invoice is voided
    world.advance(DAY)
    voided = world.run(transitions.void, inv["id"], {})
    # Then the credit goes back, the invoice is closed and its books net to nothing
    assert voided["status"] == "void" and voided["status_transitions"]["voided_at"] == T0 + DAY
    assert (voided["auto_advance"], voided["next_payment_attempt"]) == (False, None)
    assert world.customer(cus["id"])["balance"] == -500
    given_back = world.rows("balance_transactions", Cond("invoice", "=", inv["id"]))[-1]
    assert (given_back["type"], given_back["amount"]) == ("unapplied_from_invoice", -500)
    assert world.books_of(inv["id"]) == Counter()
    assert world.events_of(inv["id"])[-1] == "invoice.voided"


def test_a_draft_the_credit_covers_is_paid_at_finalization(world: World) -> None:
    cus = world.new_customer(balance=-2000)
    inv = world.open_invoice(cus)
    assert inv["status"] == "paid" and inv["status_transitions"]["paid_at"] == T0
    assert (inv["amount_due"], inv["ending_balance"], inv["amount_remaining"]) == (0, -901, 0)
    assert world.customer(cus["id"])["balance"] == -901
    assert world.events_of(inv["id"])[-2:] == ["invoice.finalized", "invoice.paid"]


# --- pay ----------------------------------------------------------------------------------------------

def test_paying_out_of_band_settles_the_invoice_off_stripe_and_books_cash(world: World) -> None:
    inv = world.open_invoice()
    world.advance(3 * DAY)
    paid = world.run(transitions.pay, inv["id"], {"paid_out_of_band": True})
    assert paid["status"] == "paid" and paid["status_transitions"]["paid_at"] == T0 + 3 * DAY
    assert (paid["amount_paid"], paid["amount_remaining"], paid["amount_paid_off_stripe"]) == (1099, 0, 1099)
    assert (paid["attempted"], paid["attempt_count"]) == (False, 0)
    assert world.events_of(inv["id"])[-1] == "invoice.paid"
    assert world.books_of(inv["id"]) == Counter({"cash": 1099, "revenue": -1099})
    entries_balance(world, inv["id"])


def test_paying_a_draft_with_a_card_finalizes_it_and_counts_one_successful_attempt(world: World) -> None:
    draft = world.draft()
    paid = world.run(transitions.pay, draft["id"], {"payment_method": "pm_card_visa"})
    assert paid["status"] == "paid" and paid["number"] is not None
    assert (paid["attempted"], paid["attempt_count"], paid["amount_paid_off_stripe"]) == (True, 1, 0)
    assert world.events_of(draft["id"])[1:] == [
        "invoice.finalized", "invoice.paid", "invoice.payment_succeeded"]


def test_a_declined_card_is_refused_with_its_card_error_and_the_failed_attempt_is_kept(world: World) -> None:
    cus = world.new_customer(invoice_settings={"default_payment_method": "pm_card_chargeDeclinedInsufficientFunds"})
    inv = world.open_invoice(cus)
    with pytest.raises(CardError) as declined:
        world.run(transitions.pay, inv["id"], {})
    assert (declined.value.code, declined.value.decline_code) == ("card_declined", "insufficient_funds")
    kept = world.invoice(inv["id"])
    assert (kept["status"], kept["attempted"], kept["attempt_count"]) == ("open", True, 1)
    assert world.events_of(inv["id"])[-1] == "invoice.payment_failed"


def test_an_unknown_payment_method_is_refused_before_anything_changes(world: World) -> None:
    inv = world.draft()
    with pytest.raises(InvalidRequest) as refused:
        world.run(transitions.pay, inv["id"], {"payment_method": "pm_card_nonsense"})
    assert (refused.value.code, refused.value.param) == ("resource_missing", "payment_method")
    assert world.invoice(inv["id"]) == inv


# --- mark_uncollectible and recovery ------------------------------------------------------------------

def test_marking_uncollectible_writes_the_debt_off_and_clears_the_customers_delinquency(world: World) -> None:
    cus = world.new_customer()
    inv = world.open_invoice(cus)
    world.run(lambda tx, ctx: _set_delinquent(tx, cus["id"]))
    world.advance(DAY)
    marked = world.run(transitions.mark_uncollectible, inv["id"], {})
    assert marked["status"] == "uncollectible"
    assert marked["status_transitions"]["marked_uncollectible_at"] == T0 + DAY
    assert marked["status_details"] == {"uncollectible": {"reason": "user_forgiven"}}
    assert (marked["amount_remaining"], marked["auto_advance"], marked["next_payment_attempt"]) == (1099, False, None)
    assert world.customer(cus["id"])["delinquent"] is False
    write_off = [(e["account"], e["amount"]) for e in world.entries_of(inv["id"]) if e["kind"] == "write_off"]
    assert sorted(write_off) == [("accounts_receivable", -1099), ("bad_debt_expense", 1099)]
    entries_balance(world, inv["id"])
    assert world.events_of(inv["id"])[-1] == "invoice.marked_uncollectible"


async def _set_delinquent(tx: Any, customer_id: str) -> None:
    cus = await tx.get("customers", customer_id, for_update=True)
    cus["delinquent"] = True
    await tx.update("customers", cus)


def test_paying_a_written_off_invoice_posts_a_recovery_then_the_payment(world: World) -> None:
    inv = world.open_invoice()
    world.run(transitions.mark_uncollectible, inv["id"], {})
    paid = world.run(transitions.pay, inv["id"], {"paid_out_of_band": True})
    assert paid["status"] == "paid" and "status_details" not in paid
    kinds = []
    for e in world.entries_of(inv["id"]):
        if e["kind"] not in kinds:
            kinds.append(e["kind"])
    assert kinds == ["finalization", "write_off", "recovery", "payment"]
    assert world.books_of(inv["id"]) == Counter({"cash": 1099, "revenue": -1099, "bad_debt_expense": 1099,
                                                 "bad_debt_recovered": -1099})
    entries_balance(world, inv["id"])


def test_voiding_a_written_off_invoice_reverses_the_write_off_with_the_revenue(world: World) -> None:
    inv = world.open_invoice()
    world.run(transitions.mark_uncollectible, inv["id"], {})
    world.run(transitions.void, inv["id"], {})
    assert world.books_of(inv["id"]) == Counter()
    assert "status_details" not in world.invoice(inv["id"])


# --- refusals -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("action", "status"), sorted(REFUSED), ids=[f"{s}-{a}" for a, s in sorted(REFUSED)])
def test_a_command_the_table_refuses_says_so_in_stripes_words_and_changes_nothing(
    world: World, action: str, status: str,
) -> None:
    inv = in_status(world, status)
    events = world.events_of(inv["id"])
    with pytest.raises(StateError) as refused:
        world.run(COMMANDS[action], inv["id"], {"paid_out_of_band": True} if action == "pay" else {})
    assert (refused.value.message, refused.value.code) == (REFUSED[action, status], None)
    assert (refused.value.status, refused.value.action) == (status, action)
    assert world.invoice(inv["id"]) == inv
    assert world.events_of(inv["id"]) == events


def test_only_a_draft_can_be_deleted_and_deleting_it_removes_its_items(world: World) -> None:
    draft = world.draft()
    [line] = draft["lines"]["data"]
    item = line["parent"]["invoice_item_details"]["invoice_item"]
    world.run(invoices.delete, draft["id"])
    assert world.get("invoices", draft["id"]) is None and world.get("invoiceitems", item) is None
    inv = world.open_invoice()
    with pytest.raises(StateError, match="^You can only delete draft invoices.$"):
        world.run(invoices.delete, inv["id"])


def test_the_lines_of_a_finalized_invoice_cannot_change(world: World) -> None:
    inv = world.open_invoice()
    with pytest.raises(StateError) as refused:
        world.run(lines.add_lines, inv["id"], {"lines": [{"amount": 100}]})
    assert (refused.value.message, refused.value.code) == (
        "Invalid invoice: This invoice is no longer editable", "invoice_not_editable")
    with pytest.raises(StateError) as refused:
        world.run(invoiceitems.create, {"customer": inv["customer"], "invoice": inv["id"], "amount": 5,
                                        "currency": "usd"})
    assert refused.value.code == "invoice_not_editable"
    assert world.invoice(inv["id"]) == inv
