"""Parameter schemas as data. One ``Spec`` tree per operation validates and converts what the client
sent (form strings or JSON values) into Python values, with Stripe's error wording, and the same tree
describes the operation in the OpenAPI document.

An emptyable parameter posted as "" (Stripe's way to unset) becomes ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arrears.domain import currency as currencies
from arrears.domain import limits
from arrears.domain.errors import ParamError

_INT = re.compile(r"-?\d{1,19}")
_DECIMAL = re.compile(r"-?\d{1,15}(\.\d{1,12})?")
INT64 = (1 << 63) - 1


@dataclass(frozen=True)
class Spec:
    type: str  # string | integer | boolean | enum | decimal | currency | map | object | array | int_or_range
    required: bool = False
    emptyable: bool = False
    fields: Mapping[str, Spec] = field(default_factory=dict)
    items: Spec | None = None
    values: tuple[str, ...] = ()
    max_length: int = 5000
    minimum: int | None = None
    maximum: int | None = None
    max_items: int = 250
    doc: str = ""
    format: str = ""  # "unix-time": a timestamp, refused out of its bounds in the timestamps' words


def string(*, required: bool = False, emptyable: bool = False, max_length: int = 5000, doc: str = "") -> Spec:
    return Spec("string", required=required, emptyable=emptyable, max_length=max_length, doc=doc)


def integer(*, required: bool = False, minimum: int | None = None, maximum: int | None = None, doc: str = "") -> Spec:
    return Spec("integer", required=required, minimum=minimum, maximum=maximum, doc=doc)


def amount(*, required: bool = False, doc: str = "") -> Spec:
    """An amount in minor units, within the largest bound of any currency (domain/limits.py); the
    services hold it to its own currency's once that is known."""
    return integer(required=required, minimum=-limits.LARGEST_AMOUNT, maximum=limits.LARGEST_AMOUNT, doc=doc)


def timestamp(*, required: bool = False, doc: str = "") -> Spec:
    """A Unix time of years 1970 to 9999 (domain/limits.py)."""
    return Spec("integer", required=required, minimum=limits.MIN_TIMESTAMP, maximum=limits.MAX_TIMESTAMP, doc=doc,
                format="unix-time")


def boolean(*, doc: str = "") -> Spec:
    return Spec("boolean", doc=doc)


def enum(*values: str, required: bool = False, emptyable: bool = False, doc: str = "") -> Spec:
    return Spec("enum", values=values, required=required, emptyable=emptyable, doc=doc)


def decimal(*, doc: str = "") -> Spec:
    return Spec("decimal", doc=doc)


def currency(*, required: bool = False, only: tuple[str, ...] = (), doc: str = "") -> Spec:
    """A currency code, read by the domain rule (lowercased; Stripe's list, or ``only`` these)."""
    return Spec("currency", required=required, values=only, doc=doc)


def obj(fields: Mapping[str, Spec], *, required: bool = False, emptyable: bool = False, doc: str = "") -> Spec:
    return Spec("object", fields=fields, required=required, emptyable=emptyable, doc=doc)


def array(items: Spec, *, required: bool = False, emptyable: bool = False, max_items: int = 250, doc: str = "") -> Spec:
    return Spec("array", items=items, required=required, emptyable=emptyable, max_items=max_items, doc=doc)


def metadata() -> Spec:
    return Spec("map", emptyable=True, doc="Set of key-value pairs; an empty value unsets a key.")


def map_of(items: Spec, *, doc: str = "") -> Spec:
    """A hash keyed by names the caller checks (currency codes: ``currency_options[eur][amount_off]``),
    each value an ``items``."""
    return Spec("map", items=items, doc=doc)


def timestamp_filter(doc: str = "") -> Spec:
    """``created=123`` or ``created[gte]=123`` (gt, gte, lt, lte), each a timestamp (``timestamp``)."""
    return Spec("int_or_range", minimum=limits.MIN_TIMESTAMP, maximum=limits.MAX_TIMESTAMP, doc=doc,
                format="unix-time")


def _name(path: str) -> str:
    return path


def _invalid_empty(path: str) -> ParamError:
    return ParamError(
        f"You passed an empty string for '{path}'. We assume empty values are an attempt to unset a "
        f"parameter; however '{path}' cannot be unset. You should remove '{path}' from your request or "
        "supply a non-empty value.", param=path, code="parameter_invalid_empty",
    )


def _as_int(value: Any, path: str, spec: Spec) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
        isinstance(value, str) and not _INT.fullmatch(value)
    ):
        raise ParamError(f"Invalid integer: {str(value)[:100]}", param=path, code="parameter_invalid_integer")
    number = int(value)
    if abs(number) > INT64:
        raise ParamError(f"Invalid integer: {str(value)[:100]}", param=path, code="parameter_invalid_integer")
    if spec.minimum is not None and number < spec.minimum:
        if spec.format == "unix-time":
            raise limits.timestamp_error(path)
        raise ParamError(f"This value must be greater than or equal to {spec.minimum}.", param=path)
    if spec.maximum is not None and number > spec.maximum:
        if spec.format == "unix-time":
            raise limits.timestamp_error(path)
        raise ParamError(f"This value must be less than or equal to {spec.maximum}.", param=path)
    return number


def _items(value: Any, path: str) -> list[Any]:
    """Arrays arrive as JSON lists or as dicts with digit keys from the form parser."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    raise ParamError(f"Invalid array: {path} must be a list (e.g. {path}[0]=...)", param=path)


def no_nul(text: str, path: str) -> str:
    """Text without NUL characters, which no database text column holds (PostgreSQL refuses them)."""
    if "\x00" in text:
        raise ParamError(f"Invalid string for {path}: it contains a NUL character (\\u0000).", param=path)
    return text


def convert(value: Any, spec: Spec, path: str) -> Any:
    if value == "" and spec.type != "string":
        if spec.emptyable:
            return None
        raise _invalid_empty(path)
    if value is None:
        if spec.emptyable:
            return None
        raise ParamError(f"Invalid {spec.type}: {path} cannot be null", param=path)
    kind = spec.type
    if kind == "string":
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ParamError(f"Invalid string: {path} must be a string", param=path)
        text = str(value)
        if text == "":
            if spec.emptyable:
                return None
            raise _invalid_empty(path)
        if len(text) > spec.max_length:
            raise ParamError(f"Invalid string: {text[:40]}...; must be at most {spec.max_length} characters",
                             param=path)
        return no_nul(text, path)
    if kind == "integer":
        return _as_int(value, path, spec)
    if kind == "currency":
        if not isinstance(value, str):
            raise ParamError(f"Invalid string: {path} must be a string", param=path)
        return currencies.parse(value, param=path, only=spec.values or None)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise ParamError(f"Invalid boolean: {str(value)[:100]}", param=path)
    if kind == "enum":
        if value not in spec.values:
            choices = ", ".join(spec.values[:-1]) + (", or " if len(spec.values) > 2 else " or ") + spec.values[-1]
            raise ParamError(f"Invalid {path}: must be one of {choices}", param=path)
        return value
    if kind == "decimal":
        text = str(value)
        if isinstance(value, bool) or not _DECIMAL.fullmatch(text):
            raise ParamError(f"Invalid decimal: {text[:100]}", param=path)
        return text
    if kind == "map":
        if not isinstance(value, dict):
            raise ParamError(f"Invalid {path}: must be a hash of string keys and values (e.g. {path}[key]=value)",
                             param=path)
        if spec.items is not None:  # map_of: each value is a hash of its own
            return {no_nul(str(key), path): convert(item, spec.items, f"{path}[{key}]") for key, item in value.items()}
        out: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, dict | list | bool):
                raise ParamError(f"Invalid value for {path}[{key}]: values must be strings", param=f"{path}[{key}]")
            out[no_nul(str(key), path)] = "" if item is None else no_nul(str(item), f"{path}[{key}]")
        return out
    if kind == "object":
        if not isinstance(value, dict):
            raise ParamError(f"Invalid {path}: must be a hash (e.g. {path}[field]=value)", param=path)
        return convert_fields(value, spec.fields, prefix=path)
    if kind == "array":
        if spec.items is None:
            raise ValueError(f"array spec at {path} has no item spec")
        items = _items(value, path)
        if len(items) > spec.max_items:
            raise ParamError(f"Invalid array: {path} can have at most {spec.max_items} items", param=path)
        return [convert(item, spec.items, f"{path}[{i}]") for i, item in enumerate(items)]
    if kind == "int_or_range":
        if isinstance(value, dict):
            bounds = {"gt", "gte", "lt", "lte"}
            ranges: dict[str, int] = {}
            for key, item in value.items():
                if key not in bounds:
                    raise ParamError(f"Received unknown parameter: {path}[{key}]", param=f"{path}[{key}]",
                                     code="parameter_unknown")
                ranges[key] = _as_int(item, f"{path}[{key}]", spec)
            return ranges
        return _as_int(value, path, spec)
    raise ValueError(f"unknown spec type {kind}")


def convert_fields(raw: Mapping[str, Any], fields: Mapping[str, Spec], *, prefix: str = "") -> dict[str, Any]:
    """Validate a whole parameter hash: unknown names, missing required ones, then each value."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{prefix}[{key}]" if prefix else key
        spec = fields.get(key)
        if spec is None:
            raise ParamError(f"Received unknown parameter: {path}", param=path, code="parameter_unknown")
        out[key] = convert(value, spec, path)
    for key, spec in fields.items():
        if spec.required and out.get(key) is None:
            path = f"{prefix}[{key}]" if prefix else key
            raise ParamError(f"Missing required param: {path}.", param=path, code="parameter_missing")
    return out
