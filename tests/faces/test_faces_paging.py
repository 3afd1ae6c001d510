"""One paging rule for every face (``api.cycle.page``): a list takes one cursor at most. Both cursors are
refused with a 400 that names ``ending_before`` and carries Stripe's code ``parameters_exclusive``; each
face shows it in its own error shape (Flex and Yorlet put their own table's code or type in its place)."""

from __future__ import annotations

import httpx
import pytest

from arrears.api import cycle
from arrears.api.stripe.errors import doc_url
from arrears.domain.errors import ParamError
from arrears.store.query import Page
from tests.support.faces import FLEX, STRIPE, YORLET, stripe_open_invoice
from tests.support.server import Server

MESSAGE = "You may only specify one of these parameters: ending_before, starting_after."
BOTH = {"starting_after": "in_a", "ending_before": "in_b"}
STRIPE_LISTS = ["/v1/customers", "/v1/invoiceitems", "/v1/invoices", "/v1/events", "/v1/webhook_endpoints",
                "/v1/test_helpers/test_clocks", "/_arrears/v1/webhook_attempts"]


def test_the_paging_check_refuses_both_cursors_with_stripes_parameters_exclusive_code() -> None:
    with pytest.raises(ParamError) as refused:
        cycle.page(BOTH, default_limit=10)
    assert (refused.value.message, refused.value.param, refused.value.code) == (
        MESSAGE, "ending_before", "parameters_exclusive")


def test_the_paging_check_takes_one_cursor_and_the_faces_default_limit() -> None:
    assert cycle.page({"starting_after": "in_a"}, default_limit=20) == Page(limit=20, starting_after="in_a")
    assert cycle.page({"ending_before": "in_b", "limit": 3}, default_limit=20).limit == 3


@pytest.mark.parametrize("path", STRIPE_LISTS)
def test_every_stripe_list_refuses_both_cursors_with_parameters_exclusive(server: Server, path: str) -> None:
    r = httpx.get(f"{server.url}{path}", params=BOTH, headers=STRIPE)
    assert r.status_code == 400
    assert r.json() == {"error": {"message": MESSAGE, "type": "invalid_request_error", "param": "ending_before",
                                  "code": "parameters_exclusive", "doc_url": doc_url("parameters_exclusive")}}


def test_an_invoices_line_list_refuses_both_cursors_with_parameters_exclusive(server: Server) -> None:
    inv = stripe_open_invoice(server.url)
    r = httpx.get(f"{server.url}/v1/invoices/{inv['id']}/lines", params=BOTH, headers=STRIPE)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "parameters_exclusive"


def test_flex_refuses_both_cursors_in_its_envelope(server: Server) -> None:
    r = httpx.get(f"{server.url}/flex/v1/invoices", params=BOTH, headers=FLEX)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "invalid_request", "type": "invalid_request_error", "message": MESSAGE,
                                  "param": "ending_before"}}


def test_yorlet_refuses_both_cursors_in_its_envelope(server: Server) -> None:
    r = httpx.get(f"{server.url}/yorlet/v1/invoices", params=BOTH, headers=YORLET)
    assert r.status_code == 400
    assert r.json() == {"error": {"message": MESSAGE, "param": "ending_before", "type": "invalid_request"},
                        "status": 400}
