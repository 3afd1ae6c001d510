"""The pure rules under ``arrears trigger`` and ``arrears fixtures``: Stripe's form encoding and the
Stripe CLI's --override / --add / --remove / --skip."""

from __future__ import annotations

import pytest

from arrears.workflow import fixtures
from arrears.workflow.client import WorkflowError, encode


def _fixture() -> fixtures.Fixture:
    return fixtures.parse({"fixtures": [
        {"name": "customer", "path": "/v1/customers", "params": {"email": "a@example.com", "metadata": {"k": "v"}}},
        {"name": "invoice", "path": "/v1/invoices", "params": {"customer": "${customer:id}"}},
    ]})


def test_nested_params_are_form_encoded_in_stripes_bracket_notation() -> None:
    assert encode({"a": {"b": 1}, "c": ["x", {"d": True}], "e": None, "f": ""}) == [
        ("a[b]", "1"), ("c[0]", "x"), ("c[1][d]", "true"), ("f", "")]


def test_override_add_and_remove_change_params_by_dotted_or_bracket_paths() -> None:
    changed = fixtures.apply_changes(_fixture(), overrides=["customer:metadata[k]=w"],
                                     adds=["invoice:metadata.order=42"], removes=["customer:email"])
    assert changed.steps[0].params == {"metadata": {"k": "w"}}
    assert changed.steps[1].params == {"customer": "${customer:id}", "metadata": {"order": "42"}}
    assert _fixture().steps[0].params["email"] == "a@example.com"  # the original is left alone


def test_skip_drops_a_step_and_unknown_names_are_refused_with_the_known_ones() -> None:
    assert [s.name for s in fixtures.apply_changes(_fixture(), skips=["invoice"]).steps] == ["customer"]
    with pytest.raises(WorkflowError, match=r"no fixture named 'cus' \(this one has: customer, invoice\)"):
        fixtures.apply_changes(_fixture(), skips=["cus"])
    with pytest.raises(WorkflowError, match="write it as name:path=value"):
        fixtures.apply_changes(_fixture(), adds=["customer:email"])
    with pytest.raises(WorkflowError, match="sets no phone"):
        fixtures.apply_changes(_fixture(), removes=["customer:phone"])


def test_env_references_use_the_default_only_when_the_variable_is_unset() -> None:
    assert fixtures.resolve("${.env:NAME|x}", {}, {"NAME": "set"}) == "set"
    assert fixtures.resolve("${.env:NAME|x}", {}, {}) == "x"
    with pytest.raises(WorkflowError, match="NAME is not set"):
        fixtures.resolve("${.env:NAME}", {}, {})


def test_a_file_without_fixtures_or_with_a_bad_method_is_refused() -> None:
    with pytest.raises(WorkflowError, match='needs a top-level "fixtures" list'):
        fixtures.parse({"steps": []})
    with pytest.raises(WorkflowError, match="method 'patch' is not one of"):
        fixtures.parse({"fixtures": [{"path": "/v1/customers", "method": "patch"}]})
