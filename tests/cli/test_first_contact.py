"""First contact: what ``arrears serve`` prints, what ``GET /`` answers, and a database it cannot reach."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.cli.support import one_line_error
from tests.conftest import OwnServer
from tests.support.server import Server, free_port


def test_the_root_says_what_the_server_is_and_where_to_go(server: Server) -> None:
    about = httpx.get(server.url + "/").json()
    assert about["object"] == "arrears_server"
    assert (about["openapi"], about["dashboard"], about["mcp"]) == (
        f"{server.url}/openapi.json", f"{server.url}/dashboard", f"{server.url}/mcp")
    page = httpx.get(server.url + "/", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and f"{server.url}/openapi.json" in page.text


def test_the_banner_names_the_dashboard_the_openapi_document_and_mcp(own_server: OwnServer, tmp_path: Path) -> None:
    srv = own_server(f"sqlite:///{tmp_path / 'arrears.db'}")
    srv.stop()
    banner = (tmp_path / "serve.log").read_text()
    for path in ("/dashboard", "/openapi.json", "/mcp"):
        assert f"{srv.url}{path}" in banner
    assert "sk_test_123" in banner


def test_a_strict_banner_suggests_no_key_the_server_would_refuse(own_server: OwnServer, tmp_path: Path) -> None:
    srv = own_server(f"sqlite:///{tmp_path / 'arrears.db'}", args=("--auth", "strict"))
    srv.stop()
    banner = (tmp_path / "serve.log").read_text()
    assert "sk_test_123" not in banner and "arrears keys create" in banner


def test_a_postgresql_server_that_is_not_there_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://arrears@127.0.0.1:{free_port()}/arrears"
    run = Server(database=url).run_to_exit(timeout=60)
    message = one_line_error(run)
    assert "cannot use the database" in message and "Is PostgreSQL running there" in message
