"""The Stripe face's request cycle: authenticate, parse, validate, run one transaction, render."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears import STRIPE_API_VERSION
from arrears.api import auth, forms
from arrears.api.env import Env
from arrears.api.routing import ReservedRoute
from arrears.api.stripe import errors
from arrears.api.stripe import expand as expansion
from arrears.api.stripe.handlers import CSV, Call
from arrears.api.stripe.openapi import EXPAND
from arrears.api.stripe.routes import OPERATIONS, RESERVED, Operation
from arrears.api.stripe.schema import convert_fields
from arrears.domain import Doc, views
from arrears.domain.errors import ArrearsError, CommitThenRaise, IdempotencyError, ParamError
from arrears.housekeeping import IDEMPOTENCY_TTL
from arrears.services.common import find
from arrears.store.base import OPEN, Scope, Tx

log = logging.getLogger("arrears.api")
JSON = "application/json"


def present(doc: Doc, api_version: str) -> Doc:
    kind = doc.get("object")
    if kind == "invoice" and "lines" in doc:
        return views.invoice(doc, api_version)
    if kind == "webhook_endpoint" and "secret" in doc:  # the secret is shown once, at creation
        shown = dict(doc)
        if not shown.pop("_show_secret", False):
            del shown["secret"]
        return shown
    if kind in ("list", "search_result"):
        return {**doc, "data": [present(d, api_version) for d in doc["data"]]}
    return doc


async def render(tx: Tx, doc: Doc, paths: list[str], api_version: str) -> Doc:
    out = present(doc, api_version)
    if paths:
        async def load(table: str, obj_id: str) -> Doc | None:
            found = await find(tx, table, obj_id)  # a deleted customer expands to its stub
            return None if found is None else present(found, api_version)

        out = await expansion.expand(out, paths, load)
    return out


def respond(status: int, body: Doc, request_id: str, api_version: str, extra: dict[str, str] | None = None) -> Response:
    response = Response(orjson.dumps(body), status_code=status, media_type=JSON)
    # Starlette's headers= lower-cases and encodes each one: these are added as they go on the wire.
    response.raw_headers += [(b"request-id", request_id.encode("latin-1")),
                             (b"stripe-version", api_version.encode("latin-1")),
                             *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items())]
    return response


MAX_KEY_LENGTH = 255
REPLAY = "__idempotent_replay__"


def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps([method, path, params], option=orjson.OPT_SORT_KEYS)).hexdigest()


def record_id(key: str, scope: Scope) -> str:
    """The stored result's id: keys are the account's own, as on Stripe (the default account's test mode
    keeps the form it had before accounts)."""
    if scope == OPEN:
        return "idem_" + key
    return f"idem_{scope.account}_{'live' if scope.livemode else 'test'}_{key}"


def idempotent(stored: str, key: str, fp: str, now: int, request_id: str,
               execute: Callable[[Tx], Awaitable[Doc]]) -> Callable[[Tx], Awaitable[Doc]]:
    """Wrap a write so that its first result is stored under ``stored`` and replayed for retries with
    the same parameters (Stripe's Idempotency-Key). Runs in the write's own transaction, so two concurrent
    requests with one key execute once."""

    async def run(tx: Tx) -> Doc:
        prior = await tx.get("idempotency_keys", stored)
        if prior is not None and prior["created"] > now - IDEMPOTENCY_TTL:
            if prior["fingerprint"] != fp:
                raise IdempotencyError(
                    "Keys for idempotent requests can only be used with the same parameters they were first "
                    f"used with. Try using a key other than '{key}' if you meant to execute a different request.")
            return {REPLAY: prior}
        if prior is not None:
            await tx.delete("idempotency_keys", stored)
        # Claim the key before executing: on PostgreSQL a concurrent request with the same key waits on
        # this row's unique index, then re-runs (store retry) and replays what this one stored.
        record = {"id": stored, "created": now, "fingerprint": fp, "status": 0, "body": None,
                  "request_id": request_id}
        await tx.insert("idempotency_keys", record)
        try:
            result = await execute(tx)
        except CommitThenRaise as keep:  # the work is kept, so is its failure for the retries
            status, body = errors.render(keep.error)
            await tx.update("idempotency_keys", {**record, "status": status, "body": body})
            raise
        await tx.update("idempotency_keys", {**record, "status": 200, "body": result})
        return result

    return run


async def remember_failure(env: Env, scope: Scope, key: str, fp: str, now: int, request_id: str, status: int,
                           body: Doc) -> None:
    """Stripe stores the result of a request whose execution began, failures included."""
    stored = record_id(key, scope)

    async def run(tx: Tx) -> None:
        if await tx.get("idempotency_keys", stored) is None:
            await tx.insert("idempotency_keys", {"id": stored, "created": now, "fingerprint": fp,
                                                 "status": status, "body": body, "request_id": request_id})

    await env.store.write(run, scope=scope)


def endpoint(op: Operation, env: Env) -> Callable[[Request], Awaitable[Response]]:
    fields = {**op.params, "expand": EXPAND}
    searching = op.returns.startswith("search:")
    run_in = env.store.write if op.write else env.store.read

    async def handle(request: Request) -> Response:
        request_id = env.ids.new("req", 14)
        api_version = request.headers.get("stripe-version") or STRIPE_API_VERSION
        # Stripe: "All POST requests accept idempotency keys"; on GET and DELETE a key has no effect.
        key = request.headers.get("idempotency-key") if op.method == "POST" else None
        fp = ""
        began = False
        scope = OPEN
        try:
            _, scope = await env.auth.authorize(auth.api_key(request.headers.get("authorization")), path=op.path,
                                                write=op.write, headers=request.headers)
            params = convert_fields(await forms.request_params(request), fields)
            paths: list[str] = params.pop("expand", None) or []
            if searching and "total_count" in paths:
                paths.remove("total_count")
                params["_total_count"] = True
            expansion.check(paths)
            ctx = env.ctx(livemode=scope.livemode, request_id=request_id, idempotency_key=key,
                          api_version=api_version)
            call = Call(ctx, forms.path_params(request), params, forms.url_path(request))
            if op.before is not None:  # checks that wait on I/O (DNS) run before the transaction, not in it
                await op.before(call)

            async def run(tx: Tx) -> Doc:
                return await render(tx, await op.handler(tx, call), paths, api_version)
            run.__qualname__ = op.operation_id  # the store keeps rehearsal odds per kind of command

            if key is not None:
                if len(key) > MAX_KEY_LENGTH:
                    raise ParamError(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters long.",
                                     param="Idempotency-Key")
                fp = fingerprint(op.method, call.url, {**params, "expand": paths})
                began = True
                result = await run_in(idempotent(record_id(key, scope), key, fp, ctx.now, request_id, run),
                                      scope=scope)
                if REPLAY in result:
                    prior = result[REPLAY]
                    return respond(prior["status"], prior["body"], request_id, api_version,
                                   {"Idempotent-Replayed": "true", "Original-Request": prior["request_id"]})
                return respond(200, result, request_id, api_version)
            result = await run_in(run, scope=scope)
            if CSV in result:
                return Response(result[CSV], media_type="text/csv; charset=utf-8", headers={"Request-Id": request_id})
            return respond(200, result, request_id, api_version)
        except ArrearsError as exc:
            status, body = errors.render(exc)
            if key is not None and began and not isinstance(exc, ParamError | IdempotencyError):
                await remember_failure(env, scope, key, fp, env.clock.now(), request_id, status, body)
        except Exception:
            log.exception("request %s %s %s failed", request_id, request.method, request.url.path)
            status, body = errors.internal(request_id)
        return respond(status, body, request_id, api_version)

    handle.__name__ = op.operation_id
    return handle


def route(op: Operation, env: Env) -> Route:
    """The operation's route; where its path has an id Stripe reserves names for (RESERVED), one that
    does not take those names as ids."""
    if any("{" + name + "}" in op.path for name in RESERVED):
        return ReservedRoute(op.path, endpoint(op, env), methods=[op.method], reserved=RESERVED)
    return Route(op.path, endpoint(op, env), methods=[op.method])


def routes(env: Env) -> list[Route]:
    return [route(o, env) for o in OPERATIONS]


def unrecognized(request: Request, request_id: str) -> Response:
    """Stripe's 404 for a URL no operation serves (or not with this method), in Stripe's words."""
    body = {"error": {
        "type": "invalid_request_error",
        "message": f"Unrecognized request URL ({request.method}: {forms.url_path(request)}). Please see "
                   "https://stripe.com/docs or we can help at https://support.stripe.com/.",
    }}
    return respond(404, body, request_id, request.headers.get("stripe-version") or STRIPE_API_VERSION)
