"""Route lookup by path prefix. Starlette tries every route's regular expression in turn: a GET of an
invoice went through 18 routes before its own. ``IndexedRouter`` first picks, by the request path's first
two segments, the routes that could match it at all, keeping their order, and tries only those: the
same answer (first full match, else the first method mismatch for a 405) in a handful of tries.

A route is indexed under its first two segments, when both are literal, and its number of segments
(``/v1/invoices/{invoice}`` under ``("v1", "invoices", 4)``: a parameter matches one segment); any other
route (a mount, ``/i/{invoice}``, a path parameter in the first two
segments) is a candidate for every path. A request that no candidate answers goes through Starlette's own
lookup, so redirects and 404s are unchanged.

Why a router of our own, not Starlette ``Mount``s grouped by prefix: Mounts would change what a route
sees (``root_path``, the child scope's path), how a missing trailing slash redirects and where a 404 is
answered, for every face at once; this class changes only the order in which the same routes are
tried. The price is that ``app`` repeats Starlette's match loop (``Router.app``) and reads the route path
with Starlette's private ``get_route_path``. So Starlette is pinned to one minor version in
pyproject.toml, and tests/api/test_routing.py sends every route of every face, in every method, with
ids, reserved names (``/v1/invoices/create_preview``), trailing slashes and a ``root_path``, through
both this router and Starlette's own ``Router``, and requires the same answer: re-run it when
upgrading."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send

Key = tuple[str, str, int]


def route_key(route: BaseRoute) -> Key | None:
    """The two literal leading segments and the number of segments of every path this route matches,
    or None (a mount, a ``{…:path}`` parameter, a parameter in the first two segments)."""
    if not isinstance(route, Route) or ":path}" in route.path:
        return None
    parts = route.path.split("/")
    if len(parts) == 2 and "{" not in parts[1]:  # "/openapi.json"
        return parts[1], "", 2
    if len(parts) < 3 or any("{" in p or not p for p in parts[1:3]):
        return None
    return parts[1], parts[2], len(parts)


def path_key(path: str) -> Key:
    parts = path.split("/")
    return (parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "", len(parts))


class IndexedRouter(Router):
    _indexed: tuple[int, dict[Key, list[BaseRoute]], list[BaseRoute]] | None = None

    def _index(self) -> tuple[dict[Key, list[BaseRoute]], list[BaseRoute]]:
        if self._indexed is None or self._indexed[0] != len(self.routes):  # routes may be added later
            keys = [route_key(r) for r in self.routes]
            buckets: dict[Key, list[BaseRoute]] = {}
            for key in {k for k in keys if k is not None}:
                buckets[key] = [r for r, k in zip(self.routes, keys, strict=True) if k is None or k == key]
            anywhere = [r for r, k in zip(self.routes, keys, strict=True) if k is None]
            self._indexed = (len(self.routes), buckets, anywhere)
        return self._indexed[1], self._indexed[2]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().app(scope, receive, send)
            return
        buckets, anywhere = self._index()
        scope.setdefault("router", self)
        partial = None
        for route in buckets.get(path_key(get_route_path(scope)), anywhere):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial = (route, child_scope)
        if partial is not None:
            scope["route"] = partial[0]
            scope.update(partial[1])
            await partial[0].handle(scope, receive, send)
            return
        await super().app(scope, receive, send)  # Starlette's slash redirects and its 404


class ReservedRoute(Route):
    """A route whose path parameters never take a name in ``reserved`` (parameter -> names): Stripe routes
    ``/v1/invoices/create_preview`` to an operation of its own, so ``/v1/invoices/{invoice}`` must not
    read it as an invoice id. Such a request matches nothing here; another route or the 404 answers."""

    def __init__(self, path: str, endpoint: Callable[..., Any], *, methods: list[str],
                 reserved: Mapping[str, frozenset[str]]) -> None:
        super().__init__(path, endpoint, methods=methods)
        self.reserved = {name: names for name, names in reserved.items() if name in self.param_convertors}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and self.reserved:
            params = child["path_params"]
            if any(params.get(name) in names for name, names in self.reserved.items()):
                return Match.NONE, {}
        return match, child
