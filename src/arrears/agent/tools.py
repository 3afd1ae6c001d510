"""Agent tools from an OpenAPI document, the way the Open Context Protocol's client builds them.

Each operation becomes one tool named by its operationId in lower camelCase
(``PostInvoicesInvoiceMarkUncollectible`` → ``postInvoicesInvoiceMarkUncollectible``), whose input is
one flat object: path, query and JSON-body parameters side by side. A document may also give each
operation a short task-shaped alias (``x-tool-alias``: ``mark_invoice_uncollectible``); a tool answers
to both names. ``Toolset.call(name, args)``
routes each argument to where the document says it goes and makes the HTTP call. Wrappers only: what
a call does, and every error, is the server's answer."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

JSON = "application/json"
ALIAS = "x-tool-alias"
METHODS = ("get", "post", "put", "patch", "delete")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|[A-Z]+|\d+")
_REF = "#/components/schemas/"


def tool_name(operation_id: str | None, method: str = "", path: str = "") -> str:
    """OCP's rule: the operationId (or method + path) split into words, lower camelCase."""
    source = operation_id or f"{method} {path.replace('{', '').replace('}', '')}"
    words = [w for part in re.split(r"[/_\-.\s]+", source) for w in _WORD.findall(part)]
    if not words:
        raise ValueError(f"cannot name a tool from {source!r}")
    return str(words[0]).lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


@dataclass(frozen=True)
class Tool:
    name: str
    operation_id: str
    method: str
    path: str
    description: str
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None
    locations: Mapping[str, str]  # argument -> "path" | "query" | "body"
    read_only: bool
    alias: str = ""  # the short name agents see in MCP's tools/list (x-tool-alias), if the document gives one

    def request(self, args: Mapping[str, Any]) -> tuple[str, str, list[tuple[str, str]], dict[str, Any] | None]:
        """(method, path, query pairs, JSON body) for a call with ``args``."""
        missing = [n for n in self.input_schema.get("required", []) if n not in args]
        if missing:
            raise ValueError(f"{self.name}: missing required parameter(s): {', '.join(missing)}")
        unknown = [n for n in args if n not in self.locations]
        if unknown:
            raise ValueError(f"{self.name}: unknown parameter(s): {', '.join(unknown)}")
        path = self.path
        query: list[tuple[str, str]] = []
        body: dict[str, Any] = {}
        for name, value in args.items():
            where = self.locations[name]
            if where == "path":
                path = path.replace("{" + name + "}", quote(str(value), safe=""))
            elif where == "query":
                query += _bracketed(name, value)
            else:
                body[name] = value
        return self.method.upper(), path, query, (body or None) if self.method != "get" else None


def _bracketed(name: str, value: Any) -> list[tuple[str, str]]:
    """Query encoding of deepObject parameters: ``expand[]=a``, ``created[gte]=1``."""
    if isinstance(value, Mapping):
        return [pair for k, v in value.items() for pair in _bracketed(f"{name}[{k}]", v)]
    if isinstance(value, list):
        return [pair for v in value for pair in _bracketed(f"{name}[]", v)]
    if isinstance(value, bool):
        return [(name, "true" if value else "false")]
    return [(name, str(value))]


def _reachable(schema: Any, components: Mapping[str, Any], found: dict[str, Any]) -> None:
    if isinstance(schema, Mapping):
        target = schema.get("$ref")
        if isinstance(target, str) and target.startswith(_REF):
            name = target[len(_REF):]
            if name not in found:
                found[name] = components[name]
                _reachable(components[name], components, found)
        for value in schema.values():
            _reachable(value, components, found)
    elif isinstance(schema, list):
        for value in schema:
            _reachable(value, components, found)


def self_contained(schema: Mapping[str, Any], components: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with the components it uses under ``$defs`` (MCP clients resolve refs in the schema)."""
    defs: dict[str, Any] = {}
    _reachable(schema, components, defs)
    out: dict[str, Any] = json.loads(json.dumps(dict(schema)).replace(_REF, "#/$defs/"))
    if defs:
        out["$defs"] = json.loads(json.dumps(defs).replace(_REF, "#/$defs/"))
    return out


def tools_from(doc: Mapping[str, Any]) -> list[Tool]:
    components = doc.get("components", {}).get("schemas", {})
    out: list[Tool] = []
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            properties: dict[str, Any] = {}
            required: list[str] = []
            locations: dict[str, str] = {}
            for param in [*item.get("parameters", []), *op.get("parameters", [])]:
                if param["in"] not in ("path", "query"):
                    continue
                properties[param["name"]] = param.get("schema", {})
                locations[param["name"]] = param["in"]
                if param.get("required"):
                    required.append(param["name"])
            body = op.get("requestBody", {}).get("content", {}).get(JSON, {}).get("schema")
            for name, schema in (body or {}).get("properties", {}).items():
                if name not in locations:
                    properties[name] = schema
                    locations[name] = "body"
            required += [n for n in (body or {}).get("required", []) if locations.get(n) == "body"]
            response = op.get("responses", {}).get("200", {}).get("content", {}).get(JSON, {}).get("schema")
            output = None
            if response is not None:
                output = {"type": "object", **self_contained(response, components)}
            input_schema: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                input_schema["required"] = required
            out.append(Tool(
                name=tool_name(op.get("operationId"), method, path), operation_id=op.get("operationId", ""),
                method=method, path=path, description=op.get("summary") or op.get("description") or "",
                input_schema=self_contained(input_schema, components), output_schema=output, locations=locations,
                read_only=method == "get", alias=str(op.get(ALIAS, "")),
            ))
    return out


@dataclass(frozen=True)
class Result:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass
class Toolset:
    """The tools of one OpenAPI document, called against ``base_url`` with ``headers`` (the API key)."""

    tools: dict[str, Tool]
    base_url: str
    headers: dict[str, str] = field(default_factory=dict)
    transport: httpx.AsyncBaseTransport | None = None  # a seam: e.g. httpx.ASGITransport(app)
    context_id: str = field(default_factory=lambda: "ctx_" + uuid.uuid4().hex[:16])

    @classmethod
    def from_document(cls, doc: Mapping[str, Any], *, base_url: str | None = None, api_key: str | None = None,
                      transport: httpx.AsyncBaseTransport | None = None) -> Toolset:
        url = base_url or doc["servers"][0]["url"]
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return cls({t.name: t for t in tools_from(doc)}, url.rstrip("/"), headers, transport)

    def catalog(self) -> Iterable[Tool]:
        return self.tools.values()

    def find(self, name: str) -> Tool | None:
        """The tool named ``name``: by its operationId name or by its alias."""
        tool = self.tools.get(name)
        if tool is None:
            tool = next((t for t in self.tools.values() if t.alias == name), None)
        return tool

    def _prepare(self, name: str, args: Mapping[str, Any] | None,
                 headers: Mapping[str, str] | None) -> tuple[Tool, dict[str, Any]]:
        tool = self.find(name)
        if tool is None:
            known = sorted(t.alias or t.name for t in self.tools.values())
            raise KeyError(f"no tool named {name!r}; tools: {', '.join(known)}")
        method, path, query, body = tool.request(args or {})
        sent = {"OCP-Version": "1.0", "OCP-Context-ID": self.context_id, "OCP-Agent-Type": "arrears_agent",
                **self.headers, **(headers or {})}
        return tool, {"method": method, "url": self.base_url + path, "params": query, "json": body,
                      "headers": sent}

    def call(self, name: str, args: Mapping[str, Any] | None = None, *,
             headers: Mapping[str, str] | None = None) -> Result:
        """Call a tool over HTTP (synchronously): the server's status and JSON body."""
        _, request = self._prepare(name, args, headers)
        with httpx.Client(timeout=30) as client:
            response = client.request(**request)
        return Result(response.status_code, _body(response))

    call_tool = call  # OCP's spelling

    async def acall(self, name: str, args: Mapping[str, Any] | None = None, *,
                    headers: Mapping[str, str] | None = None) -> Result:
        _, request = self._prepare(name, args, headers)
        async with httpx.AsyncClient(timeout=30, transport=self.transport) as client:
            response = await client.request(**request)
        return Result(response.status_code, _body(response))


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def load(source: str | Mapping[str, Any], *, api_key: str | None = None, base_url: str | None = None) -> Toolset:
    """A Toolset from an OpenAPI document: a dict, a URL (fetched as JSON, as OCP does) or a .json file."""
    if isinstance(source, Mapping):
        doc: Mapping[str, Any] = source
    elif source.startswith(("http://", "https://")):
        response = httpx.get(source, timeout=30)
        response.raise_for_status()
        doc = response.json()
    else:
        with open(source, encoding="utf-8") as handle:
            doc = json.load(handle)
    return Toolset.from_document(doc, base_url=base_url, api_key=api_key)
