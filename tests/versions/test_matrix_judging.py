"""How a scenario report is judged (tests/versions/matrix.py), on reports made up here: no SDK, no server."""

from __future__ import annotations

from typing import Any

from tests.versions import matrix


def seen(declared: list[str], answered: list[str], optional: tuple[str, ...] = (), **more: Any) -> dict[str, Any]:
    return {"declared": declared, "answered": answered, "optional": list(optional),
            "missing": sorted(set(declared) - set(answered)), "extra": sorted(set(answered) - set(declared)),
            "attribute_errors": more.get("attribute_errors", sorted(set(declared) - set(answered))),
            "wrong_type": more.get("wrong_type", {})}


def report(**kinds: dict[str, Any]) -> dict[str, Any]:
    fine = seen(["id", "object"], ["id", "object"])
    return {"kinds": {kind: kinds.get(kind, fine) for kind in matrix.KINDS}}


def test_a_report_that_answers_every_declared_field_and_no_other_has_no_problems() -> None:
    ok = report()
    assert matrix.problems(matrix.judge(ok, matrix.optional_fields(ok, None))) == {}


def test_a_required_field_not_answered_is_missing_and_its_typed_access_failed() -> None:
    old = report(invoice=seen(["id", "paid", "charge"], ["id"]))
    wrong = matrix.problems(matrix.judge(old, matrix.optional_fields(old, None)))
    assert wrong == {"invoice": {"missing": ["charge", "paid"], "attribute_errors": ["charge", "paid"]}}


def test_fields_stripe_may_leave_out_are_not_missing_whoever_marks_them() -> None:
    customer = seen(["id", "tax_ids", "deleted"], ["id"])
    python = report(customer=customer)
    node_twin = report(customer=seen(["id", "tax_ids", "deleted"], ["id"], optional=("tax_ids",)))
    verdict = matrix.judge(python, matrix.optional_fields(python, node_twin))
    assert matrix.problems(verdict) == {}
    assert verdict["customer"]["absent_optional"] == ["deleted", "tax_ids"]
    alone = matrix.judge(python, matrix.optional_fields(python, None))
    assert alone["customer"]["missing"] == ["tax_ids"]  # without the twin's marks it is required


def test_an_undeclared_field_is_extra_unless_stripe_added_it_to_every_version() -> None:
    newer = report(line_item=seen(["id"], ["id", "pricing", "subtotal"]))
    verdict = matrix.judge(newer, matrix.optional_fields(newer, None))
    assert verdict["line_item"]["extra"] == ["pricing"]
    assert verdict["line_item"]["additive"] == ["subtotal"]


def test_a_key_field_of_the_wrong_json_type_is_a_problem() -> None:
    typed = report(invoice=seen(["id", "paid"], ["id", "paid"], wrong_type={"paid": "null"}))
    assert matrix.problems(matrix.judge(typed, matrix.optional_fields(typed, None))) == {
        "invoice": {"wrong_type": {"paid": "null"}}}


def test_the_markdown_report_lists_the_differences_by_api_version() -> None:
    old = report(invoice=seen(["id", "rendering"], ["id"]))
    verdict = matrix.judge(old, matrix.optional_fields(old, None))
    run = {"sdk": "stripe-python", "sdk_version": "7.14.1", "pinned_api_version": "2023-10-16",
           "answered_api_version": "2023-10-16", "backend": "sqlite", "verdict": verdict,
           "problems": matrix.problems(verdict), "scenario": {}, "installs": {}}
    text = matrix.markdown({"runs": {"python-7.14.1[sqlite]": run}})
    assert "### 2023-10-16 (stripe-python 7.14.1)" in text
    assert "- **invoice**: missing: `rendering`" in text  # the typed-access failures of the same field folded
