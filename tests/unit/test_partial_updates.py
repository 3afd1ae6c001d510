"""sql.Updates: the UPDATE of a row read for update names only the indexed columns whose values changed
(an index over unchanged columns is then not rewritten), and every column otherwise."""

from __future__ import annotations

from typing import Any

from arrears.store.base import OPEN, SYSTEM
from arrears.store.sql import Updates, column_values
from arrears.store.sqlite import DIALECT
from arrears.store.tables import TABLES

INVOICES = TABLES["invoices"]


def invoice(**fields: Any) -> dict[str, Any]:
    doc = {"id": "in_1", "object": "invoice", "customer": "cus_1", "status": "open",
           "collection_method": "charge_automatically", "created": 10, "due_date": None, "number": "A-0001",
           "currency": "usd", "total": 500, "receipt_number": None, "amount_remaining": 500,
           "status_transitions": {"finalized_at": 11}, "next_payment_attempt": 12,
           "automatically_finalizes_at": None, "test_clock": None, "last_finalization_error": None}
    return {**doc, **fields}


def set_columns(sql: str) -> list[str]:
    sets = sql.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    return [part.split(" = ")[0] for part in sets.split(", ")]


def test_only_changed_columns_are_set_besides_data() -> None:
    before = invoice()
    after = invoice(status="uncollectible", next_payment_attempt=None)
    sql, params, values, data = Updates(DIALECT).statement(INVOICES, after, OPEN, column_values(INVOICES, before))
    assert set_columns(sql) == ["status", "next_payment_attempt", "data"]
    assert params[:2] == ["uncollectible", None]
    assert params[3:] == ["in_1", OPEN.account, OPEN.livemode]  # the id, then the scope
    assert values == column_values(INVOICES, after) and params[2] == data


def test_a_value_of_another_type_counts_as_a_change() -> None:
    before = column_values(INVOICES, invoice(total=1))
    sql, *_ = Updates(DIALECT).statement(INVOICES, invoice(total=True), OPEN, before)
    assert set_columns(sql) == ["total", "data"]


def test_nothing_changed_sets_data_alone_and_no_prior_read_sets_every_column() -> None:
    updates = Updates(DIALECT)
    unchanged, *_ = updates.statement(INVOICES, invoice(), SYSTEM, column_values(INVOICES, invoice()))
    everything, params, *_ = updates.statement(INVOICES, invoice(), SYSTEM, None)
    assert set_columns(unchanged) == ["data"] and "account_id" not in unchanged  # SYSTEM: no scope filter
    assert set_columns(everything) == [*INVOICES.columns, "data"]
    assert len(params) == len(INVOICES.columns) + 2
