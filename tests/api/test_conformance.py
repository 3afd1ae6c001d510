"""Every object kind the server returns, fetched as raw JSON (not through the SDK's objects), checked
against the fields the stripe SDK declares for it. A problem list names each missing, unknown or
mistyped key by its JSON path; every one must be empty."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest
import stripe
from stripe._error_object import ErrorObject
from stripe._list_object import ListObject
from stripe._search_result_object import SearchResultObject

from tests import factories
from tests.support.answers import ok
from tests.support.conformance import check, check_value
from tests.support.server import Server

STATUSES = ("draft", "open", "paid", "uncollectible", "void")
ERROR_TYPES = ("api_error", "card_error", "idempotency_error", "invalid_request_error")


def get(http: httpx.Client, path: str, params: Any = None) -> dict[str, Any]:
    return ok(http.get(path, params=params))


def no_problems(problems: list[str]) -> None:
    assert problems == [], "\n".join(problems)


def invoice_with_lines(client: stripe.StripeClient, count: int) -> stripe.Invoice:
    cus = factories.customer(client)
    for i in range(count):
        client.v1.invoice_items.create(params={
            "customer": cus.id, "amount": 100 + i, "currency": "usd", "description": f"Item {i}",
            "metadata": {"n": str(i)}, "period": {"start": 1_700_000_000, "end": 1_700_086_400}})
    return client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})


# --- invoices ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", STATUSES)
def test_invoice_in_each_status_conforms(client: stripe.StripeClient, http: httpx.Client, status: str) -> None:
    # Given an invoice brought to each status through the API
    inv = factories.invoice_in(client, status, metadata={"order": "6735"})
    # When it is fetched raw
    body = get(http, f"/v1/invoices/{inv.id}")
    # Then it has exactly the SDK's fields, with the SDK's types
    assert body["status"] == status
    no_problems(check(body, stripe.Invoice))


@pytest.mark.parametrize("status", STATUSES)
def test_invoice_in_each_status_conforms_as_returned_by_the_command(
    client: stripe.StripeClient, http: httpx.Client, status: str
) -> None:
    # The body of the command that moved the invoice, not only a later retrieve
    inv = factories.draft(client)
    commands = {
        "draft": ("POST", f"/v1/invoices/{inv.id}", {"description": "edited"}),
        "open": ("POST", f"/v1/invoices/{inv.id}/finalize", {}),
        "paid": ("POST", f"/v1/invoices/{inv.id}/pay", {"paid_out_of_band": "true"}),
        "uncollectible": ("POST", f"/v1/invoices/{inv.id}/mark_uncollectible", {}),
        "void": ("POST", f"/v1/invoices/{inv.id}/void", {}),
    }
    if status != "draft":
        client.v1.invoices.finalize_invoice(inv.id)
    if status == "open":
        inv = factories.draft(client)
        commands["open"] = ("POST", f"/v1/invoices/{inv.id}/finalize", {})
    method, path, data = commands[status]
    body = ok(http.request(method, path, data=data))
    assert body["status"] == status
    no_problems(check(body, stripe.Invoice))


def test_invoice_with_several_lines_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = invoice_with_lines(client, 3)
    body = get(http, f"/v1/invoices/{inv.id}")
    assert len(body["lines"]["data"]) == 3 and body["lines"]["has_more"] is False
    no_problems(check(body, stripe.Invoice))


def test_invoice_with_more_than_ten_lines_embeds_ten_and_says_there_are_more(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = invoice_with_lines(client, 12)
    body = get(http, f"/v1/invoices/{inv.id}")
    assert len(body["lines"]["data"]) == 10
    assert body["lines"]["has_more"] is True
    assert body["lines"]["url"] == f"/v1/invoices/{inv.id}/lines"
    no_problems(check(body, stripe.Invoice))


def test_finalized_invoice_with_customer_balance_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, balance=-500)
    inv = factories.invoice_in(client, "open", cus=cus)
    no_problems(check(get(http, f"/v1/invoices/{inv.id}"), stripe.Invoice))


def test_invoice_with_expanded_customer_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.invoice_in(client, "open")
    body = get(http, f"/v1/invoices/{inv.id}", {"expand[]": "customer"})
    assert isinstance(body["customer"], dict) and body["customer"]["object"] == "customer"
    no_problems(check(body, stripe.Invoice))


# --- line items -------------------------------------------------------------------------------------

def test_line_items_list_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = invoice_with_lines(client, 12)
    first = get(http, f"/v1/invoices/{inv.id}/lines", {"limit": 5})
    assert first["has_more"] is True and len(first["data"]) == 5
    no_problems(check_value(first, ListObject[stripe.InvoiceLineItem]))
    rest = get(http, f"/v1/invoices/{inv.id}/lines", {"limit": 100, "starting_after": first["data"][-1]["id"]})
    assert rest["has_more"] is False and len(rest["data"]) == 7
    no_problems(check_value(rest, ListObject[stripe.InvoiceLineItem]))


def test_each_line_item_conforms_on_an_open_invoice(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = invoice_with_lines(client, 2)
    client.v1.invoices.finalize_invoice(inv.id)
    for line in get(http, f"/v1/invoices/{inv.id}/lines")["data"]:
        no_problems(check(line, stripe.InvoiceLineItem))


def test_updated_line_item_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = invoice_with_lines(client, 1)
    line_id = get(http, f"/v1/invoices/{inv.id}/lines")["data"][0]["id"]
    body = ok(http.post(f"/v1/invoices/{inv.id}/lines/{line_id}", data={"description": "Renamed"}))
    assert body["description"] == "Renamed"
    no_problems(check(body, stripe.InvoiceLineItem))


# --- invoice items ----------------------------------------------------------------------------------

def test_pending_invoice_item_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    body = ok(http.post("/v1/invoiceitems", data={"customer": cus.id, "amount": 250, "currency": "usd"}))
    assert body["invoice"] is None
    no_problems(check(body, stripe.InvoiceItem))
    no_problems(check(get(http, f"/v1/invoiceitems/{body['id']}"), stripe.InvoiceItem))


def test_invoice_item_attached_to_an_invoice_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    body = ok(http.post("/v1/invoiceitems", data={
        "customer": inv.customer, "invoice": inv.id, "currency": "usd", "quantity": 3, "unit_amount_decimal": "12.5",
        "description": "Widgets"}))
    assert body["invoice"] == inv.id
    no_problems(check(body, stripe.InvoiceItem))
    no_problems(check(get(http, f"/v1/invoiceitems/{body['id']}"), stripe.InvoiceItem))


def test_invoice_item_list_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    client.v1.invoice_items.create(params={"customer": inv.customer, "amount": 5, "currency": "usd"})
    body = get(http, "/v1/invoiceitems", {"customer": inv.customer})
    assert len(body["data"]) == 2 and {i["invoice"] for i in body["data"]} == {inv.id, None}
    no_problems(check_value(body, ListObject[stripe.InvoiceItem]))


# --- customers --------------------------------------------------------------------------------------

def test_customer_conforms(http: httpx.Client) -> None:
    body = ok(http.post("/v1/customers", data={
        "email": "jenny@example.com", "name": "Jenny Rosen", "balance": "-500", "metadata[tier]": "gold",
        "address[city]": "Berlin", "address[country]": "DE", "invoice_settings[footer]": "Thanks",
        "invoice_settings[custom_fields][0][name]": "VAT", "invoice_settings[custom_fields][0][value]": "DE1",
        "preferred_locales[0]": "de", "shipping[name]": "Jenny", "shipping[address][city]": "Berlin",
        "tax_exempt": "none"}))
    no_problems(check(body, stripe.Customer))
    no_problems(check(get(http, f"/v1/customers/{body['id']}"), stripe.Customer))


def test_bare_customer_conforms(http: httpx.Client) -> None:
    no_problems(check(ok(http.post("/v1/customers")), stripe.Customer))


def test_customer_balance_transactions_conform(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given a customer whose credit was applied to an invoice that was then voided
    cus = factories.customer(client, balance=-500)
    inv = factories.invoice_in(client, "void", cus=cus)
    created = ok(http.post(f"/v1/customers/{cus.id}/balance_transactions",
                           data={"amount": "200", "currency": "usd", "description": "Goodwill"}))
    no_problems(check(created, stripe.CustomerBalanceTransaction))
    body = get(http, f"/v1/customers/{cus.id}/balance_transactions")
    assert {t["type"] for t in body["data"]} >= {"initial", "applied_to_invoice", "unapplied_from_invoice",
                                                 "adjustment"}
    assert any(t["invoice"] == inv.id for t in body["data"])
    no_problems(check_value(body, ListObject[stripe.CustomerBalanceTransaction]))
    one = get(http, f"/v1/customers/{cus.id}/balance_transactions/{created['id']}")
    no_problems(check(one, stripe.CustomerBalanceTransaction))


# --- lists and search -------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "cls"), [
    ("/v1/invoices", stripe.Invoice),
    ("/v1/customers", stripe.Customer),
    ("/v1/invoiceitems", stripe.InvoiceItem),
])
def test_list_objects_conform(client: stripe.StripeClient, http: httpx.Client, path: str, cls: type) -> None:
    factories.invoice_in(client, "open")
    factories.invoice_in(client, "draft")
    body = get(http, path, {"limit": 2})
    assert body["object"] == "list" and body["url"] == path and len(body["data"]) == 2
    assert body["has_more"] is True
    no_problems(check_value(body, ListObject[cls]))


def test_empty_list_conforms(http: httpx.Client) -> None:
    body = get(http, "/v1/invoices", {"customer": "cus_nobody"})
    assert body["data"] == [] and body["has_more"] is False
    no_problems(check_value(body, ListObject[stripe.Invoice]))


def test_invoice_list_with_expanded_customers_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    factories.invoice_in(client, "open")
    body = get(http, "/v1/invoices", {"limit": 3, "expand[]": "data.customer"})
    assert all(isinstance(i["customer"], dict) for i in body["data"])
    no_problems(check_value(body, ListObject[stripe.Invoice]))


@pytest.mark.parametrize(("path", "query", "cls"), [
    ("/v1/invoices/search", "status:'open'", stripe.Invoice),
    ("/v1/customers/search", "email:'jenny@example.com'", stripe.Customer),
])
def test_search_results_conform(
    client: stripe.StripeClient, http: httpx.Client, path: str, query: str, cls: type
) -> None:
    factories.invoice_in(client, "open")
    factories.invoice_in(client, "open")
    first = get(http, path, {"query": query, "limit": 1})
    assert first["object"] == "search_result" and first["url"] == path
    assert first["has_more"] is True and isinstance(first["next_page"], str)
    no_problems(check_value(first, SearchResultObject[cls]))
    counted = get(http, path, {"query": query, "limit": 100, "expand[]": "total_count"})
    assert isinstance(counted["total_count"], int) and counted["total_count"] >= 2
    no_problems(check_value(counted, SearchResultObject[cls]))


def test_last_search_page_has_null_next_page(http: httpx.Client) -> None:
    body = get(http, "/v1/invoices/search", {"query": "customer:'cus_nobody'"})
    assert body["data"] == [] and body["has_more"] is False and body["next_page"] is None
    no_problems(check_value(body, SearchResultObject[stripe.Invoice]))


# --- deleted objects --------------------------------------------------------------------------------

def _deleted_problems(body: dict[str, Any], cls: type, kind: str) -> list[str]:
    """A deleted object is exactly {id, object, deleted: true}, each typed as the SDK class declares."""
    problems = [f"{k}: unexpected key on a deleted object" for k in body if k not in ("id", "object", "deleted")]
    problems += [f"{k}: missing" for k in ("id", "object", "deleted") if k not in body]
    if body.get("deleted") is not True:
        problems.append(f"deleted: expected true, got {body.get('deleted')!r}")
    if body.get("object") != kind:
        problems.append(f"object: expected {kind!r}, got {body.get('object')!r}")
    annotations = {**inspect.get_annotations(cls)}
    for name in ("id", "object", "deleted"):
        if name in body:
            problems += check_value(body[name], annotations[name], path=name, module=cls.__module__)
    return problems


def test_deleted_customer_is_id_object_and_deleted(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    body = ok(http.delete(f"/v1/customers/{cus.id}"))
    assert body["id"] == cus.id
    no_problems(_deleted_problems(body, stripe.Customer, "customer"))


def test_retrieved_deleted_customer_is_id_object_and_deleted(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    client.v1.customers.delete(cus.id)
    body = ok(http.get(f"/v1/customers/{cus.id}"))
    assert body["id"] == cus.id
    no_problems(_deleted_problems(body, stripe.Customer, "customer"))
    no_problems(check(body, stripe.Customer))


def test_deleted_invoice_item_is_id_object_and_deleted(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    item = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 5, "currency": "usd"})
    body = ok(http.delete(f"/v1/invoiceitems/{item.id}"))
    assert body["id"] == item.id
    no_problems(_deleted_problems(body, stripe.InvoiceItem, "invoiceitem"))


def test_deleted_draft_invoice_is_id_object_and_deleted(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    body = ok(http.delete(f"/v1/invoices/{inv.id}"))
    assert body["id"] == inv.id
    no_problems(_deleted_problems(body, stripe.Invoice, "invoice"))


# --- errors -----------------------------------------------------------------------------------------

def _error_problems(body: Any) -> list[str]:
    """The envelope {"error": {...}}: type and message always; every other key one stripe's
    ErrorObject declares, with its type; doc_url only beside a code."""
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return [f"<root>: expected {{'error': {{...}}}}, got {body!r}"]
    error = body["error"]
    fields = inspect.get_annotations(ErrorObject)
    problems = [f"error.{k}: unknown key" for k in error if k not in fields]
    problems += [f"error.{k}: missing required key" for k in ("type", "message") if k not in error]
    if error.get("type") not in ERROR_TYPES:
        problems.append(f"error.type: {error.get('type')!r} is not one of {list(ERROR_TYPES)}")
    if not isinstance(error.get("message"), str) or not error.get("message"):
        problems.append("error.message: expected a non-empty string")
    for key, value in error.items():
        if key in fields:
            problems += check_value(value, fields[key], path=f"error.{key}", module=ErrorObject.__module__)
    if ("doc_url" in error) != ("code" in error):
        problems.append("error.doc_url: present exactly when code is")
    if "code" in error and error.get("doc_url") != "https://stripe.com/docs/error-codes/" + str(
            error["code"]).replace("_", "-"):
        problems.append(f"error.doc_url: {error.get('doc_url')!r} does not match code {error['code']!r}")
    return problems


@pytest.mark.parametrize(("method", "path", "data", "status"), [
    ("POST", "/v1/invoices", {"bogus": "1"}, 400),
    ("POST", "/v1/invoiceitems", {"amount": "abc"}, 400),
    ("POST", "/v1/invoiceitems", {"amount": "5", "currency": "usd"}, 400),
    ("GET", "/v1/invoices/in_missing", None, 404),
    ("GET", "/v1/customers/cus_missing", None, 404),
    ("GET", "/v1/nowhere", None, 404),
    ("GET", "/v1/invoices?expand[]=nothing", None, 400),
])
def test_error_envelope_has_stripes_error_fields(
    http: httpx.Client, method: str, path: str, data: dict[str, str] | None, status: int
) -> None:
    response = http.request(method, path, data=data)
    assert response.status_code == status, response.text
    no_problems(_error_problems(response.json()))


def test_state_error_envelope_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.invoice_in(client, "paid")
    response = http.post(f"/v1/invoices/{inv.id}/void")
    assert response.status_code == 400, response.text
    no_problems(_error_problems(response.json()))


def test_authentication_error_envelope_conforms(server: Server) -> None:
    response = httpx.get(server.url + "/v1/invoices", headers={"Authorization": "Bearer sk_live_nope"})
    assert response.status_code == 401
    no_problems(_error_problems(response.json()))


def test_invoice_copies_a_conforming_address_and_shipping_from_its_customer(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    # Given a customer with a partial address and shipping, then an updated address
    cus = ok(http.post("/v1/customers", data={
        "address[country]": "DE", "shipping[name]": "Jenny", "shipping[address][line1]": "Hauptstr. 1"}))
    updated = ok(http.post(f"/v1/customers/{cus['id']}", data={"address[city]": "Berlin"}))
    no_problems(check(updated, stripe.Customer))
    assert updated["address"]["city"] == "Berlin" and updated["address"]["line1"] is None
    # When an invoice for that customer is finalized
    inv = factories.invoice_in(client, "open", cus=client.v1.customers.retrieve(cus["id"]))
    body = get(http, f"/v1/invoices/{inv.id}")
    # Then the customer_address and customer_shipping snapshots conform too
    assert body["customer_address"]["city"] == "Berlin"
    assert body["customer_shipping"]["name"] == "Jenny"
    no_problems(check(body, stripe.Invoice))


# --- events and webhook endpoints -------------------------------------------------------------------

def test_events_of_an_invoice_lifecycle_conform(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given an invoice taken through create, finalize and mark_uncollectible
    inv = factories.invoice_in(client, "uncollectible")
    # When the events are listed
    body = get(http, "/v1/events", {"limit": 100})
    mine = [e for e in body["data"] if e["data"]["object"].get("id") == inv.id]
    # Then the list and each event conform, and the invoice inside is a conforming invoice
    assert {e["type"] for e in mine} >= {"invoice.created", "invoice.finalized", "invoice.marked_uncollectible"}
    no_problems(check_value(body, ListObject[stripe.Event]))
    for event in mine:
        no_problems(check(get(http, f"/v1/events/{event['id']}"), stripe.Event))
        no_problems(check(event["data"]["object"], stripe.Invoice, path=f"{event['type']}.data.object"))


def test_updated_event_with_previous_attributes_conforms(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    client.v1.customers.update(cus.id, params={"name": "Renamed"})
    events = get(http, "/v1/events", {"type": "customer.updated", "limit": 10})["data"]
    event = next(e for e in events if e["data"]["object"]["id"] == cus.id)
    assert "name" in event["data"]["previous_attributes"]
    no_problems(check(event, stripe.Event))
    no_problems(check(event["data"]["object"], stripe.Customer, path="data.object"))


def test_webhook_endpoint_conforms(http: httpx.Client) -> None:
    created = ok(http.post("/v1/webhook_endpoints", data={
        "url": "http://127.0.0.1:9/never-delivered", "enabled_events[0]": "invoice.voided", "description": "Books"}))
    assert isinstance(created["secret"], str) and created["secret"].startswith("whsec_")
    no_problems(check(created, stripe.WebhookEndpoint))
    fetched = get(http, f"/v1/webhook_endpoints/{created['id']}")
    assert "secret" not in fetched
    no_problems(check(fetched, stripe.WebhookEndpoint))
    no_problems(check_value(get(http, "/v1/webhook_endpoints"), ListObject[stripe.WebhookEndpoint]))
    deleted = ok(http.delete(f"/v1/webhook_endpoints/{created['id']}"))
    no_problems(_deleted_problems(deleted, stripe.WebhookEndpoint, "webhook_endpoint"))
