"""Agent tools from the OpenAPI documents, without a server: OCP's naming rule and request routing."""

from __future__ import annotations

import orjson
import pytest

from arrears.agent import Toolset, tool_name
from arrears.api.flex import openapi as flex_openapi
from arrears.api.stripe import openapi as stripe_openapi
from arrears.api.stripe.routes import OPERATIONS


@pytest.mark.parametrize(("operation_id", "method", "path", "expected"), [
    ("PostInvoicesInvoiceMarkUncollectible", "", "", "postInvoicesInvoiceMarkUncollectible"),
    ("listRepositoryIssues", "", "", "listRepositoryIssues"),
    ("meta/root", "", "", "metaRoot"),
    ("admin_apps_approve", "", "", "adminAppsApprove"),
    ("FetchAccount", "", "", "fetchAccount"),
    (None, "post", "/v1/invoices/{invoice}/void", "postV1InvoicesInvoiceVoid"),
    (None, "get", "/items/{id}", "getItemsId"),
])
def test_tool_names_follow_the_ocp_rule(operation_id: str | None, method: str, path: str, expected: str) -> None:
    assert tool_name(operation_id, method, path) == expected


def _stripe_tools() -> Toolset:
    return Toolset.from_document(orjson.loads(stripe_openapi.document("http://arrears.test")))


def test_every_stripe_operation_is_a_tool_with_letters_and_digits_only() -> None:
    tools = _stripe_tools()
    assert len(tools.tools) == len(OPERATIONS)
    for name in tools.tools:
        assert name.isalnum() and len(name) <= 64


def test_mark_uncollectible_puts_the_invoice_in_the_path_and_sends_no_body() -> None:
    tool = _stripe_tools().tools["postInvoicesInvoiceMarkUncollectible"]
    assert tool.request({"invoice": "in_123"}) == ("POST", "/v1/invoices/in_123/mark_uncollectible", [], None)
    assert tool.output_schema is not None and tool.output_schema["type"] == "object"
    assert "invoice" in tool.output_schema["$defs"]


def test_query_and_body_parameters_are_routed_where_the_document_says() -> None:
    tools = _stripe_tools().tools
    method, path, query, body = tools["getInvoices"].request(
        {"customer": "cus_1", "created": {"gte": 5}, "expand": ["data.customer"]})
    assert (method, path, body) == ("GET", "/v1/invoices", None)
    assert query == [("customer", "cus_1"), ("created[gte]", "5"), ("expand[]", "data.customer")]
    assert tools["postCustomers"].request({"balance": -500, "metadata": {"a": "b"}})[3] == {
        "balance": -500, "metadata": {"a": "b"}}
    with pytest.raises(ValueError, match="unknown parameter"):
        tools["postCustomers"].request({"nope": 1})


def test_flex_tools_take_the_id_and_the_envelope() -> None:
    tools = Toolset.from_document(orjson.loads(flex_openapi.document("http://arrears.test/flex"))).tools
    assert tools["markInvoiceUncollectible"].request({"id": "fin_X"})[:2] == ("POST", "/v1/invoices/fin_X/"
                                                                                 "mark_uncollectible")
    assert tools["createInvoiceItem"].input_schema["required"] == ["invoice_item"]
    assert set(tools["createCustomer"].input_schema["properties"]) == {"customer"}
