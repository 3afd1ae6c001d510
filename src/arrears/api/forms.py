"""Stripe-style bracket notation: ``metadata[k]=v``, ``lines[0][amount]=5``, ``expand[]=customer``.

``parse`` turns a form body or query string into nested dicts of strings. Indexed and ``[]`` keys
give dicts with digit keys ("0", "1", ...); the parameter schema turns those into lists where it
expects an array, so ``metadata[0]=x`` stays a map. Malformed names and conflicting shapes are
ParamErrors, never crashes.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from arrears.domain.errors import ParamError

MAX_PARAMS = 1000
MAX_DEPTH = 8
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _split(name: str) -> list[str]:
    """``a[b][0]`` -> ["a", "b", "0"]; ``a[]`` -> ["a", ""]."""
    head, bracket, rest = name.partition("[")
    parts = [head]
    if not bracket:
        return parts
    rest = "[" + rest
    while rest:
        if not rest.startswith("["):
            raise ParamError(f"Invalid parameter name: {name}", param=name)
        end = rest.find("]")
        if end < 0:
            raise ParamError(f"Invalid parameter name: {name} (a '[' is never closed)", param=name)
        parts.append(rest[1:end])
        rest = rest[end + 1:]
    return parts


def parse(body: str) -> dict[str, Any]:
    if _BAD_ESCAPE.search(body):
        raise ParamError("Invalid request: a '%' must start a two-digit hex escape such as %5B.")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_PARAMS,
                          errors="strict")
    except UnicodeDecodeError:
        raise ParamError("Invalid request: percent-encoded bytes must be UTF-8.") from None
    except ValueError:
        raise ParamError(f"Too many parameters: at most {MAX_PARAMS} are accepted in one request.") from None
    root: dict[str, Any] = {}
    for name, value in pairs:
        parts = _split(name)
        if not parts[0]:
            raise ParamError(f"Invalid parameter name: {name!r}", param=name)
        if len(parts) > MAX_DEPTH:
            raise ParamError(f"Parameter {name} is nested too deeply (at most {MAX_DEPTH} levels).", param=name)
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":
                part = str(sum(1 for k in node if k.isdigit()))
            if last:
                if isinstance(node.get(part), dict):
                    raise ParamError(f"Invalid parameter {name}: given both as a value and as a hash.", param=name)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ParamError(f"Invalid parameter {name}: given both as a value and as a hash.", param=name)
                node = child
    return root


# Bodies are bounded before they are read, by the BodyLimit middleware (api/limits.py; ARREARS_MAX_BODY_BYTES).
# The request line and headers: the longest query string the documents allow, percent-encoded, fits.
# Longer ones are refused by the HTTP server itself (uvicorn's "400 Invalid HTTP request").
MAX_HEAD = 4 << 20
FORM, JSON = "application/x-www-form-urlencoded", "application/json"


async def request_params(request: Request, *, default: str = FORM) -> dict[str, Any]:
    """A request's parameters: the query string of a GET or DELETE, else the body, parsed by its
    Content-Type (JSON or bracket-notation form; ``default`` when the type says neither)."""
    if request.method in ("GET", "DELETE"):
        # The query string as ``request.url.query`` gives it, without building the URL (a fragment,
        # which clients never send, would end it there too).
        query: bytes = request.scope.get("query_string", b"")
        try:
            return parse(query.decode().partition("#")[0]) if query else {}
        except UnicodeDecodeError:  # raw bytes, not percent-encoded: Starlette's URL failed on them too
            raise ParamError("Invalid request: the query string must be UTF-8.") from None
    body = await request.body()  # at most the body limit: BodyLimit refuses a larger one with a 413
    if not body.strip():
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if (kind if kind in (FORM, JSON) else default) == JSON:
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise ParamError("Invalid JSON body: the request body could not be parsed as JSON.") from None
        if not isinstance(parsed, dict):
            raise ParamError("Invalid JSON body: the request body must be a JSON object.")
        return parsed
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ParamError("Invalid request body: it must be UTF-8 application/x-www-form-urlencoded.") from None
    return parse(text)


def url_path(request: Request) -> str:
    """``request.url.path`` without building the URL: the path with ``?``, ``#`` and ``\\`` escaped as
    Starlette's URL escapes them."""
    path: str = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def path_params(request: Request) -> dict[str, str]:
    """The ids in a request's path; one with a NUL character names nothing and is refused."""
    out = dict(request.path_params)
    for name, value in out.items():
        if "\x00" in value:
            raise ParamError(f"Invalid {name}: an id cannot contain a NUL character.", param=name)
    return out
