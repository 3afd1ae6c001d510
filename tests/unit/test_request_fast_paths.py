"""The request cycle reads the path and the query string from the ASGI scope instead of building
Starlette's URL: the same strings as ``request.url.path`` and ``request.url.query`` give."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from starlette.requests import Request

from arrears.api import forms
from arrears.api.forms import parse
from arrears.domain.errors import ParamError

PATHS = ["/v1/invoices/in_1", "/v1/invoices/in 1", "/v1/invoices/in?1", "/v1/invoices/in#1", "/v1/a\\b",
         "//v1/invoices", "/v1/invoices/é"]
QUERIES = [b"", b"limit=3&status=open", b"expand[]=customer&expand[]=lines", b"q=a%20b%3F", b"a=1#frag",
           b"metadata[k]=" + quote("é").encode(), b"a=%ZZ"]


def request(method: str, path: str, query: bytes) -> Request:
    return Request({"type": "http", "method": method, "path": path, "query_string": query, "root_path": "",
                    "headers": [(b"host", b"127.0.0.1:12111")], "scheme": "http", "server": ("127.0.0.1", 12111)})


@pytest.mark.parametrize("path", PATHS)
def test_the_path_is_the_urls_path(path: str) -> None:
    req = request("GET", path, b"")
    assert forms.url_path(req) == req.url.path


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_the_parameters_of_a_get_are_those_of_the_urls_query(method: str, query: bytes) -> None:
    req = request(method, "/v1/invoices", query)

    def outcome(read: Callable[[], Any]) -> Any:
        try:
            return read()
        except ParamError as exc:
            return exc.message
    assert outcome(lambda: asyncio.run(forms.request_params(req))) == outcome(lambda: parse(req.url.query))


def test_a_query_string_of_raw_bytes_that_are_not_utf8_is_a_parameter_error() -> None:
    with pytest.raises(ParamError, match="must be UTF-8"):
        asyncio.run(forms.request_params(request("GET", "/v1/invoices", b"limit=\xff")))
