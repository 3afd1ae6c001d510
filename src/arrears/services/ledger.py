"""Posting to the ledger, in the transaction of the change it records (rules: domain/ledger.py)."""

from __future__ import annotations

from collections import defaultdict

from arrears.domain import Doc, ledger
from arrears.services import Ctx
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

MAX_LINES_PER_INVOICE = 1000


async def post(tx: Tx, ctx: Ctx, kind: str, lines: list[ledger.Line], *, currency: str, customer: str | None,
               invoice: str | None = None, event: str | None = None) -> str | None:
    """Append one balanced entry; its id, or None when there was nothing to post."""
    if not lines:
        return None
    entry = ctx.ids.new("je")
    for account, amount in lines:
        await tx.insert("ledger_entries", {
            "id": ctx.ids.new("le"), "object": "ledger_entry", "entry": entry, "kind": kind,
            "created": ctx.now, "account": account, "currency": currency, "amount": amount,
            "debit": max(amount, 0), "credit": max(-amount, 0), "invoice": invoice, "customer": customer,
            "event": event, "livemode": ctx.livemode,
        })
    return entry


async def invoice_balances(tx: Tx, invoice_id: str) -> dict[str, int]:
    """Net amount per account of everything posted for one invoice."""
    found = await tx.list("ledger_entries", Filter((Cond("invoice", "=", invoice_id),)),
                          Page(limit=MAX_LINES_PER_INVOICE))
    totals: dict[str, int] = defaultdict(int)
    for line in found.docs:
        totals[line["account"]] += line["amount"]
    return dict(totals)


async def post_for_invoice(tx: Tx, ctx: Ctx, kind: str, lines: list[ledger.Line], inv: Doc, event: Doc | None) -> None:
    await post(tx, ctx, kind, lines, currency=inv["currency"], customer=inv["customer"], invoice=inv["id"],
               event=None if event is None else event["id"])
