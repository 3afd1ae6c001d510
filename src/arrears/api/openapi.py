"""OpenAPI 3.1 documents generated from a face's route table, never written by hand.

Each face describes its operations as ``Described`` rows (built from its own routes table) and its
response objects in the compact notation of ``shape``; ``document`` turns both into one OpenAPI
document. Request parameters come from the same ``Spec`` trees that validate requests, so the
document cannot drift from what the server accepts.

The notation of ``shape``: ``"string"``, ``"integer"``, ``"boolean"``, ``"object"`` (free-form),
``"array"`` (of anything), ``"map"`` (string values); ``"T?"`` is nullable; ``"'x'"`` is the constant
string x; ``"$name"`` is a component; ``"$name|string"`` is an id that ``expand`` can replace by the
object; ``"[T]"`` is an array of T; ``"a/b/c"`` is an enum of strings. A dict is an object whose keys
are all required except those written ``"?key"`` (keys the face omits when they do not apply);
``nullable(fields)`` is such an object that may be null, and ``Raw(schema)`` embeds plain JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from arrears.api.schema import Spec
from arrears.domain import currency as currencies

JSON = "application/json"
CSV = "text/csv"
FORM = "application/x-www-form-urlencoded"
_PATH_PARAM = re.compile(r"{(\w+)}")
_SIMPLE = {"string", "integer", "boolean", "number"}

Schema = dict[str, Any]


class Raw(dict[str, Any]):
    """A JSON Schema given as is inside the notation (``shape`` returns it unchanged)."""


def nullable(fields: Mapping[str, Any]) -> Raw:
    """An object in the notation that may also be null."""
    return Raw({**obj(fields), "type": ["object", "null"]})


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema or "anyOf" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "const" in schema or "enum" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def shape(spec: Any) -> Schema:
    """A JSON Schema from the compact notation (see the module docstring)."""
    if isinstance(spec, Raw):
        return dict(spec)
    if isinstance(spec, Mapping):
        return obj(spec)
    text = str(spec)
    if text.endswith("?"):
        return _nullable(shape(text[:-1]))
    if text.startswith("'"):
        return {"type": "string", "const": text.strip("'")}
    if text.startswith("["):
        return {"type": "array", "items": shape(text[1:-1])}
    if text.startswith("$"):
        name, _, alt = text[1:].partition("|")
        return {"anyOf": [shape(alt), ref(name)]} if alt else ref(name)
    if "/" in text:
        return {"type": "string", "enum": text.split("/")}
    if text == "map":
        return {"type": "object", "additionalProperties": {"type": "string"}}
    if text in ("object", "array"):
        return {"type": text}
    if text == "any":
        return {}
    if text not in _SIMPLE:
        raise ValueError(f"unknown shape {text!r}")
    return {"type": text}


def obj(fields: Mapping[str, Any], *, description: str = "") -> Schema:
    properties = {key.lstrip("?"): shape(value) for key, value in fields.items()}
    required = [key for key in fields if not key.startswith("?")]
    out: Schema = {"type": "object", "properties": properties, "required": required}
    if description:
        out["description"] = description
    return out


# --- request parameters, from the Specs that validate them ------------------------------------------

def param_schema(spec: Spec) -> Schema:
    kind = spec.type
    out: Schema
    if kind == "string":
        out = {"type": "string", "maxLength": spec.max_length}
    elif kind == "integer":
        out = {"type": "integer"}
        if spec.minimum is not None:
            out["minimum"] = spec.minimum
        if spec.maximum is not None:
            out["maximum"] = spec.maximum
    elif kind == "boolean":
        out = {"type": "boolean"}
    elif kind == "enum":
        out = {"type": "string", "enum": list(spec.values)}
    elif kind == "currency":  # lowercase ISO 4217; uppercase is accepted and lowercased
        out = {"type": "string", "enum": list(spec.values or currencies.SUPPORTED)}
    elif kind == "decimal":
        out = {"type": "string", "format": "decimal", "pattern": r"^-?\d{1,15}(\.\d{1,12})?$"}
    elif kind == "map":
        values = param_schema(spec.items) if spec.items is not None else {"type": "string"}
        out = {"type": "object", "additionalProperties": values}
    elif kind == "object":
        out = {"type": "object", "properties": {k: param_schema(v) for k, v in spec.fields.items()},
               "additionalProperties": False}
        required = [k for k, v in spec.fields.items() if v.required]
        if required:
            out["required"] = required
    elif kind == "array":
        if spec.items is None:
            raise ValueError("array spec without items")
        out = {"type": "array", "items": param_schema(spec.items), "maxItems": spec.max_items}
    elif kind == "int_or_range":
        bounds = {k: {"type": "integer"} for k in ("gt", "gte", "lt", "lte")}
        out = {"anyOf": [{"type": "integer"},
                         {"type": "object", "properties": bounds, "additionalProperties": False}]}
    else:
        raise ValueError(f"unknown spec type {kind}")
    if spec.emptyable:  # "" (or JSON null) unsets the field
        out = {"anyOf": [out, {"type": "string", "enum": [""]}, {"type": "null"}]}
    if spec.doc:
        out["description"] = spec.doc
    return out


def body_schema(params: Mapping[str, Spec]) -> Schema:
    out: Schema = {"type": "object", "properties": {k: param_schema(v) for k, v in params.items()},
                   "additionalProperties": False}
    required = [k for k, v in params.items() if v.required]
    if required:
        out["required"] = required
    return out


# --- the document -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Described:
    """One operation as the document shows it."""

    method: str
    path: str
    operation_id: str
    summary: str
    params: Mapping[str, Spec]  # query parameters of a GET/DELETE, body fields of a POST
    response: Schema  # the 200 body
    tag: str
    form: bool = False  # the body may also be form-encoded (Stripe's bracket notation)
    envelope: str | None = None  # the body fields are wrapped in {envelope: {...}} (Flex)
    csv: bool = False  # format=csv answers text/csv instead of JSON (the reports)


def _query_parameter(name: str, spec: Spec) -> Schema:
    out: Schema = {"name": name, "in": "query", "required": spec.required, "schema": param_schema(spec)}
    if spec.type in ("object", "map", "array", "int_or_range"):
        out.update(style="deepObject", explode=True)
    if spec.doc:
        out["description"] = spec.doc
    return out


def _operation(op: Described) -> Schema:
    parameters: list[Schema] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 5000}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    out: Schema = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag]}
    if op.method in ("GET", "DELETE"):
        parameters += [_query_parameter(name, spec) for name, spec in op.params.items()]
    else:
        fields = body_schema(op.params)
        required = any(spec.required for spec in op.params.values())
        if op.envelope is not None:
            fields = {"type": "object", "properties": {op.envelope: fields}, "additionalProperties": False,
                      **({"required": [op.envelope]} if required else {})}
        content: Schema = {JSON: {"schema": fields}}
        if op.form:
            nested = {k: {"style": "deepObject", "explode": True} for k, v in op.params.items()
                      if v.type in ("object", "map", "array", "int_or_range")}
            content[FORM] = {"schema": fields, **({"encoding": nested} if nested else {})}
        out["requestBody"] = {"required": required, "content": content}
    if parameters:
        out["parameters"] = parameters
    out["responses"] = {
        "200": {"description": "Successful response.", "content": {
            JSON: {"schema": op.response}, **({CSV: {"schema": {"type": "string"}}} if op.csv else {})}},
        "default": {"description": "Error response.", "content": {JSON: {"schema": ref("error")}}},
    }
    return out


def document(*, title: str, version: str, description: str, server_url: str, operations: Iterable[Described],
             schemas: Mapping[str, Schema], security_schemes: Mapping[str, Schema]) -> Schema:
    """The OpenAPI 3.1 document; ``schemas`` must include ``error``."""
    paths: dict[str, dict[str, Schema]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description, "x-ocp-enabled": True},
        "servers": [{"url": server_url}],
        "security": [{name: []} for name in security_schemes],
        "paths": paths,
        "components": {"schemas": dict(schemas), "securitySchemes": dict(security_schemes)},
    }


def server_url(base: str, mount: str = "") -> str:
    """The absolute URL clients should call, from the request's own base URL."""
    return base.rstrip("/") + mount
