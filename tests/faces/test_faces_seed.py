"""The seed scenario through every face: a customer with 5.00 of credit, a 10.99 item, an invoice that
takes it in, finalized, then marked uncollectible: status uncollectible, 5.99 still due.

Stripe through the official SDK; Flex and Yorlet over plain HTTP as their docs show; the OCP-style
agent tools; MCP in-process, over stdio (a real `arrears mcp` subprocess, by the SDK client and by
hand-written JSON-RPC) and over streamable HTTP at /mcp."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import anyio
import httpx
import httpx2
import stripe
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from arrears import agent
from arrears.agent.mcp_server import build
from tests.support.answers import ok
from tests.support.faces import FLEX, FLEX_KEY, YORLET, flex_seed, yorlet_seed
from tests.support.server import KEY, Server

MARK = "postInvoicesInvoiceMarkUncollectible"


def test_seed_through_the_stripe_sdk(client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={"email": "jenny@example.com", "balance": -500})
    client.v1.invoice_items.create(params={"customer": cus.id, "amount": 1099, "currency": "usd"})
    inv = client.v1.invoices.create(params={"customer": cus.id, "pending_invoice_items_behavior": "include"})
    inv = client.v1.invoices.mark_uncollectible(client.v1.invoices.finalize_invoice(inv.id).id)
    assert (inv.status, inv.total, inv.amount_due, inv.amount_remaining) == ("uncollectible", 1099, 599, 599)
    assert inv.status_details.uncollectible.reason == "user_forgiven"


def test_seed_through_flex_over_http(server: Server) -> None:
    # Given an open invoice created through the Flex face
    inv, cus = flex_seed(server.url)
    assert inv["invoice_id"].startswith("fin_") and cus.startswith("fcus_")
    assert (inv["status"], inv["total"], inv["amount_due"], inv["test_mode"]) == ("open", 1099, 599, True)
    # When it is marked uncollectible as Flex's docs show (Bearer key, no body), its id in lower case
    response = httpx.post(f"{server.url}/flex/v1/invoices/{inv['invoice_id'].lower()}/mark_uncollectible",
                          headers={"Authorization": f"Bearer {FLEX_KEY}"})
    # Then Flex's envelope carries the uncollectible invoice
    marked = ok(response)["invoice"]
    assert marked["invoice_id"] == inv["invoice_id"]
    assert (marked["status"], marked["amount_due"], marked["amount_paid"]) == ("uncollectible", 599, 0)
    assert marked["created_at"].endswith("Z") and marked["customer"] == cus
    got = ok(httpx.get(f"{server.url}/flex/v1/invoices/{inv['invoice_id']}", headers=FLEX))["invoice"]
    assert got["status"] == "uncollectible"
    listed = ok(httpx.get(f"{server.url}/flex/v1/invoices", params={"customer": cus.lower()}, headers=FLEX))
    assert [i["invoice_id"] for i in listed["invoices"]] == [inv["invoice_id"]]


def test_seed_through_yorlet_over_http(server: Server) -> None:
    inv = yorlet_seed(server.url)
    assert inv["status"] == "open" and inv["finalized_at"] is not None
    marked = ok(httpx.post(f"{server.url}/yorlet/v1/invoices/{inv['id']}/mark_uncollectible",
                           headers={"Authorization": KEY}))  # the raw key, as Yorlet's curl samples send it
    assert (marked["object"], marked["status"], marked["amount_due"]) == ("invoice", "uncollectible", 599)
    assert marked["marked_uncollectible_at"] is not None and marked["paid"] is False
    assert "account" not in marked
    paid = ok(httpx.post(f"{server.url}/yorlet/v1/invoices/{inv['id']}/pay", headers=YORLET,
                         json={"paid_off_platform": True, "internal_reference": "bank transfer 42"}))
    assert (paid["status"], paid["paid"], paid["paid_off_platform"], paid["amount_paid"]) == ("paid", True, True, 599)
    assert paid["marked_uncollectible_at"] == marked["marked_uncollectible_at"]


def _stripe_tools(server: Server) -> agent.Toolset:
    return agent.load(server.url + "/openapi.json", api_key=KEY)


def _agent_seed(tools: agent.Toolset) -> str:
    cus = tools.call("postCustomers", {"balance": -500, "email": "jenny@example.com"})
    assert cus.ok, cus.body
    assert tools.call("postInvoiceitems", {"customer": cus.body["id"], "amount": 1099, "currency": "usd"}).ok
    inv = tools.call("postInvoices", {"customer": cus.body["id"], "pending_invoice_items_behavior": "include"})
    fin = tools.call("postInvoicesInvoiceFinalize", {"invoice": inv.body["id"]})
    assert fin.body["status"] == "open"
    return str(fin.body["id"])


def test_seed_through_the_agent_tools_named_by_operation_id(server: Server) -> None:
    tools = _stripe_tools(server)
    assert MARK in tools.tools and tools.tools[MARK].input_schema["required"] == ["invoice"]
    invoice = _agent_seed(tools)
    result = tools.call_tool(MARK, {"invoice": invoice})
    assert result.ok
    assert (result.body["status"], result.body["amount_due"]) == ("uncollectible", 599)
    listed = tools.call("getInvoices", {"status": "uncollectible", "limit": 100, "expand": ["data.customer"]})
    assert invoice in [i["id"] for i in listed.body["data"]]
    # The Flex and Yorlet documents give the same operation under their own names
    flex = agent.load(server.url + "/flex/openapi.json", api_key=FLEX_KEY)
    assert "markInvoiceUncollectible" in flex.tools and "getInvoice" in flex.tools
    yorlet = agent.load(server.url + "/yorlet/openapi.json", api_key=KEY)
    assert yorlet.call("retrieveInvoice", {"id": invoice}).body["status"] == "uncollectible"


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return dict(result.structured_content)


async def _mcp_seed(client: Client) -> None:
    names = {t.name: t for t in (await client.list_tools()).tools}  # listed by alias; operationIds still answer
    assert {"mark_invoice_uncollectible", "void_invoice", "pay_invoice", "finalize_invoice", "list_invoices",
            "search_invoices"} <= set(names)
    assert names["mark_invoice_uncollectible"].input_schema["required"] == ["invoice"]
    assert names["mark_invoice_uncollectible"].annotations.destructive_hint is True
    assert names["list_invoices"].annotations.read_only_hint
    cus = _structured(await client.call_tool("postCustomers", {"balance": -500}))
    await client.call_tool("postInvoiceitems", {"customer": cus["id"], "amount": 1099, "currency": "usd"})
    inv = _structured(await client.call_tool("postInvoices", {"customer": cus["id"],
                                                                "pending_invoice_items_behavior": "include"}))
    await client.call_tool("postInvoicesInvoiceFinalize", {"invoice": inv["id"]})
    marked = _structured(await client.call_tool(MARK, {"invoice": inv["id"]}))
    assert (marked["status"], marked["amount_due"]) == ("uncollectible", 599)
    again = await client.call_tool(MARK, {"invoice": inv["id"]})
    assert again.is_error and "HTTP 400" in again.content[0].text
    assert "already been marked uncollectible" in again.content[0].text


def test_seed_through_mcp_in_process(server: Server) -> None:
    async def run() -> None:
        async with Client(build(_stripe_tools(server))) as client:
            await _mcp_seed(client)

    anyio.run(run)


def _mcp_command(server: Server, face: str = "stripe", key: str = KEY) -> list[str]:
    return [sys.executable, "-m", "arrears", "mcp", "--api-base", server.url, "--api-key", key, "--face", face]


def test_seed_through_mcp_over_stdio_subprocess(server: Server) -> None:
    command = _mcp_command(server)

    async def run() -> None:
        async with Client(StdioServerParameters(command=command[0], args=command[1:])) as client:
            await _mcp_seed(client)

    anyio.run(run)


def test_mcp_over_stdio_speaks_plain_json_rpc(server: Server) -> None:
    # Given an open invoice, and `arrears mcp --face flex` driven by hand: initialize, tools/list, tools/call
    inv, _ = flex_seed(server.url)
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
         "params": {"name": "markInvoiceUncollectible", "arguments": {"id": inv["invoice_id"]}}},
    ]
    replies: dict[int, Any] = {}
    with subprocess.Popen(_mcp_command(server, "flex", FLEX_KEY), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
        proc.stdin.flush()
        while 3 not in replies:  # stdin stays open until the last answer is in
            line = proc.stdout.readline()
            assert line, "arrears mcp closed its output early"
            reply = json.loads(line)
            if "id" in reply:
                replies[reply["id"]] = reply
        proc.stdin.close()
        proc.wait(timeout=30)
    # Then each request is answered, and the tool call returns Flex's envelope as structured content
    assert replies[1]["result"]["serverInfo"]["name"] == "arrears"
    assert "mark_invoice_uncollectible" in [t["name"] for t in replies[2]["result"]["tools"]]
    result = replies[3]["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["invoice"]["status"] == "uncollectible"


def test_seed_through_mcp_over_streamable_http(server: Server) -> None:
    async def run() -> None:
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as http, \
                Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client:
            await _mcp_seed(client)

    anyio.run(run)
    refused = httpx.post(server.url + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert refused.status_code == 401 and refused.json()["error"]["type"] == "invalid_request_error"
