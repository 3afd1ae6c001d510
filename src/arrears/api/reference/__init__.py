"""What a face's OpenAPI document says beyond its routes table: descriptions, examples, tool aliases.

- **Descriptions.** Every operation and every input property gets one: the face's own ``Spec.doc``
  first, else Stripe's words for the same operation (``stripe_docs.json``, extracted from stripe-node's
  type files by ``scripts/extract-stripe-docs``, never read from the SDK at run time), else Stripe's
  words for a parameter of the same name elsewhere, else arrears' own (``OWN`` below).
- **Examples.** One per operation (``examples/<face>.json``): the arguments of a real call and the
  server's real answer, recorded by ``tests/docs/test_examples.py`` and checked by it on every run,
  so an example cannot drift from what the server answers (``ARREARS_REGENERATE_EXAMPLES=1`` rewrites
  the files).
- **Aliases.** ``x-tool-alias``: a short task-shaped name for agents (``mark_invoice_uncollectible``)
  beside the operationId, as Stripe's own agent toolkit names its tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

Schema = dict[str, Any]
ALIAS = "x-tool-alias"
JSON = "application/json"
METHODS = ("get", "post", "put", "patch", "delete")

# Parameters no Stripe type file describes (arrears' own, or undocumented there), by name.
OWN: Mapping[str, str] = {
    "due_date": "Only return invoices due at this Unix time, or within the range given with gt/gte/lt/lte.",
    "unit_amount_decimal": "The unit amount in minor units as a decimal string with up to 12 decimals; "
                           "use instead of unit_amount for sub-cent prices.",
    "invoice_metadata": "Key-value pairs set on the invoice itself in the same request.",
    "as_of": "The Unix time the report is computed at; default now.",
    "format": "json (default) or csv.",
    "group_by": "How rows are grouped.",
    "start": "Start of the period, Unix time (inclusive).",
    "end": "End of the period, Unix time (exclusive).",
    "delivery": "Only the attempts of this delivery (one event to one endpoint).",
    "endpoint": "Only the attempts made to this webhook endpoint.",
    "period": "The length of each period row.",
    "first_name": "The customer's first name.",
    "last_name": "The customer's last name.",
    "employer": "The customer's employer.",
    "shipping": "The customer's shipping address.",
    "shipping_address_id": "An id of your own for this address.",
    "paid_off_platform": "true when the money was received outside arrears (cash, bank transfer).",
    "internal_reference": "Your own note of the payment, e.g. a bank transfer reference.",
    "payment_method": "The payment method to charge.",
    "tax_percent": "A tax rate in percent applied to this item.",
    "past_due": "true: only invoices past their due date.",
    "period_start": "Start of the period the item covers, Unix time.",
    "period_end": "End of the period the item covers, Unix time.",
    "event": "Only the attempts of this event.",
    "status": "Only objects with this status.",
    "gt": "Greater than this Unix time (or number).",
    "gte": "Greater than or equal to this Unix time (or number).",
    "lt": "Less than this Unix time (or number).",
    "lte": "Less than or equal to this Unix time (or number).",
    "currency": "Three-letter ISO currency code, in lowercase.",
    "customer": "The id of the customer.",
    "limit": "How many objects to return, between 1 and 100.",
    "starting_after": "A cursor: the id of the last object of the previous page.",
    "ending_before": "A cursor: the id of the first object of the next page.",
}


@cache
def _data(name: str) -> Any:
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


def stripe_operations() -> Mapping[str, Any]:
    """operationId -> {description, sdk_method, params: {name: {description, fields}}} from stripe-node."""
    return dict(_data("stripe_docs.json")["operations"])


@cache
def _by_name() -> Mapping[str, Any]:
    """A parameter's Stripe description by name, from the first operation that has it (top-level
    parameters first, then nested fields: ``line1`` is described as an address's)."""
    out: dict[str, Any] = {}
    level = [entry["params"] for entry in stripe_operations().values()]
    while level:
        for params in level:
            for name, param in params.items():
                out.setdefault(name, param)
        level = [p["fields"] for params in level for p in params.values() if "fields" in p]
    return out


def examples(face: str) -> Mapping[str, Any]:
    """operationId -> {"arguments": {...}, "status": 200, "response": ...} recorded from a real server."""
    try:
        return dict(_data(f"examples/{face}.json"))
    except FileNotFoundError:
        return {}


def snake(operation_id: str) -> str:
    """``MarkInvoiceUncollectible`` -> ``mark_invoice_uncollectible``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", operation_id).lower()


def _operations(doc: Schema) -> Iterator[tuple[str, Schema, Schema]]:
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, item[method], item


def _fill(schema: Schema, entry: Mapping[str, Any] | None, name: str) -> None:
    """Give ``schema`` (and its nested properties) a description where it has none."""
    if not isinstance(schema, dict):
        return
    entry = entry or _by_name().get(name) or {}
    if not schema.get("description"):
        text = entry.get("description") or OWN.get(name)
        if text:
            schema["description"] = text
    nested = entry.get("fields", {})
    for inner in _object_schemas(schema):
        for key, prop in inner.get("properties", {}).items():
            _fill(prop, nested.get(key), key)


def _object_schemas(schema: Schema) -> Iterator[Schema]:
    """The object schemas a property's schema holds: itself, its array items, its anyOf branches."""
    if "properties" in schema:
        yield schema
    if isinstance(schema.get("items"), dict):
        yield from _object_schemas(schema["items"])
    for branch in schema.get("anyOf", []):
        if isinstance(branch, dict):
            yield from _object_schemas(branch)


def _path_object(path: str, name: str) -> str:
    if name != "id":
        return name.replace("_", " ")
    before = path.split("/{" + name + "}")[0].rsplit("/", 1)[-1]
    return before[:-1].replace("_", " ") if before.endswith("s") else before.replace("_", " ")


def describe(doc: Schema, operations: Mapping[str, Any] | None = None) -> Schema:
    """Fill every missing operation and input description in ``doc`` (in place; also returned)."""
    operations = operations or {}
    for path, op, _ in _operations(doc):
        entry = operations.get(op.get("operationId", ""), {})
        if entry.get("description") and not op.get("description"):
            op["description"] = entry["description"]
        if not op.get("description"):
            op["description"] = op.get("summary", "")
        params = entry.get("params", {})
        for param in op.get("parameters", []):
            if param["in"] == "path":
                text = f"The id of the {_path_object(path, param['name'])}."
                param.setdefault("description", text)
                param["schema"].setdefault("description", text)
                continue
            _fill(param["schema"], params.get(param["name"]), param["name"])
            if param["schema"].get("description"):
                param.setdefault("description", param["schema"]["description"])
        for content in op.get("requestBody", {}).get("content", {}).values():
            body = content["schema"]
            inner = body
            if _enveloped(body):
                name, inner = next(iter(body["properties"].items()))
                inner.setdefault("description", f"The {name.replace('_', ' ')}'s fields, wrapped in its name.")
            for name, prop in inner.get("properties", {}).items():
                _fill(prop, params.get(name), name)
    return doc


def _enveloped(body: Schema) -> bool:
    """A Flex-style body: one property that is itself the object of fields."""
    props = body.get("properties", {})
    return len(props) == 1 and "properties" in next(iter(props.values()))


def alias(doc: Schema, names: Mapping[str, str] | None = None) -> Schema:
    """Set ``x-tool-alias`` on every operation: ``names[operationId]``, else the operationId in snake_case."""
    for _, op, _ in _operations(doc):
        operation_id = op.get("operationId", "")
        op[ALIAS] = (names or {}).get(operation_id) or snake(operation_id)
    return doc


def exemplify(doc: Schema, face: str) -> Schema:
    """Attach each operation's recorded example: arguments by where they go, and the 200 answer."""
    recorded = examples(face)
    for _, op, item in _operations(doc):
        example = recorded.get(op.get("operationId", ""))
        if example is None:
            continue
        args: Mapping[str, Any] = example["arguments"]
        for param in [*item.get("parameters", []), *op.get("parameters", [])]:
            if param["name"] in args:
                param["example"] = args[param["name"]]
        body = {k: v for k, v in args.items()
                if k not in {p["name"] for p in op.get("parameters", [])}}
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            if media == JSON and body:
                content["example"] = body
        answer = op.get("responses", {}).get("200", {}).get("content", {}).get(JSON)
        if answer is not None:
            answer["example"] = example["response"]
    return doc
