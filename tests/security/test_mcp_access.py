"""``/mcp`` shows its tools only to keys that may call them: a publishable key (meant for browsers, refused by
every API endpoint) gets the API's 401 for ``tools/list`` too, a restricted key without any permission a
403; secret keys and restricted keys with a permission get the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import KeySpec, provision
from tests.support.server import Server

KEYS = [
    KeySpec("secret", "acct_agent"),
    KeySpec("publishable", "acct_agent", kind="publishable"),
    KeySpec("restricted_none", "acct_agent", kind="restricted", permissions={}),
    KeySpec("restricted_invoices", "acct_agent", kind="restricted", permissions={"invoice": "read"}),
]
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}


@pytest.fixture()
def strict(database: str, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    keys = provision(database, {"acct_agent": None}, KEYS)
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_AUTH": "strict"}) as server:
        yield server, keys


def list_tools(server: Server, key: str) -> httpx.Response:
    return httpx.post(server.url + "/mcp", json=LIST_TOOLS, timeout=30, headers={
        "Authorization": f"Bearer {key}", "Accept": "application/json, text/event-stream"})


def tool_names(answer: httpx.Response) -> list[str]:
    body: dict[str, Any] = answer.json()
    return [tool["name"] for tool in body["result"]["tools"]]


def test_a_publishable_key_is_not_shown_the_tools(strict: tuple[Server, dict[str, str]]) -> None:
    server, keys = strict
    answer = list_tools(server, keys["publishable"])
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and "publishable API key" in error["message"]
    assert "tools" not in answer.text and "postInvoices" not in answer.text


def test_a_restricted_key_without_permissions_is_not_shown_the_tools(strict: tuple[Server, dict[str, str]]) -> None:
    server, keys = strict
    answer = list_tools(server, keys["restricted_none"])
    assert answer.status_code == 403
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert "no permissions" in answer.json()["error"]["message"]
    assert "www-authenticate" not in answer.headers


def test_secret_and_permitted_restricted_keys_are_shown_the_tools(strict: tuple[Server, dict[str, str]]) -> None:
    server, keys = strict
    for name in ("secret", "restricted_invoices"):
        answer = list_tools(server, keys[name])
        assert answer.status_code == 200, (name, answer.text)
        assert "create_invoice" in tool_names(answer), name
