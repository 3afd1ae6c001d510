"""Agent tools: any of arrears' OpenAPI documents as tools named by operationId (OCP's rule), callable
over HTTP, and the same tools as an MCP server (``mcp_server``). Wrappers only; no rule lives here."""

from arrears.agent.tools import Result, Tool, Toolset, load, tool_name

__all__ = ["Result", "Tool", "Toolset", "load", "tool_name"]
