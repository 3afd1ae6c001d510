"""postgres.combined: a command's buffered writes as one statement. Inserts into one table become one
multi-row INSERT in the order given (their seq order); other statements join in a WITH, each one's
placeholders renumbered after those before it."""

from __future__ import annotations

from arrears.store.postgres import combined

INSERT_A = "INSERT INTO a (id, data) VALUES ($1, $2)"
INSERT_B = "INSERT INTO b (id, x, data) VALUES ($1, $2, $3)"
UPDATE = "UPDATE c SET status = $1, data = $2 WHERE id = $3 AND account_id = $4 AND livemode = $5"


def test_one_write_is_sent_as_it_is() -> None:
    assert combined([(UPDATE, [1, 2, 3, 4, 5])]) == (UPDATE, [1, 2, 3, 4, 5])


def test_inserts_into_one_table_become_one_multi_row_insert_in_order() -> None:
    sql, params = combined([(INSERT_A, ["a1", "{}"]), (INSERT_A, ["a2", "{}"]), (INSERT_A, ["a3", "{}"])])
    assert sql == "INSERT INTO a (id, data) VALUES ($1, $2), ($3, $4), ($5, $6)"
    assert params == ["a1", "{}", "a2", "{}", "a3", "{}"]


def test_several_statements_join_in_a_with_with_placeholders_renumbered() -> None:
    sql, params = combined([(UPDATE, ["open", "{u}", "c1", "acct", False]), (INSERT_A, ["a1", "{a}"]),
                            (INSERT_B, ["b1", 7, "{b}"]), (INSERT_A, ["a2", "{a2}"])])
    assert sql == ("WITH w1 AS (INSERT INTO a (id, data) VALUES ($1, $2), ($3, $4)), "
                   "w2 AS (INSERT INTO b (id, x, data) VALUES ($5, $6, $7)), "
                   "w3 AS (UPDATE c SET status = $8, data = $9 WHERE id = $10 AND account_id = $11 "
                   "AND livemode = $12) SELECT 1")
    assert params == ["a1", "{a}", "a2", "{a2}", "b1", 7, "{b}", "open", "{u}", "c1", "acct", False]
