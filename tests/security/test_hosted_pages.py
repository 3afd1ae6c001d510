"""The hosted invoice page and PDF (``hosted_invoice_url`` / ``invoice_pdf``) need no key: their URL is the
credential. It carries a random token beside the invoice id, so knowing an id (it is in every API answer,
event, webhook and log line) shows nothing; every answer carries headers that keep the page from loading
anything, being framed or sniffed, or passing its URL on as a referrer. Invoices finalized before tokens
get one from migration 0008 and their id-only URLs stop answering."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson
import pytest
import stripe

from arrears.store import sqlite_path
from tests import factories
from tests.conftest import make_client
from tests.support.accounts import KeySpec, provision
from tests.support.server import Server

SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


def get(url: str) -> httpx.Response:
    return httpx.get(url, timeout=10)


def assert_locked_down(answer: httpx.Response) -> None:
    """The four headers every hosted answer carries, with values that forbid what they name."""
    assert all(name in answer.headers for name in SECURITY_HEADERS), dict(answer.headers)
    policy = [part.strip() for part in answer.headers["content-security-policy"].split(";")]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert not any("script-src" in part for part in policy)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"


def token_of(inv: stripe.Invoice) -> str:
    assert inv.hosted_invoice_url
    path = urlsplit(inv.hosted_invoice_url).path
    assert path.startswith(f"/i/{inv.id}/"), path
    return path.rsplit("/", 1)[1]


def test_the_page_and_pdf_the_sdks_invoice_names_answer_with_the_security_headers(
        client: stripe.StripeClient) -> None:
    # Given an invoice finalized through the SDK
    inv = factories.invoice_in(client, "open")
    assert isinstance(inv.hosted_invoice_url, str) and isinstance(inv.invoice_pdf, str)
    assert inv.invoice_pdf == inv.hosted_invoice_url + "/pdf"

    # When its hosted page and PDF are fetched without any key
    page, pdf = get(inv.hosted_invoice_url), get(inv.invoice_pdf)

    # Then both answer, locked down
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert inv.number and inv.number in page.text
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert_locked_down(page)
    assert_locked_down(pdf)
    # and the URL is the same on every later read of the invoice
    assert client.v1.invoices.retrieve(inv.id).hosted_invoice_url == inv.hosted_invoice_url


def test_the_token_is_random_and_not_derived_from_the_id(client: stripe.StripeClient) -> None:
    invoices = [factories.invoice_in(client, "open") for _ in range(3)]
    tokens = [token_of(inv) for inv in invoices]
    assert len(set(tokens)) == 3
    for inv, token in zip(invoices, tokens, strict=True):
        assert token.startswith("test_") and len(token) >= len("test_") + 32
        assert inv.id.split("_", 1)[1] not in token


def test_the_invoice_id_without_its_token_or_with_a_wrong_one_is_a_404(client: stripe.StripeClient,
                                                                       server: Server) -> None:
    # Given two open invoices, each with its own token
    inv, other = factories.invoice_in(client, "open"), factories.invoice_in(client, "open")
    token = token_of(inv)
    base = f"{server.url}/i/{inv.id}"
    wrong = [
        base,  # the id-only URL of before tokens
        base + "/pdf",
        base + "/test_wrong",
        f"{base}/{token[:-1]}",  # one character short
        f"{base}/{token}x",
        f"{base}/{token.upper()}",
        f"{base}/{token_of(other)}",  # another invoice's token
        f"{base}/{token_of(other)}/pdf",
        f"{base}/test_wrong/pdf",
        f"{base}/%00",
    ]
    for url in wrong:
        # When the page is asked for without its own token
        answer = get(url)
        # Then it is a 404 that shows nothing of the invoice
        assert answer.status_code == 404, url
        assert str(inv.number) not in answer.text and inv.id not in answer.text, url
        assert_locked_down(answer)


def test_a_drafts_page_and_pdf_are_404(client: stripe.StripeClient, server: Server) -> None:
    draft = factories.invoice_in(client, "draft")
    assert draft.hosted_invoice_url is None and draft.invoice_pdf is None
    someone_elses = token_of(factories.invoice_in(client, "open"))
    for path in (f"/i/{draft.id}", f"/i/{draft.id}/pdf", f"/i/{draft.id}/{someone_elses}",
                 f"/i/{draft.id}/{someone_elses}/pdf"):
        answer = get(server.url + path)
        assert answer.status_code == 404, path
        assert_locked_down(answer)


def test_pages_stay_readable_when_the_invoice_is_paid_voided_or_written_off(client: stripe.StripeClient) -> None:
    for status in ("paid", "void", "uncollectible"):
        inv = factories.invoice_in(client, status)
        assert get(inv.hosted_invoice_url or "").status_code == 200, status
        assert get(inv.invoice_pdf or "").status_code == 200, status


@pytest.fixture()
def two_accounts(database: str, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    keys = provision(database, {"acct_alpha": None, "acct_bravo": None},
                     [KeySpec("alpha", "acct_alpha"), KeySpec("bravo", "acct_bravo")])
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_AUTH": "strict"}) as server:
        yield server, keys


def test_another_accounts_invoice_is_reached_only_with_its_own_token(
        two_accounts: tuple[Server, dict[str, str]]) -> None:
    # Given an invoice of each of two accounts on a strict server
    server, keys = two_accounts
    mine = factories.invoice_in(make_client(server.url, keys["alpha"]), "open")
    theirs = factories.invoice_in(make_client(server.url, keys["bravo"]), "open")
    # Then alpha's token does not open bravo's invoice, nor the other way round
    for inv, token in ((theirs, token_of(mine)), (mine, token_of(theirs))):
        for suffix in ("", "/pdf"):
            answer = get(f"{server.url}/i/{inv.id}/{token}{suffix}")
            assert answer.status_code == 404
            assert str(inv.number) not in answer.text
    # and each page opens with its own URL, without any key, as Stripe's hosted pages do
    for inv in (mine, theirs):
        assert get(inv.hosted_invoice_url or "").status_code == 200
        assert get(inv.invoice_pdf or "").status_code == 200


# --- invoices finalized before tokens ---------------------------------------------------------------------

def _stored_data(database: str, invoice_id: str) -> str:
    if database.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(database)) as conn:
            return str(conn.execute("SELECT data FROM invoices WHERE id = ?", (invoice_id,)).fetchone()[0])

    async def fetch() -> str:
        conn = await asyncpg.connect(database)
        try:
            return str(await conn.fetchval("SELECT data FROM invoices WHERE id = $1", invoice_id))
        finally:
            await conn.close()
    return asyncio.run(fetch())


def _back_to_before_tokens(database: str, invoice_id: str, data: str) -> None:
    """The database as a server before migration 0008 left it: the invoice's id-only URLs, no 0008."""
    statements = ["DROP TABLE dashboard_sessions", "DELETE FROM schema_migrations WHERE version = 8"]
    if database.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(database)) as conn:
            for sql in statements:
                conn.execute(sql)
            conn.execute("UPDATE invoices SET data = ? WHERE id = ?", (data, invoice_id))
        return

    async def run() -> None:
        conn = await asyncpg.connect(database)
        try:
            for sql in statements:
                await conn.execute(sql)
            await conn.execute("UPDATE invoices SET data = $1 WHERE id = $2", data, invoice_id)
        finally:
            await conn.close()
    asyncio.run(run())


def test_an_invoice_finalized_before_tokens_gets_one_from_the_migration(database: str, tmp_path: Path) -> None:
    # Given an open invoice as a server before tokens stored it: URLs made of its id alone
    with Server(database=database, log=tmp_path / "serve.log") as server:
        client = make_client(server.url)
        inv = factories.invoice_in(client, "open")
        draft = factories.invoice_in(client, "draft")
    doc: dict[str, Any] = orjson.loads(_stored_data(database, inv.id))
    old_page = f"{server.url}/i/{inv.id}"
    doc["hosted_invoice_url"], doc["invoice_pdf"] = old_page, old_page + "/pdf"
    before = orjson.dumps(doc).decode()
    _back_to_before_tokens(database, inv.id, before)

    # When a server of this version starts on it (and migrates), at the same address
    with Server(database=database, port=server.port, log=tmp_path / "serve.log") as server:
        migrated = make_client(server.url).v1.invoices.retrieve(inv.id)
        # Then the old id-only URLs answer 404
        assert get(old_page).status_code == 404 and get(old_page + "/pdf").status_code == 404
        # and the invoice has a tokened page and PDF that answer
        token = token_of(migrated)
        assert token.startswith("test_") and len(token) >= len("test_") + 32
        assert migrated.invoice_pdf == f"{migrated.hosted_invoice_url}/pdf"
        page = get(migrated.hosted_invoice_url or "")
        assert page.status_code == 200 and (inv.number or "") in page.text
        assert_locked_down(page)
        assert get(migrated.invoice_pdf or "").status_code == 200
        # and a draft has still no page
        assert make_client(server.url).v1.invoices.retrieve(draft.id).hosted_invoice_url is None
    # and the stored document is as the server wrote it but for the two URLs (same keys, same order)
    after = _stored_data(database, inv.id)
    assert after == before.replace(f'"{old_page}"', f'"{migrated.hosted_invoice_url}"', 1).replace(
        f'"{old_page}/pdf"', f'"{migrated.invoice_pdf}"', 1)
