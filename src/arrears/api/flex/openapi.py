"""/flex/openapi.json: generated from the Flex routes table, its Specs and the object schemas below.

Like Flex's own document: OpenAPI 3.1, JSON bodies, Bearer auth, paths under /v1 with the server
URL ending in /flex. Flex publishes no operationIds we could read, so ours name the action
(``MarkInvoiceUncollectible``; agent tool ``markInvoiceUncollectible``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears.api import openapi, reference
from arrears.api.flex.routes import OPERATIONS
from arrears.api.openapi import Schema, nullable, obj, shape
from arrears.domain.invoice import STATUSES

ISO = "string"  # ISO-8601, e.g. 2024-01-01T00:00:00Z
CUSTOMER = {
    "customer_id": "string", "first_name": "string?", "last_name": "string?", "email": "string?",
    "phone": "string?", "employer": "string?",
    "shipping": nullable({"shipping_address_id": "string?",
                          **{k: "string?" for k in ("line1", "line2", "city", "state", "postal_code", "country")}}),
    "balance": "integer", "created_at": ISO, "test_mode": "boolean", "metadata": "map",
}
INVOICE_ITEM = {
    "invoice_item_id": "string", "customer": "string", "invoice": "string?", "amount": "integer",
    "currency": "string", "description": "string?", "created_at": ISO, "test_mode": "boolean", "metadata": "map",
}
INVOICE = {
    "invoice_id": "string", "total": "integer", "amount_due": "integer", "amount_paid": "integer",
    "amount_remaining": "integer", "currency": "string", "number": "string?", "payment_intent": "string?",
    "charge": "string?", "customer": "$customer|string", "period_start": ISO, "period_end": ISO,
    "subscription": "string?", "status": "/".join(STATUSES), "collection_method": "charge_automatically/send_invoice",
    "test_mode": "boolean", "metadata": "map", "created_at": ISO,
}
ERROR = {"error": {"code": "string", "type": "string", "message": "string", "?param": "string"}}
OBJECTS: dict[str, dict[str, Any]] = {
    "customer": CUSTOMER, "invoice_item": INVOICE_ITEM, "invoice": INVOICE, "error": ERROR,
}
DESCRIPTION = (
    "arrears' Flex face. Authenticate with your key as a Bearer token (`fsk_test_…`). Objects come wrapped "
    "in their name ({\"invoice\": {...}}), ids carry Flex's prefixes (fin_, fcus_, fii_) and match "
    "case-insensitively, times are ISO-8601 and test_mode is the inverse of livemode."
)


def response(returns: str) -> Schema:
    kind, _, item = returns.partition(":")
    if kind == "list":
        return obj({f"{item}s": f"[${item}]", "has_more": "boolean"})
    return obj({returns: f"${returns}"})


@lru_cache(maxsize=8)
def document(server_url: str) -> bytes:
    doc = openapi.document(
        title="arrears (Flex face)", version="0.1.0", description=DESCRIPTION, server_url=server_url,
        operations=[openapi.Described(o.method, o.path, o.operation_id, o.summary, o.params, response(o.returns),
                                      o.path.split("/")[2], envelope=o.envelope) for o in OPERATIONS],
        schemas={name: shape(fields) for name, fields in OBJECTS.items()},
        security_schemes={"BearerAuth": {"type": "http", "scheme": "bearer"}},
    )
    for operation in (op for methods in doc["paths"].values() for op in methods.values()):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "expand":  # Flex's own spelling too: expand=customer (requests.normalise)
                parameter["schema"] = {"anyOf": [parameter["schema"], {"type": "string", "maxLength": 400}]}
    reference.describe(doc)
    reference.alias(doc)
    reference.exemplify(doc, "flex")
    return orjson.dumps(doc)


def routes(mount: str) -> list[Route]:
    async def serve(request: Request) -> Response:
        return Response(document(openapi.server_url(str(request.base_url), mount)), media_type=openapi.JSON)

    return [Route(mount + "/openapi.json", serve, methods=["GET"])]
