"""Every cell of the invoice (status × action) table, through the official SDK.

The expected cells are written out here from docs/reference stripe-invoices.md §2.2-§2.3, not read from
the server's TRANSITIONS table: an allowed cell names the status the invoice ends in, a refused cell
names Stripe's exact wording and error code. Every invoice here uses ``collection_method=send_invoice``
so that ``send`` is judged on the status alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import stripe

from tests import factories

STATUSES = ("draft", "open", "paid", "uncollectible", "void")

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
ALREADY_UNCOLLECTIBLE = "This invoice has already been marked uncollectible."
ALREADY_PAID = "Invoice is already paid"
REFINALIZE = "This invoice is already finalized, you can't re-finalize a non-draft invoice."
ONLY_DRAFTS_DELETED = "You can only delete draft invoices."
FINALIZED_NOT_UPDATABLE = "Finalized invoices can't be updated in this way"
NOT_EDITABLE = "Invalid invoice: This invoice is no longer editable"
CANNOT_SEND = ("This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact "
               "with details, so we can help.")
DELETED = "(deleted)"


@dataclass(frozen=True)
class Allowed:
    ends_in: str


@dataclass(frozen=True)
class Refused:
    message: str
    code: str | None = None
    param: str | None = None


def refused_line_edit() -> Refused:
    return Refused(NOT_EDITABLE, code="invoice_not_editable")


LINE_EDITS = ("add_lines", "remove_lines", "update_lines", "update_line")

# action -> status -> expected outcome (reference §2.3; the confidence of each cell is noted there).
EXPECTED: dict[str, dict[str, Allowed | Refused]] = {
    "finalize": {
        "draft": Allowed("open"),
        "open": Refused(REFINALIZE),
        "paid": Refused(REFINALIZE),
        "uncollectible": Refused(REFINALIZE),
        "void": Refused(REFINALIZE),
    },
    "pay": {
        "draft": Allowed("paid"),  # finalizes and pays in one call
        "open": Allowed("paid"),
        "paid": Refused(ALREADY_PAID),
        "uncollectible": Allowed("paid"),
        "void": Refused(NOT_OPEN),
    },
    "send": {
        "draft": Allowed("open"),  # finalizes, then sends
        "open": Allowed("open"),
        "paid": Refused(CANNOT_SEND),
        "uncollectible": Allowed("uncollectible"),  # [inference] in the reference
        "void": Refused(CANNOT_SEND),  # unknown in the reference (confidence C)
    },
    "void": {
        "draft": Refused(NOT_OPEN),
        "open": Allowed("void"),
        "paid": Refused(NOT_OPEN),  # the reference notes a conflicting wording, §8 Q2
        "uncollectible": Allowed("void"),  # documented table; §8 Q1
        "void": Refused(NOT_OPEN),
    },
    "mark_uncollectible": {
        "draft": Refused(NOT_OPEN),
        "open": Allowed("uncollectible"),
        "paid": Refused(NOT_OPEN),
        "uncollectible": Refused(ALREADY_UNCOLLECTIBLE),
        "void": Refused(NOT_OPEN),
    },
    "delete": {
        "draft": Allowed(DELETED),
        "open": Refused(ONLY_DRAFTS_DELETED),
        "paid": Refused(ONLY_DRAFTS_DELETED),
        "uncollectible": Refused(ONLY_DRAFTS_DELETED),
        "void": Refused(ONLY_DRAFTS_DELETED),
    },
    "update_collection_method": {
        "draft": Allowed("draft"),
        **{s: Refused(FINALIZED_NOT_UPDATABLE, param="collection_method")
           for s in ("open", "paid", "uncollectible", "void")},
    },
    "update_metadata": {s: Allowed(s) for s in STATUSES},
    **{edit: {"draft": Allowed("draft"), **{s: refused_line_edit() for s in STATUSES if s != "draft"}}
       for edit in LINE_EDITS},
}


# --- the actions, each as one SDK call ------------------------------------------------------------

Action = Callable[[stripe.StripeClient, stripe.Invoice], str]


def _status(result: stripe.Invoice) -> str:
    return str(result.status)


def _line_id(inv: stripe.Invoice) -> str:
    return str(inv.lines.data[0].id)


ACTIONS: dict[str, Action] = {
    "finalize": lambda c, inv: _status(c.v1.invoices.finalize_invoice(inv.id)),
    "pay": lambda c, inv: _status(c.v1.invoices.pay(inv.id, params={"paid_out_of_band": True})),
    "send": lambda c, inv: _status(c.v1.invoices.send_invoice(inv.id)),
    "void": lambda c, inv: _status(c.v1.invoices.void_invoice(inv.id)),
    "mark_uncollectible": lambda c, inv: _status(c.v1.invoices.mark_uncollectible(inv.id)),
    "delete": lambda c, inv: DELETED if c.v1.invoices.delete(inv.id).deleted else "not deleted",
    "update_collection_method": lambda c, inv: _status(
        c.v1.invoices.update(inv.id, params={"collection_method": "charge_automatically"})),
    "update_metadata": lambda c, inv: _status(c.v1.invoices.update(inv.id, params={"metadata": {"ref": "A-17"}})),
    "add_lines": lambda c, inv: _status(c.v1.invoices.add_lines(
        inv.id, params={"lines": [{"amount": 250, "description": "Setup fee"}]})),
    "remove_lines": lambda c, inv: _status(c.v1.invoices.remove_lines(
        inv.id, params={"lines": [{"id": _line_id(inv), "behavior": "delete"}]})),
    "update_lines": lambda c, inv: _status(c.v1.invoices.update_lines(
        inv.id, params={"lines": [{"id": _line_id(inv), "description": "Renamed"}]})),
    "update_line": lambda c, inv: _status(c.v1.invoices.retrieve(
        c.v1.invoices.line_items.update(inv.id, _line_id(inv), params={"description": "Renamed"}).invoice)),
}

CELLS = [pytest.param(status, action, id=f"{status}-{action}") for action in EXPECTED for status in STATUSES]


def test_the_table_covers_every_action_and_status() -> None:
    assert set(EXPECTED) == set(ACTIONS)
    assert all(set(row) == set(STATUSES) for row in EXPECTED.values())


def assert_refusal(err: stripe.InvalidRequestError, expected: Refused) -> None:
    assert err.http_status == 400
    assert err.json_body is not None
    assert err.json_body["error"]["type"] == "invalid_request_error"
    assert err.user_message == expected.message
    assert err.code == expected.code
    assert err.param == expected.param


@pytest.mark.parametrize(("status", "action"), CELLS)
def test_cell(client: stripe.StripeClient, status: str, action: str) -> None:
    # Given a send_invoice invoice in ``status``
    inv = factories.invoice_in(client, status, collection_method="send_invoice", days_until_due=30)
    assert inv.status == status
    expected = EXPECTED[action][status]

    if isinstance(expected, Allowed):
        # When the action is taken, Then it answers with the invoice in the expected status
        assert ACTIONS[action](client, inv) == expected.ends_in
        # And the status is the one stored
        if expected.ends_in == DELETED:
            with pytest.raises(stripe.InvalidRequestError) as gone:
                client.v1.invoices.retrieve(inv.id)
            assert gone.value.http_status == 404
        else:
            assert client.v1.invoices.retrieve(inv.id).status == expected.ends_in
        return

    # When the action is taken, Then it is refused with Stripe's wording
    with pytest.raises(stripe.InvalidRequestError) as refused:
        ACTIONS[action](client, inv)
    assert_refusal(refused.value, expected)
    # And the invoice is left as it was
    after = client.v1.invoices.retrieve(inv.id)
    assert after.status == status
    assert after.collection_method == "send_invoice"
    assert [line.id for line in after.lines.data] == [line.id for line in inv.lines.data]


def test_allowed_metadata_update_on_a_finalized_invoice_is_stored(client: stripe.StripeClient) -> None:
    # Given a paid invoice
    inv = factories.invoice_in(client, "paid")
    # When its metadata is updated
    updated = client.v1.invoices.update(inv.id, params={"metadata": {"ref": "A-17"}})
    # Then the metadata is kept and nothing else about its status changed
    assert updated.metadata.to_dict() == {"ref": "A-17"}
    assert client.v1.invoices.retrieve(inv.id).metadata.to_dict() == {"ref": "A-17"}
    assert updated.status == "paid" and updated.amount_paid == inv.amount_paid


def test_allowed_collection_method_update_on_a_draft_is_stored(client: stripe.StripeClient) -> None:
    inv = factories.invoice_in(client, "draft", collection_method="send_invoice", days_until_due=30)
    updated = client.v1.invoices.update(inv.id, params={"collection_method": "charge_automatically"})
    assert updated.collection_method == "charge_automatically"
    assert updated.due_date is None  # due_date is null for charge_automatically invoices


def test_description_stays_editable_on_an_open_invoice(client: stripe.StripeClient) -> None:
    # Stripe's update docs: once finalized, "monetary values, as well as collection_method, become uneditable"
    inv = factories.invoice_in(client, "open")
    updated = client.v1.invoices.update(inv.id, params={"description": "Thanks for your business"})
    assert updated.description == "Thanks for your business"
    assert updated.status == "open"


def test_line_edits_on_a_draft_change_its_totals(client: stripe.StripeClient) -> None:
    # Given a draft with one 10.99 line
    inv = factories.invoice_in(client, "draft", amount=1099)
    # When a 2.50 line is added
    added = client.v1.invoices.add_lines(inv.id, params={"lines": [{"amount": 250, "description": "Setup"}]})
    # Then the total counts both
    assert (len(added.lines.data), added.total) == (2, 1349)
    # And removing the first line leaves only the added one
    removed = client.v1.invoices.remove_lines(
        inv.id, params={"lines": [{"id": inv.lines.data[0].id, "behavior": "delete"}]})
    assert [line.amount for line in removed.lines.data] == [250]
    assert removed.total == 250


# --- unknown invoice ------------------------------------------------------------------------------

MISSING = "in_missing"

# action -> the call on an unknown invoice id; ``param`` is the one the reference records (§2.3 notes,
# [emulator], confidence B) where it records one.
UNKNOWN_ID_CALLS: dict[str, tuple[Callable[[stripe.StripeClient], object], str | None]] = {
    "retrieve": (lambda c: c.v1.invoices.retrieve(MISSING), "invoice"),
    "update": (lambda c: c.v1.invoices.update(MISSING, params={"metadata": {"k": "v"}}), "id"),
    "delete": (lambda c: c.v1.invoices.delete(MISSING), "invoice"),
    "finalize": (lambda c: c.v1.invoices.finalize_invoice(MISSING), "id"),
    "pay": (lambda c: c.v1.invoices.pay(MISSING, params={"paid_out_of_band": True}), "id"),
    "send": (lambda c: c.v1.invoices.send_invoice(MISSING), "invoice"),
    "void": (lambda c: c.v1.invoices.void_invoice(MISSING), "id"),
    "mark_uncollectible": (lambda c: c.v1.invoices.mark_uncollectible(MISSING), "id"),
    "add_lines": (lambda c: c.v1.invoices.add_lines(MISSING, params={"lines": [{"amount": 100}]}), "invoice"),
    "remove_lines": (lambda c: c.v1.invoices.remove_lines(
        MISSING, params={"lines": [{"id": "il_missing", "behavior": "delete"}]}), None),
    "update_lines": (lambda c: c.v1.invoices.update_lines(
        MISSING, params={"lines": [{"id": "il_missing", "description": "x"}]}), None),
    "update_line": (lambda c: c.v1.invoices.line_items.update(
        MISSING, "il_missing", params={"description": "x"}), None),
    "list_lines": (lambda c: c.v1.invoices.line_items.list(MISSING), None),
}


@pytest.mark.parametrize("action", list(UNKNOWN_ID_CALLS))
def test_unknown_invoice_is_resource_missing(client: stripe.StripeClient, action: str) -> None:
    call, param = UNKNOWN_ID_CALLS[action]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        call(client)
    err = missing.value
    assert err.http_status == 404
    assert err.json_body is not None
    assert err.json_body["error"]["type"] == "invalid_request_error"
    assert err.code == "resource_missing"
    assert err.user_message == "No such invoice: 'in_missing'"
    assert err.json_body["error"]["doc_url"] == "https://stripe.com/docs/error-codes/resource-missing"
    if param is not None:
        assert err.param == param
