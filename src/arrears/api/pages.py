"""The hosted invoice page and PDF that ``hosted_invoice_url`` / ``invoice_pdf`` point at.

Their address is ``/i/{invoice id}/{token}`` (and ``…/pdf``): the token is drawn at random when the
invoice is finalized (``services/transitions.py``) and is the page's only credential, as the opaque part of
Stripe's ``https://invoice.stripe.com/i/acct_…/test_…`` is. It lives only inside the stored URL itself, so
the page reads the invoice by id (any account's: the URL is the capability) and compares the token it was
given with the stored URL's, in constant time. A draft, an unknown id, and a missing or wrong token all
answer the same 404; so do the id-only URLs of before tokens (``/i/{id}``, ``/i/{id}/pdf``): migration 0008
gave those invoices a token, and their new URLs are in the API's answers. Every answer carries ``HEADERS``:
nothing on the page may load from anywhere, be framed or sniffed, and the capability URL is never sent on
as a referrer."""

from __future__ import annotations

import hmac
import html
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

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


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:,.2f} {currency.upper()}"


def _summary(inv: Doc) -> list[tuple[str, str]]:
    return [
        ("Invoice", inv["number"] or inv["id"]),
        ("Status", inv["status"]),
        ("Customer", inv["customer_name"] or inv["customer_email"] or inv["customer"]),
        ("Total", _money(inv["total"], inv["currency"])),
        ("Amount due", _money(inv["amount_due"], inv["currency"])),
        ("Amount remaining", _money(inv["amount_remaining"], inv["currency"])),
    ]


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given text lines (Helvetica), written by hand: no dependency."""
    def esc(text: str) -> str:
        text = text.encode("latin-1", "replace").decode("latin-1")
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({esc(t)}) Tj T*" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{off:010d} 00000 n \n" for off in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


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
        rows = "".join(f"<tr><th scope=row>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in _summary(inv))
        lines = "".join(
            f"<tr><td>{html.escape(line['description'] or '')}</td><td>{line['quantity']}</td>"
            f"<td>{_money(line['amount'], line['currency'])}</td></tr>" for line in inv["lines"]["data"])
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>Invoice {html.escape(inv['number'] or '')}"
                f"</title><h1>Invoice {html.escape(inv['number'] or inv['id'])}</h1><table>{rows}</table>"
                f"<h2>Lines</h2><table><tr><th>Description</th><th>Qty</th><th>Amount</th></tr>{lines}</table>"
                f"<p><a href=\"{html.escape(inv['invoice_pdf'] or '')}\">Download PDF</a></p></html>")
        return HTMLResponse(body, headers=HEADERS)

    async def pdf(request: Request) -> Response:
        inv = await find(request)
        if inv is None:
            return Response(b"No such invoice.", status_code=404, media_type="text/plain", headers=HEADERS)
        text = [f"{k}: {v}" for k, v in _summary(inv)] + [""] + [
            f"{line['description'] or 'Item'}  x{line['quantity']}  {_money(line['amount'], line['currency'])}"
            for line in inv["lines"]["data"]]
        return Response(_pdf(text), media_type="application/pdf", headers=HEADERS)

    async def tokenless(request: Request) -> Response:
        return missing()

    return [Route("/i/{invoice}/{token}", page), Route("/i/{invoice}/{token}/pdf", pdf),
            Route("/i/{invoice}", tokenless)]
