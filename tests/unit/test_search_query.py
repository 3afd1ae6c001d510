"""Stripe search query language → store Filter (arrears.api.stripe.search). Pure parsing, no I/O."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.api.stripe.search import (
    CUSTOMER_SEARCH_FIELDS,
    INVOICE_SEARCH_FIELDS,
    MAX_CLAUSES,
    SearchField,
    parse_search,
)
from arrears.domain.errors import ParamError
from arrears.store.query import Cond, Filter

UNPARSABLE = "We were unable to parse your search query."


def invoices(query: str) -> Filter:
    return parse_search(query, INVOICE_SEARCH_FIELDS, "invoices")


def customers(query: str) -> Filter:
    return parse_search(query, CUSTOMER_SEARCH_FIELDS, "customers")


def one(flt: Filter) -> Cond:
    assert len(flt.conds) == 1
    return flt.conds[0]


def error(query: str, fields: str = "invoices") -> str:
    parse = invoices if fields == "invoices" else customers
    with pytest.raises(ParamError) as info:
        parse(query)
    assert info.value.param == "query"
    return info.value.message


# --- the field tables ---------------------------------------------------------------------------------


def test_invoice_fields_are_the_ones_stripe_documents() -> None:
    assert set(INVOICE_SEARCH_FIELDS) == {
        "created", "currency", "customer", "last_finalization_error_code", "last_finalization_error_type",
        "metadata", "number", "receipt_number", "status", "subscription", "total",
    }


def test_customer_fields_are_the_ones_stripe_documents() -> None:
    assert set(CUSTOMER_SEARCH_FIELDS) == {"created", "email", "metadata", "name", "phone"}


def test_substring_is_allowed_only_on_fields_of_stripes_string_type() -> None:
    assert {n for n, f in INVOICE_SEARCH_FIELDS.items() if f.substring} == {
        "number", "receipt_number", "status", "subscription",
    }
    assert {n for n, f in CUSTOMER_SEARCH_FIELDS.items() if f.substring} == {"email", "name", "phone"}


def test_numeric_fields_are_the_amounts_and_timestamps() -> None:
    assert {n for n, f in INVOICE_SEARCH_FIELDS.items() if f.kind == "number"} == {"created", "total"}
    assert {n for n, f in CUSTOMER_SEARCH_FIELDS.items() if f.kind == "number"} == {"created"}


def test_every_field_maps_to_the_column_of_the_same_name() -> None:
    for table in (INVOICE_SEARCH_FIELDS, CUSTOMER_SEARCH_FIELDS):
        for name, field in table.items():
            assert field.column == name
        assert table["metadata"] == SearchField("metadata", "metadata")


def test_field_tables_cannot_be_modified() -> None:
    with pytest.raises(TypeError):
        INVOICE_SEARCH_FIELDS["amount"] = SearchField("amount", "number")  # type: ignore[index]


# --- single clauses -----------------------------------------------------------------------------------


def test_colon_on_a_string_field_is_an_exact_match() -> None:
    assert invoices('status:"open"') == Filter((Cond("status", "=", "open"),), any_of=False)


def test_single_quoted_strings_are_accepted_as_in_stripes_examples() -> None:
    assert one(customers("email:'sally@rocketrides.io'")) == Cond("email", "=", "sally@rocketrides.io")


def test_backslash_escapes_a_quote_inside_a_string() -> None:
    query = r'name:"the story called \"The Sky and the Sea.\""'
    assert one(customers(query)).value == 'the story called "The Sky and the Sea."'


def test_backslash_escapes_a_backslash_and_the_other_quote_needs_no_escape() -> None:
    assert one(customers(r'name:"a\\b"')).value == "a\\b"
    assert one(customers("name:\"O'Brien\"")).value == "O'Brien"


def test_quoted_values_keep_spaces_keywords_operators_and_unicode() -> None:
    value = "Zoë AND (x:y) OR -a~b [c] >= 1"
    assert one(customers(f'name:"{value}"')).value == value


def test_empty_quoted_string_is_an_exact_match_on_the_empty_string() -> None:
    assert one(customers('name:""')) == Cond("name", "=", "")


def test_colon_on_a_numeric_field_is_equality_with_an_int() -> None:
    cond = one(invoices("total:1000"))
    assert cond == Cond("total", "=", 1000)
    assert type(cond.value) is int


@pytest.mark.parametrize("op", [">", "<", ">=", "<=", "="])
def test_numeric_comparators_map_to_the_same_operator(op: str) -> None:
    assert one(invoices(f"created{op}1620310503")) == Cond("created", op, 1620310503)  # type: ignore[arg-type]


def test_numbers_may_be_quoted() -> None:
    assert one(invoices('total>="10"')) == Cond("total", ">=", 10)
    assert one(invoices("total:'0042'")) == Cond("total", "=", 42)


def test_negative_numbers_are_accepted_quoted_or_not() -> None:
    assert one(invoices("total<-500")) == Cond("total", "<", -500)
    assert one(invoices('total:"-1"')) == Cond("total", "=", -1)


def test_unquoted_integer_on_a_string_field_is_taken_as_text() -> None:
    assert one(invoices("number:1234")) == Cond("number", "=", "1234")


def test_substring_match_on_a_substring_field() -> None:
    assert one(customers('email~"amy"')) == Cond("email", "~", "amy")
    assert one(invoices('number~"MYSHOP"')) == Cond("number", "~", "MYSHOP")


def test_metadata_exact_match_carries_the_key() -> None:
    assert one(invoices('metadata["donation-id"]:"asdf-jkl"')) == Cond(
        "metadata", "=", "asdf-jkl", key="donation-id"
    )


def test_metadata_key_may_be_single_quoted() -> None:
    assert one(customers("metadata['foo']:'bar'")) == Cond("metadata", "=", "bar", key="foo")


def test_metadata_unquoted_integer_value_is_text() -> None:
    assert one(invoices('metadata["order"]:42')) == Cond("metadata", "=", "42", key="order")


def test_field_null_tests_for_absence() -> None:
    assert one(invoices("subscription:null")) == Cond("subscription", "null")
    assert one(invoices("total:NULL")) == Cond("total", "null")


def test_metadata_null_tests_for_a_missing_key() -> None:
    assert one(invoices('metadata["donation-id"]:null')) == Cond("metadata", "null", key="donation-id")


def test_negated_null_tests_for_presence() -> None:
    assert one(invoices('-metadata["donation-id"]:null')) == Cond("metadata", "notnull", key="donation-id")
    assert one(customers("-email:null")) == Cond("email", "notnull")


def test_quoted_null_is_an_ordinary_string() -> None:
    assert one(customers('name:"null"')) == Cond("name", "=", "null")


# --- negation -----------------------------------------------------------------------------------------


def test_negated_exact_match_is_not_equal() -> None:
    assert one(customers('-email:"amy@rocketrides.io"')) == Cond("email", "!=", "amy@rocketrides.io")
    assert one(invoices("-total:0")) == Cond("total", "!=", 0)


def test_negated_substring_match_is_not_like() -> None:
    assert one(customers('-name~"Jane"')) == Cond("name", "!~", "Jane")


@pytest.mark.parametrize(
    ("op", "inverse"), [(">", "<="), ("<", ">="), (">=", "<"), ("<=", ">"), ("=", "!=")]
)
def test_negated_comparator_is_inverted(op: str, inverse: str) -> None:
    assert one(invoices(f"-total{op}5")) == Cond("total", inverse, 5)  # type: ignore[arg-type]


def test_negated_metadata_match_keeps_the_key() -> None:
    assert one(invoices('-metadata["k"]:"v"')) == Cond("metadata", "!=", "v", key="k")


# --- combining clauses --------------------------------------------------------------------------------


def test_clauses_separated_by_whitespace_are_anded() -> None:
    flt = customers('email:"amy@rocketrides.io" metadata["key"]:"value"')
    assert flt == Filter(
        (Cond("email", "=", "amy@rocketrides.io"), Cond("metadata", "=", "value", key="key")), any_of=False
    )


@pytest.mark.parametrize("word", ["AND", "and", "And"])
def test_and_keyword_is_case_insensitive(word: str) -> None:
    flt = invoices(f'status:"open" {word} total>1000')
    assert flt.conds == (Cond("status", "=", "open"), Cond("total", ">", 1000))
    assert flt.any_of is False


@pytest.mark.parametrize("word", ["OR", "or", "oR"])
def test_or_keyword_makes_any_of(word: str) -> None:
    flt = invoices(f'currency:"usd" {word} currency:"eur" {word} currency:"gbp"')
    assert [c.value for c in flt.conds] == ["usd", "eur", "gbp"]
    assert flt.any_of is True


def test_whitespace_and_keywords_can_both_join_and_clauses() -> None:
    assert len(invoices('status:"open" total>1 AND created<5').conds) == 3


def test_any_whitespace_separates_clauses_and_surrounding_whitespace_is_ignored() -> None:
    flt = invoices(' \t status:"open"\n\tAND\r\ntotal>1  ')
    assert flt.conds == (Cond("status", "=", "open"), Cond("total", ">", 1))


def test_clause_order_is_kept() -> None:
    flt = invoices('total>1 status:"paid" -currency:"usd"')
    assert [c.field for c in flt.conds] == ["total", "status", "currency"]


def test_ten_clauses_are_allowed() -> None:
    assert len(invoices(" ".join(f"total>{i}" for i in range(MAX_CLAUSES))).conds) == 10


# --- errors with Stripe's wording ---------------------------------------------------------------------


def test_unsupported_field_uses_stripes_message() -> None:
    assert error('foo:"bar"') == (
        "Field `foo` is an unsupported search field for resource `invoices`. See "
        "http://stripe.com/docs/search#query-fields-for-invoices for a list of supported fields."
    )


def test_unsupported_field_message_names_the_resource() -> None:
    assert "for resource `customers`" in error('status:"open"', "customers")


def test_syntax_is_checked_before_the_field_name() -> None:
    assert error("foo:").startswith(UNPARSABLE)
    assert error('foo["k"]:"v"').startswith("Field `foo` is an unsupported search field")


def test_fields_of_other_resources_and_nested_fields_are_unsupported() -> None:
    assert "`email` is an unsupported search field" in error('email:"a@b.c"')
    assert "`amount` is an unsupported search field" in error("amount>5")
    assert "`payment_method_details.card.last4`" in error("payment_method_details.card.last4:4242")


def test_a_bare_word_is_unparsable_as_in_stripe() -> None:
    message = error("asdf")
    assert message.startswith(f"{UNPARSABLE} Expected an operator (:, ~, >, <, >=, <= or =) right after")
    assert message.endswith(
        'Try using the format `metadata["key"]:"value"` to query for metadata or key:"value" to query for '
        "other fields."
    )


# --- errors for malformed queries ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_empty_query_is_rejected(query: str) -> None:
    assert error(query).startswith(f"{UNPARSABLE} The query is empty.")


@pytest.mark.parametrize(
    "query",
    ['status:"open" AND total>1 OR total<5', 'status:"open" or total>1 and total<5'],
)
def test_mixing_and_with_or_is_rejected(query: str) -> None:
    assert "AND and OR cannot be combined in one query" in error(query)


def test_more_than_ten_clauses_are_rejected() -> None:
    query = " AND ".join(f"total>{i}" for i in range(MAX_CLAUSES + 1))
    assert error(query) == (
        "Search queries can have at most 10 clauses, but this one has 11. Split it into several searches."
    )


@pytest.mark.parametrize("query", ['(status:"open")', 'status:"open" AND (total>1 OR total<5)'])
def test_parentheses_are_rejected(query: str) -> None:
    assert "Parentheses are not supported" in error(query)


def test_unquoted_string_value_is_rejected_with_the_quoted_form() -> None:
    assert error("status:open") == (
        'String values in search queries must be quoted: write status:"open" instead of status:open.'
    )


def test_unquoted_metadata_value_is_rejected_with_the_quoted_form() -> None:
    assert 'write metadata["k"]:"v" instead' in error('metadata["k"]:v')


def test_substring_on_a_field_without_substring_support_is_rejected() -> None:
    assert error('currency~"usd"') == (
        "Field `currency` does not support substring matching (~) for resource `invoices`; "
        'use an exact match instead, as in currency:"value".'
    )
    assert "does not support substring matching" in error('metadata["k"]~"value"')


def test_substring_on_a_numeric_field_is_rejected() -> None:
    assert error("total~1000") == "Field `total` is numeric and does not support substring matching (~)."


@pytest.mark.parametrize("value", ["", "a", "am"])
def test_substring_needs_at_least_three_characters(value: str) -> None:
    assert error(f'email~"{value}"', "customers") == (
        f"Substring matching (~) needs a value of at least 3 characters, but `email` was given {len(value)}."
    )


def test_substring_of_exactly_three_characters_is_accepted() -> None:
    assert one(customers('email~"a.b"')).value == "a.b"


@pytest.mark.parametrize("op", [">", "<", ">=", "<=", "="])
def test_numeric_comparators_on_a_string_field_are_rejected(op: str) -> None:
    assert error(f'status{op}"open"') == (
        f"The `{op}` operator only works on numeric fields (created, total); "
        "`status` is not numeric, so use : or ~ instead."
    )


def test_comparator_error_on_an_exact_only_field_suggests_only_colon() -> None:
    assert error('currency>"usd"').endswith("so use : instead.")


@pytest.mark.parametrize("query", ['total:"abc"', "total>1.5", 'total:"1.5"', 'total:""', "total:abc"])
def test_numeric_field_needs_an_integer(query: str) -> None:
    assert error(query).startswith("Field `total` takes an integer value, but got `")


def test_numeric_value_outside_64_bits_is_rejected() -> None:
    assert "out of range" in error(f"total>{2**63}")
    assert one(invoices(f"total>{2**63 - 1}")).value == 2**63 - 1


@pytest.mark.parametrize("query", ["total>null", 'metadata["k"]~null'])
def test_only_colon_can_test_for_null(query: str) -> None:
    assert "Only `:` can test for null" in error(query)


def test_unterminated_string_is_rejected() -> None:
    assert "The string starting at position 7 has no closing \"." in error('status:"open')
    assert "has no closing" in error('status:"open\\"')


@pytest.mark.parametrize(
    "query", ['status :"open"', 'status: "open"', '- status:"open"', 'metadata ["k"]:"v"']
)
def test_spaces_inside_a_clause_are_rejected(query: str) -> None:
    message = error(query)
    assert message.startswith(UNPARSABLE)
    assert "no spaces are allowed inside a clause" in message


def test_clauses_must_be_separated() -> None:
    assert "Clauses must be separated by a space, AND or OR" in error('status:"open"total>1')


@pytest.mark.parametrize(
    "query", ['AND status:"open"', 'status:"open" AND', 'status:"open" AND AND total>1', "OR"]
)
def test_a_keyword_needs_a_clause_on_each_side(query: str) -> None:
    assert "must have a clause on each side" in error(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status:", "Expected a value right after `:`, found the end of the query."),
        ("status", "Expected an operator (:, ~, >, <, >=, <= or =) right after `status`"),
        ('status!="open"', "Unexpected character '!' at position 6."),
        ('"open"', "Expected a field name at position 0"),
        ('-"open"', "Expected a field name right after `-`"),
        ('metadata:"v"', 'Metadata needs a key in brackets, as in metadata["key"]:"value".'),
        ('status["k"]:"v"', "Only metadata takes a key in brackets; `status` does not."),
        ('metadata[k]:"v"', "Expected a quoted metadata key right after `[`"),
        ('metadata["k":"v"', "Expected `]` right after `k`"),
        ("total>>5", "Expected a value right after `>`"),
    ],
)
def test_malformed_clauses_say_what_was_expected(query: str, expected: str) -> None:
    message = error(query)
    assert message.startswith(UNPARSABLE)
    assert expected in message


# --- properties ---------------------------------------------------------------------------------------


def _parse_or_param_error(query: str) -> None:
    for fields, resource in ((INVOICE_SEARCH_FIELDS, "invoices"), (CUSTOMER_SEARCH_FIELDS, "customers")):
        try:
            flt = parse_search(query, fields, resource)
        except ParamError as exc:
            assert exc.param == "query"
            assert exc.message
            continue
        assert 1 <= len(flt.conds) <= MAX_CLAUSES
        for cond in flt.conds:
            field = fields[cond.field]
            assert (cond.key is not None) == (field.kind == "metadata")
            if cond.op in ("null", "notnull"):
                assert cond.value is None
            elif field.kind == "number":
                assert type(cond.value) is int
            else:
                assert isinstance(cond.value, str)


@settings(max_examples=500)
@given(st.text())
def test_any_text_parses_or_raises_param_error(query: str) -> None:
    _parse_or_param_error(query)


_QUERYISH = st.text(alphabet=" \t\"'\\:~<>=-[]()0123456789.metadaANDORorstu_lnx", max_size=40)
_PIECES = st.sampled_from([
    "status", "total", "created", "email", "name", "metadata", "currency", "AND", "OR", "and", "null", "NULL",
    ":", "~", ">", "<", ">=", "<=", "=", "-", "[", "]", '"', "'", "\\", '"abc"', "'k'", "12", "-3", " ", "(",
])


@settings(max_examples=500)
@given(st.one_of(_QUERYISH, st.lists(_PIECES, max_size=30).map("".join)))
def test_query_like_text_parses_or_raises_param_error(query: str) -> None:
    _parse_or_param_error(query)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


_STRING_CLAUSE = st.tuples(
    st.booleans(), st.sampled_from(["currency", "customer", "number", "status"]), st.text()
).map(lambda t: (f"{'-' if t[0] else ''}{t[1]}:{_quote(t[2])}", Cond(t[1], "!=" if t[0] else "=", t[2])))
_NUMBER_CLAUSE = st.tuples(
    st.sampled_from(["total", "created"]), st.sampled_from([">", "<", ">=", "<=", "="]),
    st.integers(-(2**63), 2**63 - 1),
).map(lambda t: (f"{t[0]}{t[1]}{t[2]}", Cond(t[0], t[1], t[2])))  # type: ignore[arg-type]
_METADATA_CLAUSE = st.tuples(st.text(), st.text()).map(
    lambda t: (f"metadata[{_quote(t[0])}]:{_quote(t[1])}", Cond("metadata", "=", t[1], key=t[0]))
)


@settings(max_examples=300)
@given(
    st.lists(st.one_of(_STRING_CLAUSE, _NUMBER_CLAUSE, _METADATA_CLAUSE), min_size=1, max_size=MAX_CLAUSES),
    st.sampled_from([" ", " AND ", " OR ", "\n"]),
)
def test_well_formed_queries_parse_back_to_their_clauses(
    clauses: list[tuple[str, Cond]], joiner: str
) -> None:
    flt = invoices(joiner.join(text for text, _ in clauses))
    assert flt.conds == tuple(cond for _, cond in clauses)
    assert flt.any_of is (joiner == " OR " and len(clauses) > 1)
