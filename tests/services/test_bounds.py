"""The bounds of domain/limits.py, held by the commands on the memory store: an amount, a draft's
totals, an invoice's amount due at finalization, a customer's balance and a test clock's time past
their bound are refused (Stripe's amount_too_large) before anything is written."""

from __future__ import annotations

import pytest

from arrears.domain.errors import InvalidRequest, ParamError
from arrears.domain.limits import CLOCK_ADVANCE_MAX, DEFAULT_MAX_AMOUNT, MAX_AMOUNTS
from arrears.services import customers, invoiceitems, test_clocks, transitions
from arrears.store.query import Cond
from tests.services.world import DAY, T0, World


@pytest.fixture()
def world() -> World:
    return World()


def test_an_item_amount_past_eight_digits_is_refused_but_idr_takes_twelve(world: World) -> None:
    cus = world.new_customer()
    with pytest.raises(ParamError) as refused:
        world.run(invoiceitems.create, {"customer": cus["id"], "amount": DEFAULT_MAX_AMOUNT + 1, "currency": "usd"})
    assert (refused.value.code, refused.value.param) == ("amount_too_large", "amount")
    assert world.rows("invoiceitems") == []
    other = world.new_customer()
    item = world.run(invoiceitems.create, {"customer": other["id"], "amount": MAX_AMOUNTS["idr"], "currency": "idr"})
    assert item["amount"] == MAX_AMOUNTS["idr"]


def test_an_item_that_would_take_a_drafts_total_past_the_bound_is_refused_and_the_draft_kept(world: World) -> None:
    draft = world.draft(amount=60_000_000)
    with pytest.raises(ParamError) as refused:
        world.run(invoiceitems.create, {"customer": draft["customer"], "invoice": draft["id"],
                                        "amount": 60_000_000, "currency": "usd"})
    assert refused.value.code == "amount_too_large"
    assert world.invoice(draft["id"]) == draft
    assert len(world.rows("invoiceitems")) == 1


def test_finalizing_is_refused_when_the_customers_debt_would_take_the_amount_due_past_the_bound(
    world: World,
) -> None:
    # Given a draft of 1.00, and then a debt of 999,999.99 on its customer's balance
    cus = world.new_customer()
    draft = world.draft(cus, amount=100)
    cus = world.run(customers.update, cus["id"], {"balance": DEFAULT_MAX_AMOUNT})
    # When it is finalized, Then the amount due (1,000,000.99) is refused and nothing changes
    with pytest.raises(ParamError) as refused:
        world.run(transitions.finalize, draft["id"], {})
    assert refused.value.code == "amount_too_large" and "amount due" in refused.value.message
    assert world.invoice(draft["id"]) == draft
    assert world.customer(cus["id"]) == cus
    assert [t["type"] for t in world.rows("balance_transactions", Cond("customer", "=", cus["id"]))] == [
        "adjustment"]


def test_a_balance_past_the_bound_is_refused(world: World) -> None:
    cus = world.new_customer(balance=DEFAULT_MAX_AMOUNT)
    with pytest.raises(ParamError) as refused:
        world.run(customers.update, cus["id"], {"balance": DEFAULT_MAX_AMOUNT + 1})
    assert (refused.value.code, refused.value.param) == ("amount_too_large", "balance")
    assert world.customer(cus["id"])["balance"] == DEFAULT_MAX_AMOUNT


def test_an_automatic_finalization_past_a_bound_leaves_the_draft_with_its_error_and_collection_goes_on(
    world: World,
) -> None:
    clock = world.run(test_clocks.create, {"frozen_time": T0})
    indebted = world.new_customer(test_clock=clock["id"])
    stuck = world.draft(indebted, amount=100, auto_advance=True)
    world.run(customers.update, indebted["id"], {"balance": DEFAULT_MAX_AMOUNT})
    fine = world.draft(world.new_customer(test_clock=clock["id"]), auto_advance=True)
    world.run(test_clocks.advance, clock["id"], {"frozen_time": T0 + DAY})
    kept = world.invoice(stuck["id"])
    assert kept["status"] == "draft" and kept["number"] is None
    assert kept["last_finalization_error"]["code"] == "amount_too_large"
    assert kept["automatically_finalizes_at"] is None
    assert world.invoice(fine["id"])["status"] == "open"


def test_a_test_clock_moves_forward_only_and_at_most_two_years_at_a_time(world: World) -> None:
    clock = world.run(test_clocks.create, {"frozen_time": T0})
    with pytest.raises(ParamError, match="two years"):
        world.run(test_clocks.advance, clock["id"], {"frozen_time": T0 + CLOCK_ADVANCE_MAX + 1})
    with pytest.raises(InvalidRequest, match="only move forward"):
        world.run(test_clocks.advance, clock["id"], {"frozen_time": T0})
    world.run(test_clocks.advance, clock["id"], {"frozen_time": T0 + CLOCK_ADVANCE_MAX})
    with pytest.raises(ParamError) as refused:
        world.run(test_clocks.create, {"frozen_time": -1})
    assert refused.value.param == "frozen_time"
