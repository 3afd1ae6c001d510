"""Integers past their bounds (domain/limits.py), against a real server on each backend.

Before, four requests (a customer, two invoice items of amount 2^63-1, an invoice taking them in) made
the invoice's total a number SQLite cannot hold: the SQLite store's drain died with its transaction
open and the write lock held, so that request never answered and every later write of every process
answered 500 ``database is locked``. Now every amount, balance and timestamp is bounded where it enters,
every sum kept across requests is checked before it is written (a 400 naming the parameter), and the
server writes on afterwards. A test clock at ``frozen_time=1e17`` made the journal report and the
dashboard answer 500 for good; clocks are now bounded, and a time already stored out of range is
written as its number."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.domain import limits
from arrears.store import open_store
from arrears.store.base import OPEN, Tx
from arrears.store.query import Cond, Filter, Page
from tests.conftest import BACKENDS, fresh_database, serve_in
from tests.support.answers import ok
from tests.support.faces import FLEX, YORLET
from tests.support.server import KEY, Server

MAX = limits.DEFAULT_MAX_AMOUNT  # usd
INT64 = 2**63 - 1
DAY = 86400
T0 = 1_767_225_600  # 2026-01-01
EXAMPLES = int(os.environ.get("ARREARS_OVERFLOW_EXAMPLES", "40"))


@pytest.fixture(scope="module", params=BACKENDS)
def srv(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"overflow-{request.param}")
    yield from serve_in(folder, fresh_database(request.param, request, folder),
                        env={"ARREARS_WEBHOOKS": "off", "ARREARS_SCHEDULER": "off"})


@pytest.fixture(scope="module")
def http(srv: Server) -> Iterator[httpx.Client]:
    # A timeout: a wedged store fails the test instead of hanging it.
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=15) as client:
        yield client


def refused(answer: httpx.Response, param: str | None, code: str | None = "amount_too_large") -> dict[str, Any]:
    """The answer is Stripe's 400 invalid_request_error naming ``param`` (and ``code``)."""
    assert answer.status_code == 400, answer.text
    error: dict[str, Any] = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error.get("param") == param, error
    if code is not None:
        assert error.get("code") == code, error
    return error


def still_writes(http: httpx.Client) -> None:
    """A plain write answers at once: the store is not wedged."""
    ok(http.post("/v1/customers", data={"name": "after"}))


def customer(http: httpx.Client, **fields: Any) -> str:
    return str(ok(http.post("/v1/customers", data={"name": "Overflow", **fields}))["id"])


def item(http: httpx.Client, cus: str, amount: int, **fields: Any) -> httpx.Response:
    return http.post("/v1/invoiceitems", data={"customer": cus, "amount": str(amount), "currency": "usd", **fields})


def include(http: httpx.Client, cus: str, **fields: Any) -> httpx.Response:
    return http.post("/v1/invoices", data={"customer": cus, "pending_invoice_items_behavior": "include", **fields})


# --- the sequences of the report ------------------------------------------------------------------

def test_items_of_the_largest_64_bit_amount_are_refused_and_the_server_writes_on(http: httpx.Client) -> None:
    cus = customer(http)
    for _ in range(2):
        refused(item(http, cus, INT64), "amount", code=None)
    assert ok(include(http, cus))["total"] == 0
    still_writes(http)


def test_pending_items_summing_past_the_bound_are_refused_by_the_invoice_that_would_take_them(
    http: httpx.Client,
) -> None:
    cus = customer(http)
    first = ok(item(http, cus, MAX))["id"]
    ok(item(http, cus, MAX))
    # When an invoice would take both in, its total would be 2 × 999,999.99 USD
    error = refused(include(http, cus), "pending_invoice_items_behavior")
    assert "the invoice's total" in error["message"]
    # Then nothing was written: no invoice, both items still pending
    assert ok(http.get("/v1/invoices", params={"customer": cus}))["data"] == []
    assert len(ok(http.get("/v1/invoiceitems", params={"customer": cus, "pending": "true"}))["data"]) == 2
    still_writes(http)
    ok(http.delete(f"/v1/invoiceitems/{first}"))
    assert ok(include(http, cus))["total"] == MAX


def test_add_lines_twice_past_the_bound_is_refused_naming_the_line(http: httpx.Client) -> None:
    cus = customer(http)
    draft = ok(http.post("/v1/invoices", data={"customer": cus}))["id"]
    assert ok(http.post(f"/v1/invoices/{draft}/add_lines", data={"lines[0][amount]": str(MAX)}))["total"] == MAX
    refused(http.post(f"/v1/invoices/{draft}/add_lines", data={"lines[0][amount]": str(MAX)}), "lines[0][amount]")
    refused(http.post(f"/v1/invoices/{draft}/add_lines", data={"lines[0][amount]": str(INT64)}), "lines[0][amount]",
            code=None)
    after = ok(http.get(f"/v1/invoices/{draft}"))
    assert (after["total"], len(after["lines"]["data"])) == (MAX, 1)
    assert ok(http.post(f"/v1/invoices/{draft}/add_lines", data={"lines[0][amount]": "-1"}))["total"] == MAX - 1
    still_writes(http)


def test_a_balance_of_the_largest_64_bit_value_is_refused_and_a_bounded_one_cannot_carry_an_invoice_past_it(
    http: httpx.Client,
) -> None:
    refused(http.post("/v1/customers", data={"balance": str(INT64)}), "balance", code=None)
    cus = customer(http, balance=str(MAX))
    ok(item(http, cus, MAX))
    error = refused(include(http, cus), "pending_invoice_items_behavior")  # amount due: item plus the debt
    assert "amount due" in error["message"]
    refused(http.post(f"/v1/customers/{cus}/balance_transactions", data={"amount": "1", "currency": "usd"}), "amount")
    refused(http.post(f"/v1/customers/{cus}", data={"balance": str(MAX + 1)}), "balance")
    assert ok(http.get(f"/v1/customers/{cus}"))["balance"] == MAX
    ok(http.post(f"/v1/customers/{cus}", data={"balance": str(-MAX)}))
    assert ok(include(http, cus))["amount_due"] == 0
    still_writes(http)


def test_a_unit_amount_decimal_times_a_huge_quantity_is_refused(http: httpx.Client) -> None:
    cus = customer(http)
    for unit, code in (("999999999999999", "amount_too_large"), ("0.0001", "amount_too_large"),
                       ("1000000000000000", None)):  # 16 digits: not a unit_amount_decimal at all
        refused(http.post("/v1/invoiceitems", data={"customer": cus, "currency": "usd", "quantity": str(INT64),
                                                    "unit_amount_decimal": unit}), "unit_amount_decimal", code=code)
    one = ok(http.post("/v1/invoiceitems", data={"customer": cus, "currency": "usd", "quantity": "2",
                                                 "unit_amount_decimal": "12.5"}))
    assert one["amount"] == 25
    refused(http.post(f"/v1/invoiceitems/{one['id']}", data={"quantity": str(2**62)}), "quantity")
    assert ok(http.get(f"/v1/invoiceitems/{one['id']}"))["quantity"] == 2
    still_writes(http)


def test_the_largest_amount_of_a_currency_is_its_own(http: httpx.Client) -> None:
    cus = customer(http)
    big = http.post("/v1/invoiceitems", data={"customer": cus, "amount": str(10**11), "currency": "idr"})
    assert ok(big)["amount"] == 10**11
    error = refused(item(http, customer(http), 10**11), "amount")
    assert error["message"] == "Amount must be no more than 999,999.99 USD (99999999 in minor units)."


def test_the_flex_and_yorlet_faces_hold_amounts_and_sums_to_the_same_bounds(srv: Server) -> None:
    flex, yorlet = srv.url + "/flex/v1", srv.url + "/yorlet/v1"
    with httpx.Client(timeout=15) as face:
        # Flex: a starting balance of 2^63-1, an item past the bound of its currency
        answer = face.post(flex + "/customers", headers=FLEX, json={"customer": {"balance": INT64}})
        assert answer.status_code == 400, answer.text
        cus = ok(face.post(flex + "/customers", headers=FLEX, json={"customer": {"balance": MAX}}))["customer"]
        answer = face.post(flex + "/invoice_items", headers=FLEX, json={"invoice_item": {
            "customer": cus["customer_id"], "amount": MAX + 1, "currency": "usd"}})
        assert (answer.status_code, answer.json()["error"].get("param")) == (400, "amount"), answer.text
        ok(face.post(flex + "/invoice_items", headers=FLEX, json={"invoice_item": {
            "customer": cus["customer_id"], "amount": 1, "currency": "usd"}}))
        answer = face.post(flex + "/invoices", headers=FLEX, json={"invoice": {
            "customer": cus["customer_id"], "pending_invoice_items_behavior": "include"}})
        assert answer.status_code == 400, answer.text  # the amount due: the debt plus the item
        # Yorlet: two items of the bound, an invoice taking both in; a period past year 9999
        cus = ok(face.post(yorlet + "/customers", headers=YORLET, json={"email": "y@example.com"}))["id"]
        for _ in range(2):
            ok(face.post(yorlet + "/invoice_items", headers=YORLET,
                         json={"customer": cus, "amount": MAX, "currency": "usd"}))
        answer = face.post(yorlet + "/invoices", headers=YORLET,
                           json={"customer": cus, "pending_invoice_items_behavior": "include"})
        assert answer.status_code == 400, answer.text
        answer = face.post(yorlet + "/invoice_items", headers=YORLET, json={
            "customer": cus, "amount": 1, "currency": "usd", "period_start": 0, "period_end": INT64})
        assert answer.status_code == 400, answer.text
    still_writes_with(srv)


def still_writes_with(srv: Server) -> None:
    with httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=15) as client:
        still_writes(client)


# --- sums that move after the draft ---------------------------------------------------------------

def test_finalizing_past_the_bound_is_refused_and_changes_nothing(http: httpx.Client) -> None:
    cus = customer(http)
    ok(item(http, cus, MAX))
    draft = ok(include(http, cus))["id"]
    ok(http.post(f"/v1/customers/{cus}", data={"balance": "1"}))  # the debt grew after the draft's totals
    for action in ("finalize", "pay"):
        error = refused(http.post(f"/v1/invoices/{draft}/{action}", data={"paid_out_of_band": "true"}
                                  if action == "pay" else {}), None)
        assert "amount due" in error["message"]
    after = ok(http.get(f"/v1/invoices/{draft}"))
    assert (after["status"], after["number"]) == ("draft", None)
    assert ok(http.get(f"/v1/customers/{cus}"))["balance"] == 1
    ok(http.post(f"/v1/customers/{cus}", data={"balance": "0"}))
    assert ok(http.post(f"/v1/invoices/{draft}/finalize"))["amount_due"] == MAX


def test_credit_invoices_cannot_grow_a_customers_credit_past_the_bound(http: httpx.Client) -> None:
    cus = customer(http, balance=str(-MAX + 1))
    ok(item(http, cus, -1))
    draft = ok(include(http, cus))["id"]
    assert ok(http.post(f"/v1/invoices/{draft}/finalize"))["ending_balance"] == -MAX
    ok(item(http, cus, -1))
    error = refused(http.post(f"/v1/invoices/{ok(include(http, cus))['id']}/finalize"), None)
    assert "customer's balance" in error["message"]
    assert ok(http.get(f"/v1/customers/{cus}"))["balance"] == -MAX


def test_voiding_cannot_give_back_a_balance_past_the_bound(http: httpx.Client) -> None:
    cus = customer(http, balance=str(-(MAX - 1)))
    ok(item(http, cus, MAX))
    inv = ok(http.post(f"/v1/invoices/{ok(include(http, cus))['id']}/finalize"))
    assert (inv["status"], inv["amount_due"]) == ("open", 1)
    ok(http.post(f"/v1/customers/{cus}/balance_transactions", data={"amount": str(-MAX), "currency": "usd"}))
    error = refused(http.post(f"/v1/invoices/{inv['id']}/void"), None)
    assert "customer's balance" in error["message"]
    assert ok(http.get(f"/v1/invoices/{inv['id']}"))["status"] == "open"
    still_writes(http)


def test_an_automatic_finalization_past_the_bound_leaves_the_draft_saying_why_and_the_clock_moves_on(
    http: httpx.Client,
) -> None:
    clock = ok(http.post("/v1/test_helpers/test_clocks", data={"frozen_time": str(T0)}))["id"]
    cus = customer(http, test_clock=clock)
    ok(item(http, cus, MAX))
    draft = ok(include(http, cus, auto_advance="true"))["id"]
    ok(http.post(f"/v1/customers/{cus}", data={"balance": "1"}))
    # When the clock passes the draft's automatic finalization
    moved = ok(http.post(f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": str(T0 + DAY)}))
    assert moved["frozen_time"] == T0 + DAY
    # Then it stays a draft, with Stripe's last_finalization_error, and is not tried again
    after = ok(http.get(f"/v1/invoices/{draft}"))
    assert after["status"] == "draft"
    assert after["last_finalization_error"]["code"] == "amount_too_large"
    assert after["automatically_finalizes_at"] is None
    ok(http.post(f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": str(T0 + 2 * DAY)}))


# --- timestamps -----------------------------------------------------------------------------------

@pytest.mark.parametrize("frozen_time", [10**17, INT64, limits.MAX_CLOCK_TIME + 1, -1])
def test_a_test_clock_far_from_now_is_refused(http: httpx.Client, frozen_time: int) -> None:
    error = refused(http.post("/v1/test_helpers/test_clocks", data={"frozen_time": str(frozen_time)}),
                    "frozen_time", code=None)
    assert error["message"].startswith("Invalid timestamp: ")


def test_a_test_clock_advances_at_most_two_years_and_never_past_its_last_time(http: httpx.Client) -> None:
    clock = ok(http.post("/v1/test_helpers/test_clocks", data={"frozen_time": str(T0)}))["id"]
    far = T0 + limits.CLOCK_ADVANCE_MAX + 1
    error = refused(http.post(f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": str(far)}),
                    "frozen_time", code=None)
    assert "two years" in error["message"]
    ok(http.post(f"/v1/test_helpers/test_clocks/{clock}/advance", data={"frozen_time": str(T0 + 730 * DAY)}))
    last = ok(http.post("/v1/test_helpers/test_clocks", data={"frozen_time": str(limits.MAX_CLOCK_TIME - DAY)}))
    refused(http.post(f"/v1/test_helpers/test_clocks/{last['id']}/advance",
                      data={"frozen_time": str(limits.MAX_CLOCK_TIME + 1)}), "frozen_time", code=None)


@pytest.mark.parametrize(("path", "params", "param"), [
    ("/_arrears/v1/reports/aging", {"as_of": str(-INT64)}, "as_of"),
    ("/_arrears/v1/reports/aging", {"as_of": str(limits.MAX_TIMESTAMP + 1)}, "as_of"),
    ("/_arrears/v1/reports/journal", {"start": "-1"}, "start"),
    ("/_arrears/v1/reports/journal", {"end": str(INT64)}, "end"),
    ("/_arrears/v1/reports/bad_debt", {"end": str(limits.MAX_TIMESTAMP + 1)}, "end"),
    ("/v1/invoices", {"created[gte]": "-1"}, "created[gte]"),
    ("/v1/events", {"created": str(INT64)}, "created"),
])
def test_report_and_list_times_are_bounded(http: httpx.Client, path: str, params: dict[str, str], param: str) -> None:
    error = refused(http.get(path, params=params), param, code=None)
    assert error["message"].startswith("Invalid timestamp: ")


def test_reports_and_the_dashboard_answer_after_the_most_hostile_times_accepted(
    srv: Server, http: httpx.Client
) -> None:
    # Given a clock at the last time allowed, an invoice on it due 36,500 days later and written off,
    clock = ok(http.post("/v1/test_helpers/test_clocks", data={"frozen_time": str(limits.MAX_CLOCK_TIME)}))["id"]
    cus = customer(http, test_clock=clock)
    ok(item(http, cus, 500, **{"period[start]": "0", "period[end]": str(limits.MAX_TIMESTAMP)}))
    inv = ok(include(http, cus, collection_method="send_invoice", days_until_due="36500"))["id"]
    ok(http.post(f"/v1/invoices/{inv}/finalize"))
    ok(http.post(f"/v1/invoices/{inv}/mark_uncollectible"))
    # and an invoice of no clock due at the last second of year 9999
    other = customer(http)
    ok(item(http, other, 700))
    late = ok(include(http, other, collection_method="send_invoice", due_date=str(limits.MAX_TIMESTAMP),
                      effective_at=str(limits.MAX_TIMESTAMP)))["id"]
    ok(http.post(f"/v1/invoices/{late}/finalize"))
    ok(http.delete(f"/v1/test_helpers/test_clocks/{clock}"))
    # Then the reports and the dashboard's pages answer
    answers_everywhere(srv, http, invoices=[inv, late], customers=[cus, other])


def test_times_stored_before_the_bounds_existed_do_not_fail_reports_or_pages(srv: Server, http: httpx.Client) -> None:
    # Given an invoice whose times (and its ledger lines' and events') are 1e17, as a clock could make them
    cus = customer(http)
    ok(item(http, cus, 900))
    inv = ok(include(http, cus))["id"]
    ok(http.post(f"/v1/invoices/{inv}/finalize"))
    ok(http.post(f"/v1/invoices/{inv}/mark_uncollectible"))  # bad debt, grouped by the month of 1e17
    asyncio.run(far_future(srv.database, inv, cus, 10**17))
    # Then the reports and the dashboard's pages answer
    answers_everywhere(srv, http, invoices=[inv], customers=[cus])


async def far_future(database: str, invoice: str, cus: str, when: int) -> None:
    """Write ``when`` into the times of ``invoice``, its customer, its ledger lines and its events, through
    the store (as rows written before timestamps were bounded would be)."""
    store = open_store(database)
    await store.open()

    async def rewrite(tx: Tx) -> None:
        lines = (await tx.list("ledger_entries", Filter((Cond("invoice", "=", invoice),)), Page(limit=100))).docs
        events = [e for e in (await tx.list("events", Filter(), Page(limit=100))).docs
                  if (e["data"]["object"] or {}).get("id") in (invoice, cus)]
        targets = [("invoices", invoice), ("customers", cus), *(("ledger_entries", d["id"]) for d in lines),
                   *(("events", e["id"]) for e in events)]
        for table, obj_id in targets:
            doc = await tx.get(table, obj_id, for_update=True)
            assert doc is not None
            doc["created"] = when
            if table == "invoices":
                doc["status_transitions"]["finalized_at"] = doc["effective_at"] = when
            await tx.update(table, doc)

    try:
        await store.write(rewrite, scope=OPEN)
    finally:
        await store.close()


def answers_everywhere(srv: Server, http: httpx.Client, *, invoices: list[str], customers: list[str]) -> None:
    for path in ("/_arrears/v1/reports/journal", "/_arrears/v1/reports/aging", "/_arrears/v1/reports/bad_debt"):
        ok(http.get(path))
        assert http.get(path, params={"format": "csv"}).status_code == 200
    ok(http.get("/_arrears/v1/reports/aging", params={"as_of": str(limits.MAX_TIMESTAMP)}))
    events = [e["id"] for e in ok(http.get("/v1/events", params={"limit": 5}))["data"]]
    with httpx.Client(base_url=srv.url, timeout=15) as browser:
        form = browser.get("/dashboard/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        signed = browser.post("/dashboard/sign-in", data={"api_key": KEY, "csrf_token": token.group(1), "next": ""})
        assert signed.status_code == 303, signed.text
        pages = ["/dashboard/invoices", "/dashboard/customers", "/dashboard/events", "/dashboard/bad-debt",
                 *(f"/dashboard/invoices/{i}" for i in invoices), *(f"/dashboard/customers/{c}" for c in customers),
                 *(f"/dashboard/events/{e}" for e in events)]
        for page in pages:
            assert browser.get(page).status_code == 200, page


# --- any sequence ---------------------------------------------------------------------------------

EDGES = [MAX, -MAX, MAX - 1, MAX + 1, 1, -1, 0, 2**31, 2**62, INT64, -INT64, limits.LARGEST_AMOUNT]
AMOUNTS = st.one_of(st.sampled_from(EDGES), st.integers(-2 * MAX, 2 * MAX))
STEPS = st.lists(st.tuples(st.sampled_from(["item", "add_lines", "balance_transaction", "set_balance", "invoice",
                                            "finalize"]), AMOUNTS), min_size=2, max_size=8)


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS)
def test_no_sequence_of_amounts_gets_a_5xx_or_leaves_a_sum_past_its_bound(
    http: httpx.Client, steps: list[tuple[str, int]]
) -> None:
    cus = customer(http)
    draft: str | None = None
    for kind, amount in steps:
        if kind == "item":
            answer = item(http, cus, amount)
        elif kind == "add_lines":
            draft = draft or ok(http.post("/v1/invoices", data={"customer": cus}))["id"]
            answer = http.post(f"/v1/invoices/{draft}/add_lines", data={"lines[0][amount]": str(amount)})
        elif kind == "balance_transaction":
            answer = http.post(f"/v1/customers/{cus}/balance_transactions",
                               data={"amount": str(amount), "currency": "usd"})
        elif kind == "set_balance":
            answer = http.post(f"/v1/customers/{cus}", data={"balance": str(amount)})
        elif kind == "invoice":
            answer = include(http, cus)
            if answer.status_code == 200:
                draft = answer.json()["id"]
        else:
            if draft is None:
                continue
            answer = http.post(f"/v1/invoices/{draft}/finalize")
            if answer.status_code == 200:
                draft = None
        assert answer.status_code in (200, 400), answer.text
        if answer.status_code == 400:
            assert answer.json()["error"]["type"] == "invalid_request_error"
    # Then every sum kept is within the bound, and the server still writes
    assert abs(ok(http.get(f"/v1/customers/{cus}"))["balance"]) <= MAX
    for inv in ok(http.get("/v1/invoices", params={"customer": cus, "limit": 100}))["data"]:
        assert abs(inv["total"]) <= MAX and 0 <= inv["amount_due"] <= MAX, inv
    still_writes(http)
