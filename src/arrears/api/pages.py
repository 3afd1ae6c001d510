"""The hosted invoice page and PDF that ``hosted_invoice_url`` / ``invoice_pdf`` point at."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from arrears.api.env import Env
from arrears.domain import Doc
from arrears.store.base import SYSTEM


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


def routes(env: Env) -> list[Route]:
    async def find(request: Request) -> Doc | None:
        invoice_id = request.path_params["invoice"]
        if "\x00" in invoice_id:  # names nothing (and PostgreSQL refuses it)
            return None

        async def get(tx):  # type: ignore[no-untyped-def]
            return await tx.get("invoices", invoice_id)

        # The page's URL is the capability, as Stripe's hosted pages are: any account's invoice by its id.
        doc: Doc | None = await env.store.read(get, scope=SYSTEM)
        return doc if doc is not None and doc["status"] != "draft" else None

    async def page(request: Request) -> Response:
        inv = await find(request)
        if inv is None:
            return HTMLResponse("<!doctype html><title>Not found</title><p>No such invoice.</p>", status_code=404)
        rows = "".join(f"<tr><th scope=row>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in _summary(inv))
        lines = "".join(
            f"<tr><td>{html.escape(line['description'] or '')}</td><td>{line['quantity']}</td>"
            f"<td>{_money(line['amount'], line['currency'])}</td></tr>" for line in inv["lines"]["data"])
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>Invoice {html.escape(inv['number'] or '')}"
                f"</title><h1>Invoice {html.escape(inv['number'] or inv['id'])}</h1><table>{rows}</table>"
                f"<h2>Lines</h2><table><tr><th>Description</th><th>Qty</th><th>Amount</th></tr>{lines}</table>"
                f"<p><a href=\"{html.escape(inv['invoice_pdf'] or '')}\">Download PDF</a></p></html>")
        return HTMLResponse(body)

    async def pdf(request: Request) -> Response:
        inv = await find(request)
        if inv is None:
            return Response(b"No such invoice.", status_code=404, media_type="text/plain")
        text = [f"{k}: {v}" for k, v in _summary(inv)] + [""] + [
            f"{line['description'] or 'Item'}  x{line['quantity']}  {_money(line['amount'], line['currency'])}"
            for line in inv["lines"]["data"]]
        return Response(_pdf(text), media_type="application/pdf")

    return [Route("/i/{invoice}", page), Route("/i/{invoice}/pdf", pdf)]
