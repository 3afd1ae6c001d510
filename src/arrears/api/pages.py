"""The hosted invoice page and PDF that ``hosted_invoice_url`` / ``invoice_pdf`` point at.

Their address is ``/i/{invoice id}/{token}`` (and ``…/pdf``): the token is drawn at random when the
invoice is finalized (``services/transitions.py``) and is the page's only credential, as the opaque part of
Stripe's ``https://invoice.stripe.com/i/acct_…/test_…`` is. It lives only inside the stored URL itself, so
the page reads the invoice by id (any account's: the URL is the capability) and compares the token it was
given with the stored URL's, in constant time. A draft, an unknown id, and a missing or wrong token all
answer the same 404; so do the id-only URLs of before tokens (``/i/{id}``, ``/i/{id}/pdf``): migration 0008
gave those invoices a token, and their new URLs are in the API's answers. Every answer carries ``HEADERS``:
nothing on the page may load from anywhere, be framed or sniffed, and the capability URL is never sent on
as a referrer.

What the page and the PDF show is ``documents.document``: one reading of the invoice that the page's
template (``templates/invoice.html``) and the PDF (``invoice_pdf.py``) both draw."""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from arrears.api import documents
from arrears.api.env import Env
from arrears.domain import Doc
from arrears.store.base import SYSTEM

# The page is self-contained: inline styles and data: images at most, no script, no frames, no forms.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "private, no-store",
}


def stored_token(inv: Doc) -> str | None:
    """The token in the invoice's stored ``hosted_invoice_url`` (``…/i/{id}/{token}``); None when it
    has no page (a draft) or its URL carries no token."""
    path = urlsplit(inv.get("hosted_invoice_url") or "").path
    _, found, token = path.rpartition(f"/i/{inv['id']}/")
    return token if found and token and "/" not in token else None


def token_matches(given: str, inv: Doc) -> bool:
    expected = stored_token(inv)
    if expected is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def missing() -> Response:
    """The one answer for every page that is not there (also the id-only URLs of before tokens)."""
    return HTMLResponse("<!doctype html><title>Not found</title><p>No such invoice.</p>", status_code=404,
                        headers=HEADERS)


def routes(env: Env) -> list[Route]:
    async def find(request: Request) -> Doc | None:
        invoice_id, token = request.path_params["invoice"], request.path_params["token"]
        if "\x00" in invoice_id:  # names nothing (and PostgreSQL refuses it)
            return None

        async def get(tx):  # type: ignore[no-untyped-def]
            return await tx.get("invoices", invoice_id)

        # The URL's token is the capability, as on Stripe's hosted pages: any account's invoice by its id.
        doc: Doc | None = await env.store.read(get, scope=SYSTEM)
        if doc is None or doc["status"] == "draft" or not token_matches(token, doc):
            return None
        return doc

    async def page(request: Request) -> Response:
        inv = await find(request)
        if inv is None:
            return missing()
        return HTMLResponse(documents.page_html(documents.document(inv)), headers=HEADERS)

    async def pdf(request: Request) -> Response:
        inv = await find(request)
        if inv is None:
            return Response(b"No such invoice.", status_code=404, media_type="text/plain", headers=HEADERS)
        # Drawing takes ~0.1 s of a core (~0.7 s with Chinese, Japanese or Korean text): off the event loop.
        # fpdf2 (with fontTools and Pillow, ~25 MB a process) is imported by the first PDF, not at start-up.
        from arrears.api import invoice_pdf

        body = await run_in_threadpool(invoice_pdf.render, documents.document(inv))
        number = "".join(ch for ch in str(inv["number"] or inv["id"]) if ch.isascii() and (ch.isalnum() or ch in "-_."))
        filename = f"Invoice-{number}.pdf"
        return Response(body, media_type="application/pdf",
                        headers={**HEADERS, "Content-Disposition": f'inline; filename="{filename}"'})

    async def tokenless(request: Request) -> Response:
        return missing()

    return [Route("/i/{invoice}/{token}", page), Route("/i/{invoice}/{token}/pdf", pdf),
            Route("/i/{invoice}", tokenless)]
