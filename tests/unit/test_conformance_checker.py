"""Unit tests of tests/support/conformance.py against stripe-mock fixture objects."""

from __future__ import annotations

import copy
import inspect
import json
import sys
import typing
from pathlib import Path
from types import NoneType
from typing import Any

import pytest
import stripe
from stripe._list_object import ListObject
from stripe._search_result_object import SearchResultObject

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # make `tests.support` importable however pytest is started
    sys.path.insert(0, str(ROOT))

from tests.support import conformance  # noqa: E402
from tests.support.conformance import check, check_value  # noqa: E402

FIXTURES: dict[str, dict[str, Any]] = json.loads(
    (ROOT / "tests" / "support" / "sdk_fixtures.json").read_text()
)["resources"]

RESOURCES: dict[str, type] = {
    "invoice": stripe.Invoice,
    "line_item": stripe.InvoiceLineItem,
    "invoiceitem": stripe.InvoiceItem,
    "customer": stripe.Customer,
    "customer_balance_transaction": stripe.CustomerBalanceTransaction,
}


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(FIXTURES[name])


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_fixture_conforms(name: str) -> None:
    assert check(fixture(name), RESOURCES[name]) == []


def test_missing_required_key() -> None:
    inv = fixture("invoice")
    del inv["amount_due"]
    assert check(inv, stripe.Invoice) == ["amount_due: missing required key"]


def test_missing_optional_key_is_still_missing() -> None:
    inv = fixture("invoice")
    del inv["description"]  # Optional[str], but Stripe sends null rather than omitting it
    assert check(inv, stripe.Invoice) == ["description: missing required key"]


def test_unknown_key() -> None:
    inv = fixture("invoice")
    inv["paid"] = True  # removed in basil
    assert check(inv, stripe.Invoice) == ["paid: unknown key"]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("amount_due", "1000", "amount_due: expected int, got str"),
        ("amount_due", True, "amount_due: expected int, got bool"),
        ("amount_due", 10.5, "amount_due: expected int, got float"),
        ("livemode", None, "livemode: expected bool, got null"),
        ("livemode", 0, "livemode: expected bool, got int"),
        ("currency", 840, "currency: expected str, got int"),
        ("object", "invoices", "object: 'invoices' is not one of ['invoice']"),
        ("deleted", False, "deleted: False is not one of [True]"),
        ("ending_balance", "0", "ending_balance: expected int | null, got str"),
        ("metadata", [], "metadata: expected object | null, got list"),
    ],
)
def test_scalar_type_errors(field: str, value: Any, problem: str) -> None:
    inv = fixture("invoice")
    inv[field] = value
    assert check(inv, stripe.Invoice) == [problem]


def test_open_enum_accepts_any_string_but_not_other_types() -> None:
    inv = fixture("invoice")
    inv["collection_method"] = "something_new"  # Union[Literal[...], str] in the SDK
    assert check(inv, stripe.Invoice) == []
    inv["collection_method"] = None
    assert check(inv, stripe.Invoice) == [
        "collection_method: expected one of ['charge_automatically', 'send_invoice'] | str, got null"
    ]


def test_none_allowed_where_optional() -> None:
    inv = fixture("invoice")
    inv["ending_balance"] = None
    inv["metadata"] = None
    assert check(inv, stripe.Invoice) == []


def test_bad_nested_objects_name_the_path() -> None:
    inv = fixture("invoice")
    inv["status_transitions"]["paid_at"] = "yesterday"
    del inv["automatic_tax"]["enabled"]
    inv["lines"]["data"][0]["object"] = "invoice_line_item"
    inv["metadata"]["order"] = 6735
    assert check(inv, stripe.Invoice) == [
        "automatic_tax.enabled: missing required key",
        "lines.data[0].object: 'invoice_line_item' is not one of ['line_item']",
        "metadata.order: expected str, got int",
        "status_transitions.paid_at: expected int | null, got str",
    ]


def test_list_object_items_are_checked() -> None:
    inv = fixture("invoice")
    inv["lines"]["data"][0]["period"]["end"] = "soon"
    inv["lines"]["data"][0]["surprise"] = 1
    assert check(inv, stripe.Invoice) == [
        "lines.data[0].period.end: expected int, got str",
        "lines.data[0].surprise: unknown key",
    ]


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda lines: lines.pop("has_more"), "lines.has_more: missing required key"),
        (lambda lines: lines.pop("url"), "lines.url: missing required key"),
        (lambda lines: lines.update(object="array"), "lines.object: 'array' is not one of ['list']"),
        (lambda lines: lines.update(data={}), "lines.data: expected list, got object"),
        (lambda lines: lines.update(has_more="no"), "lines.has_more: expected bool, got str"),
        (lambda lines: lines.update(next_page=None), "lines.next_page: unknown key"),
    ],
)
def test_malformed_list_object(mutate: Any, problem: str) -> None:
    inv = fixture("invoice")
    mutate(inv["lines"])
    assert check(inv, stripe.Invoice) == [problem]


def test_list_object_must_be_an_object_and_may_carry_total_count() -> None:
    inv = fixture("invoice")
    inv["lines"]["total_count"] = 1
    assert check(inv, stripe.Invoice) == []
    inv["lines"] = inv["lines"]["data"]
    assert check(inv, stripe.Invoice) == ["lines: expected list object, got list"]


def test_list_and_search_responses() -> None:
    listing: dict[str, Any] = {
        "object": "list",
        "data": [fixture("invoice")],
        "has_more": False,
        "url": "/v1/invoices",
    }
    assert check_value(listing, ListObject[stripe.Invoice]) == []
    search = {**listing, "object": "search_result", "next_page": None, "total_count": 1}
    assert check_value(search, SearchResultObject[stripe.Invoice]) == []
    del search["next_page"]
    search["data"][0]["total"] = None
    assert check_value(search, SearchResultObject[stripe.Invoice], path="body") == [
        "body.data[0].total: expected int, got null",
        "body.next_page: missing required key",
    ]


def test_expandable_field_accepts_id_or_conforming_object() -> None:
    inv = fixture("invoice")
    inv["customer"] = fixture("customer")
    assert check(inv, stripe.Invoice) == []
    inv["customer"]["balance"] = "0"
    assert check(inv, stripe.Invoice) == ["customer.balance: expected int | null, got str"]
    inv["customer"] = 42
    assert check(inv, stripe.Invoice) == ["customer: expected str | Customer | null, got int"]


def test_list_of_expandables() -> None:
    inv = fixture("invoice")
    inv["discounts"] = ["di_123", 7]
    assert check(inv, stripe.Invoice) == ["discounts[1]: expected str | Discount, got int"]


def test_decimal_string_fields() -> None:
    item = fixture("invoiceitem")
    item["quantity_decimal"] = "1.5"
    assert check(item, stripe.InvoiceItem) == []
    item["quantity_decimal"] = 1.5
    assert check(item, stripe.InvoiceItem) == ["quantity_decimal: expected decimal string, got float"]
    item["quantity_decimal"] = "one"
    assert check(item, stripe.InvoiceItem) == ["quantity_decimal: expected decimal string, got str"]


def test_status_details_only_required_while_uncollectible() -> None:
    inv = fixture("invoice")
    assert "status_details" not in inv and inv["status"] != "uncollectible"
    inv["status"] = "uncollectible"
    assert check(inv, stripe.Invoice) == ["status_details: missing required key"]
    inv["status_details"] = {"uncollectible": {"reason": "user_forgiven"}}
    assert check(inv, stripe.Invoice) == []
    inv["status_details"] = {"uncollectible": {}}
    assert check(inv, stripe.Invoice) == ["status_details.uncollectible.reason: missing required key"]


def test_deleted_may_be_omitted_or_true() -> None:
    inv = fixture("invoice")
    assert "deleted" not in inv
    inv["deleted"] = True
    assert check(inv, stripe.Invoice) == []


def test_the_stub_of_a_deleted_object_conforms_also_where_it_is_expanded() -> None:
    stub = {"id": "cus_123", "object": "customer", "deleted": True}
    assert check(stub, stripe.Customer) == []
    inv = fixture("invoice")
    inv["customer"] = stub
    assert check(inv, stripe.Invoice) == []
    assert check({"object": "customer", "deleted": True}, stripe.Customer) == ["id: missing required key"]
    assert check({**stub, "deleted": False}, stripe.Customer) != []
    assert check({**stub, "bogus": 1}, stripe.Customer) == ["bogus: unknown key"]


def test_issuer_account_only_required_for_connected_issuer() -> None:
    inv = fixture("invoice")
    assert inv["issuer"] == {"type": "self"}
    inv["issuer"] = {"type": "account"}
    assert check(inv, stripe.Invoice) == ["issuer.account: missing required key"]


def test_path_prefix_and_non_object_input() -> None:
    inv = fixture("invoice")
    del inv["total"]
    assert check(inv, stripe.Invoice, path="data.object") == ["data.object.total: missing required key"]
    assert check("in_123", stripe.Invoice) == ["<root>: expected Invoice object, got str"]


def test_allow_list_only_names_optional_declared_fields() -> None:
    for (cls, name), _rule in conformance.OMITTABLE.items():
        declared = inspect.get_annotations(cls)[name]
        assert NoneType in typing.get_args(declared), f"{cls.__qualname__}.{name} is not Optional"


def test_forward_references_resolve() -> None:
    """Every forward reference reachable from the resources above resolves to an SDK class."""
    seen: set[type] = set()

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        for tp, module in conformance._fields(cls).values():
            for ref in _forward_refs(tp):
                found = conformance._lookup(ref, module)
                assert found is not None, f"{cls.__qualname__}: cannot resolve {ref!r}"
        for inner in vars(cls).values():
            if isinstance(inner, type) and issubclass(inner, stripe.StripeObject):
                walk(inner)

    for cls in RESOURCES.values():
        walk(cls)
    print("unresolved so far:", sorted(conformance.UNRESOLVED))
    assert len(seen) > 50


def _forward_refs(tp: Any) -> list[str]:
    if isinstance(tp, str):
        return [tp]
    if isinstance(tp, typing.ForwardRef):
        return [tp.__forward_arg__]
    if typing.get_origin(tp) is typing.Literal:
        return []
    return [ref for arg in typing.get_args(tp) for ref in _forward_refs(arg)]
