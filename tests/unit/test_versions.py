"""The version registry as pure rules (domain/versions.py, domain/api_changes.py): parsing, order, the
latest version's fast path, each change applied only below its date, and requests upgraded."""

from __future__ import annotations

import pytest

from arrears import STRIPE_API_VERSION
from arrears.domain import objects, versions
from arrears.domain.api_changes import BEHAVIOURS, CHANGES
from arrears.domain.errors import InvalidRequest, ParamError


def mission_invoice() -> dict:
    cust = objects.customer("cus_1", 100, False, "ABCD", {"balance": -500})
    inv = objects.invoice("in_1", 100, False, cust=cust, currency="usd", base_url="http://x", p={})
    item = objects.invoiceitem("ii_1", 100, False, customer="cus_1", currency="usd", amount=1099, quantity=1,
                               unit_amount_decimal="1099", p={})
    inv["lines"]["data"].append(objects.line_for_item("il_1", "in_1", item))
    inv["status"] = "uncollectible"
    inv["status_details"] = {"uncollectible": {"reason": "user_forgiven"}}
    return inv


def test_the_latest_known_version_is_the_servers() -> None:
    assert versions.LATEST.text == STRIPE_API_VERSION


def test_versions_order_by_day_not_by_text() -> None:
    texts = list(versions.KNOWN)
    parsed = [versions.parse(t) for t in texts]
    assert parsed == sorted(parsed)
    assert versions.parse("2024-06-20") < versions.parse("2024-09-30.acacia") < versions.parse("2025-03-31.basil")


@pytest.mark.parametrize("text", ["", "garbage", "2024-09-30", "2099-01-01.zulu", "2026-10-28.ENDIVE", "1999-01-01"])
def test_only_released_versions_parse(text: str) -> None:
    with pytest.raises(InvalidRequest, match=f"Invalid Stripe API version: {text}"):
        versions.parse(text)


def test_changes_are_listed_newest_first_on_released_days() -> None:
    days = [c.since for c in CHANGES]
    assert days == sorted(days, reverse=True)
    assert all(c.since.text in versions.VERSIONS for c in CHANGES)


def test_the_latest_version_passes_the_object_through_untouched() -> None:
    inv = mission_invoice()
    assert versions.render(inv, versions.LATEST) is inv


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.since.text)
def test_each_change_applies_below_its_day_and_not_on_it(change: versions.Change) -> None:
    inv = mission_invoice()
    on_the_day = versions.render(inv, change.since)
    older = versions.VERSIONS[versions.KNOWN[versions.KNOWN.index(change.since.text) - 1]]
    assert change in versions.changes_for(older) and change not in versions.changes_for(change.since)
    if "invoice" in change.down:
        assert versions.render(inv, older) != on_the_day


def test_before_basil_lines_name_their_item_and_an_inline_price() -> None:
    shown = versions.render(mission_invoice(), versions.parse("2024-09-30.acacia"))
    line = shown["lines"]["data"][0]
    assert line["type"] == "invoiceitem" and line["invoice_item"] == "ii_1"
    assert line["price"]["unit_amount"] == 1099 and shown["paid"] is False and "parent" not in shown


def test_previous_attributes_are_compared_in_the_events_version() -> None:
    inv = mission_invoice()
    event = {"id": "evt_1", "object": "event", "api_version": "2018-02-28",
             "data": {"object": inv, "previous_attributes": {"status": "open", "status_details": None}}}
    shown = versions.render(event, versions.LATEST)
    assert shown["data"]["object"]["forgiven"] is True
    assert shown["data"]["previous_attributes"] == {"forgiven": False}  # closed was already true (auto_advance)


def test_old_parameters_are_renamed_up_and_conflicts_refused() -> None:
    old = versions.parse("2019-02-19")
    assert versions.upgrade("PostCustomers", old, {"account_balance": "-5"}) == {"balance": "-5"}
    assert versions.upgrade("PostCustomers", versions.LATEST, {"account_balance": "-5"}) == {"account_balance": "-5"}
    with pytest.raises(ParamError):
        versions.upgrade("PostInvoices", old, {"billing": "send_invoice", "collection_method": "send_invoice"})


def test_behaviours_begin_on_their_day() -> None:
    assert set(BEHAVIOURS) == {"void_returns_balance", "pending_items_excluded_by_default", "search",
                               "customer_discount_params_removed"}
    assert versions.since("2019-12-03", "void_returns_balance")
    assert not versions.since("2019-11-05", "void_returns_balance")
    assert versions.since("2025-03-31.basil", "customer_discount_params_removed")
    assert not versions.since("2025-02-24.acacia", "customer_discount_params_removed")


def test_rendering_an_old_version_never_changes_the_stored_object() -> None:
    import copy

    inv = mission_invoice()
    event = {"id": "evt_1", "object": "event", "api_version": "2018-02-28", "data": {"object": inv}}
    before = copy.deepcopy(event)
    for text in ("2018-02-28", "2019-10-17", "2024-06-20", "2025-09-30.clover"):
        versions.render(inv, versions.parse(text))
        versions.render(event, versions.parse(text))
    assert event == before
