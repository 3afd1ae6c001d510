"""URLs arrears does not serve answer Stripe's 404 "Unrecognized request URL (METHOD: /path)", each with a
request id of its own, and the names Stripe reserves where an id would stand (``create_preview``,
``upcoming``, ``search``) are never read as ids: ``POST /v1/invoices/create_preview`` is not an update of
an invoice called "create_preview"."""

from __future__ import annotations

import httpx
import pytest
import stripe

from tests.support.faces import FLEX, YORLET


def unrecognized(method: str, path: str) -> str:
    return (f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
            "https://support.stripe.com/.")


UNSERVED = [
    ("POST", "/v1/invoices/create_preview", {"customer": "cus_123"}),
    ("GET", "/v1/invoices/upcoming", {"customer": "cus_123"}),
    ("GET", "/v1/invoices/upcoming/lines", {}),
    ("POST", "/v1/invoices/search", {"query": "status:'open'"}),
    ("DELETE", "/v1/invoices/search", {}),
    ("POST", "/v1/customers/search", {"query": "email:'a@b.c'"}),
    ("GET", "/v1/customers/search/balance_transactions", {}),
    ("GET", "/v1/nonsense", {}),
    ("POST", "/v1/nonsense", {"a": "b"}),
]


@pytest.mark.parametrize(("method", "path", "params"), UNSERVED)
def test_an_unserved_url_is_stripes_unrecognized_404(http: httpx.Client, method: str, path: str,
                                                     params: dict[str, str]) -> None:
    response = (http.request(method, path, data=params) if method == "POST"
                else http.request(method, path, params=params))
    assert response.status_code == 404, response.text
    assert response.json() == {"error": {"type": "invalid_request_error", "message": unrecognized(method, path)}}
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["request-id"] != "req_unrouted"


def test_every_unrouted_404_carries_its_own_request_id(http: httpx.Client) -> None:
    ids = [http.get("/v1/nonsense").headers["request-id"] for _ in range(3)]
    ids += [http.post("/v1/invoices/create_preview").headers["request-id"]]
    ids += [http.get("/flex/v1/nothing_here", headers=FLEX).headers["request-id"]]
    ids += [http.get("/yorlet/v1/nothing_here", headers=YORLET).headers["request-id"]]
    assert len(set(ids)) == len(ids), ids
    assert all(i.startswith("req_") and i != "req_unrouted" for i in ids)


def test_the_sdk_sees_create_preview_as_an_unrecognized_url(client: stripe.StripeClient,
                                                            customer: stripe.Customer) -> None:
    # Given arrears does not implement invoice previews yet
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.invoices.create_preview(params={"customer": customer.id})
    # Then the SDK gets Stripe's 404, not "Received unknown parameter: customer" from an invoice update
    assert raised.value.http_status == 404
    assert raised.value.user_message == unrecognized("POST", "/v1/invoices/create_preview")
    assert raised.value.request_id and raised.value.request_id != "req_unrouted"


def test_the_searches_and_real_ids_still_route_where_they_did(http: httpx.Client, client: stripe.StripeClient,
                                                               customer: stripe.Customer) -> None:
    assert http.get("/v1/invoices/search", params={"query": "status:'open'"}).status_code == 200
    assert http.get("/v1/customers/search", params={"query": "email:'x@example.com'"}).status_code == 200
    missing = http.get("/v1/invoices/in_upcoming")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "resource_missing"
    assert client.v1.customers.retrieve(customer.id).id == customer.id
