"""/docs: the browsable API reference of each face, served by arrears itself (Redoc's bundle from the
package, no CDN), over HTTP and in chromium with every request off loopback refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import serve_in
from tests.dashboard.browser.conftest import ARTIFACTS, browser  # noqa: F401 - browser is a fixture
from tests.support.server import Server

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_in(tmp_path_factory.mktemp("docs"))


def test_docs_serves_a_reference_page_for_each_face_and_the_bundle_from_the_package(docs_server: Server) -> None:
    page = httpx.get(docs_server.url + "/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<redoc spec-url="/openapi.json"' in page.text
    assert 'src="/docs/redoc.standalone.js' in page.text and "https://" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for face, spec in (("flex", "/flex/openapi.json"), ("yorlet", "/yorlet/openapi.json"), ("stripe", "/openapi.json")):
        assert f'spec-url="{spec}"' in httpx.get(f"{docs_server.url}/docs/{face}").text
    bundle = httpx.get(docs_server.url + "/docs/redoc.standalone.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    assert len(bundle.content) > 500_000 and b"Redoc" in bundle.content[:2000]
    assert httpx.get(docs_server.url + "/redoc").headers["location"] == "/docs"


def test_an_unknown_face_under_docs_is_the_apis_404(docs_server: Server) -> None:
    answer = httpx.get(docs_server.url + "/docs/paypal")
    assert answer.status_code == 404
    assert answer.json()["error"]["type"] == "invalid_request_error"


def test_the_documents_carry_a_description_and_a_real_example_for_every_operation(docs_server: Server) -> None:
    for path in ("/openapi.json", "/flex/openapi.json", "/yorlet/openapi.json"):
        doc = httpx.get(docs_server.url + path).json()
        for item in doc["paths"].values():
            for op in item.values():
                assert op["description"], (path, op["operationId"])
                answer = op["responses"]["200"]["content"]["application/json"]
                assert "example" in answer, (path, op["operationId"])
    mark = httpx.get(docs_server.url + "/openapi.json").json()["paths"]["/v1/invoices/{invoice}/mark_uncollectible"]
    op = mark["post"]
    assert op["description"].startswith("Marking an invoice as uncollectible is useful")
    assert op["responses"]["200"]["content"]["application/json"]["example"]["status"] == "uncollectible"
    assert op["x-tool-alias"] == "mark_invoice_uncollectible"


def shot(page: Any, name: str) -> None:
    """The viewport only: a full-page picture of a whole API reference is too tall to take."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _offline_page(browser: Any, server: Server) -> tuple[Any, Any, list[str], list[str]]:  # noqa: F811
    """A page that may reach only the server: every other request is refused, and noted."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1440, "height": 900})
    context.set_default_timeout(20_000)
    refused: list[str] = []

    def only_loopback(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, refused, errors


@pytest.mark.slow
def test_docs_renders_each_faces_reference_offline_in_chromium(browser: Any, docs_server: Server) -> None:  # noqa: F811
    from playwright.sync_api import expect

    context, page, refused, errors = _offline_page(browser, docs_server)
    try:
        # When /docs opens with nothing but loopback reachable
        page.goto("/docs")
        # Then Redoc draws the Stripe face: its operations, Stripe's description and the recorded example
        expect(page.get_by_role("heading", name="arrears (Stripe face)").first).to_be_visible()
        page.goto("/docs#tag/invoices/operation/PostInvoicesInvoiceMarkUncollectible")
        operation = page.locator('[id="tag/invoices/operation/PostInvoicesInvoiceMarkUncollectible"]')
        expect(operation).to_contain_text("Marking an invoice as uncollectible is useful")
        expect(operation).to_contain_text('"uncollectible"')
        shot(page, "docs-stripe")
        # And the other faces' references are one link away
        page.get_by_role("link", name="Flex face").click()
        expect(page.get_by_role("heading", name="arrears (Flex face)").first).to_be_visible()
        expect(page.locator('[id="tag/invoices/operation/MarkInvoiceUncollectible"]')).to_be_attached()
        shot(page, "docs-flex")
        assert refused == [], "the reference asked for something off the server"
        # Redoc's bundle always asks for its own logo from its CDN; the page's policy stops it before any
        # request leaves the machine (and Redoc then hides the image). Nothing else may be refused.
        blocked = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
        assert [e for e in blocked if REDOC_LOGO not in e] == []
    finally:
        context.close()


def test_the_redoc_bundle_in_the_package_is_the_vendored_version() -> None:
    import hashlib

    from arrears.api import reference

    bundle = Path(reference.__file__).parent / "redoc.standalone.js"
    script = (Path(__file__).resolve().parents[2] / "scripts" / "vendor-redoc").read_text(encoding="utf-8")
    pinned = next(line.split("=", 1)[1] for line in script.splitlines() if line.startswith("SHA256="))
    assert hashlib.sha256(bundle.read_bytes()).hexdigest() == pinned
