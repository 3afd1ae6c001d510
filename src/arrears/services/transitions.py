"""Commands that move an invoice's status: finalize, pay, send, void, mark_uncollectible.

Each loads and locks the invoice at its clock's time, applies its move (``domain.invoice``: the pure
function that takes the transition table's answer and sets the fields), saves, emits its events and
posts its ledger entries. A command with checks of its own before the move (pay, send) asks the table
first, so a refused cell is refused before anything else is looked at."""

from __future__ import annotations

import secrets
from typing import Any

from arrears.domain import Doc, limits, payments, versions
from arrears.domain import invoice as rules
from arrears.domain import ledger as books
from arrears.domain.errors import CardError, InvalidRequest
from arrears.services import Ctx, ledger
from arrears.services.customers import record_balance
from arrears.services.drafts import usable_balance
from arrears.services.loading import at_clock, load
from arrears.services.outbox import emit
from arrears.store.base import CommitThenRaise, Tx
from arrears.store.query import Cond, Filter, Page


async def _load(tx: Tx, ctx: Ctx, invoice_id: str, param: str = "id") -> tuple[Doc, Ctx]:
    """The invoice, locked, and the request's context at the invoice's time (its test clock's, if any)."""
    inv = await load(tx, "invoices", invoice_id, param=param, for_update=True)
    return inv, await at_clock(tx, ctx, inv["test_clock"])


async def _assign_number(tx: Tx, inv: Doc, cust: Doc) -> None:
    """PREFIX-NNNN from the customer's prefix and sequence, skipping numbers already taken."""
    while True:
        number = f"{cust['invoice_prefix']}-{cust['next_invoice_sequence']:04d}"
        cust["next_invoice_sequence"] += 1
        taken = await tx.list("invoices", Filter((Cond("number", "=", number),)), Page(limit=1))
        if not taken.docs:
            inv["number"] = number
            return


async def finalize_draft(tx: Tx, ctx: Ctx, inv: Doc) -> None:
    """draft → open (or paid when nothing is due): number, balance applied, URLs, events."""
    cust = await load(tx, "customers", inv["customer"], param="customer", for_update=True)
    starting = usable_balance(cust, inv["currency"])
    due, ending = rules.apply_balance(inv["total"] - inv["pre_payment_credit_notes_amount"], starting)
    # Refused past the bounds (domain/limits.py) before the invoice or the customer changes at all.
    limits.finalized(due, (cust["balance"] or 0) + ending - starting, inv["currency"])
    if inv["number"] is None:
        await _assign_number(tx, inv, cust)
    inv.update(starting_balance=starting, ending_balance=ending, amount_due=due,
               amount_remaining=due - inv["amount_paid"])
    if ending != starting:
        await record_balance(tx, ctx, cust, ending - starting, "applied_to_invoice", inv["id"],
                             currency=inv["currency"])
    if cust["currency"] is None:
        cust["currency"] = inv["currency"]
    await tx.update("customers", cust)
    # The page's random token is its only credential (api/pages.py); it is stored in the URL alone.
    page = f"{ctx.base_url}/i/{inv['id']}/{'live' if inv['livemode'] else 'test'}_{secrets.token_urlsafe(24)}"
    rules.open_draft(inv, ctx.now, page=page)
    finalized = await emit(tx, ctx, "invoice.finalized", inv)
    await ledger.post_for_invoice(tx, ctx, "finalization", books.finalization(inv), inv, finalized)
    if due == 0:
        rules.settle(inv, ctx.now)
        await emit(tx, ctx, "invoice.paid", inv)


async def finalize(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id)
    rules.next_status("finalize", inv)
    if "auto_advance" in p:
        inv["auto_advance"] = p["auto_advance"]
    await finalize_draft(tx, ctx, inv)
    await tx.update("invoices", inv)
    return inv


async def pay(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id)
    rules.next_status("pay", inv)
    out_of_band = bool(p.get("paid_out_of_band"))
    method = None
    if not out_of_band:
        method = p.get("payment_method") or inv["default_payment_method"]
        if method is None:
            cust = await load(tx, "customers", inv["customer"], param="customer")
            method = (cust["invoice_settings"] or {}).get("default_payment_method")
        if method is None:
            raise InvalidRequest(
                "This customer has no attached payment source or default payment method. Please consider "
                "adding a default payment method, or pass `paid_out_of_band=true` to record a payment made "
                "outside arrears.")
        if not payments.known(method):
            raise InvalidRequest(f"No such PaymentMethod: '{method}'", param="payment_method",
                                 code="resource_missing")
    if inv["status"] == rules.DRAFT:
        await finalize_draft(tx, ctx, inv)
    if inv["status"] != rules.PAID:  # not already settled by its finalization (nothing was due)
        decline = payments.decline_of(method)
        if decline is not None:
            await _decline(tx, ctx, inv, decline)
        await record_payment(tx, ctx, inv, out_of_band=out_of_band)
        await _clear_delinquency(tx, inv)
    await tx.update("invoices", inv)
    return inv


async def record_payment(tx: Tx, ctx: Ctx, inv: Doc, *, out_of_band: bool) -> None:
    """The amount remaining is received: paid, booked (a recovery first if it had been written off),
    with Stripe's events. The caller saves the invoice."""
    if not out_of_band:
        rules.count_attempt(inv)
    was_written_off = inv["status"] == rules.UNCOLLECTIBLE
    received = rules.settle(inv, ctx.now, out_of_band=out_of_band)
    paid = await emit(tx, ctx, "invoice.paid", inv)
    if was_written_off:
        await ledger.post_for_invoice(tx, ctx, "recovery", books.recovery(received), inv, paid)
    await ledger.post_for_invoice(tx, ctx, "payment", books.payment(received), inv, paid)
    if not out_of_band:
        await emit(tx, ctx, "invoice.payment_succeeded", inv)


async def _decline(tx: Tx, ctx: Ctx, inv: Doc, decline: payments.Decline) -> None:
    """Always raises: a declined attempt is kept (attempted, attempt_count, invoice.payment_failed) and
    the caller gets Stripe's 402 card error; the status does not change."""
    rules.count_attempt(inv)
    inv["last_finalization_error"] = None
    await tx.update("invoices", inv)
    await emit(tx, ctx, "invoice.payment_failed", inv)
    raise CommitThenRaise(CardError(decline.message, code=decline.code, decline_code=decline.decline_code))


async def send(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id, param="invoice")  # Stripe's 404 param here
    rules.next_status("send", inv)  # a refusal only: sending moves nothing but a draft, by finalizing it
    if inv["collection_method"] != "send_invoice":
        raise InvalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.")
    if inv["status"] == rules.DRAFT:
        await finalize_draft(tx, ctx, inv)
    await tx.update("invoices", inv)
    await emit(tx, ctx, "invoice.sent", inv)
    return inv


async def void(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id)
    rules.void(inv, ctx.now)  # refused here, before the customer's balance is given back
    applied = (inv["ending_balance"] or 0) - (inv["starting_balance"] or 0)
    returns_balance = versions.since(ctx.api_version, "void_returns_balance")
    if applied and returns_balance:  # give the customer back the balance this invoice used
        cust = await load(tx, "customers", inv["customer"], param="customer", for_update=True)
        await record_balance(tx, ctx, cust, -applied, "unapplied_from_invoice", inv["id"], currency=inv["currency"])
        await tx.update("customers", cust)
    await tx.update("invoices", inv)
    voided = await emit(tx, ctx, "invoice.voided", inv)
    reversal = books.void(await ledger.invoice_balances(tx, inv["id"]), returns_balance=returns_balance)
    await ledger.post_for_invoice(tx, ctx, "void", reversal, inv, voided)
    return inv


async def mark_uncollectible(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    """open → uncollectible through the API: the user forgives the debt, and the customer is no longer
    delinquent."""
    inv, ctx = await _load(tx, ctx, invoice_id)
    await write_off(tx, ctx, inv, "user_forgiven")
    await _clear_delinquency(tx, inv)
    return inv


async def write_off(tx: Tx, ctx: Ctx, inv: Doc, reason: str) -> None:
    """open → uncollectible: the debt is written off in the books; the amounts stay owed on the invoice
    and it can still be paid (a recovery) or voided. ``reason`` is Stripe's status_details reason."""
    rules.mark_uncollectible(inv, ctx.now, reason)
    await tx.update("invoices", inv)
    marked = await emit(tx, ctx, "invoice.marked_uncollectible", inv)
    await ledger.post_for_invoice(tx, ctx, "write_off", books.write_off(inv["amount_remaining"]), inv, marked)


async def _clear_delinquency(tx: Tx, inv: Doc) -> None:
    """Paying an invoice or marking it uncollectible through the API sets ``delinquent`` to false.

    The customer is locked only when there is something to clear: most commands find it not delinquent,
    and locking it every time would queue every command on any invoice of one customer behind each
    other (PostgreSQL). A command that sets ``delinquent`` meanwhile is then ordered after this one."""
    seen = await tx.get("customers", inv["customer"])
    if seen is None or not seen["delinquent"]:
        return
    cust = await tx.get("customers", inv["customer"], for_update=True)
    if cust is not None and cust["delinquent"]:
        cust["delinquent"] = False
        await tx.update("customers", cust)
