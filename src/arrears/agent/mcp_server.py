"""An MCP server over a Toolset: the same tools, names and schemas as the OCP-style agent tools.

``tools/list`` shows every operation of the face's OpenAPI document (input schema from its
parameters, output schema from its 200 response, annotations from its method); ``tools/call`` makes
the HTTP call and returns the face's JSON as ``structuredContent``, or, for an error answer,
``isError`` with the status and the face's error body. Built on the ``mcp`` SDK's low-level
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
from arrears.agent.tools import Tool, Toolset

DESTRUCTIVE = ("delete", "void", "markuncollectible")


def hints(tool: Tool) -> types.ToolAnnotations:
    words = tool.name.lower()
    return types.ToolAnnotations(
        title=tool.description or tool.name,
        read_only_hint=tool.read_only,
        destructive_hint=None if tool.read_only else any(w in words for w in DESTRUCTIVE),
        idempotent_hint=tool.read_only or tool.method == "delete",
        open_world_hint=False,
    )


def describe(tool: Tool) -> types.Tool:
    return types.Tool(name=tool.name, description=f"{tool.description} ({tool.method.upper()} {tool.path})",
                      input_schema=tool.input_schema, output_schema=tool.output_schema,
                      annotations=hints(tool))


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


def build(toolset: Toolset, *, name: str = "arrears") -> Server[Any]:
    async def list_tools(ctx: ServerRequestContext[Any, Any],
                         params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[describe(t) for t in toolset.catalog()])

    async def call_tool(ctx: ServerRequestContext[Any, Any],
                        params: types.CallToolRequestParams) -> types.CallToolResult:
        try:
            result = await toolset.acall(params.name, params.arguments or {}, headers=_caller_key(ctx))
        except (KeyError, ValueError) as exc:  # unknown tool or missing/unknown arguments
            return types.CallToolResult(content=[types.TextContent(type="text", text=str(exc))], is_error=True)
        if not result.ok:
            text = _error_text(result.status, result.body)
            return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)
        return types.CallToolResult(content=[types.TextContent(type="text", text=json.dumps(result.body))],
                                    structured_content=result.body)

    def input_schema(tool_name: str) -> dict[str, Any] | None:
        tool = toolset.tools.get(tool_name)
        return None if tool is None else tool.input_schema

    return Server(name, version=__version__, instructions="Invoices through arrears: each tool is one API "
                  "operation, named by its operationId.", get_tool_input_schema=input_schema,
                  on_list_tools=list_tools, on_call_tool=call_tool)


async def run_stdio(toolset: Toolset) -> None:
    server = build(toolset)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
