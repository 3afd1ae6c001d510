"""Each face's error shape for the two cases every client meets: an invoice that is not open, and an
id that does not exist; plus a missing key. Same rule everywhere (Stripe's), each face's own words."""

from __future__ import annotations

import anyio
import httpx
import pytest

from arrears import agent
from arrears.agent.mcp_server import build
from arrears.api.flex import ids
from tests.support.answers import ok
from tests.support.faces import FLEX, STRIPE, YORLET, flex_seed, stripe_open_invoice
from tests.support.server import KEY, Server

NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."


def _paid_invoice(server: Server) -> str:
    inv = stripe_open_invoice(server.url)
    ok(httpx.post(f"{server.url}/v1/invoices/{inv['id']}/pay", data={"paid_out_of_band": "true"}, headers=STRIPE))
    return str(inv["id"])


def test_stripe_refuses_a_paid_invoice_with_400_and_an_unknown_one_with_404_resource_missing(server: Server) -> None:
    paid = _paid_invoice(server)
    r = httpx.post(f"{server.url}/v1/invoices/{paid}/mark_uncollectible", headers=STRIPE)
    assert r.status_code == 400
    assert r.json() == {"error": {"message": NOT_OPEN, "type": "invalid_request_error"}}
    r = httpx.post(f"{server.url}/v1/invoices/in_doesnotexist/mark_uncollectible", headers=STRIPE)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "resource_missing"
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_flex_refuses_in_its_own_envelope_and_names_an_unknown_id_as_the_client_sent_it(server: Server) -> None:
    paid = ids.to_flex(_paid_invoice(server))
    r = httpx.post(f"{server.url}/flex/v1/invoices/{paid}/mark_uncollectible", headers=FLEX)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "invalid_request", "type": "invalid_request_error", "message": NOT_OPEN}}
    # An id in Flex's form that names nothing, and one that is not even readable: both are not found,
    # and the message shows the id as the client sent it (never arrears' internal form)
    inv, _ = flex_seed(server.url)
    unknown = inv["invoice_id"][:-1] + ("0" if inv["invoice_id"][-1] != "0" else "1")
    for given, shown in ((unknown, unknown), ("fin_nope", "fin_nope")):
        r = httpx.post(f"{server.url}/flex/v1/invoices/{given}/mark_uncollectible", headers=FLEX)
        assert r.status_code == 404
        assert r.json() == {"error": {"code": "not_found", "type": "invalid_request_error", "param": "id",
                                      "message": f"No such invoice: '{shown}'"}}
    r = httpx.get(f"{server.url}/flex/v1/invoices", headers={"Authorization": "Bearer sk_test_notflex"})
    assert r.status_code == 401 and r.json()["error"]["type"] == "authentication_error"


def test_yorlet_refuses_in_its_own_envelope_with_the_status_inside_and_401_without_a_key(server: Server) -> None:
    paid = _paid_invoice(server)
    r = httpx.post(f"{server.url}/yorlet/v1/invoices/{paid}/mark_uncollectible", headers=YORLET)
    assert r.status_code == 400
    assert r.json() == {"error": {"message": NOT_OPEN, "param": None, "type": "invalid_request"}, "status": 400}
    r = httpx.post(f"{server.url}/yorlet/v1/invoices/in_doesnotexist/mark_uncollectible", headers=YORLET)
    assert r.status_code == 404
    assert r.json() == {"error": {"message": "No such invoice: 'in_doesnotexist'", "param": "id",
                                  "type": "invalid_request"}, "status": 404}
    r = httpx.get(f"{server.url}/yorlet/v1/invoices")
    assert r.status_code == 401 and r.json()["status"] == 401


@pytest.mark.parametrize("face", ["flex", "yorlet"])
def test_unknown_urls_under_a_face_answer_in_its_shape(server: Server, face: str) -> None:
    r = httpx.get(f"{server.url}/{face}/v1/nothing_here", headers=FLEX if face == "flex" else YORLET)
    assert r.status_code == 404
    body = r.json()
    assert "Unrecognized request URL" in body["error"]["message"]
    assert ("code" in body["error"]) if face == "flex" else (body["status"] == 404)


def test_agent_and_mcp_errors_carry_the_faces_answer(server: Server) -> None:
    tools = agent.load(server.url + "/openapi.json", api_key=KEY)
    result = tools.call("postInvoicesInvoiceMarkUncollectible", {"invoice": "in_doesnotexist"})
    assert (result.status, result.body["error"]["code"]) == (404, "resource_missing")
    with pytest.raises(ValueError, match="missing required parameter"):
        tools.call("postInvoicesInvoiceMarkUncollectible", {})
    paid = _paid_invoice(server)

    async def run() -> None:
        from mcp import Client

        async with Client(build(tools)) as client:
            missing = await client.call_tool("postInvoicesInvoiceMarkUncollectible", {"invoice": "in_doesnotexist"})
            assert missing.is_error and missing.content[0].text.startswith("resource_missing (HTTP 404)")
            refused = await client.call_tool("postInvoicesInvoiceVoid", {"invoice": paid})
            assert refused.is_error and NOT_OPEN in refused.content[0].text

    anyio.run(run)


def test_every_face_tolerates_the_headers_ocp_clients_send(server: Server) -> None:
    ocp = {"OCP-Context-ID": "ctx_1", "OCP-Agent-Type": "ai_agent", "OCP-Version": "1.0",
           "OCP-Session": "gzip:H4sIAAAAAAAAA6tWSs7PS8tMBwCRbCh8CAAAAA==", "OCP-Current-Goal": "collect rent"}
    assert httpx.get(f"{server.url}/v1/invoices", headers={**STRIPE, **ocp}).status_code == 200
    assert httpx.get(f"{server.url}/flex/v1/invoices", headers={**FLEX, **ocp}).status_code == 200
    assert httpx.get(f"{server.url}/yorlet/v1/invoices", headers={**YORLET, **ocp}).status_code == 200
