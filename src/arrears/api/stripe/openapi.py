"""The Stripe face's OpenAPI 3.1 document, generated from ``routes.OPERATIONS`` and the parameter Specs.

Paths, parameter names and operationIds are Stripe's own (``PostInvoicesInvoiceMarkUncollectible``),
so an agent that names tools after Stripe's spec finds the same tools here. Bodies are declared both
form-encoded (Stripe's SDKs) and JSON (OCP-style agents, which read only JSON bodies)."""

from __future__ import annotations

from functools import lru_cache

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from arrears import STRIPE_API_VERSION
from arrears.api import openapi
from arrears.api.stripe import objects_schema
from arrears.api.stripe.params import EXPAND
from arrears.api.stripe.routes import OPERATIONS

DESCRIPTION = (
    "arrears' Stripe face: Stripe's Invoices API (customers, invoice items, invoices and their lifecycle, "
    "events, webhook endpoints). Authenticate with a test secret key `sk_test_…`, as Bearer or as the Basic "
    "user name. Bodies may be form-encoded (bracket notation) or JSON."
)


def _tag(path: str) -> str:
    return path.split("/")[2]


def described() -> list[openapi.Described]:
    return [
        openapi.Described(o.method, o.path, o.operation_id, o.summary, {**o.params, "expand": EXPAND},
                          objects_schema.response(o.returns), _tag(o.path), form=True, csv="format" in o.params)
        for o in OPERATIONS
    ]


@lru_cache(maxsize=8)
def document(server_url: str) -> bytes:
    doc = openapi.document(
        title="arrears (Stripe face)", version=STRIPE_API_VERSION, description=DESCRIPTION, server_url=server_url,
        operations=described(), schemas=objects_schema.schemas(),
        security_schemes={"basicAuth": {"type": "http", "scheme": "basic"},
                          "bearerAuth": {"type": "http", "scheme": "bearer"}},
    )
    return orjson.dumps(doc)


async def serve(request: Request) -> Response:
    return Response(document(openapi.server_url(str(request.base_url))), media_type=openapi.JSON)


def routes() -> list[Route]:
    return [Route("/openapi.json", serve, methods=["GET"])]
