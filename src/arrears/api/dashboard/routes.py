"""The dashboard's routes, as one visible table, mounted at ``/dashboard``."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from arrears.api.dashboard import bad_debt, customers, events, invoices, sign_in
from arrears.api.dashboard.session import Sessions
from arrears.api.dashboard.web import PREFIX, Dash, Handler, Need, Visit, endpoint
from arrears.api.env import Env

# Who may see a page: anyone, any signed-in key, or a key that may read (or change) a resource, by the
# API's key rules (secret keys may everything, restricted keys what their permissions say).
ANYONE, SIGNED_IN = None, Need()
INVOICES, INVOICE_WRITE = Need("invoice"), Need("invoice", write=True)
CUSTOMERS, EVENTS, REPORTS = Need("customer"), Need("event"), Need("report")
WEBHOOK_WRITE = Need("webhook", write=True)

PAGES: tuple[tuple[str, str, Handler, Need | None], ...] = (
    # method, path under /dashboard, page, who may see it
    ("GET", "/", sign_in.home, SIGNED_IN),
    ("GET", "/sign-in", sign_in.form, ANYONE),
    ("POST", "/sign-in", sign_in.submit, ANYONE),
    ("POST", "/sign-out", sign_in.sign_out, SIGNED_IN),
    ("GET", "/invoices", invoices.index, INVOICES),
    ("GET", "/invoices/{invoice}", invoices.show, INVOICES),
    ("GET", "/invoices/{invoice}/{action}", invoices.confirm, INVOICE_WRITE),
    ("POST", "/invoices/{invoice}/{action}", invoices.act, INVOICE_WRITE),
    ("GET", "/customers", customers.index, CUSTOMERS),
    ("GET", "/customers/{customer}", customers.show, CUSTOMERS),
    ("GET", "/events", events.index, EVENTS),
    ("GET", "/events/feed", events.feed, EVENTS),
    ("GET", "/events/{event}", events.show, EVENTS),
    ("POST", "/events/{event}/resend", events.resend, WEBHOOK_WRITE),
    ("GET", "/bad-debt", bad_debt.index, REPORTS),
    ("GET", "/bad-debt/{report}.csv", bad_debt.download, REPORTS),
)


async def _unknown(visit: Visit) -> Response:
    return visit.not_found("There is no such page in the dashboard.")


def routes(env: Env, secret: str | None = None, *, reports: bad_debt.Reports | None = None,
           trust_proxy: bool = False) -> list[BaseRoute]:
    """The dashboard mounted at /dashboard, signing in through ``env.auth`` (open or strict). Without a
    ``secret`` one is made for this process, so sessions last until it stops (``arrears serve`` hands one
    secret to all its workers). ``reports`` defaults to the reports service
    (``arrears.services.reports``). ``trust_proxy``: believe a reverse proxy's X-Forwarded-Proto and
    X-Forwarded-For (``ARREARS_TRUST_PROXY``)."""
    dash = Dash(env=env, sessions=Sessions(secret or secrets.token_urlsafe(32)),
                reports=reports or bad_debt.SERVICE, trust_proxy=trust_proxy)
    table: list[BaseRoute] = [Route(path, endpoint(page, dash, need), methods=[method])
                              for method, path, page, need in PAGES]
    table.append(Mount("/static", StaticFiles(directory=Path(__file__).parent / "static")))
    table.append(Route("/{rest:path}", endpoint(_unknown, dash, ANYONE), methods=["GET", "POST"]))
    return [Mount(PREFIX, routes=table)]
