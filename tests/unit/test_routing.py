"""IndexedRouter picks the same route as Starlette's own lookup for every path of the app, with fewer
tries: the routes of the real app, paths of every face, unknown paths and wrong methods."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.routing import BaseRoute, Match, Router

from arrears.api.routing import IndexedRouter, path_key, route_key
from arrears.app import build
from arrears.config import Settings

PATHS = [
    ("GET", "/v1/invoices/in_123"), ("GET", "/v1/invoices/search"), ("GET", "/v1/invoices"),
    ("POST", "/v1/invoices/in_1/mark_uncollectible"), ("GET", "/v1/invoices/in_1/mark_uncollectible"),
    ("POST", "/v1/invoices/in_1/pay"), ("GET", "/v1/invoices/in_1/lines"), ("DELETE", "/v1/invoices/in_1"),
    ("GET", "/v1/customers/cus_1"), ("POST", "/v1/customers/cus_1/balance_transactions"),
    ("GET", "/v1/events"), ("GET", "/v1/events/evt_1"), ("GET", "/v1/nothing/here"), ("GET", "/v1"),
    ("GET", "/openapi.json"), ("GET", "/i/in_1"), ("GET", "/i/in_1/pdf"), ("GET", "/mcp"), ("POST", "/mcp"),
    ("GET", "/dashboard"), ("GET", "/dashboard/invoices/in_1"), ("GET", "/dashboard/static/app.css"),
    ("GET", "/"), ("GET", "/v1/invoices/"), ("PUT", "/v1/invoices/in_1"), ("GET", "/v1/test_helpers/test_clocks"),
    ("POST", "/v1/invoices/create_preview"), ("GET", "/v1/invoices/upcoming"), ("GET", "/v1/invoices/upcoming/lines"),
    ("POST", "/v1/invoices/search"), ("POST", "/v1/customers/search"),
]


def lookup(routes: list[BaseRoute], candidates: list[BaseRoute], method: str, path: str) -> tuple[int, str]:
    """(index in ``routes`` of the route Starlette's rule picks among ``candidates``, FULL | PARTIAL), or
    (-1, "NONE")."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
    partial = None
    for route in candidates:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return routes.index(route), "FULL"
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (routes.index(partial), "PARTIAL") if partial is not None else (-1, "NONE")


@pytest.fixture(scope="module")
def app_router(tmp_path_factory: pytest.TempPathFactory) -> Router:
    db = Path(tmp_path_factory.mktemp("routing")) / "a.db"
    app = build(Settings(database=f"sqlite:///{db}"))
    assert isinstance(app.router, IndexedRouter)
    return app.router


def test_the_indexed_lookup_picks_what_starlette_picks_for_every_path(app_router: IndexedRouter) -> None:
    routes = app_router.routes
    buckets, anywhere = app_router._index()
    paths = PATHS + [(m, r.path.replace("{", "x").replace("}", "")) for r in routes
                     if hasattr(r, "methods") and r.methods for m in sorted(r.methods)]
    for method, path in paths:
        indexed = buckets.get(path_key(path), anywhere)
        assert lookup(routes, indexed, method, path) == lookup(routes, routes, method, path), (method, path)


def test_an_invoice_route_is_tried_among_a_few_not_after_every_earlier_route(app_router: IndexedRouter) -> None:
    routes = app_router.routes
    buckets, anywhere = app_router._index()
    invoice_routes = buckets[path_key("/v1/invoices/in_1")]
    assert all(route_key(r) in (("v1", "invoices", 4), None) for r in invoice_routes)
    assert len(invoice_routes) < len(routes) / 4
    assert lookup(routes, invoice_routes, "GET", "/v1/invoices/in_1")[1] == "FULL"


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("POST", "/v1/invoices/create_preview", None), ("GET", "/v1/invoices/upcoming", None),
    ("GET", "/v1/invoices/upcoming/lines", None), ("POST", "/v1/invoices/upcoming/finalize", None),
    ("GET", "/v1/customers/search/balance_transactions", None),
    ("DELETE", "/v1/customers/search", "/v1/customers/search"),  # GET only: a 405, answered as Stripe's 404
    ("GET", "/v1/invoices/search", "/v1/invoices/search"),
    ("POST", "/v1/invoices/in_create_preview", "/v1/invoices/{invoice}"),  # only the whole segment is reserved
])
def test_names_stripe_reserves_are_never_read_as_ids(app_router: IndexedRouter, method: str, path: str,
                                                     expected: str | None) -> None:
    routes = app_router.routes
    index, _ = lookup(routes, routes, method, path)
    assert (getattr(routes[index], "path", None) if index >= 0 else None) == expected
