"""Automatic collection (services/collection.py) on the memory store: a test clock's advance carries out
each step in time order (finalization, attempts and retries, overdue notices, dunning write-offs), and
the server's scheduler tick does the same for every account's invoices on no clock. The policy is the
default (domain/collection.py): retries 3, 5 and 7 days after a failure, then a write-off; a sent
invoice is written off 30 days after its due date."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from arrears.domain.collection import LEAVE_PAST_DUE, Policy
from arrears.services import accounts, collection, test_clocks, transitions
from arrears.store.base import SYSTEM, Scope
from tests.services.world import DAY, T0, World

HOUR = 3600


@pytest.fixture()
def world() -> World:
    return World()


def on_clock(world: World, **customer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    clock = world.run(test_clocks.create, {"frozen_time": T0, "name": "dunning"})
    return clock, world.new_customer(test_clock=clock["id"], **customer)


def advance(world: World, clock: dict[str, Any], to: int, policy: Policy | None = None) -> None:
    ctx = world.ctx() if policy is None else dataclasses.replace(world.ctx(), policy=policy)
    moved = world.run(test_clocks.advance, clock["id"], {"frozen_time": to}, ctx=ctx)
    assert moved["frozen_time"] == to


def test_a_declined_card_is_retried_three_times_then_the_invoice_is_written_off_and_the_customer_stays_delinquent(
    world: World,
) -> None:
    # Given a customer on a test clock whose card is declined, and a draft that finalizes itself
    clock, cus = on_clock(world, invoice_settings={"default_payment_method": "pm_card_chargeDeclined"})
    inv = world.draft(cus, auto_advance=True)
    # When the clock passes the finalization, the first attempt and two retries (after 3 and 5 days)
    first = T0 + 3601 + HOUR
    advance(world, clock, first + 8 * DAY)
    # Then three attempts failed, the next is 7 days after the last, the customer is delinquent
    now = world.invoice(inv["id"])
    assert (now["status"], now["attempt_count"], now["attempted"]) == ("open", 3, True)
    assert now["next_payment_attempt"] == first + 15 * DAY
    assert world.customer(cus["id"])["delinquent"] is True
    assert world.events_of(inv["id"]).count("invoice.payment_failed") == 3
    # When the last retry fails too
    advance(world, clock, first + 15 * DAY)
    # Then the invoice is written off for max attempts, the books say so, and the customer stays delinquent
    done = world.invoice(inv["id"])
    assert (done["status"], done["attempt_count"]) == ("uncollectible", 4)
    assert done["status_details"] == {"uncollectible": {"reason": "max_payment_attempts"}}
    assert done["status_transitions"]["marked_uncollectible_at"] == first + 15 * DAY
    assert done["next_payment_attempt"] is None
    assert world.customer(cus["id"])["delinquent"] is True
    assert world.books_of(inv["id"])["bad_debt_expense"] == 1099
    # And nothing more happens however far the clock goes
    events = world.events_of(inv["id"])
    advance(world, clock, first + 100 * DAY)
    assert world.events_of(inv["id"]) == events


def test_after_the_last_retry_a_leave_past_due_policy_keeps_the_invoice_open(world: World) -> None:
    clock, cus = on_clock(world, invoice_settings={"default_payment_method": "pm_card_chargeDeclined"})
    inv = world.draft(cus, auto_advance=True)
    advance(world, clock, T0 + 30 * DAY, Policy(after_last_retry=LEAVE_PAST_DUE))
    left = world.invoice(inv["id"])
    assert (left["status"], left["attempt_count"], left["next_payment_attempt"]) == ("open", 4, None)


def test_a_card_that_works_pays_the_invoice_at_its_first_automatic_attempt(world: World) -> None:
    clock, cus = on_clock(world, invoice_settings={"default_payment_method": "pm_card_visa"})
    inv = world.draft(cus, auto_advance=True)
    advance(world, clock, T0 + DAY)
    paid = world.invoice(inv["id"])
    assert paid["status"] == "paid" and paid["status_transitions"]["paid_at"] == T0 + 3601 + HOUR
    assert (paid["attempt_count"], paid["amount_paid_off_stripe"]) == (1, 0)
    assert world.events_of(inv["id"])[-2:] == ["invoice.paid", "invoice.payment_succeeded"]


def test_a_sent_invoice_goes_overdue_at_its_due_date_and_is_written_off_thirty_days_later(world: World) -> None:
    clock, cus = on_clock(world)
    inv = world.open_invoice(cus, collection_method="send_invoice", days_until_due=30)
    assert inv["due_date"] == T0 + 30 * DAY
    advance(world, clock, T0 + 31 * DAY)
    assert world.invoice(inv["id"])["status"] == "open"
    assert world.events_of(inv["id"])[-1] == "invoice.overdue"
    assert world.customer(cus["id"])["delinquent"] is True
    advance(world, clock, T0 + 61 * DAY)
    off = world.invoice(inv["id"])
    assert off["status_details"] == {"uncollectible": {"reason": "payment_not_received"}}
    assert off["status_transitions"]["marked_uncollectible_at"] == T0 + 60 * DAY
    assert world.events_of(inv["id"]).count("invoice.overdue") == 1
    # A payment later is a recovery
    world.run(transitions.pay, inv["id"], {"paid_out_of_band": True})
    assert world.books_of(inv["id"])["bad_debt_recovered"] == -1099


def test_a_paid_or_voided_invoice_is_left_alone_by_the_clock(world: World) -> None:
    clock, cus = on_clock(world)
    paid = world.open_invoice(cus, collection_method="send_invoice", days_until_due=1)
    world.run(transitions.pay, paid["id"], {"paid_out_of_band": True})
    voided = world.open_invoice(cus, collection_method="send_invoice", days_until_due=1)
    world.run(transitions.void, voided["id"], {})
    before = {i: world.invoice(i) for i in (paid["id"], voided["id"])}
    advance(world, clock, T0 + 90 * DAY)
    assert {i: world.invoice(i) for i in before} == before
    assert world.customer(cus["id"])["delinquent"] is False


def test_the_scheduler_tick_collects_each_accounts_invoices_on_no_clock_in_that_accounts_scope(
    world: World,
) -> None:
    # Given two accounts, each with a draft that finalizes itself an hour later
    world.scope = SYSTEM
    ids = [world.run(lambda tx, ctx, n=n: accounts.create_account(tx, ctx, account_id=f"acct_svc{n}"))["id"]
           for n in (1, 2)]
    drafts = {}
    for account in ids:
        world.scope = Scope(account)
        drafts[account] = world.draft(auto_advance=True)["id"]
    # When the scheduler ticks two hours later
    world.advance(2 * HOUR)
    world.scope = SYSTEM
    steps = world.run(collection.tick, Policy())
    # Then both drafts were finalized, each in its own account
    assert steps == 2
    for account, inv in drafts.items():
        world.scope = Scope(account)
        assert world.invoice(inv)["status"] == "open"
    world.scope = Scope(ids[0])
    assert world.get("invoices", drafts[ids[1]]) is None
    # And a tick with nothing due does nothing
    world.scope = SYSTEM
    assert world.run(collection.tick, Policy()) == 0
