"""The request cycle shared by the dialect faces (Flex, Yorlet): authenticate, parse, validate, run one
store transaction, answer; or render the error through the face's own table.

A face brings its routes table (``Operation`` rows), how it carries its key and its error renderer as a
``Dialect``; the key goes to the same ``Authenticator`` as the Stripe face's, so the request runs in its
account's scope. Handlers are thin calls into the services that return the face's own object."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears.api import forms
from arrears.api.env import Env
from arrears.api.stripe.schema import Spec, convert_fields, obj
from arrears.domain import Doc
from arrears.domain.errors import ArrearsError, NotFound, ParamError
from arrears.services import Ctx
from arrears.store.base import Tx
from arrears.store.query import Page

log = logging.getLogger("arrears.api")
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Call:
    ctx: Ctx
    path: dict[str, str]
    params: dict[str, Any]
    headers: Mapping[str, str]
    url: str


Handler = Callable[[Tx, Call], Awaitable[Doc]]


@dataclass(frozen=True)
class Operation:
    """One row of a dialect face's routes table. ``path`` is relative to the face's mount."""

    method: str
    path: str
    operation_id: str
    params: Mapping[str, Spec]
    handler: Handler
    returns: str  # the response schema: a component name, or "list:<name>"
    summary: str
    envelope: str | None = None  # the body fields arrive wrapped as {envelope: {...}} (Flex)

    @property
    def write(self) -> bool:
        return self.method != "GET"


@dataclass(frozen=True)
class Dialect:
    mount: str  # "/flex", "/yorlet"
    key: Callable[[Mapping[str, str]], str]  # the arrears API key the headers carry, or AuthenticationError
    render_error: Callable[[ArrearsError], tuple[int, Doc]]
    internal_error: Callable[[str], tuple[int, Doc]]
    normalise: Callable[[dict[str, Any]], dict[str, Any]] = dict  # the face's spellings, before validation


def validate(op: Operation, raw: dict[str, Any]) -> dict[str, Any]:
    if op.envelope is None:
        return convert_fields(raw, op.params)
    required = any(spec.required for spec in op.params.values())
    wrapped = convert_fields(raw, {op.envelope: obj(op.params, required=required)})
    return wrapped.get(op.envelope) or {}


def answer(status: int, body: Doc, request_id: str) -> Response:
    return Response(orjson.dumps(body), status_code=status, headers={"Request-Id": request_id}, media_type=JSON)


def endpoint(op: Operation, env: Env, dialect: Dialect) -> Callable[[Request], Awaitable[Response]]:
    run_in = env.store.write if op.write else env.store.read

    async def handle(request: Request) -> Response:
        request_id = env.ids.new("req", 14)
        try:
            _, scope = await env.auth.authorize(dialect.key(request.headers), path=op.path, write=op.write)
            params = validate(op, dialect.normalise(await forms.request_params(request, default=forms.JSON)))
            ctx = env.ctx(livemode=scope.livemode, request_id=request_id)
            call = Call(ctx, forms.path_params(request), params, request.headers, forms.url_path(request))
            async def run(tx: Tx) -> Any:
                return await op.handler(tx, call)
            run.__qualname__ = f"{dialect.mount} {op.operation_id}"  # the store's rehearsal odds per kind
            return answer(200, await run_in(run, scope=scope), request_id)
        except ArrearsError as exc:
            status, body = dialect.render_error(exc)
        except Exception:
            log.exception("request %s %s %s failed", request_id, request.method, request.url.path)
            status, body = dialect.internal_error(request_id)
        return answer(status, body, request_id)

    handle.__name__ = op.operation_id
    return handle


def routes(operations: tuple[Operation, ...], env: Env, dialect: Dialect) -> list[Route]:
    return [Route(dialect.mount + o.path, endpoint(o, env, dialect), methods=[o.method]) for o in operations]


def page(params: dict[str, Any], *, default_limit: int) -> Page:
    if params.get("starting_after") and params.get("ending_before"):
        raise ParamError("You may only specify one of these parameters: ending_before, starting_after.",
                         param="ending_before")
    return Page(limit=params.get("limit") or default_limit, starting_after=params.get("starting_after"),
                ending_before=params.get("ending_before"))


def unrecognized(dialect: Dialect, request: Request, request_id: str) -> Response:
    """A URL under the face's mount that no route matches, in the face's error shape."""
    status, body = dialect.render_error(
        NotFound(f"Unrecognized request URL ({request.method}: {forms.url_path(request)}). The routes are in "
                 f"{dialect.mount}/openapi.json."))
    return answer(status, body, request_id)
