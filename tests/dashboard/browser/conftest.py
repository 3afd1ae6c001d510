"""The dashboard in a browser: Debian's chromium driven by Playwright against a real ``arrears serve``.

Playwright never downloads a browser here: it launches /usr/bin/chromium (``scripts/ensure-chromium``
installs Debian's package; ``make test`` runs it). A missing chromium or playwright fails these tests
with the command that fixes it; nothing is skipped. Screenshots of every page go to
``test-artifacts/browser/`` (git-ignored)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from tests.conftest import make_client, serve_in
from tests.support.server import KEY, Server

CHROMIUM = os.environ.get("ARREARS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One chromium per test module. Not per session: while Playwright's sync API is open its event loop
    counts as running on this thread, and later tests that call asyncio.run() would fail."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not installed ({CHROMIUM} is missing): run `make test`, which calls "
                    "scripts/ensure-chromium, or as root `apt-get update && apt-get install -y chromium`.",
                    pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `.venv/bin/pip install -e '.[test]'` (or `make test`).",
                    pytrace=False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def dash_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own (SQLite), so the pages show only what these tests made."""
    yield from serve_in(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def api(dash_server: Server) -> stripe.StripeClient:
    return make_client(dash_server.url)


@pytest.fixture()
def page(browser: Any, dash_server: Server) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the dashboard."""
    context = browser.new_context(base_url=dash_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Any, key: str = KEY) -> None:
    from playwright.sync_api import expect

    page.goto("/dashboard/sign-in")
    page.get_by_label("Secret API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Invoices", exact=True)).to_be_visible()


def shot(page: Any, name: str) -> Path:
    """A full-page screenshot under test-artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^a-z0-9_-]+", "-", name.lower()) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
