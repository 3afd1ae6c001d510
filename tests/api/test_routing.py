"""IndexedRouter picks the same route as Starlette's own lookup for every path of the app, with fewer
tries: the routes of the real app, paths of every face, unknown paths and wrong methods. The first test
asks Starlette's ``Router.app`` itself (the Starlette pinned in pyproject.toml), so a change in Starlette's
match loop that ``IndexedRouter`` does not follow fails here."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import BaseRoute, Match, Router

from arrears.api.routing import IndexedRouter, ReservedRoute, path_key, route_key
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


def probes(routes: list[BaseRoute]) -> tuple[list[BaseRoute], list[tuple[int, dict[str, Any]]]]:
    """Copies of ``routes`` that, when picked, record (their index, the path parameters) and answer nothing."""
    picked: list[tuple[int, dict[str, Any]]] = []
    copies = []
    for index, route in enumerate(routes):
        probe = copy.copy(route)

        async def handle(scope: Any, receive: Any, send: Any, index: int = index) -> None:
            picked.append((index, dict(scope.get("path_params", {}))))

        probe.handle = handle  # type: ignore[method-assign]
        copies.append(probe)
    return copies, picked


def every_path(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    """PATHS, and for every route of every face: its path with ids filled in, each name Stripe reserves
    in place of an id, with a trailing slash, and one segment longer."""
    paths = list(PATHS)
    for route in routes:
        template = getattr(route, "path", "")
        filled = [template.replace("{", "x").replace("}", "").replace(":path", "")]
        if isinstance(route, ReservedRoute):
            filled += [template.replace("{" + param + "}", name) for param, names in route.reserved.items()
                       for name in sorted(names)]
        for path in filled:
            for variant in (path, path + "/", path + "/more"):
                paths += [(method, variant) for method in ("GET", "POST", "DELETE", "PUT")]
    return paths


async def answer(router: Router, picked: list[tuple[int, dict[str, Any]]], method: str, path: str,
                 root_path: str = "") -> tuple[Any, ...]:
    """What ``router`` does with the request: the route it picked, else the status and Location it sent."""
    picked.clear()
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": method, "path": root_path + path, "root_path": root_path, "headers": [],
             "query_string": b"", "scheme": "http", "server": ("testserver", 80), "http_version": "1.1"}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await router.app(scope, receive, send)
    if picked:
        return ("route", *picked[0])
    start = sent[0]
    return ("answer", start["status"], dict(start["headers"]).get(b"location"))


def test_the_indexed_router_answers_every_path_as_starlettes_own_router_does(app_router: IndexedRouter) -> None:
    copies, picked = probes(app_router.routes)
    indexed, starlette = IndexedRouter(copies), Router(copies)
    paths = every_path(app_router.routes)
    assert ("POST", "/v1/invoices/create_preview") in paths and len(paths) > 1000

    async def compare() -> list[tuple[str, str, str]]:
        differ = []
        for method, path in paths:
            for root_path in ("", "/behind/a/proxy"):
                ours = await answer(indexed, picked, method, path, root_path)
                if ours != await answer(starlette, picked, method, path, root_path):
                    differ.append((method, path, root_path))
        return differ

    assert asyncio.run(compare()) == []


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
