"""The dashboard's HTTP contract against a real ``arrears serve``, without a browser: who may see what,
the session cookie, CSRF, escaping, and that actions go through the same rules as the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import stripe

from tests import factories
from tests.conftest import make_client, serve_in
from tests.support.server import KEY, Server


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_in(tmp_path_factory.mktemp("dashboard-http"))


@pytest.fixture(scope="module")
def api(srv: Server) -> stripe.StripeClient:
    return make_client(srv.url)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@pytest.fixture()
def browser(srv: Server) -> Iterator[httpx.Client]:
    """A client signed in to the dashboard, keeping its cookie as a browser would."""
    with httpx.Client(base_url=srv.url) as client:
        form = client.get("/dashboard/sign-in")
        done = client.post("/dashboard/sign-in", data={"api_key": KEY, "csrf_token": csrf_of(form), "next": ""})
        assert done.status_code == 303, done.text
        yield client


def test_a_visitor_without_a_session_is_sent_to_sign_in_and_back(srv: Server) -> None:
    with httpx.Client(base_url=srv.url) as browser:
        answer = browser.get("/dashboard/customers?email=a%40b.c")
        assert answer.status_code == 303
        assert answer.headers["location"] == "/dashboard/sign-in?next=%2Fdashboard%2Fcustomers%3Femail%3Da%2540b.c"
        form = browser.get(answer.headers["location"])
        done = browser.post("/dashboard/sign-in", data={
            "api_key": KEY, "csrf_token": csrf_of(form), "next": "/dashboard/customers?email=a%40b.c"})
        assert done.headers["location"] == "/dashboard/customers?email=a%40b.c"


def test_sign_in_goes_only_to_dashboard_pages(srv: Server) -> None:
    with httpx.Client(base_url=srv.url) as browser:
        form = browser.get("/dashboard/sign-in")
        done = browser.post("/dashboard/sign-in", data={
            "api_key": KEY, "csrf_token": csrf_of(form), "next": "https://evil.example/dashboard/"})
        assert done.headers["location"] == "/dashboard/invoices"


def test_a_key_the_api_refuses_is_refused_with_the_api_message(srv: Server) -> None:
    with httpx.Client(base_url=srv.url) as browser:
        form = browser.get("/dashboard/sign-in")
        answer = browser.post("/dashboard/sign-in", data={"api_key": "sk_live_x", "csrf_token": csrf_of(form)})
        assert answer.status_code == 401
        assert "Invalid API Key provided: sk_l****" in answer.text
        assert 'aria-invalid="true"' in answer.text
        assert browser.get("/dashboard/invoices").status_code == 303


def test_the_session_cookie_is_signed_http_only_and_same_site_lax(srv: Server) -> None:
    with httpx.Client(base_url=srv.url) as browser:
        header = browser.get("/dashboard/sign-in").headers["set-cookie"]
    assert header.startswith("arrears_dashboard=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/dashboard" in header
    assert "sk_test" not in header


def test_a_tampered_session_cookie_is_not_a_session(browser: httpx.Client) -> None:
    cookie = browser.cookies["arrears_dashboard"]
    body, _, signature = cookie.partition(".")
    browser.cookies.set("arrears_dashboard", body + "." + signature[::-1], path="/dashboard")
    assert browser.get("/dashboard/invoices").status_code == 303


def test_a_post_without_the_csrf_token_changes_nothing(browser: httpx.Client, api: stripe.StripeClient) -> None:
    inv = factories.invoice_in(api, "open")
    for token in (None, "forged"):
        data = {} if token is None else {"csrf_token": token}
        answer = browser.post(f"/dashboard/invoices/{inv.id}/mark_uncollectible", data=data)
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
    assert api.v1.invoices.retrieve(inv.id).status == "open"


def test_an_action_the_rules_refuse_is_refused_with_their_message(
        browser: httpx.Client, api: stripe.StripeClient) -> None:
    # Given a paid invoice, whose page offers no void (and a hand-made POST tries anyway)
    inv = factories.invoice_in(api, "paid")
    page = browser.get(f"/dashboard/invoices/{inv.id}")
    assert f"/invoices/{inv.id}/void" not in page.text
    # When
    answer = browser.post(f"/dashboard/invoices/{inv.id}/void", data={"csrf_token": csrf_of(page)})
    # Then the service said no, with the API's words, and nothing changed
    assert answer.status_code == 303
    shown = browser.get(answer.headers["location"]).text
    assert "Void failed: You can only pass in open invoices. This invoice isn&#39;t open." in shown
    assert api.v1.invoices.retrieve(inv.id).status == "paid"


def test_the_confirmation_page_of_a_forbidden_action_sends_back_to_the_invoice(
        browser: httpx.Client, api: stripe.StripeClient) -> None:
    inv = factories.invoice_in(api, "void")
    answer = browser.get(f"/dashboard/invoices/{inv.id}/pay")
    assert answer.status_code == 303
    assert "Pay out of band is not possible: this invoice is void." in browser.get(answer.headers["location"]).text


def test_the_buttons_post_through_the_same_service_as_the_api(browser: httpx.Client, api: stripe.StripeClient) -> None:
    inv = factories.invoice_in(api, "open")
    page = browser.get(f"/dashboard/invoices/{inv.id}")
    browser.post(f"/dashboard/invoices/{inv.id}/pay", data={"csrf_token": csrf_of(page)})
    paid = api.v1.invoices.retrieve(inv.id)
    assert (paid.status, paid.amount_paid_off_stripe, paid.amount_remaining) == ("paid", 1099, 0)
    events = api.v1.events.list(params={"type": "invoice.paid", "limit": 1}).data
    assert events[0].data.object["id"] == inv.id


def test_what_users_typed_is_escaped(browser: httpx.Client, api: stripe.StripeClient) -> None:
    evil = '<script>alert("x")</script>'
    inv = factories.invoice_in(api, "open", cus=factories.customer(api, name=evil))
    for path in (f"/dashboard/invoices/{inv.id}", f"/dashboard/customers/{inv.customer}", "/dashboard/invoices"):
        text = browser.get(path).text
        assert evil not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
    assert "default-src 'self'" in browser.get("/dashboard/invoices").headers["content-security-policy"]


def test_the_invoice_list_filters_by_status_and_customer_and_pages(
        browser: httpx.Client, api: stripe.StripeClient) -> None:
    cus = factories.customer(api, name="Pager")
    made = [factories.invoice_in(api, "open", cus=cus) for _ in range(27)]
    factories.invoice_in(api, "paid", cus=cus)
    first = browser.get("/dashboard/invoices", params={"status": "open", "customer": cus.id})
    ids = re.findall(r'href="/dashboard/invoices/(in_[A-Za-z0-9]+)"', first.text)
    assert ids == [m.id for m in reversed(made)][:25]
    older = re.search(r'href="(\?[^"]+)" rel="next"', first.text)
    assert older and "rel=\"prev\"" not in first.text
    second = browser.get("/dashboard/invoices" + older.group(1).replace("&amp;", "&"))
    assert re.findall(r'href="/dashboard/invoices/(in_[A-Za-z0-9]+)"', second.text) == [made[1].id, made[0].id]
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_search_uses_stripes_query_language_and_reports_its_errors(
        browser: httpx.Client, api: stripe.StripeClient) -> None:
    inv = factories.invoice_in(api, "uncollectible", metadata={"order": "dash-42"})
    found = browser.get("/dashboard/invoices", params={"q": 'metadata["order"]:"dash-42"'})
    assert re.findall(r'href="/dashboard/invoices/(in_[A-Za-z0-9]+)"', found.text) == [inv.id]
    refused = browser.get("/dashboard/invoices", params={"q": "status:"})
    assert refused.status_code == 400
    assert "We were unable to parse your search query" in refused.text


def test_the_bad_debt_page_lists_uncollectible_invoices_beside_the_reports(
        browser: httpx.Client, api: stripe.StripeClient) -> None:
    inv = factories.invoice_in(api, "uncollectible")
    page = browser.get("/dashboard/bad-debt")
    assert page.status_code == 200
    assert inv.id in page.text
    assert '<h2 id="aging-h">Aging of open receivables</h2>' in page.text  # the reports service is always there
    assert browser.get("/dashboard/bad-debt/aging.csv").status_code == 200


def test_signing_out_ends_the_session(browser: httpx.Client) -> None:
    page = browser.get("/dashboard/invoices")
    out = browser.post("/dashboard/sign-out", data={"csrf_token": csrf_of(page)})
    assert out.headers["location"] == "/dashboard/sign-in"
    assert browser.get("/dashboard/invoices").status_code == 303


def test_unknown_dashboard_pages_are_html_404s(browser: httpx.Client) -> None:
    for path in ("/dashboard/nope", "/dashboard/invoices/in_missing", "/dashboard/customers/cus_missing",
                 "/dashboard/events/evt_missing"):
        answer = browser.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("text/html")


def test_an_event_is_resent_from_its_page_as_a_new_delivery(browser: httpx.Client, api: stripe.StripeClient) -> None:
    endpoint = api.v1.webhook_endpoints.create(params={"url": "http://127.0.0.1:9/hook",
                                                       "enabled_events": ["customer.created"]})
    cus = factories.new_customer(api)
    event = next(e for e in api.v1.events.list(params={"type": "customer.created", "limit": 100}).data
                 if e.data.object["id"] == cus.id)
    page = browser.get(f"/dashboard/events/{event.id}")
    assert "Resend to its webhook endpoints" in page.text
    before = api.v1.events.retrieve(event.id).pending_webhooks
    done = browser.post(f"/dashboard/events/{event.id}/resend", data={"csrf_token": csrf_of(page)})
    assert done.status_code == 303 and done.headers["location"].endswith(f"/events/{event.id}")
    assert "Sent again" in browser.get(done.headers["location"]).text
    assert api.v1.events.retrieve(event.id).pending_webhooks == before + 1
    unknown = browser.post("/dashboard/events/evt_nope/resend", data={"csrf_token": csrf_of(page)})
    assert unknown.status_code == 404
    api.v1.webhook_endpoints.delete(endpoint.id)
