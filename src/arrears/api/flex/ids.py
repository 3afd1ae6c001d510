"""Flex ids: Flex's type prefix and an uppercase Crockford base32 body, e.g. ``fin_0M4Q…``.

arrears keeps one id per object (``in_`` + 24 base-62 characters). The Flex face shows it re-encoded,
reversibly, without any table: the base-62 body read as a number and written in Crockford base32, so
an invoice id has 29 characters after ``fin_`` (a 24-character base-62 id holds 143 bits, more than a
26-character ULID's 130). Crockford decoding ignores case and reads I/L as 1 and O as 0, so ids match
case-insensitively, as Flex's do. An id in arrears' own form (``in_…``) is accepted as it is."""

from __future__ import annotations

import math
import re

from arrears.domain.errors import NotFound, missing
from arrears.ids import _ALPHABET as BASE62

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(CROCKFORD)} | {"I": 1, "L": 1, "O": 0}
_BASE62 = {c: i for i, c in enumerate(BASE62)}

# Flex object -> (Flex prefix, arrears prefix, object name for "No such ..." messages)
PREFIXES: dict[str, tuple[str, str, str]] = {
    "invoice": ("fin", "in", "invoice"),
    "customer": ("fcus", "cus", "customer"),
    "invoice_item": ("fii", "ii", "invoice item"),
}
_BY_INTERNAL = {internal: flex for flex, internal, _ in PREFIXES.values()}
_INTERNAL_ID = re.compile(r"\b(" + "|".join(_BY_INTERNAL) + r")_[0-9A-Za-z]{8,40}\b")


def _width(length: int) -> int:
    """Crockford digits needed for a base-62 body of ``length`` characters."""
    return math.ceil(length * math.log2(62) / 5)


_LENGTH_OF_WIDTH = {_width(n): n for n in range(1, 41)}


def to_flex(internal: str | None) -> str | None:
    """``in_…`` → ``fin_…``; ids of other kinds (or other forms) are returned unchanged."""
    if internal is None:
        return None
    prefix, _, body = internal.partition("_")
    flex = _BY_INTERNAL.get(prefix)
    if flex is None or not body or any(c not in _BASE62 for c in body):
        return internal
    number = 0
    for c in body:
        number = number * 62 + _BASE62[c]
    width = _width(len(body))
    digits = []
    for _ in range(width):
        number, rest = divmod(number, 32)
        digits.append(CROCKFORD[rest])
    return f"{flex}_{''.join(reversed(digits))}"


def to_internal(kind: str, given: str) -> str:
    """The arrears id behind a Flex id of ``kind``; an unreadable Flex id is simply not found."""
    flex, internal, name = PREFIXES[kind]
    head, _, body = given.partition("_")
    if head.lower() != flex:
        return given
    length = _LENGTH_OF_WIDTH.get(len(body))
    if length is None or any(c.upper() not in _DECODE for c in body):
        raise not_found(kind, given)
    number = 0
    for c in body:
        number = number * 32 + _DECODE[c.upper()]
    if number >= 62 ** length:
        raise not_found(kind, given)
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 62)
        chars.append(BASE62[rest])
    return f"{internal}_{''.join(reversed(chars))}"


def not_found(kind: str, given: str) -> NotFound:
    return missing(PREFIXES[kind][2], given, "id")


def in_text(text: str) -> str:
    """A message with every arrears id in it shown as its Flex id."""
    return _INTERNAL_ID.sub(lambda m: to_flex(m.group(0)) or m.group(0), text)
