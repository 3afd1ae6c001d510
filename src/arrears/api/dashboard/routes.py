"""The dashboard's routes, as one visible table, mounted at ``/dashboard``."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from arrears.api.dashboard import bad_debt, customers, events, invoices, sign_in
from arrears.api.dashboard.session import Sessions
from arrears.api.dashboard.web import PREFIX, Dash, Handler, Visit, endpoint
from arrears.api.env import Env

SIGNED_IN, ANYONE = False, True

PAGES: tuple[tuple[str, str, Handler, bool], ...] = (
    # method, path under /dashboard, page, who may see it
    ("GET", "/", sign_in.home, SIGNED_IN),
    ("GET", "/sign-in", sign_in.form, ANYONE),
    ("POST", "/sign-in", sign_in.submit, ANYONE),
    ("POST", "/sign-out", sign_in.sign_out, SIGNED_IN),
    ("GET", "/invoices", invoices.index, SIGNED_IN),
    ("GET", "/invoices/{invoice}", invoices.show, SIGNED_IN),
    ("GET", "/invoices/{invoice}/{action}", invoices.confirm, SIGNED_IN),
    ("POST", "/invoices/{invoice}/{action}", invoices.act, SIGNED_IN),
    ("GET", "/customers", customers.index, SIGNED_IN),
    ("GET", "/customers/{customer}", customers.show, SIGNED_IN),
    ("GET", "/events", events.index, SIGNED_IN),
    ("GET", "/events/feed", events.feed, SIGNED_IN),
    ("GET", "/events/{event}", events.show, SIGNED_IN),
    ("GET", "/bad-debt", bad_debt.index, SIGNED_IN),
    ("GET", "/bad-debt/{report}.csv", bad_debt.download, SIGNED_IN),
)


async def _unknown(visit: Visit) -> Response:
    return visit.not_found("There is no such page in the dashboard.")


def routes(env: Env, secret: str | None = None, *, reports: bad_debt.Reports | None = None) -> list[BaseRoute]:
    """The dashboard mounted at /dashboard. Without a ``secret`` one is made for this process, so
    sessions last until it stops (``arrears serve`` hands one secret to all its workers). ``reports``
    defaults to the installed reports service (``arrears.services.reports``)."""
    dash = Dash(env=env, sessions=Sessions(secret or secrets.token_urlsafe(32)),
                reports=reports or bad_debt.installed_reports())
    table: list[BaseRoute] = [Route(path, endpoint(page, dash, public=public), methods=[method])
                              for method, path, page, public in PAGES]
    table.append(Mount("/static", StaticFiles(directory=Path(__file__).parent / "static")))
    table.append(Route("/{rest:path}", endpoint(_unknown, dash, public=True), methods=["GET", "POST"]))
    return [Mount(PREFIX, routes=table)]
