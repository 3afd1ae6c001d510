"""The three OpenAPI documents: valid OpenAPI 3.1, generated from the route tables (every route is in
them, with Stripe's operationIds), and true to what the server really answers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import stripe
from openapi_spec_validator import validate

from arrears.api.flex.routes import OPERATIONS as FLEX_OPERATIONS
from arrears.api.stripe.routes import OPERATIONS as STRIPE_OPERATIONS
from arrears.api.yorlet.routes import OPERATIONS as YORLET_OPERATIONS
from tests.support.faces import (
    FLEX,
    STRIPE,
    YORLET,
    check_against,
    flex_seed,
    ok,
    response_schema,
    stripe_open_invoice,
    yorlet_seed,
)
from tests.support.server import Server

DOCUMENTS = {
    "stripe": ("/openapi.json", "", STRIPE_OPERATIONS),
    "flex": ("/flex/openapi.json", "/flex", FLEX_OPERATIONS),
    "yorlet": ("/yorlet/openapi.json", "/yorlet", YORLET_OPERATIONS),
}


def document(server: Server, face: str) -> dict[str, Any]:
    return dict(ok(httpx.get(server.url + DOCUMENTS[face][0])))


@pytest.mark.parametrize("face", DOCUMENTS)
def test_each_face_serves_a_valid_openapi_31_document_with_an_absolute_server_url(server: Server, face: str) -> None:
    doc = document(server, face)
    validate(doc)  # openapi-spec-validator: raises on any violation
    assert doc["openapi"] == "3.1.0"
    assert doc["servers"] == [{"url": server.url + DOCUMENTS[face][1]}]


@pytest.mark.parametrize("face", DOCUMENTS)
def test_every_route_of_the_table_is_in_the_document_once(server: Server, face: str) -> None:
    doc = document(server, face)
    table = DOCUMENTS[face][2]
    documented = {(m.upper(), p): op["operationId"] for p, item in doc["paths"].items() for m, op in item.items()}
    assert documented == {(o.method, o.path): o.operation_id for o in table}
    ids = list(documented.values())
    assert len(ids) == len(set(ids))
    for op_path, item in doc["paths"].items():
        for op in item.values():
            names = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
            assert names == re.findall(r"{(\w+)}", op_path)


def test_the_stripe_document_uses_stripes_names_and_accepts_form_and_json(server: Server) -> None:
    op = document(server, "stripe")["paths"]["/v1/invoices/{invoice}/mark_uncollectible"]["post"]
    assert op["operationId"] == "PostInvoicesInvoiceMarkUncollectible"
    assert [p["name"] for p in op["parameters"]] == ["invoice"]
    content = op["requestBody"]["content"]
    assert set(content) == {"application/x-www-form-urlencoded", "application/json"}
    assert content["application/json"]["schema"]["properties"]["expand"]["type"] == "array"
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/invoice"}
    assert op["responses"]["default"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/error"}
    create = document(server, "stripe")["paths"]["/v1/customers"]["post"]["requestBody"]["content"]
    assert create["application/x-www-form-urlencoded"]["encoding"]["metadata"] == {"style": "deepObject",
                                                                                    "explode": True}


def _conforms(doc: dict[str, Any], method: str, path: str, body: Any) -> None:
    problems = check_against(doc, response_schema(doc, method, path), body)
    assert problems == [], f"{method} {path}: {problems[:5]}"


def _error_conforms(doc: dict[str, Any], body: Any) -> None:
    problems = check_against(doc, {"$ref": "#/components/schemas/error"}, body)
    assert problems == [], problems[:5]


def test_real_stripe_responses_match_the_documented_schemas(server: Server, client: stripe.StripeClient) -> None:
    doc = document(server, "stripe")
    url = server.url
    inv = stripe_open_invoice(url)
    _conforms(doc, "POST", "/v1/invoices/{invoice}/finalize", inv)
    cus = ok(httpx.get(f"{url}/v1/customers/{inv['customer']}", headers=STRIPE))
    _conforms(doc, "GET", "/v1/customers/{customer}", cus)
    marked = ok(httpx.post(f"{url}/v1/invoices/{inv['id']}/mark_uncollectible", headers=STRIPE))
    assert "status_details" in marked
    _conforms(doc, "POST", "/v1/invoices/{invoice}/mark_uncollectible", marked)
    expanded = ok(httpx.get(f"{url}/v1/invoices/{inv['id']}", params={"expand[]": "customer"}, headers=STRIPE))
    _conforms(doc, "GET", "/v1/invoices/{invoice}", expanded)
    paid = ok(httpx.post(f"{url}/v1/invoices/{inv['id']}/pay", data={"paid_out_of_band": "true"}, headers=STRIPE))
    _conforms(doc, "POST", "/v1/invoices/{invoice}/pay", paid)
    for path, params in (("/v1/invoices", {"limit": 3}), ("/v1/customers", {"limit": 3}),
                         ("/v1/invoiceitems", {"limit": 3}), ("/v1/events", {"limit": 5}),
                         (f"/v1/invoices/{inv['id']}/lines", {}),
                         (f"/v1/customers/{inv['customer']}/balance_transactions", {})):
        templated = path.replace(inv["id"], "{invoice}").replace(inv["customer"], "{customer}")
        _conforms(doc, "GET", templated, ok(httpx.get(url + path, params=params, headers=STRIPE)))
    search = ok(httpx.get(url + "/v1/invoices/search", params={"query": "status:'paid'"}, headers=STRIPE))
    _conforms(doc, "GET", "/v1/invoices/search", search)
    draft = ok(httpx.post(url + "/v1/invoices", data={"customer": inv["customer"]}, headers=STRIPE))
    _conforms(doc, "DELETE", "/v1/invoices/{invoice}",
              ok(httpx.delete(f"{url}/v1/invoices/{draft['id']}", headers=STRIPE)))
    endpoint = client.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/hook",
                                                          "enabled_events": ["invoice.paid"]})
    _conforms(doc, "GET", "/v1/webhook_endpoints/{webhook_endpoint}",
              ok(httpx.get(f"{url}/v1/webhook_endpoints/{endpoint.id}", headers=STRIPE)))
    client.v1.webhook_endpoints.delete(endpoint.id)
    missing = httpx.get(url + "/v1/invoices/in_missing", headers=STRIPE)
    assert missing.status_code == 404
    _error_conforms(doc, missing.json())


def test_a_deleted_customer_matches_the_documented_schemas(server: Server) -> None:
    # As in Stripe's spec: GET answers customer | deleted_customer, an expanded customer can be either too
    doc = document(server, "stripe")
    url = server.url
    cus = ok(httpx.post(url + "/v1/customers", headers=STRIPE))
    draft = ok(httpx.post(url + "/v1/invoices", data={"customer": cus["id"]}, headers=STRIPE))
    ok(httpx.delete(f"{url}/v1/customers/{cus['id']}", headers=STRIPE))
    gone = ok(httpx.get(f"{url}/v1/customers/{cus['id']}", headers=STRIPE))
    assert gone == {"id": cus["id"], "object": "customer", "deleted": True}
    _conforms(doc, "GET", "/v1/customers/{customer}", gone)
    expanded = ok(httpx.get(f"{url}/v1/invoices/{draft['id']}", params={"expand[]": "customer"}, headers=STRIPE))
    assert expanded["customer"] == gone
    _conforms(doc, "GET", "/v1/invoices/{invoice}", expanded)


def test_real_flex_responses_match_the_documented_schemas(server: Server) -> None:
    doc = document(server, "flex")
    base = server.url + "/flex/v1"
    inv, cus = flex_seed(server.url)
    _conforms(doc, "GET", "/v1/customers/{id}", ok(httpx.get(f"{base}/customers/{cus}", headers=FLEX)))
    marked = ok(httpx.post(f"{base}/invoices/{inv['invoice_id']}/mark_uncollectible", headers=FLEX))
    _conforms(doc, "POST", "/v1/invoices/{id}/mark_uncollectible", marked)
    listed = ok(httpx.get(base + "/invoices", params={"customer": cus, "expand": "customer"}, headers=FLEX))
    assert isinstance(listed["invoices"][0]["customer"], dict)
    _conforms(doc, "GET", "/v1/invoices", listed)
    again = httpx.post(f"{base}/invoices/{inv['invoice_id']}/mark_uncollectible", headers=FLEX)
    _error_conforms(doc, again.json())


def test_real_yorlet_responses_match_the_documented_schemas(server: Server) -> None:
    doc = document(server, "yorlet")
    base = server.url + "/yorlet/v1"
    headers = {**YORLET, "Yorlet-Context": "acct_landlord"}
    inv = yorlet_seed(server.url, headers)
    _conforms(doc, "POST", "/v1/invoices/{id}/finalize", inv)
    _conforms(doc, "GET", "/v1/customers/{id}", ok(httpx.get(f"{base}/customers/{inv['customer']}", headers=YORLET)))
    marked = ok(httpx.post(f"{base}/invoices/{inv['id']}/mark_uncollectible", headers=headers))
    _conforms(doc, "POST", "/v1/invoices/{id}/mark_uncollectible", marked)
    _conforms(doc, "GET", "/v1/invoices", ok(httpx.get(base + "/invoices", params={"limit": 2}, headers=YORLET)))
    voided = ok(httpx.post(f"{base}/invoices/{inv['id']}/void", headers=YORLET))
    _conforms(doc, "POST", "/v1/invoices/{id}/void", voided)
    _error_conforms(doc, httpx.post(f"{base}/invoices/{inv['id']}/void", headers=YORLET).json())
