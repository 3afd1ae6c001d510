"""expand[]: ids become the objects they name, up to four levels, in both the API reference's
``expand[]=x`` form and the SDK's ``expand[0]=x`` form; anything else is a 400."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests import factories
from tests.support.answers import ok
from tests.support.conformance import check


def refused(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == "expand"
    return error


# --- what expands -----------------------------------------------------------------------------------

def test_expanding_customer_on_an_invoice_gives_the_customer_object(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    # Given an invoice for a customer
    inv = factories.invoice_in(client, "open")
    # When it is retrieved with expand[]=customer
    body = ok(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "customer"}))
    # Then customer is that customer's object, equal to what GET /v1/customers/{id} returns
    assert isinstance(body["customer"], dict)
    assert body["customer"]["object"] == "customer"
    assert body["customer"]["id"] == inv.customer
    assert body["customer"] == ok(http.get(f"/v1/customers/{inv.customer}"))
    assert check(body["customer"], stripe.Customer) == []


def test_without_expand_customer_stays_an_id(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.invoice_in(client, "draft")
    assert ok(http.get(f"/v1/invoices/{inv.id}"))["customer"] == inv.customer


def test_expansion_applies_to_the_response_of_a_write(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    body = ok(http.post("/v1/invoices", data={"customer": cus.id, "expand[]": "customer"}))
    assert body["customer"]["id"] == cus.id
    finalized = ok(http.post(f"/v1/invoices/{body['id']}/finalize", data={"expand[0]": "customer"}))
    assert finalized["customer"]["id"] == cus.id
    # and only to that response: the stored invoice still holds the id
    assert ok(http.get(f"/v1/invoices/{body['id']}"))["customer"] == cus.id


def test_expanding_data_customer_on_a_list_expands_every_item(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    factories.draft(client, cus=cus)
    factories.draft(client, cus=cus)
    body = ok(http.get("/v1/invoices", params={"customer": cus.id, "expand[]": "data.customer"}))
    assert len(body["data"]) == 2
    assert all(inv["customer"]["id"] == cus.id and inv["customer"]["object"] == "customer" for inv in body["data"])


def test_expanding_customer_on_a_list_without_data_prefix_is_refused(http: httpx.Client) -> None:
    error = refused(http.get("/v1/invoices", params={"expand[]": "customer"}))
    assert error["message"] == "This property cannot be expanded (customer)."


def test_expanding_two_levels_invoice_then_customer_on_an_invoice_item(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    # Given an invoice item on a draft invoice
    inv = factories.draft(client)
    item_id = inv.lines.data[0].parent.invoice_item_details.invoice_item
    # When it is retrieved with expand[]=invoice.customer
    body = ok(http.get(f"/v1/invoiceitems/{item_id}", params={"expand[]": "invoice.customer"}))
    # Then the invoice is expanded, and inside it the customer too
    assert body["invoice"]["object"] == "invoice" and body["invoice"]["id"] == inv.id
    assert body["invoice"]["customer"]["object"] == "customer"
    assert body["invoice"]["customer"]["id"] == inv.customer
    # while the item's own customer, not asked for, stays an id
    assert body["customer"] == inv.customer


def test_expanding_several_paths_at_once(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    item_id = inv.lines.data[0].parent.invoice_item_details.invoice_item
    body = ok(http.get(f"/v1/invoiceitems/{item_id}", params=[("expand[]", "invoice"), ("expand[]", "customer")]))
    assert body["invoice"]["id"] == inv.id and isinstance(body["invoice"]["customer"], str)
    assert body["customer"]["id"] == inv.customer


def test_four_levels_is_the_maximum_and_is_allowed(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    body = ok(http.get("/v1/invoiceitems", params={
        "customer": inv.customer, "expand[]": "data.invoice.customer.test_clock"}))
    item = body["data"][0]
    assert item["invoice"]["customer"]["id"] == inv.customer
    assert item["invoice"]["customer"]["test_clock"] is None


def test_expanding_customer_on_a_balance_transaction(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, balance=-300)
    txn = ok(http.get(f"/v1/customers/{cus.id}/balance_transactions"))["data"][0]
    body = ok(http.get(f"/v1/customers/{cus.id}/balance_transactions/{txn['id']}", params={"expand[]": "customer"}))
    assert body["customer"]["id"] == cus.id and body["customer"]["balance"] == -300


def test_expanding_lines_data_discounts_is_allowed_and_leaves_them_as_they_are(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    plain = ok(http.get(f"/v1/invoices/{inv.id}"))
    body = ok(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "lines.data.discounts"}))
    assert body["lines"]["data"][0]["discounts"] == plain["lines"]["data"][0]["discounts"] == []
    assert body == plain


def test_expanding_a_null_expandable_field_leaves_it_null(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    body = ok(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "default_payment_method"}))
    assert body["default_payment_method"] is None


def test_expanding_a_deleted_customer_gives_the_deleted_object(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    client.v1.customers.delete(str(inv.customer))
    body = ok(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "customer"}))
    assert body["customer"] == {"id": inv.customer, "object": "customer", "deleted": True}
    assert check(body, stripe.Invoice) == []


def test_expanding_data_customer_on_a_list_gives_a_deleted_customer_as_its_stub(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    client.v1.customers.delete(str(inv.customer))
    item = client.v1.invoice_items.list(params={"invoice": inv.id}).data[0]
    body = ok(http.get("/v1/invoiceitems", params={"invoice": inv.id, "expand[]": "data.customer"}))
    assert [i["customer"] for i in body["data"]] == [{"id": inv.customer, "object": "customer", "deleted": True}]
    assert body["data"][0]["id"] == item.id


def test_a_deleted_customer_has_nothing_left_to_expand_but_unknown_fields_are_still_refused(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    cus = factories.customer(client)
    client.v1.customers.delete(cus.id)
    body = ok(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "test_clock"}))
    assert body == {"id": cus.id, "object": "customer", "deleted": True}
    refused(http.get(f"/v1/customers/{cus.id}", params={"expand[]": "invoice"}))


# --- what is refused --------------------------------------------------------------------------------

def test_more_than_four_levels_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    error = refused(http.get("/v1/invoiceitems", params={
        "customer": inv.customer, "expand[]": "data.invoice.customer.test_clock.id"}))
    assert error["message"].startswith("You cannot expand more than 4 levels of a property")
    assert "data.invoice.customer.test_clock.id" in error["message"]


def test_depth_is_checked_even_when_the_list_is_empty(http: httpx.Client) -> None:
    error = refused(http.get("/v1/invoices", params={"customer": "cus_nobody", "expand[]": "data.a.b.c.d"}))
    assert "4 levels" in error["message"]


@pytest.mark.parametrize("path", ["status", "total", "number", "metadata", "livemode"])
def test_a_field_that_is_not_expandable_is_refused(client: stripe.StripeClient, http: httpx.Client, path: str) -> None:
    inv = factories.draft(client)
    error = refused(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": path}))
    assert error["message"] == f"This property cannot be expanded ({path})."


def test_an_unknown_field_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    error = refused(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "colour"}))
    assert error["message"] == "This property cannot be expanded (colour)."


def test_a_non_expandable_field_inside_an_expanded_object_is_named_by_its_full_path(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    error = refused(http.get(f"/v1/invoices/{inv.id}", params={"expand[]": "customer.email"}))
    assert error["message"] == "This property cannot be expanded (customer.email)."


def test_a_non_expandable_field_on_list_items_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    error = refused(http.get("/v1/invoices", params={"customer": inv.customer, "expand[]": "data.status"}))
    assert error["message"] == "This property cannot be expanded (data.status)."


def test_a_refused_expansion_on_a_write_does_not_apply_the_write(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    refused(http.post(f"/v1/invoices/{inv.id}", data={"description": "changed", "expand[]": "status"}))
    assert ok(http.get(f"/v1/invoices/{inv.id}"))["description"] is None


def test_total_count_is_only_expandable_on_search(http: httpx.Client) -> None:
    error = refused(http.get("/v1/invoices", params={"expand[]": "total_count"}))
    assert error["message"] == "This property cannot be expanded (total_count)."


def test_expand_given_as_a_plain_string_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    response = http.get(f"/v1/invoices/{inv.id}", params={"expand": "customer"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "expand"


# --- encodings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["expand[]", "expand[0]"])
def test_form_and_sdk_styles_of_expand_both_work(client: stripe.StripeClient, http: httpx.Client, name: str) -> None:
    inv = factories.draft(client)
    get = ok(http.get(f"/v1/invoices/{inv.id}", params={name: "customer"}))
    post = ok(http.post(f"/v1/invoices/{inv.id}", data={name: "customer"}))
    assert get["customer"]["id"] == post["customer"]["id"] == inv.customer


def test_expand_as_a_json_array_works(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    body = ok(http.post(f"/v1/invoices/{inv.id}", json={"expand": ["customer"]}))
    assert body["customer"]["id"] == inv.customer


def test_the_sdk_expands_through_the_server(client: stripe.StripeClient) -> None:
    inv = factories.draft(client)
    got = client.v1.invoices.retrieve(inv.id, params={"expand": ["customer"]})
    assert isinstance(got.customer, stripe.Customer)
    assert got.customer.id == inv.customer


# --- search -----------------------------------------------------------------------------------------

def test_search_with_expand_total_count_returns_the_count(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given three invoices of one customer
    cus = factories.customer(client)
    for _ in range(3):
        factories.draft(client, cus=cus)
    query = f"customer:'{cus.id}'"
    # When the search asks for one result and the total count
    body = ok(http.get("/v1/invoices/search", params={"query": query, "limit": 1, "expand[]": "total_count"}))
    # Then it returns one invoice and counts all three
    assert body["total_count"] == 3
    assert len(body["data"]) == 1 and body["has_more"] is True
    # and without the expansion the count is absent
    assert "total_count" not in ok(http.get("/v1/invoices/search", params={"query": query}))


def test_search_total_count_combines_with_data_expansions(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    factories.draft(client, cus=cus)
    body = ok(http.get("/v1/invoices/search", params=[
        ("query", f"customer:'{cus.id}'"), ("expand[]", "total_count"), ("expand[]", "data.customer")]))
    assert body["total_count"] == 1
    assert body["data"][0]["customer"]["id"] == cus.id


def test_customer_search_with_total_count(client: stripe.StripeClient, http: httpx.Client) -> None:
    email = "count-me@example.org"
    before = ok(http.get("/v1/customers/search", params={"query": f"email:'{email}'", "expand[0]": "total_count"}))
    factories.customer(client, email=email)
    after = ok(http.get("/v1/customers/search", params={"query": f"email:'{email}'", "expand[0]": "total_count"}))
    assert after["total_count"] == before["total_count"] + 1
