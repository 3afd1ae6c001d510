"""/yorlet/openapi.json: generated from the Yorlet routes table, its Specs and the schemas below (Stripe's
objects plus Yorlet's fields). JSON bodies, Bearer auth, paths under /v1, server URL ending in /yorlet."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears.api import openapi, reference
from arrears.api.openapi import Schema, obj, shape
from arrears.api.stripe import objects_schema as stripe
from arrears.api.yorlet.render import NULL_FIELDS
from arrears.api.yorlet.routes import OPERATIONS

ACCOUNT = {"?account": "string"}  # only with a Yorlet-Context header
CUSTOMER_ID = {"customer": "$customer|string"}  # no deleted customer's stub: this face has no deleted_customer
INVOICE: dict[str, Any] = {
    **stripe.INVOICE, **ACCOUNT, **CUSTOMER_ID,
    **{k: "integer?" for k in ("finalized_at", "marked_uncollectible_at", "paid_at", "voided_at")},
    "paid": "boolean", "paid_off_platform": "boolean", "pending_payment": "boolean",
    "period": {"start": "integer", "end": "integer"}, "issuer": {"type": "'owner'", "owner": "string?"},
    "discount_amount": "integer", **{k: "any" for k in NULL_FIELDS},
}
OBJECTS: dict[str, dict[str, Any]] = {
    "customer": {**stripe.CUSTOMER, **ACCOUNT},
    "invoice_item": {**stripe.INVOICEITEM, "object": "'invoice_item'", **ACCOUNT, **CUSTOMER_ID},
    "line_item": stripe.LINE_ITEM,
    "invoice": INVOICE,
    "error": {"error": {"message": "string", "param": "string?", "type": "string"}, "status": "integer"},
}
DESCRIPTION = (
    "arrears' Yorlet face. Authenticate with 'Authorization: Bearer YOUR_API_KEY' (the raw key works too; "
    "arrears accepts sk_test_… keys). Send Yorlet-Context to act for an account: objects then carry `account`. "
    "Timestamps are Unix seconds; errors carry a top-level status."
)


def response(returns: str) -> Schema:
    kind, _, item = returns.partition(":")
    if kind == "list":
        return obj({"object": "'list'", "data": f"[${item}]", "has_more": "boolean", "count": "integer",
                    "url": "string"})
    return shape(f"${returns}")


@lru_cache(maxsize=8)
def document(server_url: str) -> bytes:
    doc = openapi.document(
        title="arrears (Yorlet face)", version="0.1.0", description=DESCRIPTION, server_url=server_url,
        operations=[openapi.Described(o.method, o.path, o.operation_id, o.summary, o.params, response(o.returns),
                                      o.path.split("/")[2]) for o in OPERATIONS],
        schemas={name: shape(fields) for name, fields in OBJECTS.items()},
        security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer"}},
    )
    reference.describe(doc)
    reference.alias(doc)
    reference.exemplify(doc, "yorlet")
    return orjson.dumps(doc)


def routes(mount: str) -> list[Route]:
    async def serve(request: Request) -> Response:
        return Response(document(openapi.server_url(str(request.base_url), mount)), media_type=openapi.JSON)

    return [Route(mount + "/openapi.json", serve, methods=["GET"])]
