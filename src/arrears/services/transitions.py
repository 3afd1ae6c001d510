"""Commands that move an invoice's status: finalize, pay, send, void, mark_uncollectible.

Each asks ``rules.next_status`` first (the transition table refuses every other cell), then applies
the field effects of its transition and appends its events."""

from __future__ import annotations

import secrets
from typing import Any

from arrears.domain import Doc, limits
from arrears.domain import invoice as rules
from arrears.domain import ledger as books
from arrears.domain.errors import CardError, CommitThenRaise, InvalidRequest
from arrears.services import Ctx, ledger
from arrears.services.clocktime import at_clock
from arrears.services.common import emit, load
from arrears.services.customers import record_balance
from arrears.services.drafts import usable_balance
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

DEFAULT_DAYS_UNTIL_DUE = 30

# Stripe's test payment methods (https://docs.stripe.com/testing): those that succeed, and the card
# error each failing one answers with.
SUCCEEDING_TEST_METHODS = frozenset({"pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_us"})
DECLINING_TEST_METHODS: dict[str, tuple[str, str, str]] = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeCustomerFail": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_visa_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": (
        "card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "expired_card", "Your card has expired."),
}


async def _load(tx: Tx, ctx: Ctx, invoice_id: str, param: str = "id") -> tuple[Doc, Ctx]:
    """The invoice, locked, and the request's context at the invoice's time (its test clock's, if any)."""
    inv = await load(tx, "invoices", invoice_id, param=param, for_update=True)
    return inv, await at_clock(tx, ctx, inv["test_clock"])


def _close(inv: Doc) -> None:
    """What every terminal-ish status shares: no more automatic collection, no uncollectible detail."""
    inv["auto_advance"] = False
    inv["next_payment_attempt"] = None
    inv["automatically_finalizes_at"] = None
    inv.pop("status_details", None)


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
    now = ctx.now
    inv["status"] = rules.OPEN
    inv["status_transitions"]["finalized_at"] = now
    inv["effective_at"] = inv["effective_at"] or now
    # The page's random token is its only credential (api/pages.py); it is stored in the URL alone.
    page = f"{ctx.base_url}/i/{inv['id']}/{'live' if inv['livemode'] else 'test'}_{secrets.token_urlsafe(24)}"
    inv["hosted_invoice_url"], inv["invoice_pdf"] = page, f"{page}/pdf"
    inv["automatically_finalizes_at"] = None
    inv["webhooks_delivered_at"] = inv["webhooks_delivered_at"] or now
    if inv["collection_method"] == "send_invoice":
        inv["due_date"] = inv["due_date"] or now + DEFAULT_DAYS_UNTIL_DUE * 86400
        inv["next_payment_attempt"] = None
    else:
        inv["next_payment_attempt"] = now + 3600 if inv["auto_advance"] else None
    finalized = await emit(tx, ctx, "invoice.finalized", inv)
    await ledger.post_for_invoice(tx, ctx, "finalization", books.finalization(inv), inv, finalized)
    if due == 0:
        _settle(inv, now)
        await emit(tx, ctx, "invoice.paid", inv)


def _settle(inv: Doc, now: int, *, out_of_band: bool = False) -> None:
    remaining = inv["amount_remaining"]
    inv["amount_paid"] += remaining
    if out_of_band:
        inv["amount_paid_off_stripe"] = (inv["amount_paid_off_stripe"] or 0) + remaining
    inv["amount_remaining"] = 0
    inv["status"] = rules.PAID
    inv["status_transitions"]["paid_at"] = now
    _close(inv)


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
        if method not in SUCCEEDING_TEST_METHODS and method not in DECLINING_TEST_METHODS:
            raise InvalidRequest(f"No such PaymentMethod: '{method}'", param="payment_method",
                                 code="resource_missing")
    if inv["status"] == rules.DRAFT:
        await finalize_draft(tx, ctx, inv)
    if method in DECLINING_TEST_METHODS and inv["status"] != rules.PAID:
        await _record_failed_attempt(tx, ctx, inv, DECLINING_TEST_METHODS[method])
    if inv["status"] != rules.PAID:
        await record_payment(tx, ctx, inv, out_of_band=out_of_band)
        await _clear_delinquency(tx, inv)
    await tx.update("invoices", inv)
    return inv


async def record_payment(tx: Tx, ctx: Ctx, inv: Doc, *, out_of_band: bool) -> None:
    """The amount remaining is received: paid, booked (a recovery first if it had been written off),
    with Stripe's events. The caller saves the invoice."""
    if not out_of_band:
        inv["attempted"] = True
        inv["attempt_count"] += 1
    was_written_off = inv["status"] == rules.UNCOLLECTIBLE
    received = inv["amount_remaining"]
    _settle(inv, ctx.now, out_of_band=out_of_band)
    paid = await emit(tx, ctx, "invoice.paid", inv)
    if was_written_off:
        await ledger.post_for_invoice(tx, ctx, "recovery", books.recovery(received), inv, paid)
    await ledger.post_for_invoice(tx, ctx, "payment", books.payment(received), inv, paid)
    if not out_of_band:
        await emit(tx, ctx, "invoice.payment_succeeded", inv)


async def _record_failed_attempt(tx: Tx, ctx: Ctx, inv: Doc, decline: tuple[str, str, str]) -> None:
    """A declined attempt is kept (attempted, attempt_count, invoice.payment_failed) and the caller gets
    Stripe's 402 card error; the status does not change."""
    code, decline_code, message = decline
    inv["attempted"] = True
    inv["attempt_count"] += 1
    inv["last_finalization_error"] = None
    await tx.update("invoices", inv)
    await emit(tx, ctx, "invoice.payment_failed", inv)
    raise CommitThenRaise(CardError(message, code=code, decline_code=decline_code))


async def send(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id, param="invoice")  # Stripe's 404 param here
    rules.next_status("send", inv)
    if inv["collection_method"] != "send_invoice":
        raise InvalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.")
    if inv["status"] == rules.DRAFT:
        await finalize_draft(tx, ctx, inv)
    await tx.update("invoices", inv)
    await emit(tx, ctx, "invoice.sent", inv)
    return inv


async def void(tx: Tx, ctx: Ctx, invoice_id: str, p: dict[str, Any]) -> Doc:
    inv, ctx = await _load(tx, ctx, invoice_id)
    rules.next_status("void", inv)
    applied = (inv["ending_balance"] or 0) - (inv["starting_balance"] or 0)
    if applied:  # give the customer back the balance this invoice used (API 2019-12-03 and later)
        cust = await load(tx, "customers", inv["customer"], param="customer", for_update=True)
        await record_balance(tx, ctx, cust, -applied, "unapplied_from_invoice", inv["id"], currency=inv["currency"])
        await tx.update("customers", cust)
    inv["status"] = rules.VOID
    inv["status_transitions"]["voided_at"] = ctx.now
    _close(inv)
    await tx.update("invoices", inv)
    voided = await emit(tx, ctx, "invoice.voided", inv)
    reversal = books.void(await ledger.invoice_balances(tx, inv["id"]))
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
    rules.next_status("mark_uncollectible", inv)
    inv["status"] = rules.UNCOLLECTIBLE
    inv["status_transitions"]["marked_uncollectible_at"] = ctx.now
    _close(inv)
    inv["status_details"] = {"uncollectible": {"reason": reason}}
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
