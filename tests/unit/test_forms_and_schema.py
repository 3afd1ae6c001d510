"""Request decoding without a server: the bracket-notation form parser (arrears.api.forms.parse) and
the parameter schema that validates and converts what it produced (arrears.api.schema)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stripe._encode import _api_encode

from arrears.api import forms
from arrears.api.forms import parse
from arrears.api.schema import (
    Spec,
    array,
    boolean,
    convert_fields,
    decimal,
    enum,
    integer,
    metadata,
    obj,
    string,
    timestamp_filter,
)
from arrears.domain.errors import ParamError


def parse_error(body: str) -> ParamError:
    with pytest.raises(ParamError) as info:
        parse(body)
    return info.value


def convert_error(raw: dict[str, Any], fields: dict[str, Spec]) -> ParamError:
    with pytest.raises(ParamError) as info:
        convert_fields(raw, fields)
    return info.value


# === forms.parse ====================================================================================

class TestParseShapes:
    def test_plain_pairs_become_a_flat_dict_of_strings(self) -> None:
        assert parse("customer=cus_1&amount=500") == {"customer": "cus_1", "amount": "500"}

    def test_empty_body_is_an_empty_dict(self) -> None:
        assert parse("") == {}

    def test_blank_values_are_kept_as_empty_strings(self) -> None:
        assert parse("description=&metadata=") == {"description": "", "metadata": ""}

    def test_a_name_without_equals_sign_is_a_blank_value(self) -> None:
        assert parse("description") == {"description": ""}

    def test_brackets_nest_hashes(self) -> None:
        assert parse("metadata[order_id]=6735&metadata[tier]=gold") == {
            "metadata": {"order_id": "6735", "tier": "gold"}}

    def test_brackets_nest_several_levels(self) -> None:
        assert parse("shipping[address][city]=Berlin&shipping[name]=Jenny") == {
            "shipping": {"address": {"city": "Berlin"}, "name": "Jenny"}}

    def test_empty_brackets_append_with_increasing_indexes(self) -> None:
        assert parse("expand[]=customer&expand[]=lines") == {"expand": {"0": "customer", "1": "lines"}}

    def test_indexes_are_kept_as_digit_keys(self) -> None:
        assert parse("expand[0]=customer&expand[1]=lines") == {"expand": {"0": "customer", "1": "lines"}}

    def test_indexed_hashes_build_a_list_of_hashes(self) -> None:
        assert parse("lines[0][amount]=5&lines[0][quantity]=2&lines[1][amount]=7") == {
            "lines": {"0": {"amount": "5", "quantity": "2"}, "1": {"amount": "7"}}}

    def test_a_repeated_name_keeps_the_last_value(self) -> None:
        assert parse("name=a&name=b") == {"name": "b"}

    def test_digit_keys_under_a_hash_stay_a_hash(self) -> None:
        # The parser does not guess: metadata[0]=x stays a map, the schema decides
        assert parse("metadata[0]=x") == {"metadata": {"0": "x"}}

    def test_eight_levels_are_accepted(self) -> None:
        assert parse("a[b][c][d][e][f][g]=1") == {"a": {"b": {"c": {"d": {"e": {"f": {"g": "1"}}}}}}}


class TestParseDecoding:
    def test_plus_is_a_space(self) -> None:
        assert parse("description=Jenny+Rosen") == {"description": "Jenny Rosen"}

    def test_percent_escapes_are_decoded_in_values(self) -> None:
        assert parse("email=jenny%40example.com&note=100%25+sure") == {
            "email": "jenny@example.com", "note": "100% sure"}

    def test_percent_escaped_brackets_in_names_still_nest(self) -> None:
        assert parse("metadata%5Bk%5D=v") == {"metadata": {"k": "v"}}

    def test_escaped_ampersand_and_equals_stay_in_the_value(self) -> None:
        assert parse("description=a%26b%3Dc") == {"description": "a&b=c"}

    def test_percent_encoded_utf8_is_decoded(self) -> None:
        assert parse("name=J%C3%BCrgen&city=%E6%9D%B1%E4%BA%AC") == {"name": "Jürgen", "city": "東京"}

    def test_raw_unicode_passes_through(self) -> None:
        assert parse("name=Jürgen") == {"name": "Jürgen"}

    def test_brackets_in_values_are_not_special(self) -> None:
        assert parse("description=a[b]c") == {"description": "a[b]c"}


class TestParseErrors:
    def test_unclosed_bracket(self) -> None:
        error = parse_error("a[b=1")
        assert "never closed" in error.message
        assert error.param == "a[b"

    def test_text_after_a_closing_bracket(self) -> None:
        error = parse_error("metadata[a]x=1")
        assert error.message == "Invalid parameter name: metadata[a]x"

    @pytest.mark.parametrize("body", ["=1", "[a]=1", "[]=1"])
    def test_a_name_must_start_with_a_word(self, body: str) -> None:
        assert parse_error(body).message.startswith("Invalid parameter name")

    def test_value_then_hash_conflict(self) -> None:
        error = parse_error("a=1&a[b]=2")
        assert "given both as a value and as a hash" in error.message
        assert error.param == "a[b]"

    def test_hash_then_value_conflict(self) -> None:
        error = parse_error("a[b]=2&a=1")
        assert "given both as a value and as a hash" in error.message
        assert error.param == "a"

    def test_more_than_eight_levels(self) -> None:
        error = parse_error("a[b][c][d][e][f][g][h][i]=1")
        assert "nested too deeply" in error.message

    def test_more_than_the_maximum_number_of_params(self) -> None:
        body = "&".join(f"k{i}=v" for i in range(forms.MAX_PARAMS + 1))
        assert "Too many parameters" in parse_error(body).message

    def test_exactly_the_maximum_number_of_params_is_fine(self) -> None:
        body = "&".join(f"k{i}=v" for i in range(forms.MAX_PARAMS))
        assert len(parse(body)) == forms.MAX_PARAMS

    @pytest.mark.parametrize("body", ["name=%zz", "name=100%", "name=%4", "na%me=1"])
    def test_a_percent_that_does_not_start_a_hex_escape(self, body: str) -> None:
        assert "%" in parse_error(body).message

    @pytest.mark.parametrize("body", ["name=%ff", "name=%C3", "name=%C3%28"])
    def test_percent_escapes_that_are_not_utf8(self, body: str) -> None:
        assert "UTF-8" in parse_error(body).message


# The SDK's own encoder (stripe._encode._api_encode + urlencode, then %5B/%5D turned back into
# brackets, as stripe-python does) must round-trip through parse.
KEYS = st.text(st.characters(blacklist_characters="[]", blacklist_categories=("Cs",)), min_size=1, max_size=8)
SCALARS = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12), st.integers(), st.booleans())
PARAMS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    max_leaves=10,
)


def as_parsed(value: Any) -> Any:
    """What parse should give for a value the SDK encoded: strings, with lists as digit-keyed dicts."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return {str(i): _list_item(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k: as_parsed(v) for k, v in value.items()}
    return str(value)


def _list_item(item: Any) -> Any:
    """The SDK hands a list's scalar items to urlencode as they are (False -> "False") and re-encodes
    a list inside a list as a hash of its indexes."""
    if isinstance(item, list):
        return {str(i): as_parsed(v) for i, v in enumerate(item)}
    if isinstance(item, dict):
        return as_parsed(item)
    return str(item)


def sdk_encode(params: dict[str, Any]) -> str:
    return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, PARAMS, max_size=4))
def test_whatever_the_sdk_encodes_parses_back_to_the_same_structure(params: dict[str, Any]) -> None:
    assert parse(sdk_encode(params)) == as_parsed(params)


def test_sdk_encoding_of_a_typical_request_parses_back() -> None:
    params = {"customer": "cus_1", "lines": [{"amount": 5, "metadata": {"k": "v w"}}], "auto_advance": False,
              "expand": ["customer", "lines.data.discounts"]}
    assert parse(sdk_encode(params)) == {
        "customer": "cus_1", "lines": {"0": {"amount": "5", "metadata": {"k": "v w"}}}, "auto_advance": "false",
        "expand": {"0": "customer", "1": "lines.data.discounts"}}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parse_either_returns_a_dict_or_raises_param_error(body: str) -> None:
    try:
        result = parse(body)
    except ParamError as error:
        assert error.message
    else:
        assert isinstance(result, dict)


# === schema.convert_fields ==========================================================================

class TestConvertNames:
    def test_known_params_are_converted(self) -> None:
        fields = {"amount": integer(), "description": string()}
        assert convert_fields({"amount": "5", "description": "x"}, fields) == {"amount": 5, "description": "x"}

    def test_absent_optional_params_stay_absent(self) -> None:
        assert convert_fields({}, {"amount": integer()}) == {}

    def test_unknown_param(self) -> None:
        error = convert_error({"colour": "red"}, {"amount": integer()})
        assert (error.message, error.param, error.code) == (
            "Received unknown parameter: colour", "colour", "parameter_unknown")

    def test_unknown_nested_param_is_named_with_brackets(self) -> None:
        error = convert_error({"period": {"start": "1", "end": "2", "foo": "3"}},
                              {"period": obj({"start": integer(), "end": integer()})})
        assert (error.message, error.param) == ("Received unknown parameter: period[foo]", "period[foo]")

    def test_unknown_param_in_an_array_item_is_named_with_its_index(self) -> None:
        fields = {"lines": array(obj({"amount": integer()}))}
        error = convert_error({"lines": {"0": {"amount": "1"}, "1": {"colour": "red"}}}, fields)
        assert error.param == "lines[1][colour]"

    def test_missing_required_param(self) -> None:
        error = convert_error({}, {"customer": string(required=True)})
        assert (error.message, error.param, error.code) == (
            "Missing required param: customer.", "customer", "parameter_missing")

    def test_missing_required_nested_param(self) -> None:
        fields = {"period": obj({"start": integer(required=True), "end": integer(required=True)})}
        error = convert_error({"period": {"start": "1"}}, fields)
        assert (error.message, error.param) == ("Missing required param: period[end].", "period[end]")

    def test_required_param_posted_empty_when_emptyable_counts_as_missing(self) -> None:
        error = convert_error({"lines": ""}, {"lines": array(string(), required=True, emptyable=True)})
        assert error.code == "parameter_missing"

    def test_unknown_params_are_reported_before_missing_ones(self) -> None:
        error = convert_error({"colour": "red"}, {"customer": string(required=True)})
        assert error.code == "parameter_unknown"


class TestConvertScalars:
    @pytest.mark.parametrize(("raw", "value"), [("5", 5), ("-5", -5), ("0", 0), (7, 7),
                                                ("9223372036854775807", 2**63 - 1)])
    def test_integers(self, raw: Any, value: int) -> None:
        assert convert_fields({"n": raw}, {"n": integer()}) == {"n": value}

    @pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", " 1", "+1", "0x1", "9223372036854775808", 1.5, True,
                                     "1" * 20])
    def test_invalid_integers(self, raw: Any) -> None:
        error = convert_error({"amount": raw}, {"amount": integer()})
        assert error.code == "parameter_invalid_integer"
        assert error.param == "amount"
        assert error.message.startswith("Invalid integer: ")

    def test_invalid_integer_message_quotes_the_value(self) -> None:
        assert convert_error({"amount": "abc"}, {"amount": integer()}).message == "Invalid integer: abc"

    def test_integer_bounds(self) -> None:
        fields = {"limit": integer(minimum=1, maximum=100)}
        assert convert_error({"limit": "0"}, fields).message == "This value must be greater than or equal to 1."
        assert convert_error({"limit": "101"}, fields).message == "This value must be less than or equal to 100."
        assert convert_fields({"limit": "100"}, fields) == {"limit": 100}

    @pytest.mark.parametrize(("raw", "value"), [("true", True), ("false", False), (True, True), (False, False)])
    def test_booleans(self, raw: Any, value: bool) -> None:
        assert convert_fields({"b": raw}, {"b": boolean()}) == {"b": value}

    @pytest.mark.parametrize("raw", ["yes", "True", "1", 1, "FALSE"])
    def test_invalid_booleans(self, raw: Any) -> None:
        error = convert_error({"auto_advance": raw}, {"auto_advance": boolean()})
        assert error.message == f"Invalid boolean: {raw}"
        assert error.param == "auto_advance"

    def test_enum_value(self) -> None:
        assert convert_fields({"s": "open"}, {"s": enum("draft", "open")}) == {"s": "open"}

    def test_invalid_enum_lists_values_with_a_final_or(self) -> None:
        error = convert_error({"status": "x"}, {"status": enum("draft", "open", "void")})
        assert error.message == "Invalid status: must be one of draft, open, or void"
        assert convert_error({"m": "x"}, {"m": enum("a", "b")}).message == "Invalid m: must be one of a or b"

    @pytest.mark.parametrize("raw", ["12.5", "0", "-3.125", "100"])
    def test_decimals_stay_strings(self, raw: str) -> None:
        assert convert_fields({"d": raw}, {"d": decimal()}) == {"d": raw}

    @pytest.mark.parametrize("raw", ["abc", "1e5", "NaN", "1.", ".5", True])
    def test_invalid_decimals(self, raw: Any) -> None:
        assert convert_error({"d": raw}, {"d": decimal()}).message.startswith("Invalid decimal")

    def test_string_too_long(self) -> None:
        error = convert_error({"invoice_prefix": "A" * 13}, {"invoice_prefix": string(max_length=12)})
        assert error.param == "invoice_prefix"
        assert "12" in error.message

    def test_json_number_for_a_string_becomes_its_text(self) -> None:
        assert convert_fields({"s": 42}, {"s": string()}) == {"s": "42"}

    @pytest.mark.parametrize("raw", [True, {"a": "b"}, ["a"], 1.5])
    def test_non_scalar_for_a_string_is_refused(self, raw: Any) -> None:
        assert convert_error({"s": raw}, {"s": string()}).param == "s"


class TestConvertEmpty:
    @pytest.mark.parametrize("spec", [string(emptyable=True), integer(), boolean(), enum("a", "b"), decimal()])
    def test_empty_string_for_a_param_that_cannot_be_unset(self, spec: Spec) -> None:
        if spec.emptyable:
            assert convert_fields({"p": ""}, {"p": spec}) == {"p": None}
            return
        error = convert_error({"p": ""}, {"p": spec})
        assert error.code == "parameter_invalid_empty"
        assert error.param == "p"
        assert error.message.startswith("You passed an empty string for 'p'.")

    def test_empty_string_for_a_plain_string_cannot_unset_it(self) -> None:
        assert convert_error({"s": ""}, {"s": string()}).code == "parameter_invalid_empty"

    @pytest.mark.parametrize("spec", [string(emptyable=True), enum("a", emptyable=True), metadata(),
                                      obj({"a": string()}, emptyable=True), array(string(), emptyable=True)])
    def test_empty_string_unsets_an_emptyable_param(self, spec: Spec) -> None:
        assert convert_fields({"p": ""}, {"p": spec}) == {"p": None}

    def test_json_null_unsets_an_emptyable_param(self) -> None:
        assert convert_fields({"p": None}, {"p": string(emptyable=True)}) == {"p": None}

    def test_json_null_for_a_param_that_cannot_be_unset(self) -> None:
        assert convert_error({"p": None}, {"p": integer()}).param == "p"

    def test_empty_nested_value_is_named_with_brackets(self) -> None:
        error = convert_error({"period": {"start": "", "end": "1"}}, {"period": obj({"start": integer(),
                                                                                       "end": integer()})})
        assert error.param == "period[start]"
        assert error.code == "parameter_invalid_empty"


class TestConvertContainers:
    def test_metadata_keeps_string_values_and_blank_ones(self) -> None:
        assert convert_fields({"metadata": {"a": "1", "b": ""}}, {"metadata": metadata()}) == {
            "metadata": {"a": "1", "b": ""}}

    def test_metadata_json_numbers_become_strings_and_null_unsets(self) -> None:
        assert convert_fields({"metadata": {"a": 1, "b": None}}, {"metadata": metadata()}) == {
            "metadata": {"a": "1", "b": ""}}

    @pytest.mark.parametrize("raw", ["x", ["a"], 5])
    def test_metadata_that_is_not_a_hash(self, raw: Any) -> None:
        assert convert_error({"metadata": raw}, {"metadata": metadata()}).param == "metadata"

    @pytest.mark.parametrize("value", [{"x": "y"}, ["y"], True])
    def test_metadata_values_must_be_scalars(self, value: Any) -> None:
        assert convert_error({"metadata": {"k": value}}, {"metadata": metadata()}).param == "metadata[k]"

    def test_hash_param_converts_its_fields(self) -> None:
        fields = {"period": obj({"start": integer(), "end": integer()})}
        assert convert_fields({"period": {"start": "1", "end": "2"}}, fields) == {"period": {"start": 1, "end": 2}}

    def test_hash_param_given_as_a_string(self) -> None:
        error = convert_error({"period": "x"}, {"period": obj({"start": integer()})})
        assert error.param == "period"
        assert "hash" in error.message

    def test_digit_keyed_hash_becomes_a_list_in_numeric_order(self) -> None:
        raw = {"expand": {str(i): f"p{i}" for i in (10, 2, 0, 1)}}
        assert convert_fields(raw, {"expand": array(string())}) == {"expand": ["p0", "p1", "p2", "p10"]}

    def test_json_list_is_an_array(self) -> None:
        assert convert_fields({"expand": ["a", "b"]}, {"expand": array(string())}) == {"expand": ["a", "b"]}

    def test_array_of_hashes(self) -> None:
        fields = {"lines": array(obj({"amount": integer(), "description": string()}))}
        raw = parse("lines[0][amount]=5&lines[1][description]=Two")
        assert convert_fields(raw, fields) == {"lines": [{"amount": 5}, {"description": "Two"}]}

    def test_array_item_errors_name_the_index(self) -> None:
        error = convert_error(parse("lines[0][amount]=5&lines[1][amount]=x"),
                              {"lines": array(obj({"amount": integer()}))})
        assert error.param == "lines[1][amount]"
        assert error.code == "parameter_invalid_integer"

    @pytest.mark.parametrize("raw", [{"first": "a"}, "a", {"0": "a", "x": "b"}])
    def test_array_given_as_something_else(self, raw: Any) -> None:
        assert convert_error({"expand": raw}, {"expand": array(string())}).param == "expand"

    def test_array_with_too_many_items(self) -> None:
        error = convert_error({"tags": [str(i) for i in range(5)]}, {"tags": array(string(), max_items=4)})
        assert error.param == "tags"
        assert "4" in error.message

    def test_array_at_its_maximum(self) -> None:
        assert len(convert_fields({"tags": ["a"] * 4}, {"tags": array(string(), max_items=4)})["tags"]) == 4

    def test_timestamp_filter_as_a_number(self) -> None:
        assert convert_fields({"created": "5"}, {"created": timestamp_filter()}) == {"created": 5}

    def test_timestamp_filter_as_a_range(self) -> None:
        raw = parse("created[gte]=5&created[lt]=9")
        assert convert_fields(raw, {"created": timestamp_filter()}) == {"created": {"gte": 5, "lt": 9}}

    def test_timestamp_filter_with_an_unknown_bound(self) -> None:
        error = convert_error(parse("created[around]=5"), {"created": timestamp_filter()})
        assert (error.message, error.code) == ("Received unknown parameter: created[around]", "parameter_unknown")

    def test_timestamp_filter_with_a_bad_bound(self) -> None:
        error = convert_error(parse("created[gt]=soon"), {"created": timestamp_filter()})
        assert (error.param, error.code) == ("created[gt]", "parameter_invalid_integer")


class TestFormsAndSchemaTogether:
    FIELDS = {"expand": array(string()), "metadata": metadata()}

    @pytest.mark.parametrize("body", ["expand[]=customer&expand[]=lines", "expand[0]=customer&expand[1]=lines"])
    def test_both_expand_styles_give_the_same_list(self, body: str) -> None:
        assert convert_fields(parse(body), self.FIELDS) == {"expand": ["customer", "lines"]}

    def test_metadata_with_digit_keys_stays_a_map(self) -> None:
        assert convert_fields(parse("metadata[0]=a&metadata[1]=b"), self.FIELDS) == {
            "metadata": {"0": "a", "1": "b"}}

    def test_metadata_posted_empty_unsets_all(self) -> None:
        assert convert_fields(parse("metadata="), self.FIELDS) == {"metadata": None}
