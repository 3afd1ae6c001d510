"""The request cycle of every face (Stripe, Flex, Yorlet): authenticate, parse, validate, run one store
transaction, answer; or render the error through the face's own table.

A face brings its routes table (``Operation`` rows) and a ``Dialect``: how it carries its key, its error
table, and the hooks where faces differ (the parameters every operation takes, ``expand``, a version
header, ``Idempotency-Key``, how the handler's document is presented). The key goes to the one
``Authenticator``, so every request runs in its account's scope. Handlers are thin calls into the
services that return the face's own object, or a ``Csv``. The hooks are read once, when the routes are
built: a request pays for nothing its face does not use."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears import STRIPE_API_VERSION
from arrears.api import forms
from arrears.api.env import Env
from arrears.api.routing import ReservedRoute
from arrears.api.schema import Spec, convert_fields, obj
from arrears.domain import Doc, versions
from arrears.domain.errors import ArrearsError, IdempotencyError, NotFound, ParamError
from arrears.services import Ctx, idempotency
from arrears.services.idempotency import MAX_KEY_LENGTH, Replayed
from arrears.store.base import OPEN, SYSTEM, Tx
from arrears.store.query import Page

log = logging.getLogger("arrears.api")
JSON = "application/json"
CSV = "text/csv; charset=utf-8"
Headers = tuple[tuple[bytes, bytes], ...]  # reply headers as they go on the wire


class Unrecognized(NotFound):
    """A URL no operation serves (or not with its method): a 404 without Stripe's resource_missing code."""

    code = None


@dataclass(frozen=True, slots=True)
class Csv:
    """A handler's answer that goes out as text/csv (the reports' ``format=csv``)."""

    text: str


@dataclass(slots=True)  # not frozen: a frozen __init__ costs three times as much per field, on every request
class Call:
    """What a handler is given: the command context and the request's validated parts."""

    ctx: Ctx
    path: dict[str, str]
    params: dict[str, Any]
    url: str  # the request path, for list objects
    headers: Mapping[str, str]  # the request's (Yorlet-Context)
    total_count: bool = False  # a search asked for its total (Stripe's expand[]=total_count)


Handler = Callable[[Tx, Call], Awaitable[Doc | Csv]]
Before = Callable[[Call], Awaitable[None]]  # a check awaited before the transaction (Operation.before)
# (tx, the handler's answer, expand paths, API version) -> the reply's document, in the transaction
Presenter = Callable[[Tx, Any, list[str], versions.Version], Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    """One row of a face's routes table. ``path`` is relative to the face's mount."""

    method: str
    path: str
    operation_id: str
    params: Mapping[str, Spec]
    handler: Handler
    returns: str  # the answer's schema: a component name; "list:x" / "search:x" for collections; "x|deleted"
    summary: str = ""
    envelope: str | None = None  # the body fields arrive wrapped as {envelope: {...}} (Flex)
    before: Before | None = None  # awaited before the transaction, for checks that wait on I/O (DNS)
    shows_secret: bool = False  # the answer shows the object's secret: once, at creation
    # A read of the unscoped tables (the accounts), run in the SYSTEM scope: its handler sees every account
    # and must keep to what ``call.ctx.account`` may see itself. Only GETs; writes keep the request's scope.
    system: bool = False
    # SQLite: rehearse the write outside the write lock (store/rehearsal.py). Only where it was measured to
    # pay (ADR 0001): the other writes run under the lock at once.
    rehearse: bool = False

    @property
    def write(self) -> bool:
        return self.method != "GET"


async def as_is(tx: Tx, doc: Any, paths: list[str], api_version: versions.Version) -> Any:
    """The presenter of a face whose handlers answer in the face's own shape already."""
    return doc


def as_is_for(op: Operation) -> Presenter:
    return as_is


@dataclass(frozen=True)
class Dialect:
    """What one face does its own way. Everything else is the cycle below."""

    mount: str  # "" (Stripe), "/flex", "/yorlet"
    key: Callable[[str | None], str]  # the arrears API key in the Authorization header, or AuthenticationError
    render_error: Callable[[ArrearsError], tuple[int, Doc]]  # the face's one error table
    internal_error: Callable[[str], tuple[int, Doc]]
    normalise: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # the face's spellings, before validation
    body: str = forms.JSON  # how a body whose Content-Type says neither JSON nor form is read
    common: Mapping[str, Spec] = field(default_factory=dict)  # parameters every operation takes
    expand: Callable[[list[str]], None] | None = None  # checks ``expand`` paths, which the cycle takes out
    presenter: Callable[[Operation], Presenter] = as_is_for  # per operation, at start-up
    version_header: str | None = None  # names the API version (else the account's default); echoed on replies
    account_header: bool = False  # the Stripe-Account header picks the account
    idempotent: bool = False  # POSTs honour Idempotency-Key (services/idempotency.py)
    reserved: Mapping[str, frozenset[str]] = field(default_factory=dict)  # path parameter -> names never ids
    not_found: str = ""  # what the 404 for an unknown URL says after "Unrecognized request URL (...)."

    def api_version(self, headers: Mapping[str, str]) -> str:
        """The version an error outside any operation is answered in: the one asked for when it exists."""
        asked = headers.get(self.version_header) if self.version_header else None
        return asked if asked in versions.VERSIONS else STRIPE_API_VERSION

    def headers(self, api_version: str) -> Headers:
        """The face's own headers on every reply."""
        if self.version_header is None:
            return ()
        return ((self.version_header.encode("latin-1"), api_version.encode("latin-1")),)


def answer(status: int, body: Doc, request_id: str, headers: Headers = ()) -> Response:
    """The one JSON reply: orjson bytes, the request id and the face's headers, added as they go on the
    wire (Starlette's ``headers=`` would lower-case and encode each one)."""
    response = Response(orjson.dumps(body), status_code=status, media_type=JSON)
    response.raw_headers += [(b"request-id", request_id.encode("latin-1")), *headers]
    return response


def refuse(dialect: Dialect, error: ArrearsError, request_id: str, request_headers: Mapping[str, str]) -> Response:
    """An error raised outside any operation (an unknown URL, a body over the limit), in the face's shape."""
    status, body = dialect.render_error(error)
    return answer(status, body, request_id, dialect.headers(dialect.api_version(request_headers)))


def unrecognized(dialect: Dialect, request: Request, request_id: str) -> Response:
    """The face's 404 for a URL no operation serves (or not with this method)."""
    message = f"Unrecognized request URL ({request.method}: {forms.url_path(request)}). {dialect.not_found}"
    return refuse(dialect, Unrecognized(message), request_id, request.headers)


def page(params: dict[str, Any], *, default_limit: int) -> Page:
    """The page a list asks for: one cursor at most, as Stripe rules (``parameters_exclusive``)."""
    if params.get("starting_after") and params.get("ending_before"):
        raise ParamError("You may only specify one of these parameters: ending_before, starting_after.",
                         param="ending_before", code="parameters_exclusive")
    return Page(limit=params.get("limit") or default_limit, starting_after=params.get("starting_after"),
                ending_before=params.get("ending_before"))


def checked_fields(op: Operation, dialect: Dialect) -> dict[str, Spec]:
    """What the operation's parameters are checked against: its Specs and the face's common ones, wrapped
    in the operation's envelope if it has one (the cycle unwraps the result)."""
    fields = {**op.params, **dialect.common}
    if op.envelope is None:
        return fields
    return {op.envelope: obj(fields, required=any(spec.required for spec in fields.values()))}


def endpoint(op: Operation, env: Env, dialect: Dialect) -> Callable[[Request], Awaitable[Response]]:
    store_read, store_write = env.store.read, env.store.write
    operation_id, path, write, handler, before = op.operation_id, op.path, op.write, op.handler, op.before
    kind = op.operation_id if op.rehearse else None  # the write's kind names it to the store's rehearsal
    system = op.system and not write
    fields, envelope, normalise, read_as = checked_fields(op, dialect), op.envelope, dialect.normalise, dialect.body
    key_of, render_error, check_expand = dialect.key, dialect.render_error, dialect.expand
    present = dialect.presenter(op)
    version_header = dialect.version_header
    version_name = (version_header or "").encode("latin-1")
    known, latest = versions.VERSIONS, versions.LATEST
    upgrade = versions.upgrade
    account_header = dialect.account_header
    searching = op.returns.startswith("search:")
    # Stripe: "All POST requests accept idempotency keys"; on GET and DELETE a key has no effect.
    keyed = dialect.idempotent and op.method == "POST"

    async def handle(request: Request) -> Response:
        request_id = env.ids.new("req", 14)
        headers = request.headers
        # The version: Stripe-Version when it names one, else the account's default (known once the key is).
        asked = headers.get(version_header) if version_header else None
        version = latest
        own: Headers = ((version_name, latest.text.encode("latin-1")),) if version_header else ()
        key = headers.get("idempotency-key") if keyed else None
        fp = ""
        began = False
        scope = OPEN
        try:
            grant, scope = await env.auth.authorize(key_of(headers.get("authorization")), path=path, write=write,
                                                    headers=headers if account_header else None)
            default = grant.api_version or latest.text
            if version_header:
                found = known.get(asked if asked is not None else default)
                if found is None:
                    raise versions.InvalidVersion(f"Invalid Stripe API version: {asked}")
                version = found
                if version is not latest:
                    own = ((version_name, version.text.encode("latin-1")),)
            raw = await forms.request_params(request, default=read_as)
            if version is not latest:
                raw = upgrade(operation_id, version, raw)
            params = convert_fields(normalise(raw) if normalise is not None else raw, fields)
            if envelope is not None:
                params = params.get(envelope) or {}
            paths: list[str] = []
            total_count = False
            if check_expand is not None:
                paths = params.pop("expand", None) or paths
                if searching and "total_count" in paths:  # a search's total, not an object to expand
                    paths.remove("total_count")
                    total_count = True
                check_expand(paths)
            ctx = env.ctx(livemode=scope.livemode, request_id=request_id, idempotency_key=key,
                          api_version=version.text, account_api_version=default, account=scope.account)
            call = Call(ctx, forms.path_params(request), params, forms.url_path(request), headers, total_count)
            if before is not None:  # checks that wait on I/O (DNS) run before the transaction, not in it
                await before(call)

            async def run(tx: Tx) -> Any:
                return await present(tx, await handler(tx, call), paths, version)

            if key is None:
                result = await (store_write(run, scope=scope, kind=kind) if write
                                else store_read(run, scope=SYSTEM if system else scope))
            else:
                if len(key) > MAX_KEY_LENGTH:
                    raise ParamError(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters long.",
                                     param="Idempotency-Key")
                fp = idempotency.fingerprint(op.method, call.url, {**params, "expand": paths})
                began = True
                stored = idempotency.record_id(key, scope)
                result = await store_write(
                    idempotency.idempotent(stored, key, fp, ctx.now, request_id, run, render_error), scope=scope,
                    kind=kind)
                if isinstance(result, Replayed):
                    return answer(result.status, result.body, request_id,
                                  (*own, (b"idempotent-replayed", b"true"),
                                   (b"original-request", result.request_id.encode("latin-1"))))
            if isinstance(result, Csv):
                return Response(result.text, media_type=CSV, headers={"Request-Id": request_id})
            return answer(200, result, request_id, own)
        except ArrearsError as exc:
            status, body = render_error(exc)
            if began and key is not None and not isinstance(exc, ParamError | IdempotencyError):
                await idempotency.remember_failure(env.store, scope, key, fp, env.clock.now(), request_id, status,
                                                   body)
        except Exception:
            log.exception("request %s %s %s failed", request_id, request.method, request.url.path)
            status, body = dialect.internal_error(request_id)
        return answer(status, body, request_id, own)

    handle.__name__ = op.operation_id
    return handle


def route(op: Operation, env: Env, dialect: Dialect) -> Route:
    """The operation's route; where its path has an id the face reserves names for, one that does not
    take those names as ids."""
    path = dialect.mount + op.path
    if any("{" + name + "}" in op.path for name in dialect.reserved):
        return ReservedRoute(path, endpoint(op, env, dialect), methods=[op.method], reserved=dialect.reserved)
    return Route(path, endpoint(op, env, dialect), methods=[op.method])


def routes(operations: tuple[Operation, ...], env: Env, dialect: Dialect) -> list[Route]:
    return [route(o, env, dialect) for o in operations]
