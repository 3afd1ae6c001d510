"""Check JSON objects against the field declarations of the installed `stripe` SDK.

`check(obj, stripe.Invoice)` walks the class annotations (per class in the MRO,
skipping ClassVars and `_private` names) and returns human-readable problems, each
prefixed with the JSON path (`lines.data[0].period.end`), or [] when `obj` conforms.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from types import NoneType, UnionType
from typing import Any, ClassVar, ForwardRef, Literal, TypeVar, Union

import stripe
from stripe._list_object import ListObject
from stripe._search_result_object import SearchResultObject
from stripe._stripe_object import StripeObject, UntypedStripeObject

# Forward references (and annotation forms) the checker could not resolve; such
# values are accepted unchecked. Tests print this set so it stays visibly small.
UNRESOLVED: set[str] = set()

# Fields declared Optional[...] that Stripe *omits* (rather than sending null) when they
# do not apply: (class, field) -> predicate on the containing object, True when the key
# may be absent. `deleted` is handled for every class in `_may_omit`, and so is the stub of a deleted
# object, {id, object, deleted: true}, which omits every other field.
Rule = Callable[[Mapping[str, Any]], bool]
_ALWAYS: Rule = lambda o: True  # noqa: E731


def _type_is_not(value: str) -> Rule:
    return lambda o: o.get("type") != value


OMITTABLE: dict[tuple[type, str], Rule] = {
    # stripe-invoices.md §3.2 / endive changelog: "We only include `status_details`
    # when the invoice's `status` is `uncollectible`".
    (stripe.Invoice, "status_details"): lambda o: o.get("status") != "uncollectible",
    # Includable invoice fields, returned only with expand[]=confirmation_secret / payments
    # (basil); the stripe-mock invoice fixture (which lists every other field) omits both.
    (stripe.Invoice, "confirmation_secret"): _ALWAYS,
    (stripe.Invoice, "payments"): _ALWAYS,
    # Connect account references: `account` is "The connected account being referenced
    # when `type` is `account`"; Stripe renders {"type": "self"} (docs example, fixtures).
    (stripe.Invoice.Issuer, "account"): _type_is_not("account"),
    (stripe.Invoice.AutomaticTax.Liability, "account"): _type_is_not("account"),
    # InvoicePayment.payment carries only the id named by `type` ("ID of the PaymentIntent
    # ... when `type` is `payment_intent`"); the fixture is {"type": "payment_intent"}.
    **{
        (stripe.InvoicePayment.Payment, f): _type_is_not(f)
        for f in ("charge", "payment_intent", "payment_record")
    },
    # Includable customer fields: only returned with expand[]=... (changelog 2020-08-27 for
    # sources/subscriptions/tax_ids; tax, cash_balance, invoice_credit_balance are
    # expand-only too). The stripe-mock customer fixture omits all six.
    **{
        (stripe.Customer, f): _ALWAYS
        for f in ("sources", "subscriptions", "tax_ids", "tax", "cash_balance", "invoice_credit_balance")
    },
    # WebhookEndpoint.secret: "Only returned at creation." (SDK field doc)
    (stripe.WebhookEndpoint, "secret"): _ALWAYS,
    # Event.account ("The connected account that originates the event") and `context`
    # exist only on Connect / context-scoped events; the event fixture omits both.
    (stripe.Event, "account"): _ALWAYS,
    (stripe.Event, "context"): _ALWAYS,
    # Event.data.previous_attributes: "only included in events of type `*.updated`".
    (stripe.Event.Data, "previous_attributes"): _ALWAYS,
}


def _may_omit(cls: type, name: str, obj: Mapping[str, Any]) -> bool:
    if name == "deleted":  # "Always true for a deleted object"; absent otherwise
        return True
    if obj.get("deleted") is True and name not in ("id", "object"):
        return True  # a deleted object may be the stub {id, object, deleted: true}, as a retrieved customer is
    rule = OMITTABLE.get((cls, name))
    return rule is not None and rule(obj)


_UNIONS = (Union, UnionType)  # typing.Optional[X] / Union[...] and X | None
Field = tuple[Any, str]  # (annotation, name of the module that declares it)


def check(obj: Any, cls: type, *, path: str = "") -> list[str]:
    """Problems found, as human-readable strings with the JSON path; [] when the object conforms."""
    if not isinstance(obj, dict):
        return [f"{_where(path)}: expected {cls.__name__} object, got {_json_type(obj)}"]
    return _check_fields(obj, _fields(cls), path, lambda name: _may_omit(cls, name, obj))


def _check_fields(
    obj: dict[str, Any],
    fields: dict[str, Field],
    path: str,
    may_omit: Callable[[str], bool] = lambda name: False,
) -> list[str]:
    problems: list[str] = []
    for name, (tp, module) in fields.items():
        if name in obj:
            problems += check_value(obj[name], tp, path=_join(path, name), module=module)
        elif not may_omit(name):
            problems.append(f"{_join(path, name)}: missing required key")
    problems += [f"{_join(path, key)}: unknown key" for key in obj if key not in fields]
    return problems


@cache
def _fields(cls: type) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for klass in reversed(cls.__mro__):
        for name, tp in inspect.get_annotations(klass).items():
            origin: Any = typing.get_origin(tp)
            if not name.startswith("_") and origin is not ClassVar:
                fields[name] = (tp, klass.__module__)
    return fields


def _list_fields(item: Any, module: str, search: bool) -> dict[str, Field]:
    # The SDK's ListObject/SearchResultObject declare neither `object` nor (for search)
    # `url`; real Stripe sends both, and `next_page` is null on the last page.
    fields: dict[str, Field] = {
        "object": (Literal["search_result" if search else "list"], module),
        "data": (list[item], module),
        "has_more": (bool, module),
        "url": (str, module),
    }
    if search:
        fields["next_page"] = (str | None, module)
    return fields


def check_value(value: Any, tp: Any, *, path: str = "", module: str = "stripe") -> list[str]:
    """Check `value` against an annotation, e.g. a list response against `ListObject[stripe.Invoice]`.

    `module` is where string forward references in `tp` are looked up.
    """
    tp = _resolve(tp, module)
    if not _shallow_ok(value, tp):
        return [_mismatch(value, tp, path)]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in _UNIONS:  # report the closest member: fewest problems among the right JSON kinds
        results = [check_value(value, a, path=path, module=module) for a in args if _shallow_ok(value, a)]
        return [] if [] in results else min(results, key=len)
    if origin is list:
        items = [check_value(v, args[0], path=f"{path}[{i}]", module=module) for i, v in enumerate(value)]
        return [p for problems in items for p in problems]
    if origin in (dict, Mapping, UntypedStripeObject):
        vt = args[-1] if args else Any
        return [p for k, v in value.items() for p in check_value(v, vt, path=_join(path, k), module=module)]
    if origin in (ListObject, SearchResultObject):
        extras = {"total_count": (int, module)}  # sent by some endpoints / when expanded
        fields = _list_fields(args[0] if args else Any, module, origin is SearchResultObject)
        return _check_fields(value, fields | extras, path, lambda name: name in extras)
    if isinstance(tp, type) and issubclass(tp, StripeObject):
        return check(value, tp, path=path)
    return []


def _mismatch(value: Any, tp: Any, path: str) -> str:
    union = typing.get_origin(tp) in _UNIONS
    members = [a for a in typing.get_args(tp) if a is not NoneType] if union else [tp]
    if len(members) == 1 and typing.get_origin(members[0]) is Literal and not isinstance(value, dict | list):
        return f"{_where(path)}: {value!r} is not one of {list(typing.get_args(members[0]))}"
    return f"{_where(path)}: expected {_describe(tp)}, got {_json_type(value)}"


def _shallow_ok(value: Any, tp: Any) -> bool:
    """Whether `value` has the right JSON kind for `tp` (no recursion into members)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any or isinstance(tp, TypeVar):
        return True
    if value is None or tp is NoneType:
        return value is None and (tp is NoneType or (origin in _UNIONS and NoneType in args))
    if origin in _UNIONS:
        return any(_shallow_ok(value, a) for a in args)
    if origin is Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is list:
        return isinstance(value, list)
    if origin is not None or (isinstance(tp, type) and issubclass(tp, StripeObject)):
        return isinstance(value, dict)  # Dict, Mapping, UntypedStripeObject, ListObject, resources
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if tp is Decimal:  # decimal_string fields: a JSON string holding a decimal
        try:
            return isinstance(value, str) and Decimal(value).is_finite()
        except InvalidOperation:
            return False
    UNRESOLVED.add(f"annotation {tp!r}")
    return True


def _resolve(tp: Any, module: str) -> Any:
    """Replace forward references (also inside Union/List/...) by the classes they name."""
    if isinstance(tp, str | ForwardRef):
        name = tp if isinstance(tp, str) else tp.__forward_arg__
        found = _lookup(name, module)
        if found is None:
            UNRESOLVED.add(f"{module}:{name}")
            return Any
        return found
    if typing.get_origin(tp) in _UNIONS:
        return Union[tuple(_resolve(a, module) for a in typing.get_args(tp))]  # noqa: UP007
    return tp


@cache
def _lookup(name: str, module: str) -> type | None:
    """`name` as seen from `module`: its globals, its (TYPE_CHECKING) imports, then `stripe.*`."""
    candidates = [getattr(sys.modules[module], name, None)]
    target = _imports(module).get(name)
    if target is not None:
        candidates.append(getattr(importlib.import_module(target[0]), target[1], None))
    candidates.append(getattr(stripe, name, None))
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, StripeObject)), None)


@cache
def _imports(module: str) -> dict[str, tuple[str, str]]:
    """Every `from X import Y [as Z]` in the module source, including TYPE_CHECKING blocks."""
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    return {
        alias.asname or alias.name: (node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def _describe(tp: Any) -> str:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is NoneType:
        return "null"
    if tp is Decimal:
        return "decimal string"
    if origin in _UNIONS:
        return " | ".join(_describe(a) for a in args)
    if origin is Literal:
        return f"one of {list(args)}"
    if origin is list:
        return "list"
    if origin in (ListObject, SearchResultObject):
        return "list object"
    if origin is not None:
        return "object"
    return getattr(tp, "__name__", repr(tp))


def _json_type(value: Any) -> str:
    names = {NoneType: "null", list: "list", dict: "object"}
    return names.get(type(value), type(value).__name__)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _where(path: str) -> str:
    return path or "<root>"
