"""Stripe's search query language (https://docs.stripe.com/search) → the store's ``Filter``.

A query is up to 10 clauses ``field`` ``operator`` ``value``, each written without spaces, separated by
whitespace, ``AND`` or ``OR`` (case-insensitive; AND by default; never both; no parentheses). A leading
``-`` negates a clause. ``:`` is an exact match (``field:null`` tests absence), ``~`` a substring match
of at least 3 characters on Stripe's "string" fields, and ``> < >= <= =`` compare numeric fields.
Strings are quoted, with double quotes as documented or single quotes as in Stripe's own examples; a
backslash escapes the next character. Numbers may be quoted or not, and an unquoted integer on a string
field is its text (Stripe's ``last4:4242``). Metadata is ``metadata["key"]:"value"``. A negated
comparator is inverted (``-total>5`` → ``total<=5``); unlike ``!=`` that leaves out NULL columns, which
the numeric search fields never are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from arrears.domain.errors import ParamError
from arrears.store.query import Cond, Filter, Op

MAX_CLAUSES = 10
MIN_SUBSTRING = 3
_INT64 = 2**63
_HINT = (
    'Try using the format `metadata["key"]:"value"` to query for metadata or key:"value" to query for other '
    "fields."
)
_OPERATORS = (">=", "<=", ":", "~", ">", "<", "=")  # two-character ones first
_COMPARATORS: dict[str, Op] = {">": ">", "<": "<", ">=": ">=", "<=": "<=", "=": "="}
_NEGATED: dict[Op, Op] = {"=": "!=", "~": "!~", ">": "<=", "<": ">=", ">=": "<", "<=": ">", "null": "notnull"}
_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_DIGITS = frozenset("0123456789")
_WORD_CHARS = _WORD_START | _DIGITS | {"."}


@dataclass(frozen=True)
class SearchField:
    column: str  # store column name the field maps to (or "metadata")
    kind: Literal["string", "number", "metadata"]  # number covers integers and unix timestamps
    substring: bool = False  # whether `~` is allowed on this field


_Names = tuple[str, ...]


def _fields(numbers: _Names, exact: _Names, substring: _Names) -> Mapping[str, SearchField]:
    table = {"metadata": SearchField("metadata", "metadata")}
    table |= {name: SearchField(name, "number") for name in numbers}
    table |= {name: SearchField(name, "string") for name in exact}  # Stripe's "token" type
    table |= {name: SearchField(name, "string", substring=True) for name in substring}  # its "string" type
    return MappingProxyType(dict(sorted(table.items())))


# https://docs.stripe.com/search#query-fields-for-invoices and #query-fields-for-customers
INVOICE_SEARCH_FIELDS = _fields(
    numbers=("created", "total"),
    exact=("currency", "customer", "last_finalization_error_code", "last_finalization_error_type"),
    substring=("number", "receipt_number", "status", "subscription"),
)
CUSTOMER_SEARCH_FIELDS = _fields(numbers=("created",), exact=(), substring=("email", "name", "phone"))


@dataclass(frozen=True)
class _Token:
    kind: Literal["word", "string", "number", "op", "[", "]", "-"]
    text: str  # the word, operator or digits; for a string, its unescaped contents
    start: int
    spaced: bool  # whitespace (or the start of the query) comes right before it


def _error(message: str) -> ParamError:
    return ParamError(message, param="query")


def _unparsable(detail: str) -> ParamError:
    return _error(f"We were unable to parse your search query. {detail} {_HINT}")


def _lone_combinator(tok: _Token) -> ParamError:
    return _unparsable(f"`{tok.text}` at position {tok.start} must have a clause on each side.")


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, spaced, n = 0, True, len(query)
    while i < n:
        ch, start = query[i], i
        if ch.isspace():
            i, spaced = i + 1, True
            continue
        if ch in "\"'":
            chars: list[str] = []
            i += 1
            while i < n and query[i] != ch:
                if query[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(query[i])
                i += 1
            if i >= n:
                raise _unparsable(f"The string starting at position {start} has no closing {ch}.")
            tokens.append(_Token("string", "".join(chars), start, spaced))
            i += 1
        elif ch in _WORD_START or ch in _DIGITS:  # a decimal point makes a number that _to_int rejects
            allowed = _WORD_CHARS if ch in _WORD_START else _DIGITS | {"."}
            while i < n and query[i] in allowed:
                i += 1
            tokens.append(_Token("word" if ch in _WORD_START else "number", query[start:i], start, spaced))
        elif ch in "[]-":
            tokens.append(_Token(ch, ch, start, spaced))  # type: ignore[arg-type]
            i += 1
        elif op := next((o for o in _OPERATORS if query.startswith(o, i)), None):
            i += len(op)
            tokens.append(_Token("op", op, start, spaced))
        elif ch in "()":
            raise _unparsable("Parentheses are not supported; join clauses with AND or with OR.")
        else:
            raise _unparsable(f"Unexpected character {ch!r} at position {start}.")
        spaced = False
    return tokens


class _Parser:
    def __init__(self, query: str, fields: Mapping[str, SearchField], resource: str) -> None:
        self.tokens = _tokenize(query)
        self.pos = 0
        self.fields = fields
        self.resource = resource

    def peek(self, ahead: int = 0) -> _Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, kind: str, what: str) -> _Token:
        """The next token, which must be a ``kind`` written right after the previous one."""
        tok, after = self.peek(), self.tokens[self.pos - 1]
        if tok is None or tok.kind != kind or tok.spaced:
            found = "the end of the query" if tok is None else f"`{tok.text}` at position {tok.start}"
            gap = " (no spaces are allowed inside a clause)" if tok is not None and tok.spaced else ""
            raise _unparsable(f"Expected {what} right after `{after.text}`, found {found}{gap}.")
        self.pos += 1
        return tok

    def is_combinator(self) -> bool:
        tok, nxt = self.peek(), self.peek(1)
        return (
            tok is not None and tok.kind == "word" and tok.text.upper() in ("AND", "OR")
            and not (nxt is not None and not nxt.spaced and nxt.kind in ("op", "["))
        )

    def parse(self) -> Filter:
        if not self.tokens:
            raise _unparsable("The query is empty.")
        conds = [self.clause()]
        joiners: set[str] = set()
        while (tok := self.peek()) is not None:
            if not tok.spaced:
                raise _unparsable(f"Clauses must be separated by a space, AND or OR (position {tok.start}).")
            if self.is_combinator():
                joiners.add(tok.text.upper())
                if len(joiners) > 1:
                    raise _unparsable("AND and OR cannot be combined in one query; use only one of them.")
                self.pos += 1
                nxt = self.peek()
                if nxt is None or not nxt.spaced:
                    raise _lone_combinator(tok)
            conds.append(self.clause())
        if len(conds) > MAX_CLAUSES:
            raise _error(
                f"Search queries can have at most {MAX_CLAUSES} clauses, but this one has {len(conds)}. "
                "Split it into several searches."
            )
        return Filter(tuple(conds), any_of=joiners == {"OR"})

    def clause(self) -> Cond:
        first = self.peek()
        assert first is not None
        if self.is_combinator():
            raise _lone_combinator(first)
        negated = first.kind == "-"
        if negated:
            self.pos += 1
            name = self.take("word", "a field name")
        elif first.kind == "word":
            self.pos += 1
            name = first
        else:
            raise _unparsable(f"Expected a field name at position {first.start}, found `{first.text}`.")
        key: str | None = None
        bracket = self.peek()
        if bracket is not None and bracket.kind == "[" and not bracket.spaced:
            self.pos += 1
            key = self.take("string", "a quoted metadata key").text
            self.take("]", "`]`")
        operator = self.take("op", "an operator (:, ~, >, <, >=, <= or =)").text
        value = self.take_value()
        field = self.fields.get(name.text)  # looked up after the syntax, as Stripe does
        if field is None:
            raise _error(
                f"Field `{name.text}` is an unsupported search field for resource `{self.resource}`. See "
                f"http://stripe.com/docs/search#query-fields-for-{self.resource.replace('_', '-')} "
                "for a list of supported fields."
            )
        if field.kind == "metadata" and key is None:
            raise _unparsable('Metadata needs a key in brackets, as in metadata["key"]:"value".')
        if field.kind != "metadata" and key is not None:
            raise _unparsable(f"Only metadata takes a key in brackets; `{name.text}` does not.")
        shown = name.text if key is None else f'metadata["{key}"]'
        cond = self.build(shown, field, operator, value, key)
        return Cond(cond.field, _NEGATED[cond.op], cond.value, cond.key) if negated else cond

    def take_value(self) -> _Token:
        tok = self.peek()
        if tok is not None and tok.kind == "-" and not tok.spaced:  # a negative number
            nxt = self.peek(1)
            if nxt is not None and nxt.kind == "number" and not nxt.spaced:
                self.pos += 2
                return _Token("number", "-" + nxt.text, tok.start, False)
        kind = tok.kind if tok is not None and tok.kind in ("string", "number", "word") else "string"
        return self.take(kind, "a value")  # raises a clear error when there is no value

    def build(self, name: str, field: SearchField, operator: str, value: _Token, key: str | None) -> Cond:
        column = field.column
        if value.kind == "word":
            if value.text.lower() == "null" and operator == ":":
                return Cond(column, "null", None, key)
            if value.text.lower() == "null":
                raise _error(f"Only `:` can test for null, as in {name}:null.")
            if field.kind != "number":  # on a number field, _to_int below says an integer is expected
                raise _error(
                    f'String values in search queries must be quoted: write {name}:"{value.text}" '
                    f"instead of {name}:{value.text}."
                )
        if field.kind == "number":
            if operator == "~":
                raise _error(f"Field `{name}` is numeric and does not support substring matching (~).")
            number = _to_int(name, value.text)
            return Cond(column, "=" if operator == ":" else _COMPARATORS[operator], number, key)
        if operator == ":":
            return Cond(column, "=", value.text, key)
        if operator == "~":
            if not field.substring:
                raise _error(
                    f"Field `{name}` does not support substring matching (~) for resource "
                    f"`{self.resource}`; use an exact match instead, as in {name}:\"value\"."
                )
            if len(value.text) < MIN_SUBSTRING:
                raise _error(
                    f"Substring matching (~) needs a value of at least {MIN_SUBSTRING} characters, "
                    f"but `{name}` was given {len(value.text)}."
                )
            return Cond(column, "~", value.text, key)
        numeric = ", ".join(sorted(n for n, f in self.fields.items() if f.kind == "number"))
        instead = ": or ~" if field.substring else ":"
        raise _error(
            f"The `{operator}` operator only works on numeric fields ({numeric}); "
            f"`{name}` is not numeric, so use {instead} instead."
        )


def _to_int(name: str, text: str) -> int:
    digits = text[1:] if text.startswith("-") else text
    if not digits or any(c not in _DIGITS for c in digits):
        raise _error(f"Field `{name}` takes an integer value, but got `{text}`.")
    number = int(text)
    if not -_INT64 <= number < _INT64:
        raise _error(f"The value for `{name}` is out of range: `{text}`.")
    return number


def parse_search(query: str, fields: Mapping[str, SearchField], resource: str) -> Filter:
    """Parse a Stripe search ``query`` over ``fields``; ``resource`` (e.g. "invoices") names it in errors.

    Raises ``ParamError`` (param "query") for anything it cannot turn into a ``Filter``.
    """
    return _Parser(query, fields, resource).parse()
