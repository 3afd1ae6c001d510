"""Bad input gets Stripe's 4xx error envelope, never a 500, and never a partial write.

Every error response is checked for the envelope {"error": {"type", "message", ...}} with
``type: invalid_request_error`` unless said otherwise."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.support.answers import ok
from tests.support.server import KEY, Server

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON_TYPE = {"Content-Type": "application/json"}


def error_of(response: httpx.Response, status: int = 400, kind: str = "invalid_request_error") -> dict[str, Any]:
    """The `error` hash of a Stripe error response, after checking status, media type and envelope."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert error["type"] == kind, error
    assert isinstance(error["message"], str) and error["message"], error
    return error


def unique_email() -> str:
    return f"bad-input-{uuid4().hex[:12]}@example.com"


# --- unknown parameters -----------------------------------------------------------------------------

def test_unknown_top_level_param_is_named_in_the_error(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/invoices", data={"colour": "red"}))
    assert error["message"] == "Received unknown parameter: colour"
    assert error["param"] == "colour"
    assert error["code"] == "parameter_unknown"
    assert error["doc_url"] == "https://stripe.com/docs/error-codes/parameter-unknown"


def test_unknown_nested_param_is_named_with_its_brackets(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    error = error_of(http.post("/v1/invoiceitems", data={
        "customer": cus.id, "amount": "5", "currency": "usd",
        "period[start]": "1", "period[end]": "2", "period[foo]": "1"}))
    assert error["message"] == "Received unknown parameter: period[foo]"
    assert error["param"] == "period[foo]"


def test_unknown_param_deep_in_an_array_of_hashes_is_named_with_its_index(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    error = error_of(http.post(f"/v1/invoices/{inv.id}/add_lines", data={
        "lines[0][amount]": "5", "lines[1][amount]": "6", "lines[1][colour]": "red"}))
    assert error["message"] == "Received unknown parameter: lines[1][colour]"
    assert error["param"] == "lines[1][colour]"


def test_unknown_query_param_on_a_list_is_refused(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices", params={"sort": "asc"}))
    assert error["message"] == "Received unknown parameter: sort"


def test_unknown_range_bound_is_refused(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices", params={"created[gt]": "1", "created[around]": "2"}))
    assert error["message"] == "Received unknown parameter: created[around]"
    assert error["param"] == "created[around]"


def test_operation_without_params_refuses_any(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.invoice_in(client, "open")
    error = error_of(http.post(f"/v1/invoices/{inv.id}/void", data={"reason": "because"}))
    assert error["message"] == "Received unknown parameter: reason"
    assert client.v1.invoices.retrieve(inv.id).status == "open"


# --- wrong types ------------------------------------------------------------------------------------

def test_non_integer_amount_is_an_invalid_integer(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    error = error_of(http.post("/v1/invoiceitems", data={"customer": cus.id, "amount": "abc", "currency": "usd"}))
    assert error["message"] == "Invalid integer: abc"
    assert error["param"] == "amount"
    assert error["code"] == "parameter_invalid_integer"
    assert error["doc_url"] == "https://stripe.com/docs/error-codes/parameter-invalid-integer"


@pytest.mark.parametrize("value", ["1.5", "1e3", "0x10", " 5", "99999999999999999999", "--1"])
def test_integer_params_refuse_anything_but_decimal_digits(http: httpx.Client, value: str) -> None:
    error = error_of(http.post("/v1/customers", data={"balance": value}))
    assert error["code"] == "parameter_invalid_integer"
    assert error["param"] == "balance"


def test_json_float_is_not_an_integer(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", content=b'{"balance": 1.5}', headers=JSON_TYPE))
    assert error["code"] == "parameter_invalid_integer"


def test_bad_boolean_is_refused_with_its_value(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/invoices", data={"auto_advance": "yes"}))
    assert error["message"] == "Invalid boolean: yes"
    assert error["param"] == "auto_advance"


def test_bad_enum_lists_the_allowed_values(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices", params={"status": "overdue"}))
    assert error["message"] == "Invalid status: must be one of draft, open, paid, uncollectible, or void"
    assert error["param"] == "status"


def test_two_value_enum_says_or(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/invoices", data={"collection_method": "cash"}))
    assert error["message"] == "Invalid collection_method: must be one of charge_automatically or send_invoice"


def test_hash_param_given_as_a_string_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    error = error_of(http.post("/v1/invoiceitems", data={
        "customer": cus.id, "amount": "5", "currency": "usd", "period": "last-month"}))
    assert error["param"] == "period"
    assert "hash" in error["message"]


def test_metadata_given_as_a_non_empty_string_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"metadata": "x"}))
    assert error["param"] == "metadata"


def test_string_param_given_as_a_hash_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"email[first]": "a@example.com"}))
    assert error["param"] == "email"


def test_array_param_given_as_a_hash_with_names_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"preferred_locales[first]": "de"}))
    assert error["param"] == "preferred_locales"


def test_too_long_string_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"invoice_prefix": "A" * 13}))
    assert error["param"] == "invoice_prefix"


# --- empty strings ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "name"), [
    ("/v1/customers", "balance"),
    ("/v1/customers", "invoice_prefix"),
    ("/v1/invoices", "auto_advance"),
    ("/v1/invoices", "collection_method"),
])
def test_empty_string_for_a_param_that_cannot_be_unset_is_refused(http: httpx.Client, path: str, name: str) -> None:
    error = error_of(http.post(path, data={name: ""}))
    assert error["code"] == "parameter_invalid_empty"
    assert error["param"] == name
    assert error["message"].startswith(f"You passed an empty string for '{name}'.")


def test_empty_string_unsets_a_nullable_param(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, description="VIP")
    body = ok(http.post(f"/v1/customers/{cus.id}", data={"description": ""}))
    assert body["description"] is None


# --- missing required params ------------------------------------------------------------------------

def test_missing_required_param_is_named(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/invoiceitems", data={"amount": "5"}))
    assert error["message"] == "Missing required param: customer."
    assert error["param"] == "customer"
    assert error["code"] == "parameter_missing"


def test_missing_required_param_in_a_nested_hash_is_named_with_brackets(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    cus = factories.customer(client)
    error = error_of(http.post("/v1/invoiceitems", data={
        "customer": cus.id, "amount": "5", "currency": "usd", "period[start]": "1"}))
    assert error["message"] == "Missing required param: period[end]."
    assert error["param"] == "period[end]"


def test_required_param_posted_empty_is_refused(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client)
    error = error_of(http.post(f"/v1/customers/{cus.id}/balance_transactions", data={"amount": "", "currency": "usd"}))
    assert error["param"] == "amount"
    assert error["code"] in ("parameter_invalid_empty", "parameter_missing")


def test_search_without_query_is_missing_a_param(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices/search"))
    assert error["message"] == "Missing required param: query."


# --- metadata limits --------------------------------------------------------------------------------

def test_metadata_with_51_keys_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={f"metadata[k{i}]": "v" for i in range(51)}))
    assert error["param"] == "metadata"
    assert "50" in error["message"]


def test_metadata_with_50_keys_is_accepted(http: httpx.Client) -> None:
    body = ok(http.post("/v1/customers", data={f"metadata[k{i}]": "v" for i in range(50)}))
    assert len(body["metadata"]) == 50


def test_metadata_key_of_41_characters_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={f"metadata[{'k' * 41}]": "v"}))
    assert "40" in error["message"]
    assert error["param"].startswith("metadata")


def test_metadata_value_of_501_characters_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"metadata[note]": "v" * 501}))
    assert "500" in error["message"]
    assert error["param"] == "metadata[note]"


def test_metadata_at_the_limits_is_accepted(http: httpx.Client) -> None:
    body = ok(http.post("/v1/customers", data={f"metadata[{'k' * 40}]": "v" * 500}))
    assert body["metadata"] == {"k" * 40: "v" * 500}


def test_metadata_limit_counts_keys_after_merging_an_update(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given a customer with 30 keys
    cus = factories.customer(client, metadata={f"a{i}": "v" for i in range(30)})
    # When 21 more are added
    error = error_of(http.post(f"/v1/customers/{cus.id}", data={f"metadata[b{i}]": "v" for i in range(21)}))
    # Then the update is refused and the 30 keys are still there
    assert error["param"] == "metadata"
    assert len(ok(http.get(f"/v1/customers/{cus.id}"))["metadata"]) == 30


def test_empty_metadata_value_unsets_one_key(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, metadata={"keep": "1", "drop": "2"})
    body = ok(http.post(f"/v1/customers/{cus.id}", data={"metadata[drop]": ""}))
    assert body["metadata"] == {"keep": "1"}


def test_empty_metadata_unsets_every_key(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, metadata={"a": "1", "b": "2"})
    body = ok(http.post(f"/v1/customers/{cus.id}", data={"metadata": ""}))
    assert body["metadata"] == {}


def test_empty_metadata_unsets_every_key_on_an_invoice(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client, metadata={"a": "1", "b": "2"})
    body = ok(http.post(f"/v1/invoices/{inv.id}", data={"metadata": ""}))
    assert body["metadata"] == {}


def test_metadata_key_with_square_brackets_in_json_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", content=b'{"metadata": {"a[b]": "1"}}', headers=JSON_TYPE))
    assert error["param"] == "metadata"


def test_nested_value_in_metadata_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", data={"metadata[a][b]": "1"}))
    assert error["param"].startswith("metadata")


# --- malformed bodies -------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "why"), [
    (b"a[b=1", "a '[' is never closed"),
    (b"metadata[a=1", "a '[' is never closed"),
    (b"a=1&a[b]=2", "given both as a value and as a hash"),
    (b"metadata[b]=2&metadata=1", "given both as a value and as a hash"),
    (b"=1", "Invalid parameter name"),
    (b"[a]=1", "Invalid parameter name"),
    (b"metadata[a]x=1", "Invalid parameter name"),
    (b"name=\xff\xfe", "UTF-8"),
    (b"name=%ff%fe", "UTF-8"),
    (b"name=%zz", "%"),
    (b"name=100%", "%"),
    (b"a[b][c][d][e][f][g][h][i]=1", "nested too deeply"),
])
def test_malformed_form_body_is_a_400_not_a_500(http: httpx.Client, body: bytes, why: str) -> None:
    error = error_of(http.post("/v1/customers", content=body, headers=FORM))
    assert why in error["message"]


def test_malformed_query_string_is_a_400(server: Server) -> None:
    response = httpx.get(server.url + "/v1/invoices?limit=%zz", headers={"Authorization": f"Bearer {KEY}"})
    error_of(response)


def test_body_larger_than_one_mebibyte_is_refused(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", content=b"name=" + b"a" * (1 << 20), headers=FORM), 413)
    assert "larger than" in error["message"]


def test_more_than_a_thousand_params_are_refused(http: httpx.Client) -> None:
    body = "&".join(f"metadata[k{i}]=v" for i in range(1001)).encode()
    error = error_of(http.post("/v1/customers", content=body, headers=FORM))
    assert "Too many parameters" in error["message"]


@pytest.mark.parametrize("body", [b"[1, 2]", b'"customer"', b"null", b"42"])
def test_json_body_that_is_not_an_object_is_refused(http: httpx.Client, body: bytes) -> None:
    error = error_of(http.post("/v1/customers", content=body, headers=JSON_TYPE))
    assert "JSON object" in error["message"]


@pytest.mark.parametrize("body", [b"{", b"{'a': 1}", b'{"a": }', b"\xff"])
def test_malformed_json_is_refused(http: httpx.Client, body: bytes) -> None:
    error = error_of(http.post("/v1/customers", content=body, headers=JSON_TYPE))
    assert "JSON" in error["message"]


def test_json_object_body_is_validated_like_a_form(http: httpx.Client) -> None:
    error = error_of(http.post("/v1/customers", content=json.dumps({"colour": "red"}).encode(), headers=JSON_TYPE))
    assert error["message"] == "Received unknown parameter: colour"


# --- pagination -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("limit", "message"), [
    ("0", "This value must be greater than or equal to 1."),
    ("101", "This value must be less than or equal to 100."),
    ("-1", "This value must be greater than or equal to 1."),
])
def test_limit_outside_1_to_100_is_refused(http: httpx.Client, limit: str, message: str) -> None:
    for path in ("/v1/invoices", "/v1/customers", "/v1/invoiceitems"):
        error = error_of(http.get(path, params={"limit": limit}))
        assert error["message"] == message
        assert error["param"] == "limit"


def test_limit_outside_range_is_refused_on_search(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices/search", params={"query": "status:'open'", "limit": "101"}))
    assert error["param"] == "limit"


def test_limit_outside_range_is_refused_on_an_invoices_lines(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.draft(client)
    error = error_of(http.get(f"/v1/invoices/{inv.id}/lines", params={"limit": "0"}))
    assert error["param"] == "limit"


def test_starting_after_and_ending_before_are_mutually_exclusive(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices", params={"starting_after": "in_a", "ending_before": "in_b"}))
    assert error["code"] == "parameters_exclusive"
    assert "ending_before" in error["message"] and "starting_after" in error["message"]


def test_invalid_search_page_token_is_refused(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices/search", params={"query": "status:'open'", "page": "not-a-token"}))
    assert error["param"] == "page"


# --- authentication ---------------------------------------------------------------------------------

NO_KEY_START = "You did not provide an API key."


@pytest.mark.parametrize("headers", [{}, {"Authorization": ""}, {"Authorization": "Bearer"},
                                     {"Authorization": "garbage"}])
def test_request_without_a_usable_key_is_401(server: Server, headers: dict[str, str]) -> None:
    error = error_of(httpx.get(server.url + "/v1/invoices", headers=headers), 401)
    assert error["message"].startswith(NO_KEY_START)
    assert "Authorization: Bearer" in error["message"]


def test_unknown_key_is_401_with_the_key_masked(server: Server) -> None:
    key = "sk_live_abcdefghijklmnop"
    error = error_of(httpx.get(server.url + "/v1/invoices", headers={"Authorization": f"Bearer {key}"}), 401)
    assert error["message"].startswith("Invalid API Key provided: sk_live_")
    assert key not in error["message"]
    assert error["message"].endswith("mnop")


def test_basic_auth_with_the_key_as_user_name_is_accepted(server: Server) -> None:
    response = httpx.get(server.url + "/v1/invoices", params={"limit": 1}, auth=(KEY, ""))
    assert response.status_code == 200, response.text


def test_basic_auth_that_is_not_base64_is_401(server: Server) -> None:
    error_of(httpx.get(server.url + "/v1/invoices", headers={"Authorization": "Basic !!!not-base64"}), 401)


def test_basic_auth_with_a_wrong_key_is_401(server: Server) -> None:
    error = error_of(httpx.get(server.url + "/v1/invoices", auth=("pk_test_publishable", "")), 401)
    assert error["message"].startswith("Invalid API Key provided")


def test_authentication_is_checked_before_parameters(server: Server) -> None:
    # An unauthenticated request with bad params still gets the 401, not the 400
    error_of(httpx.post(server.url + "/v1/invoices", data={"colour": "red"}), 401)


# --- routing ----------------------------------------------------------------------------------------

# (GET / itself answers what the server is: tests/cli/test_first_contact.py)
@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/invoices/in_1/explode", "/v2/invoices", "/v1"])
def test_unknown_route_is_a_json_404(http: httpx.Client, path: str) -> None:
    error = error_of(http.get(path), 404)
    assert error["message"].startswith(f"Unrecognized request URL (GET: {path})")


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/v1/invoices"), ("DELETE", "/v1/invoices"), ("PATCH", "/v1/customers"),
    ("GET", "/v1/invoices/in_1/finalize"),
])
def test_wrong_method_is_a_json_error(http: httpx.Client, method: str, path: str) -> None:
    error = error_of(http.request(method, path), 404)
    assert error["message"].startswith(f"Unrecognized request URL ({method}: {path})")


def test_unknown_id_is_a_404_resource_missing(http: httpx.Client) -> None:
    error = error_of(http.get("/v1/invoices/in_doesnotexist"), 404)
    assert error["code"] == "resource_missing"
    assert error["message"] == "No such invoice: 'in_doesnotexist'"


# --- no partial writes ------------------------------------------------------------------------------

def count(http: httpx.Client, path: str, **params: str) -> int:
    total, after = 0, None
    while True:
        page = ok(http.get(path, params={**params, "limit": "100", **({"starting_after": after} if after else {})}))
        total += len(page["data"])
        if not page["has_more"]:
            return total
        after = page["data"][-1]["id"]


@pytest.mark.parametrize("bad", [
    {"balance": "abc"},
    {"metadata[k]": "v" * 501},
    {"tax_exempt": "sometimes"},
    {"colour": "red"},
])
def test_failing_customer_create_writes_nothing(http: httpx.Client, bad: dict[str, str]) -> None:
    email = unique_email()
    assert count(http, "/v1/customers", email=email) == 0
    error_of(http.post("/v1/customers", data={"email": email, **bad}))
    assert count(http, "/v1/customers", email=email) == 0


def test_failing_invoice_create_leaves_pending_items_pending(client: stripe.StripeClient, http: httpx.Client) -> None:
    # Given a customer with a pending item
    cus = factories.customer(client)
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 100, "currency": "usd"})
    before_invoices = count(http, "/v1/invoices", customer=cus.id)
    # When an invoice that would take it in is refused
    error_of(http.post("/v1/invoices", data={
        "customer": cus.id, "pending_invoice_items_behavior": "include",
        **{f"metadata[k{i}]": "v" for i in range(51)}}))
    # Then no invoice exists and the item is still pending
    assert count(http, "/v1/invoices", customer=cus.id) == before_invoices == 0
    assert count(http, "/v1/invoiceitems", customer=cus.id, pending="true") == 1


def test_failing_invoice_item_create_writes_nothing(client: stripe.StripeClient, http: httpx.Client) -> None:
    inv = factories.invoice_in(client, "open")
    before = count(http, "/v1/invoiceitems", customer=str(inv.customer))
    error_of(http.post("/v1/invoiceitems", data={
        "customer": str(inv.customer), "invoice": inv.id, "amount": "5", "currency": "usd"}))
    assert count(http, "/v1/invoiceitems", customer=str(inv.customer)) == before


def test_add_lines_failing_on_the_second_line_keeps_the_first_out(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    # Given a draft with one line
    inv = factories.draft(client)
    items_before = count(http, "/v1/invoiceitems", customer=str(inv.customer))
    # When add_lines creates a good line and then meets an unknown invoice item
    error_of(http.post(f"/v1/invoices/{inv.id}/add_lines", data={
        "lines[0][amount]": "500", "lines[1][invoice_item]": "ii_doesnotexist"}), 404)
    # Then nothing of the request stayed: no new item, same lines, same total
    assert count(http, "/v1/invoiceitems", customer=str(inv.customer)) == items_before
    after = ok(http.get(f"/v1/invoices/{inv.id}"))
    assert len(after["lines"]["data"]) == 1
    assert after["total"] == inv.total


def test_remove_lines_failing_on_the_second_line_keeps_the_first(
    client: stripe.StripeClient, http: httpx.Client
) -> None:
    inv = factories.draft(client)
    line_id = inv.lines.data[0].id
    error_of(http.post(f"/v1/invoices/{inv.id}/remove_lines", data={
        "lines[0][id]": line_id, "lines[0][behavior]": "delete",
        "lines[1][id]": "il_doesnotexist", "lines[1][behavior]": "delete"}))
    after = ok(http.get(f"/v1/invoices/{inv.id}"))
    assert [line["id"] for line in after["lines"]["data"]] == [line_id]
    assert count(http, "/v1/invoiceitems", customer=str(inv.customer)) == 1


def test_failing_balance_transaction_leaves_the_balance(client: stripe.StripeClient, http: httpx.Client) -> None:
    cus = factories.customer(client, balance=-500)
    before = count(http, f"/v1/customers/{cus.id}/balance_transactions")
    error_of(http.post(f"/v1/customers/{cus.id}/balance_transactions", data={
        "amount": "100", "currency": "usd", "metadata[k]": "v" * 501}))
    assert count(http, f"/v1/customers/{cus.id}/balance_transactions") == before
    assert client.v1.customers.retrieve(cus.id).balance == -500


# --- property: any body gives an answer below 500 ---------------------------------------------------

NAME_PARTS = st.sampled_from([
    "customer", "currency", "metadata", "expand", "lines", "period", "start", "amount", "balance", "address",
    "auto_advance", "custom_fields", "invoice_settings", "preferred_locales", "days_until_due", "0", "1", "",
    "name", "email", "due_date", "pending_invoice_items_behavior", "shipping", "x",
])
VALUES = st.one_of(
    st.sampled_from(["", "0", "-1", "1", "true", "false", "usd", "include", "customer", "9" * 25, "%", "%zz",
                     "%5B", "%ff", "[", "]", "+", "&", "="]),
    st.text(max_size=20),
)


@st.composite
def form_bodies(draw: st.DrawFn) -> bytes:
    pairs = []
    for _ in range(draw(st.integers(0, 6))):
        head = draw(NAME_PARTS)
        subs = draw(st.lists(NAME_PARTS, max_size=3))
        name = head + "".join(f"[{s}]" for s in subs) + draw(st.sampled_from(["", "", "[", "]", "[]"]))
        pairs.append(f"{name}={draw(VALUES)}")
    return "&".join(pairs).encode("utf-8", "surrogatepass")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8) | NAME_PARTS, inner, max_size=3),
    max_leaves=8,
)
BODIES = st.one_of(
    st.tuples(st.just(FORM), st.binary(max_size=300)),
    st.tuples(st.just(FORM), st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.tuples(st.just(FORM), form_bodies()),
    st.tuples(st.just(JSON_TYPE), st.dictionaries(NAME_PARTS, JSON_VALUES, max_size=4).map(
        lambda d: json.dumps(d).encode())),
    st.tuples(st.just(JSON_TYPE), st.binary(max_size=100)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(["/v1/invoices", "/v1/customers"]), body=BODIES)
def test_random_bodies_never_cause_a_server_error(
    http: httpx.Client, path: str, body: tuple[dict[str, str], bytes]
) -> None:
    headers, content = body
    response = http.post(path, content=content, headers=headers)
    assert response.status_code < 500, (content, response.text)
    if response.status_code >= 400:
        error_of(response, response.status_code)
