"""Property-based fuzz of the request parsing every face shares: the bracket-notation form parser
(``api/forms.py``) and the parameter schemas (``api/schema.py``). Whatever the input, the
answer is parameters or a ParamError (a 400 with a message), never another exception; a form built
from nested parameters parses back to them; and the limits hold.

ARREARS_FUZZ_FORM_EXAMPLES (default 400) sets the examples per property; docs/reliability.md."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.api import forms
from arrears.api.cycle import Operation as DialectOperation
from arrears.api.flex.routes import OPERATIONS as FLEX_OPERATIONS
from arrears.api.schema import Spec, convert_fields
from arrears.api.stripe.params import EXPAND
from arrears.api.stripe.routes import OPERATIONS
from arrears.api.yorlet.routes import OPERATIONS as YORLET_OPERATIONS
from arrears.domain.errors import ParamError

EXAMPLES = int(os.environ.get("ARREARS_FUZZ_FORM_EXAMPLES", "400"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
TRIED: Counter[str] = Counter()

# Names as clients write them: letters, digits, _ and -, never brackets or form syntax
name = st.text(alphabet=st.characters(categories=("Ll", "Lu", "Nd"), include_characters="_-"), min_size=1,
               max_size=12)
value = st.text(max_size=30)
nested: st.SearchStrategy[Any] = st.recursive(
    value, lambda inner: st.dictionaries(name, inner, min_size=1, max_size=4), max_leaves=12)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15)


def encode(params: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, item in params.items():
        full = f"{prefix}[{key}]" if prefix else key
        if isinstance(item, dict):
            out += encode(item, full)
        else:
            out.append(f"{quote(full, safe='[]')}={quote(item, safe='')}")
    return out


def every_parameter_table() -> list[tuple[str, dict[str, Spec]]]:
    tables = [(op.operation_id, {**op.params, "expand": EXPAND}) for op in OPERATIONS]
    dialects: tuple[DialectOperation, ...] = (*FLEX_OPERATIONS, *YORLET_OPERATIONS)
    return tables + [(op.operation_id, dict(op.params)) for op in dialects]


TABLES = every_parameter_table()


@pytest.fixture(scope="module", autouse=True)
def _report_what_was_tried(figures: Counter[str]) -> Iterator[None]:
    """Once this module's tests have run: what the properties tried, into the reliability figures."""
    yield
    for what, n in TRIED.items():
        figures[f"fuzz: {what} examples"] += n


@pytest.mark.slow
@FUZZ
@given(body=st.text(max_size=300))
def test_any_text_parses_or_is_a_param_error(body: str) -> None:
    TRIED["form parser"] += 1
    try:
        parsed = forms.parse(body)
    except ParamError as exc:
        assert exc.message
    else:
        assert isinstance(parsed, dict)


@pytest.mark.slow
@FUZZ
@given(body=st.lists(st.sampled_from(["a", "[", "]", "=", "&", "%", "5B", "5D", "0", "x", "metadata", "%00", "+"]),
                     max_size=60).map("".join))
def test_form_syntax_soup_parses_or_is_a_param_error(body: str) -> None:
    TRIED["form parser"] += 1
    with contextlib.suppress(ParamError):
        forms.parse(body)


@pytest.mark.slow
@FUZZ
@given(params=st.dictionaries(name, nested, max_size=5))
def test_a_form_of_nested_parameters_parses_back_to_them(params: dict[str, Any]) -> None:
    TRIED["form parser"] += 1
    assert forms.parse("&".join(encode(params))) == params


@pytest.mark.slow
@FUZZ
@given(table=st.sampled_from(TABLES), params=st.dictionaries(name, nested, max_size=5),
       known=st.lists(st.tuples(st.integers(0, 50), nested), max_size=4))
def test_any_form_against_any_operation_converts_or_is_a_param_error(
        table: tuple[str, dict[str, Spec]], params: dict[str, Any], known: list[tuple[int, Any]]) -> None:
    TRIED["parameter schemas"] += 1
    operation, fields = table
    names = sorted(fields)
    for index, item in known:  # mostly the operation's own parameter names, with random values
        if names:
            params[names[index % len(names)]] = item
    try:
        convert_fields(forms.parse("&".join(encode(params))), fields)
    except ParamError as exc:
        assert exc.message, operation


@pytest.mark.slow
@FUZZ
@given(table=st.sampled_from(TABLES), params=st.dictionaries(st.text(max_size=12), json_values, max_size=6),
       known=st.lists(st.tuples(st.integers(0, 50), json_values), max_size=4))
def test_any_json_body_against_any_operation_converts_or_is_a_param_error(
        table: tuple[str, dict[str, Spec]], params: dict[str, Any], known: list[tuple[int, Any]]) -> None:
    TRIED["parameter schemas"] += 1
    operation, fields = table
    names = sorted(fields)
    for index, item in known:
        if names:
            params[names[index % len(names)]] = item
    try:
        convert_fields(params, fields)
    except ParamError as exc:
        assert exc.message, operation


def test_too_many_parameters_are_refused() -> None:
    with pytest.raises(ParamError, match="Too many parameters"):
        forms.parse("&".join(f"metadata[k{n}]=v" for n in range(forms.MAX_PARAMS + 1)))


def test_nesting_deeper_than_the_limit_is_refused() -> None:
    forms.parse("a" + "[b]" * (forms.MAX_DEPTH - 1) + "=1")
    with pytest.raises(ParamError, match="nested too deeply"):
        forms.parse("a" + "[b]" * forms.MAX_DEPTH + "=1")


def test_a_nul_character_in_any_string_is_refused() -> None:
    fields = dict(next(op.params for op in OPERATIONS if op.operation_id == "PostCustomers"))
    for form in ("name=a%00b", "metadata[k]=a%00", "metadata[a%00]=v"):
        with pytest.raises(ParamError, match="NUL"):
            convert_fields(forms.parse(form), fields)
