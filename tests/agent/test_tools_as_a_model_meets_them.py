"""The agent tools as a model meets them: every input described, short task-shaped names, a compact
``tools/list`` with output schemas on request, and results that lead with ids, status and amounts.

Document checks need no server; the MCP checks drive a real ``arrears serve`` through the MCP SDK's
client over streamable HTTP at /mcp, as an agent would."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import anyio
import httpx2
import orjson
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from arrears.agent.summary import line, summarise
from arrears.agent.tools import Toolset
from arrears.api import reference
from arrears.api.flex import openapi as flex_openapi
from arrears.api.stripe import openapi as stripe_openapi
from arrears.api.stripe.routes import OPERATIONS
from arrears.api.yorlet import openapi as yorlet_openapi
from tests.support.server import KEY, Server

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = {"stripe": stripe_openapi.document, "flex": flex_openapi.document, "yorlet": yorlet_openapi.document}
# Stripe's agent toolkit's own tool names, for the operations arrears has (stripe/agent-toolkit)
STRIPE_TOOLKIT = {"create_customer", "list_customers", "create_invoice", "list_invoices", "finalize_invoice",
                  "create_invoice_item"}


def toolset(face: str) -> Toolset:
    return Toolset.from_document(orjson.loads(DOCUMENTS[face]("http://127.0.0.1:1")))


def _undescribed(schema: dict[str, Any], where: str) -> list[str]:
    """Properties (nested ones too) without a description."""
    missing: list[str] = []
    for name, prop in schema.get("properties", {}).items():
        if not prop.get("description"):
            missing.append(f"{where}.{name}")
        for branch in [prop, prop.get("items", {}), *prop.get("anyOf", [])]:
            if isinstance(branch, dict) and "properties" in branch:
                missing += _undescribed(branch, f"{where}.{name}")
    return missing


@pytest.mark.parametrize("face", sorted(DOCUMENTS))
def test_every_input_property_of_every_tool_is_described(face: str) -> None:
    tools = toolset(face)
    missing = [m for t in tools.catalog() for m in _undescribed(t.input_schema, t.name)]
    assert missing == []


def test_the_properties_the_issue_found_bare_carry_stripes_own_words() -> None:
    create = toolset("stripe").find("create_invoice")
    assert create is not None
    props = create.input_schema["properties"]
    assert props["customer"]["description"] == "The ID of the customer to bill."
    assert "collection_method=send_invoice" in props["days_until_due"]["description"]
    assert "charge_automatically" in props["collection_method"]["description"]
    field = props["custom_fields"]["anyOf"][0]["items"]["properties"]["name"]
    assert field["description"] == "The name of the custom field. This may be up to 40 characters."


def test_every_operation_has_a_description_and_a_unique_alias() -> None:
    for face in DOCUMENTS:
        tools = list(toolset(face).catalog())
        aliases = [t.alias for t in tools]
        assert all(aliases) and len(set(aliases)) == len(aliases), face
        assert all(t.alias.islower() and " " not in t.alias for t in tools)
        doc = orjson.loads(DOCUMENTS[face]("http://x"))
        ops = [op for item in doc["paths"].values() for op in item.values()]
        assert all(op["description"] for op in ops), face
    stripe = {t.alias for t in toolset("stripe").catalog()}
    assert stripe >= STRIPE_TOOLKIT
    assert {"mark_invoice_uncollectible", "void_invoice", "pay_invoice", "send_invoice"} <= stripe
    assert toolset("flex").find("mark_invoice_uncollectible") is not None


def test_a_tool_answers_to_its_alias_and_to_its_operation_id_name() -> None:
    tools = toolset("stripe")
    assert tools.find("mark_invoice_uncollectible") is tools.find("postInvoicesInvoiceMarkUncollectible")
    with pytest.raises(KeyError, match="mark_invoice_uncollectible"):
        tools.call("no_such_tool", {})


def test_the_extracted_stripe_docs_are_what_the_script_extracts_from_the_sdk_today(tmp_path: Path) -> None:
    # Given the committed data file and stripe-node's type files in tests/node/node_modules
    script = ROOT / "scripts" / "extract-stripe-docs"
    loader = importlib.machinery.SourceFileLoader("extract_stripe_docs", str(script))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    if not module.SDK.is_dir():  # installed as tests/api/test_node_sdk.py installs it
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to read stripe-node's type files: apt-get install npm", pytrace=False)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=module.SDK.parents[2],
                       check=True, timeout=300)
    committed = (ROOT / "src/arrears/api/reference/stripe_docs.json").read_text(encoding="utf-8")
    # When the script runs again into a scratch file
    module.OUT = tmp_path / "stripe_docs.json"
    assert module.main() == 0
    # Then it writes the same bytes: the data file is not edited by hand, nor stale
    assert module.OUT.read_text(encoding="utf-8") == committed


def test_a_result_summary_leads_with_ids_status_and_amounts() -> None:
    invoice = {"object": "invoice", "lines": {"data": []}, "amount_due": 599, "id": "in_1", "currency": "jpy",
               "status": "open", "total": 5000, "customer": {"id": "cus_1", "object": "customer"}}
    assert line(invoice) == "invoice in_1 status=open total=5000 (5,000 JPY) amount_due=599 (599 JPY) customer=cus_1"
    text = summarise(invoice)
    head, _, body = text.partition("\n\n")
    assert head == line(invoice)
    assert list(json.loads(body))[:5] == ["id", "object", "status", "customer", "currency"]
    listed = summarise({"object": "list", "data": [invoice, {**invoice, "id": "in_2"}], "has_more": True})
    assert listed.startswith("2 result(s), more after these:\n- invoice in_1 status=open")
    flex = summarise({"invoice": {"invoice_id": "fin_1", "status": "paid", "total": 1099, "currency": "usd"}})
    assert flex.startswith("invoice fin_1 status=paid total=1099 (10.99 USD)")


def _mcp(server: Server, body: Any) -> Any:
    async def run() -> Any:
        async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as http, \
                Client(streamable_http_client(server.url + "/mcp", http_client=http)) as client:
            return await body(client)

    return anyio.run(run)


def test_an_mcp_client_lists_compact_tools_and_calls_one_by_its_alias(server: Server) -> None:
    # Given a draft invoice for 10.99 made through the tools' aliases
    async def body(client: Client) -> tuple[Any, Any, Any, Any]:
        listed = await client.list_tools()
        full = await client.list_tools(meta={"arrears/outputSchemas": True}, cache_mode="refresh")
        cus = await client.call_tool("create_customer", {"email": "agent@example.com"})
        await client.call_tool("create_invoice_item", {"customer": cus.structured_content["id"], "amount": 1099,
                                                       "currency": "usd"})
        inv = await client.call_tool("create_invoice", {"customer": cus.structured_content["id"],
                                                        "pending_invoice_items_behavior": "include"})
        await client.call_tool("postInvoicesInvoiceFinalize", {"invoice": inv.structured_content["id"]})
        # When it is marked uncollectible by its alias
        marked = await client.call_tool("mark_invoice_uncollectible", {"invoice": inv.structured_content["id"]})
        return listed, full, marked, inv.structured_content["id"]

    listed, full, marked, invoice = _mcp(server, body)
    # Then tools/list names each tool once, by alias, without output schemas unless asked
    names = [t.name for t in listed.tools]
    assert len(names) == len(set(names)) == len(OPERATIONS)
    assert STRIPE_TOOLKIT | {"mark_invoice_uncollectible"} <= set(names)
    assert all(t.output_schema is None for t in listed.tools)
    assert sum(t.output_schema is not None for t in full.tools) >= 40
    compact = len(json.dumps([t.model_dump(by_alias=True, exclude_none=True) for t in listed.tools]))
    whole = len(json.dumps([t.model_dump(by_alias=True, exclude_none=True) for t in full.tools]))
    assert compact < whole / 3 and compact / len(names) < 2_500  # bytes per tool, all its inputs described
    mark = next(t for t in listed.tools if t.name == "mark_invoice_uncollectible")
    assert "postInvoicesInvoiceMarkUncollectible" in (mark.description or "")
    assert mark.input_schema["properties"]["invoice"]["description"] == "The id of the invoice."
    # And the answer leads with the id, the status and the amounts, the whole invoice structured beside it
    assert not marked.is_error
    text = marked.content[0].text
    first = text.splitlines()[0]
    assert re.fullmatch(rf"invoice {invoice} status=uncollectible number=\S+ total=1099 \(10\.99 USD\) .*"
                        r"amount_due=1099 \(10\.99 USD\) .*customer=cus_\w+", first), first
    assert marked.structured_content["status"] == "uncollectible"
    assert marked.structured_content["id"] == invoice


def test_the_reference_fills_a_missing_description_from_stripes_parameter_of_the_same_name() -> None:
    doc = {"paths": {"/v1/things": {"post": {"operationId": "PostThings", "summary": "Make a thing",
                                             "requestBody": {"content": {"application/json": {"schema": {
                                                 "type": "object", "properties": {"customer": {"type": "string"},
                                                                                  "as_of": {"type": "integer"}}}}}}}}}}
    reference.describe(doc)
    props = doc["paths"]["/v1/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert props["customer"]["description"] and props["as_of"]["description"] == reference.OWN["as_of"]
    assert doc["paths"]["/v1/things"]["post"]["description"] == "Make a thing"


def test_tools_list_shortens_long_enums_while_calls_are_still_checked_against_every_value() -> None:
    from arrears.agent.mcp_server import compact, describe

    tools = toolset("stripe")
    item = tools.find("create_invoice_item")
    assert item is not None
    listed = describe(item).input_schema["properties"]["currency"]
    assert "enum" not in listed and "e.g. usd" in listed["description"]
    assert len(item.input_schema["properties"]["currency"]["enum"]) > 100  # what validates the call
    assert compact({"enum": ["a", "b"]}) == {"enum": ["a", "b"]}
