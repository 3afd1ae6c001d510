"""An MCP server over a Toolset: the same tools, names and schemas as the OCP-style agent tools.

``tools/list`` shows every operation of the face's OpenAPI document once, under its short alias
where the document gives one (``mark_invoice_uncollectible``; the operationId name otherwise), with
its input schema (every property described) and annotations from its method. The list is compact:
output schemas (the 200 response's schema, most of the bytes) only on request, with
``_meta: {"arrears/outputSchemas": true}`` on ``tools/list`` or ``build(..., output_schemas=True)``.
``tools/call`` takes the alias or the operationId name, makes the HTTP call and returns the face's
JSON as ``structuredContent`` and, as text, a summary for a model (ids, status, amounts first; see
``summary``) followed by the JSON; an error answer is ``isError`` with the status and the face's
error body. Built on the ``mcp`` SDK's low-level
``Server`` because the tools come from a document, not from Python signatures.

Two transports: stdio (``arrears mcp``, calling a running server) and streamable HTTP mounted at
``/mcp`` in ``arrears serve`` (calling the app in-process, with the caller's own API key)."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from arrears import __version__
from arrears.agent.summary import summarise
from arrears.agent.tools import Tool, Toolset

DESTRUCTIVE = ("delete", "void", "markuncollectible")
OUTPUT_SCHEMAS = "arrears/outputSchemas"  # tools/list _meta key asking for output schemas


def hints(tool: Tool) -> types.ToolAnnotations:
    words = tool.name.lower().replace("_", "")
    return types.ToolAnnotations(
        title=tool.description or tool.name,
        read_only_hint=tool.read_only,
        destructive_hint=None if tool.read_only else any(w in words for w in DESTRUCTIVE),
        idempotent_hint=tool.read_only or tool.method == "delete",
        open_world_hint=False,
    )


LONG_ENUM = 20  # an enum longer than this (currency codes) is listed as a few examples, not every value


def compact(schema: Any) -> Any:
    """``schema`` as tools/list shows it: long enums shortened to a few examples in the description. The
    full schema (``input_schema`` below) still validates every call."""
    if isinstance(schema, list):
        return [compact(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: compact(v) for k, v in schema.items()}
    values = out.get("enum")
    if isinstance(values, list) and len(values) > LONG_ENUM:
        del out["enum"]
        sample = ", ".join(str(v) for v in values[:3])
        out["description"] = (f"{out.get('description', '')} One of {len(values)} values, e.g. {sample}.").strip()
    return out


def describe(tool: Tool, *, output_schema: bool = False) -> types.Tool:
    """The tool as tools/list shows it: named by its alias when it has one, the operationId named too."""
    also = f"; also callable as {tool.name}" if tool.alias else ""
    return types.Tool(name=tool.alias or tool.name,
                      description=f"{tool.description} ({tool.method.upper()} {tool.path}{also})",
                      input_schema=compact(tool.input_schema),
                      output_schema=tool.output_schema if output_schema else None, annotations=hints(tool))


def _wants_output_schemas(params: types.PaginatedRequestParams | None) -> bool:
    meta = params.meta if params is not None else None
    return bool(meta and meta.get(OUTPUT_SCHEMAS))


def _caller_key(ctx: ServerRequestContext[Any, Any]) -> dict[str, str]:
    """On streamable HTTP, the caller's own Authorization header is passed on to the face."""
    request = ctx.request
    headers = getattr(request, "headers", None)
    value = headers.get("authorization") if headers is not None else None
    return {"Authorization": value} if value else {}


def _error_text(status: int, body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code") or error.get("type") or "error"
        return f"{code} (HTTP {status}): {error.get('message', '')}\n{json.dumps(body)}"
    return f"HTTP {status}: {json.dumps(body) if not isinstance(body, str) else body}"


def build(toolset: Toolset, *, name: str = "arrears", output_schemas: bool = False) -> Server[Any]:
    async def list_tools(ctx: ServerRequestContext[Any, Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        full = output_schemas or _wants_output_schemas(params)
        return types.ListToolsResult(tools=[describe(t, output_schema=full) for t in toolset.catalog()])

    async def call_tool(ctx: ServerRequestContext[Any, Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            result = await toolset.acall(params.name, params.arguments or {}, headers=_caller_key(ctx))
        except (KeyError, ValueError) as exc:  # unknown tool or missing/unknown arguments
            return types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))], is_error=True)
        if not result.ok:
            text = _error_text(result.status, result.body)
            return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)
        structured = result.body if isinstance(result.body, dict) else None
        return types.CallToolResult(content=[types.TextContent(type="text", text=summarise(result.body))],
                                    structured_content=structured)

    def input_schema(tool_name: str) -> dict[str, Any] | None:
        tool = toolset.find(tool_name)
        return None if tool is None else tool.input_schema

    return Server(name, version=__version__, instructions="Invoices through arrears: each tool is one API "
                  "operation, named for its task (create_invoice, finalize_invoice, mark_invoice_uncollectible, "
                  "list_invoices, ...); its operationId name works too. Amounts are integers in the currency's "
                  "minor units.", get_tool_input_schema=input_schema,
                  on_list_tools=list_tools, on_call_tool=call_tool)


async def run_stdio(toolset: Toolset) -> None:
    server = build(toolset)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
