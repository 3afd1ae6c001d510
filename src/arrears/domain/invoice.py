"""Invoice rules: the status machine, each move's field effects, totals and the customer-balance arithmetic.

The transition table is data: ``TRANSITIONS[action][status]`` is the status the action leads to. Every
cell missing from it is refused with the message in ``REFUSALS`` (Stripe's wording, see
docs/stripe-fidelity.md). Deleting and editing lines are not moves but guards: allowed in the statuses
of ``EDITABLE_IN``, refused like the other cells. Each move's field effects are one pure function below
(``open_draft``, ``settle``, ``void``, ``mark_uncollectible``) that assigns the table's answer; the
services around them load, save, post and emit. Collection facts (reason, attempts) live beside
``status``, never in it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final

from arrears.domain import Doc, limits
from arrears.domain.machine import Machine

DRAFT, OPEN, PAID, UNCOLLECTIBLE, VOID = "draft", "open", "paid", "uncollectible", "void"
STATUSES: Final = (DRAFT, OPEN, PAID, UNCOLLECTIBLE, VOID)
DEFAULT_DAYS_UNTIL_DUE = 30

# action -> {from status: to status}. "finalize" on a draft with nothing due ends in paid: the draft is
# opened, then settled ("pay" from open). "pay" and "send" from a draft finalize it first.
TRANSITIONS: Final[dict[str, dict[str, str]]] = {
    "finalize": {DRAFT: OPEN},
    "pay": {DRAFT: PAID, OPEN: PAID, UNCOLLECTIBLE: PAID},
    "send": {DRAFT: OPEN, OPEN: OPEN, UNCOLLECTIBLE: UNCOLLECTIBLE},
    "void": {OPEN: VOID, UNCOLLECTIBLE: VOID},
    "mark_uncollectible": {OPEN: UNCOLLECTIBLE},
}
# Guards that are not moves: the statuses in which a draft's lines may change or the draft be deleted.
EDITABLE_IN: Final = frozenset({DRAFT})
GUARDS: Final[dict[str, frozenset[str]]] = {"delete": EDITABLE_IN, "edit_lines": EDITABLE_IN}
# Automatic collection (attempts, overdue notices) works on the invoices in these statuses.
COLLECTED_IN: Final = frozenset({OPEN})

_NOT_OPEN = "You can only pass in open invoices. This invoice isn't open."
_REFINALIZE = "This invoice is already finalized, you can't re-finalize a non-draft invoice."
_NOT_EDITABLE = "Invalid invoice: This invoice is no longer editable"

# action -> message for every refused status ("*" is the default for the action).
REFUSALS: Final[dict[str, dict[str, str]]] = {
    "finalize": {"*": _REFINALIZE},
    "pay": {PAID: "Invoice is already paid", "*": _NOT_OPEN},
    "send": {
        "*": "This invoice cannot be sent right now. Please contact us via "
        "https://support.stripe.com/contact with details, so we can help."
    },
    "void": {"*": _NOT_OPEN},
    "mark_uncollectible": {UNCOLLECTIBLE: "This invoice has already been marked uncollectible.", "*": _NOT_OPEN},
    "delete": {"*": "You can only delete draft invoices."},
    "edit_lines": {"*": _NOT_EDITABLE},
}
MACHINE: Final = Machine(TRANSITIONS, REFUSALS, GUARDS, codes={"edit_lines": "invoice_not_editable"})
# next_status(action, invoice): the status ``action`` leads to, or the StateError that refuses it (on the
# path of every command: the bound method itself, no wrapper around it)
next_status: Final = MACHINE.next_status


def require_editable(invoice: Doc) -> None:
    """Refuse to change the lines of an invoice that is no longer a draft."""
    MACHINE.require("edit_lines", invoice)


def require_deletable(invoice: Doc) -> None:
    """Refuse to delete an invoice that is no longer a draft."""
    MACHINE.require("delete", invoice)


def allows(action: str, invoice: Doc) -> bool:
    """Whether the table allows ``action`` on the invoice as it is (no error: for background steps)."""
    return MACHINE.allows(action, invoice["status"])


def collected(invoice: Doc) -> bool:
    """Whether automatic collection (attempts, overdue notices) works on the invoice as it is."""
    return invoice["status"] in COLLECTED_IN


def allowed_actions(status: str) -> list[str]:
    """The actions the table allows from ``status`` (the dashboard offers only these)."""
    return MACHINE.allowed(status)


# --- the moves' field effects (pure; the caller has the invoice locked and saves it) ----------------

def _close(inv: Doc) -> None:
    """What every terminal-ish status shares: no more automatic collection, no uncollectible detail."""
    inv["auto_advance"] = False
    inv["next_payment_attempt"] = None
    inv["automatically_finalizes_at"] = None
    inv.pop("status_details", None)


def open_draft(inv: Doc, now: int, *, page: str) -> None:
    """draft → open, once its number and balance are settled: finalized now, its hosted page at ``page``
    (and its PDF below it), due in DEFAULT_DAYS_UNTIL_DUE days when sent without a due date, or first
    attempted in an hour when charged automatically with auto_advance."""
    inv["status"] = next_status("finalize", inv)
    inv["status_transitions"]["finalized_at"] = now
    inv["effective_at"] = inv["effective_at"] or now
    inv["hosted_invoice_url"], inv["invoice_pdf"] = page, f"{page}/pdf"
    inv["automatically_finalizes_at"] = None
    inv["webhooks_delivered_at"] = inv["webhooks_delivered_at"] or now
    if inv["collection_method"] == "send_invoice":
        inv["due_date"] = inv["due_date"] or now + DEFAULT_DAYS_UNTIL_DUE * 86400
        inv["next_payment_attempt"] = None
    else:
        inv["next_payment_attempt"] = now + 3600 if inv["auto_advance"] else None


def count_attempt(inv: Doc) -> None:
    """One more payment attempt (a successful or a declined one); the status does not change."""
    inv["attempted"] = True
    inv["attempt_count"] += 1


def settle(inv: Doc, now: int, *, out_of_band: bool = False) -> int:
    """open or uncollectible → paid: the amount remaining is received (outside Stripe when
    ``out_of_band``). Returns the amount received."""
    inv["status"] = next_status("pay", inv)
    received: int = inv["amount_remaining"]
    inv["amount_paid"] += received
    if out_of_band:
        inv["amount_paid_off_stripe"] = (inv["amount_paid_off_stripe"] or 0) + received
    inv["amount_remaining"] = 0
    inv["status_transitions"]["paid_at"] = now
    _close(inv)
    return received


def void(inv: Doc, now: int) -> None:
    """open or uncollectible → void."""
    inv["status"] = next_status("void", inv)
    inv["status_transitions"]["voided_at"] = now
    _close(inv)


def mark_uncollectible(inv: Doc, now: int, reason: str) -> None:
    """open → uncollectible: the amounts stay owed on the invoice (it can still be paid or voided);
    ``reason`` is Stripe's status_details reason."""
    inv["status"] = next_status("mark_uncollectible", inv)
    inv["status_transitions"]["marked_uncollectible_at"] = now
    _close(inv)
    inv["status_details"] = {"uncollectible": {"reason": reason}}


# --- totals ---------------------------------------------------------------------------------------

def recompute_totals(invoice: Doc, customer_balance: int, *, param: str | None = None) -> None:
    """Totals of a draft from its lines; a draft's starting balance mirrors the customer's balance.
    Totals past the bound of the invoice's currency are refused (naming ``param``, what the request
    changed) before any is set."""
    subtotal = sum(int(line["amount"]) for line in invoice["lines"]["data"])
    due, _ending = apply_balance(subtotal - invoice["pre_payment_credit_notes_amount"], customer_balance)
    limits.draft_totals(subtotal, due, invoice.get("currency"), param)
    invoice["subtotal"] = subtotal
    invoice["subtotal_excluding_tax"] = subtotal
    invoice["total"] = subtotal
    invoice["total_excluding_tax"] = subtotal
    invoice["starting_balance"] = customer_balance
    invoice["amount_due"] = due
    invoice["amount_remaining"] = due - invoice["amount_paid"]


def apply_balance(total: int, balance: int) -> tuple[int, int]:
    """(amount_due, ending_balance) when a customer ``balance`` meets an invoice ``total``.

    Negative balance is credit, positive is debt. The combined figure is what the customer owes; what
    cannot be billed (a credit larger than the total) stays on the balance:
    total 1099, balance -500 -> due 599, ending 0; total 300, balance -500 -> due 0, ending -200.
    """
    combined = total + balance
    return max(combined, 0), min(combined, 0)


# Digits enough for the exact product of any unit_amount_decimal (15 digits and 12 decimals) and any
# 64-bit quantity: the product is never rounded before the one rounding below, nor too long to round.
_EXACT = Context(prec=64)


def line_amount(unit_amount_decimal: str, quantity: int) -> int:
    """unit_amount_decimal × quantity in minor units, rounded half-to-even: the one rounding rule for
    decimal unit prices (docs/adr/0003-money.md). Exact for any size: the caller bounds the result."""
    product = _EXACT.multiply(Decimal(unit_amount_decimal), Decimal(quantity))
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_EXACT))
