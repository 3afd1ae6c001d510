"""What an invoice document shows, read once from the invoice for both of its media: the hosted page
(``templates/invoice.html``, Jinja2) and the PDF (``invoice_pdf.py``, fpdf2) draw the same ``Document``
with the same labels, in the same order, so the two cannot disagree about a figure.

Every amount is written by ``domain.money_format.format_amount`` from the currency's exponent: 5000 in
yen is ``¥5,000``. The totals block follows Stripe's invoices: subtotal, each discount and tax, total,
the customer balance applied, amount due, amount paid, amount remaining. A paid, void or uncollectible
invoice carries a stamp; an open one none (its amount due says what is owed)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2

from arrears.domain import Doc
from arrears.domain.money_format import format_amount, format_unit_amount

STAMPS = {"paid": "PAID", "void": "VOID", "uncollectible": "UNCOLLECTIBLE"}


@dataclass(frozen=True)
class Party:
    """The seller or the customer: a name, address lines, and contact or tax-id lines."""

    label: str
    name: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    description: str
    quantity: str
    unit_price: str
    amount: str
    notes: list[str] = field(default_factory=list)  # a line's discounts and taxes, each written out


@dataclass(frozen=True)
class Document:
    title: str  # "Invoice"
    number: str
    status: str
    stamp: str | None  # PAID, VOID, UNCOLLECTIBLE, or None for an open invoice
    currency: str
    seller: Party
    customer: Party
    dates: list[tuple[str, str]]
    lines: list[Line]
    totals: list[tuple[str, str]]
    amount_due: str  # the headline figure: what is still owed
    description: str | None
    custom_fields: list[tuple[str, str]]
    footer: str | None
    pdf_url: str | None = None


def _date(ts: int | None) -> str | None:
    if ts is None:
        return None
    try:
        return time.strftime("%B %-d, %Y", time.gmtime(ts))
    except (OverflowError, OSError, ValueError):
        return str(ts)


def _address(address: Any) -> list[str]:
    if not isinstance(address, dict):
        return []
    city = " ".join(str(p) for p in (address.get("postal_code"), address.get("city")) if p)
    region = ", ".join(str(p) for p in (city, address.get("state")) if p)
    return [str(p) for p in (address.get("line1"), address.get("line2"), region, address.get("country")) if p]


def _tax_ids(ids: Any) -> list[str]:
    out = []
    for tax_id in ids or []:
        if isinstance(tax_id, dict) and tax_id.get("value"):
            kind = str(tax_id.get("type") or "").replace("_", " ").upper()
            out.append(f"{kind} {tax_id['value']}".strip())
    return out


def _unit_price(line: Doc, currency: str) -> str:
    """The line's unit price: its ``unit_amount_decimal`` when it has one (a fraction of a minor unit is
    kept, as Stripe keeps it), else its amount over its quantity when that divides evenly."""
    text = (line.get("pricing") or {}).get("unit_amount_decimal")
    if text is not None:
        try:
            return format_unit_amount(Decimal(str(text)), currency)
        except InvalidOperation:
            pass
    amount, quantity = int(line["amount"]), int(line.get("quantity") or 1)
    return format_amount(amount // quantity, currency) if amount % quantity == 0 else "—"


def _line(line: Doc, currency: str) -> Line:
    notes = [f"Discount {format_amount(-int(d['amount']), currency)}"
             for d in line.get("discount_amounts") or [] if d.get("amount")]
    notes += [f"Tax {format_amount(int(t['amount']), currency)}" for t in line.get("taxes") or [] if t.get("amount")]
    return Line(description=line.get("description") or "Item", quantity=str(line.get("quantity") or 1),
                unit_price=_unit_price(line, currency), amount=format_amount(int(line["amount"]), currency),
                notes=notes)


def _totals(inv: Doc, cur: str) -> list[tuple[str, str]]:
    rows = [("Subtotal", format_amount(inv["subtotal"], cur))]
    rows += [("Discount", format_amount(-int(d["amount"]), cur))
             for d in inv.get("total_discount_amounts") or [] if d.get("amount")]
    rows += [("Tax", format_amount(int(t["amount"]), cur)) for t in inv.get("total_taxes") or [] if t.get("amount")]
    rows.append(("Total", format_amount(inv["total"], cur)))
    applied = inv["amount_due"] - inv["total"]
    if applied:
        rows.append(("Applied balance", format_amount(applied, cur)))
    rows += [("Amount due", format_amount(inv["amount_due"], cur)),
             ("Amount paid", format_amount(inv["amount_paid"], cur)),
             ("Amount remaining", format_amount(inv["amount_remaining"], cur))]
    return rows


def document(inv: Doc) -> Document:
    """The invoice document of a finalized invoice (every status but draft)."""
    cur = inv["currency"]
    moments = inv.get("status_transitions") or {}
    dates = [(label, text) for label, text in (
        ("Date of issue", _date(moments.get("finalized_at") or inv.get("effective_at") or inv["created"])),
        ("Date due", _date(inv.get("due_date"))),
        ("Paid on", _date(moments.get("paid_at"))),
        ("Voided on", _date(moments.get("voided_at"))),
        ("Marked uncollectible on", _date(moments.get("marked_uncollectible_at"))),
    ) if text]
    seller = Party("From", inv.get("account_name") or "—",
                   [c for c in (inv.get("account_country"),) if c] + _tax_ids(inv.get("account_tax_ids")))
    customer = Party("Bill to", inv.get("customer_name") or inv.get("customer_email") or inv["customer"],
                     _address(inv.get("customer_address"))
                     + [e for e in (inv.get("customer_email") if inv.get("customer_name") else None,) if e]
                     + _tax_ids(inv.get("customer_tax_ids")))
    custom = [(str(f.get("name", "")), str(f.get("value", ""))) for f in inv.get("custom_fields") or []
              if isinstance(f, dict)]
    return Document(
        title="Invoice", number=inv.get("number") or inv["id"], status=inv["status"], stamp=STAMPS.get(inv["status"]),
        currency=cur.upper(), seller=seller, customer=customer, dates=dates,
        lines=[_line(line, cur) for line in inv["lines"]["data"]], totals=_totals(inv, cur),
        amount_due=format_amount(inv["amount_remaining"], cur), description=inv.get("description"),
        custom_fields=custom, footer=inv.get("footer"), pdf_url=inv.get("invoice_pdf"),
    )


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def page_html(doc: Document) -> str:
    """The hosted invoice page."""
    return _TEMPLATES.get_template("invoice.html").render(doc=doc)
