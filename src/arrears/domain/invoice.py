"""Invoice rules: the status machine, totals and the customer-balance arithmetic.

The transition table is data: ``TRANSITIONS[action][status]`` is the status the action leads to. Every
cell missing from it is refused with the message in ``REFUSALS`` (Stripe's wording, see
docs/stripe-fidelity.md). Collection facts (reason, attempts) live beside ``status``, never in it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final

from arrears.domain import Doc, limits
from arrears.domain.errors import StateError

DRAFT, OPEN, PAID, UNCOLLECTIBLE, VOID = "draft", "open", "paid", "uncollectible", "void"
STATUSES: Final = (DRAFT, OPEN, PAID, UNCOLLECTIBLE, VOID)

# action -> {from status: to status}. "finalize" on a draft with nothing due ends in paid; the service
# decides that after the totals are known, the table only says finalizing a draft is allowed.
TRANSITIONS: Final[dict[str, dict[str, str]]] = {
    "finalize": {DRAFT: OPEN},
    "pay": {DRAFT: PAID, OPEN: PAID, UNCOLLECTIBLE: PAID},
    "send": {DRAFT: OPEN, OPEN: OPEN, UNCOLLECTIBLE: UNCOLLECTIBLE},
    "void": {OPEN: VOID, UNCOLLECTIBLE: VOID},
    "mark_uncollectible": {OPEN: UNCOLLECTIBLE},
    "delete": {DRAFT: DRAFT},
    "edit_lines": {DRAFT: DRAFT},
}

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
_REFUSAL_CODES: Final[dict[str, str]] = {"edit_lines": "invoice_not_editable"}


def next_status(action: str, invoice: Doc) -> str:
    """The status ``action`` leads to from the invoice's status, or the StateError that refuses it."""
    status: str = invoice["status"]
    target = TRANSITIONS[action].get(status)
    if target is None:
        messages = REFUSALS[action]
        raise StateError(
            messages.get(status, messages["*"]),
            obj_id=invoice["id"],
            status=status,
            action=action,
            code=_REFUSAL_CODES.get(action),
        )
    return target


def allowed_actions(status: str) -> list[str]:
    """The actions the table allows from ``status`` (the dashboard offers only these)."""
    return [action for action, cells in TRANSITIONS.items() if status in cells]


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
