"""Lists, cursors and search through the official SDK (stripe-invoices.md §6.3, §6.4).

The session server is shared, so every test makes its own customers (with unique emails, names and
invoice prefixes) and filters by them: no test sees another's objects.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import stripe

from tests import factories
from tests.factories import new_customer


def token() -> str:
    return uuid.uuid4().hex[:12]


def prefix() -> str:
    return "T" + uuid.uuid4().hex[:8].upper()


def drafts(client: stripe.StripeClient, cus: stripe.Customer, n: int) -> list[str]:
    """``n`` drafts for ``cus``, oldest first, with totals 100, 200, ..."""
    return [factories.draft(client, cus=cus, amount=100 * (i + 1)).id for i in range(n)]


def ids(objects: Any) -> list[str]:
    return [o.id for o in objects]


def next_second(after: int) -> None:
    """Wait until the wall clock (the server's clock) has passed the second ``after``."""
    while int(time.time()) <= after:
        time.sleep(0.05)


def bad_request(call: Any) -> stripe.InvalidRequestError:
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    assert info.value.http_status == 400
    return info.value


# --- pagination -----------------------------------------------------------------------------------

def test_list_is_newest_first_and_auto_paging_visits_every_invoice_once(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    created = drafts(client, cus, 7)

    listed = client.v1.invoices.list(params={"customer": cus.id, "limit": 3})

    assert listed.object == "list" and listed.url == "/v1/invoices"
    assert ids(listed.data) == created[::-1][:3] and listed.has_more is True
    assert ids(listed.auto_paging_iter()) == created[::-1]


def test_starting_after_walks_to_older_pages_without_gaps_and_has_more_stops_at_the_end(
    client: stripe.StripeClient,
) -> None:
    cus = new_customer(client)
    newest_first = drafts(client, cus, 7)[::-1]

    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"customer": cus.id, "limit": 3}
        if cursor:
            params["starting_after"] = cursor
        page = client.v1.invoices.list(params=params)
        pages.append((ids(page.data), page.has_more))
        if not page.has_more:
            break
        cursor = page.data[-1].id

    assert pages == [(newest_first[0:3], True), (newest_first[3:6], True), (newest_first[6:], False)]


def test_has_more_is_false_on_a_page_that_ends_exactly_at_the_last_object(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    newest_first = drafts(client, cus, 4)[::-1]

    exact = client.v1.invoices.list(params={"customer": cus.id, "limit": 4})
    one_short = client.v1.invoices.list(params={"customer": cus.id, "limit": 3})
    second = client.v1.invoices.list(params={"customer": cus.id, "limit": 2, "starting_after": newest_first[1]})
    past_the_end = client.v1.invoices.list(params={"customer": cus.id, "starting_after": newest_first[-1]})

    assert (ids(exact.data), exact.has_more) == (newest_first, False)
    assert one_short.has_more is True
    assert (ids(second.data), second.has_more) == (newest_first[2:], False)
    assert (past_the_end.data, past_the_end.has_more) == ([], False)


def test_ending_before_returns_the_newer_neighbours_still_newest_first(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    oldest_first = drafts(client, cus, 7)

    above_oldest = client.v1.invoices.list(params={"customer": cus.id, "limit": 3, "ending_before": oldest_first[0]})
    near_top = client.v1.invoices.list(params={"customer": cus.id, "limit": 3, "ending_before": oldest_first[4]})
    above_newest = client.v1.invoices.list(params={"customer": cus.id, "ending_before": oldest_first[-1]})

    assert ids(above_oldest.data) == [oldest_first[3], oldest_first[2], oldest_first[1]]
    assert above_oldest.has_more is True
    assert (ids(near_top.data), near_top.has_more) == ([oldest_first[6], oldest_first[5]], False)
    assert (above_newest.data, above_newest.has_more) == ([], False)


def test_auto_paging_backwards_from_ending_before_reaches_the_newest(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    oldest_first = drafts(client, cus, 6)

    walked = client.v1.invoices.list(
        params={"customer": cus.id, "limit": 2, "ending_before": oldest_first[0]}).auto_paging_iter()

    assert ids(walked) == oldest_first[1:]  # the SDK yields nearest to the cursor first


def test_starting_after_and_ending_before_together_are_refused(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    a, b = drafts(client, cus, 2)

    bad_request(lambda: client.v1.invoices.list(params={"starting_after": a, "ending_before": b}))


@pytest.mark.parametrize("limit", [0, 101])
def test_limit_outside_1_to_100_is_refused(client: stripe.StripeClient, limit: int) -> None:
    err = bad_request(lambda: client.v1.invoices.list(params={"limit": limit}))
    assert err.param == "limit"


def test_every_list_carries_its_own_url(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=100)
    inv = factories.draft(client, cus=cus)

    assert client.v1.customers.list(params={"limit": 1}).url == "/v1/customers"
    assert client.v1.invoice_items.list(params={"customer": cus.id}).url == "/v1/invoiceitems"
    assert client.v1.customers.balance_transactions.list(cus.id).url == f"/v1/customers/{cus.id}/balance_transactions"
    assert client.v1.invoices.line_items.list(inv.id).url == f"/v1/invoices/{inv.id}/lines"
    assert inv.lines.url == f"/v1/invoices/{inv.id}/lines"


# --- invoice filters ------------------------------------------------------------------------------

def test_invoices_filter_by_customer(client: stripe.StripeClient) -> None:
    mine, theirs = new_customer(client), new_customer(client)
    my_invoices = drafts(client, mine, 2)
    drafts(client, theirs, 1)

    assert ids(client.v1.invoices.list(params={"customer": mine.id}).data) == my_invoices[::-1]


def test_invoices_filter_by_status(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    by_status = {s: factories.invoice_in(client, s, cus=cus).id
                 for s in ("draft", "open", "paid", "uncollectible", "void")}

    for status, invoice_id in by_status.items():
        found = client.v1.invoices.list(params={"customer": cus.id, "status": status}).data
        assert ids(found) == [invoice_id], status


def test_invoices_filter_by_collection_method(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    auto = factories.draft(client, cus=cus).id
    sent = factories.draft(client, cus=cus, collection_method="send_invoice", days_until_due=30).id

    def listed(method: str) -> list[str]:
        return ids(client.v1.invoices.list(params={"customer": cus.id, "collection_method": method}).data)

    assert listed("charge_automatically") == [auto]
    assert listed("send_invoice") == [sent]


def test_invoices_filter_by_created_bounds(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    first = factories.draft(client, cus=cus)
    next_second(first.created)
    second = factories.draft(client, cus=cus)
    next_second(second.created)
    third = factories.draft(client, cus=cus)
    assert first.created < second.created < third.created

    def listed(created: Any) -> list[str]:
        return ids(client.v1.invoices.list(params={"customer": cus.id, "created": created}).data)

    assert listed({"gt": first.created}) == [third.id, second.id]
    assert listed({"gte": second.created}) == [third.id, second.id]
    assert listed({"lt": second.created}) == [first.id]
    assert listed({"lte": second.created}) == [second.id, first.id]
    assert listed({"gt": first.created, "lt": third.created}) == [second.id]
    assert listed(second.created) == [second.id]


def test_invoices_filter_by_due_date(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    base = int(time.time()) + 10 * 86400
    due = {d: factories.draft(client, cus=cus, collection_method="send_invoice", due_date=base + d * 86400).id
           for d in (1, 2, 3)}

    def listed(due_date: Any) -> list[str]:
        return ids(client.v1.invoices.list(params={"customer": cus.id, "due_date": due_date}).data)

    assert listed({"gte": base + 2 * 86400}) == [due[3], due[2]]
    assert listed({"lt": base + 2 * 86400}) == [due[1]]
    assert listed({"gt": base + 86400, "lte": base + 2 * 86400}) == [due[2]]
    assert listed(base + 3 * 86400) == [due[3]]


def test_invoice_filters_combine(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    factories.invoice_in(client, "open", cus=cus)
    wanted = factories.invoice_in(client, "open", cus=cus, collection_method="send_invoice", days_until_due=5)
    factories.draft(client, cus=cus, collection_method="send_invoice", days_until_due=5)

    found = client.v1.invoices.list(
        params={"customer": cus.id, "status": "open", "collection_method": "send_invoice"}).data

    assert ids(found) == [wanted.id]


# --- other lists ----------------------------------------------------------------------------------

def test_invoice_items_filter_by_customer_invoice_and_pending(client: stripe.StripeClient) -> None:
    cus, other = new_customer(client), new_customer(client)
    on_invoice = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 100, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    pending = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 200, "currency": "usd"})
    client.v1.invoice_items.create(params={"customer": other.id, "amount": 300, "currency": "usd"})

    def listed(**params: Any) -> list[str]:
        return ids(client.v1.invoice_items.list(params=params).auto_paging_iter())

    assert listed(customer=cus.id) == [pending.id, on_invoice.id]
    assert listed(invoice=inv.id) == [on_invoice.id]
    assert listed(customer=cus.id, pending=True) == [pending.id]
    assert listed(customer=cus.id, pending=False) == [on_invoice.id]


def test_customers_filter_by_email_and_created(client: stripe.StripeClient) -> None:
    email = f"{token()}@example.com"
    first = client.v1.customers.create(params={"email": email})
    next_second(first.created)
    second = client.v1.customers.create(params={"email": email})
    client.v1.customers.create(params={"email": f"other-{email}"})

    def listed(**params: Any) -> list[str]:
        return ids(client.v1.customers.list(params={"email": email, **params}).data)

    assert listed() == [second.id, first.id]
    assert listed(created={"gt": first.created}) == [second.id]
    assert listed(created={"lte": first.created}) == [first.id]
    assert listed(limit=1, starting_after=second.id) == [first.id]


def test_balance_transactions_list_newest_first_and_filter_by_invoice(client: stripe.StripeClient) -> None:
    cus = new_customer(client, balance=-300)
    client.v1.customers.balance_transactions.create(cus.id, params={"amount": -200, "currency": "usd"})
    inv = factories.invoice_in(client, "open", cus=cus, amount=1000)

    everything = client.v1.customers.balance_transactions.list(cus.id, params={"limit": 2})
    walked = list(everything.auto_paging_iter())
    for_invoice = client.v1.customers.balance_transactions.list(cus.id, params={"invoice": inv.id}).data

    assert [t.type for t in walked] == ["applied_to_invoice", "adjustment", "initial"]
    assert everything.has_more is True and len(everything.data) == 2
    assert [(t.type, t.amount, t.invoice) for t in for_invoice] == [("applied_to_invoice", 500, inv.id)]


def test_balance_transactions_of_an_unknown_customer_are_not_found(client: stripe.StripeClient) -> None:
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.customers.balance_transactions.list("cus_doesnotexist")
    assert info.value.http_status == 404


# --- invoice search -------------------------------------------------------------------------------

def search(client: stripe.StripeClient, query: str, **params: Any) -> list[str]:
    return ids(client.v1.invoices.search(params={"query": query, **params}).auto_paging_iter())


def test_search_by_customer_and_status(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    draft = factories.invoice_in(client, "draft", cus=cus)
    opened = factories.invoice_in(client, "open", cus=cus)

    result = client.v1.invoices.search(params={"query": f'customer:"{cus.id}" AND status:"open"'})

    assert result.object == "search_result" and result.url == "/v1/invoices/search"
    assert ids(result.data) == [opened.id]
    assert set(search(client, f'customer:"{cus.id}"')) == {draft.id, opened.id}


def test_search_compares_totals(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    small, middle, large = drafts(client, cus, 3)  # totals 100, 200, 300
    scope = f'customer:"{cus.id}"'

    assert set(search(client, f"{scope} AND total>200")) == {large}
    assert set(search(client, f"{scope} AND total>=200")) == {middle, large}
    assert set(search(client, f"{scope} AND total<200")) == {small}
    assert set(search(client, f"{scope} AND total<=200")) == {small, middle}
    assert set(search(client, f"{scope} total:200")) == {middle}


def test_search_by_exact_number_and_number_substring(client: stripe.StripeClient) -> None:
    pfx = prefix()
    cus = new_customer(client, invoice_prefix=pfx)
    first = factories.invoice_in(client, "open", cus=cus)
    second = factories.invoice_in(client, "paid", cus=cus)
    factories.invoice_in(client, "draft", cus=cus)  # no number yet
    assert (first.number, second.number) == (f"{pfx}-0001", f"{pfx}-0002")

    assert search(client, f'number:"{pfx}-0002"') == [second.id]
    assert set(search(client, f'number~"{pfx}"')) == {first.id, second.id}


def test_search_by_metadata_value(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    order = token()
    tagged = factories.draft(client, cus=cus, metadata={"order": order})
    factories.draft(client, cus=cus, metadata={"order": token()})
    factories.draft(client, cus=cus, metadata={"other": order})

    assert search(client, f'metadata["order"]:"{order}"') == [tagged.id]


def test_search_negated_metadata_keeps_invoices_without_the_key(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    order = token()
    factories.draft(client, cus=cus, metadata={"order": order})
    other = factories.draft(client, cus=cus, metadata={"order": token()})
    untagged = factories.draft(client, cus=cus)

    found = search(client, f'customer:"{cus.id}" AND -metadata["order"]:"{order}"')

    assert set(found) == {other.id, untagged.id}


def test_search_with_or_joins_either_side(client: stripe.StripeClient) -> None:
    a, b, c = new_customer(client), new_customer(client), new_customer(client)
    in_a, in_b = drafts(client, a, 1) + drafts(client, b, 1)
    drafts(client, c, 1)

    assert set(search(client, f'customer:"{a.id}" OR customer:"{b.id}"')) == {in_a, in_b}


def test_search_negation_excludes_matching_invoices(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    draft = factories.invoice_in(client, "draft", cus=cus, amount=1099)
    opened = factories.invoice_in(client, "open", cus=cus, amount=1099)
    paid = factories.invoice_in(client, "paid", cus=cus, amount=2000)

    assert set(search(client, f'customer:"{cus.id}" -status:"draft"')) == {opened.id, paid.id}
    assert set(search(client, f'customer:"{cus.id}" AND -total>1099')) == {draft.id, opened.id}


def test_search_pages_through_next_page_without_duplicates(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    created = set(drafts(client, cus, 5))
    query = f'customer:"{cus.id}"'

    seen: list[str] = []
    page = client.v1.invoices.search(params={"query": query, "limit": 2})
    shapes = []
    while True:
        seen += ids(page.data)
        shapes.append((len(page.data), page.has_more, page.next_page is not None))
        if not page.has_more:
            break
        page = client.v1.invoices.search(params={"query": query, "limit": 2, "page": page.next_page})

    assert shapes == [(2, True, True), (2, True, True), (1, False, False)]
    assert len(seen) == len(set(seen)) and set(seen) == created
    assert set(search(client, query, limit=2)) == created


def test_search_total_count_only_when_expanded(client: stripe.StripeClient) -> None:
    cus = new_customer(client)
    drafts(client, cus, 3)

    plain = client.v1.invoices.search(params={"query": f'customer:"{cus.id}"', "limit": 1})
    counted = client.v1.invoices.search(params={"query": f'customer:"{cus.id}"', "limit": 1,
                                                "expand": ["total_count"]})

    assert "total_count" not in plain
    assert counted.total_count == 3 and len(counted.data) == 1


def test_search_with_an_unparsable_page_token_is_refused(client: stripe.StripeClient) -> None:
    err = bad_request(lambda: client.v1.invoices.search(params={"query": 'status:"open"', "page": "garbage!"}))
    assert err.param == "page"


@pytest.mark.parametrize("query", [
    "",
    'status:"open" AND total>1 OR total<2',
    'colour:"red"',
    "status:open",
    'status:"open',
    "total~100",
    '(status:"open")',
])
def test_bad_search_query_is_a_400_on_query(client: stripe.StripeClient, query: str) -> None:
    err = bad_request(lambda: client.v1.invoices.search(params={"query": query}))
    assert err.param == "query"


# --- customer search ------------------------------------------------------------------------------

def test_customers_search_by_email_substring_and_exact_name(client: stripe.StripeClient) -> None:
    tag = token()
    jenny = client.v1.customers.create(params={"email": f"jenny.{tag}@example.com", "name": f"Jenny {tag}"})
    jim = client.v1.customers.create(params={"email": f"jim.{tag}@example.com", "name": f"Jim {tag}"})
    client.v1.customers.create(params={"email": f"else.{token()}@example.com", "name": f"Jenny {tag}x"})

    by_email = client.v1.customers.search(params={"query": f'email~"{tag}@"'})

    assert by_email.url == "/v1/customers/search"
    assert set(ids(by_email.auto_paging_iter())) == {jenny.id, jim.id}
    found = client.v1.customers.search(params={"query": f'name:"Jenny {tag}"'}).data
    assert ids(found) == [jenny.id]


def test_customers_search_refuses_invoice_only_fields(client: stripe.StripeClient) -> None:
    err = bad_request(lambda: client.v1.customers.search(params={"query": 'status:"open"'}))
    assert err.param == "query"
