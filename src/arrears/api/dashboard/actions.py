"""The invoice actions the dashboard offers, as a table: the transition-table action each one is, its
button, the service it calls (the same one the Stripe face calls), and what it does to the books, said
before the user confirms. Which of them an invoice offers is ``domain.invoice.allowed_actions``'s call;
nothing here decides whether an action is allowed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from arrears.api.dashboard.format import money
from arrears.domain import Doc
from arrears.domain import invoice as rules
from arrears.services import Ctx, transitions
from arrears.store.base import Tx


@dataclass(frozen=True)
class Action:
    name: str  # the action's name in rules.TRANSITIONS
    label: str
    done: str  # what the flash message says afterwards
    run: Callable[[Tx, Ctx, str], Awaitable[Doc]]
    books: Callable[[Doc], str]
    destructive: bool = False

    @property
    def kind(self) -> str | None:
        """The command's name for the store's rehearsal (``Store.write``'s ``kind``), as an operationId is for
        the API; only mark_uncollectible is rehearsed (ADR 0001), the others run under the lock at once."""
        if self.name != "mark_uncollectible":
            return None
        return "Dashboard" + "".join(word.capitalize() for word in self.name.split("_"))


def _applied(inv: Doc) -> int:
    """The customer balance the invoice used at finalization (positive: credit it consumed)."""
    return (inv["ending_balance"] or 0) - (inv["starting_balance"] or 0)


def _finalize_books(inv: Doc) -> str:
    cur, due = inv["currency"], inv["amount_due"]
    text = ("Finalizes the draft: it gets a number and can no longer be edited. The books record revenue of "
            f"{money(inv['total'], cur)} and a receivable of {money(due, cur)}")
    if due != inv["total"]:
        text += " (the customer's balance covers the difference)"
    if due == 0:
        return text + "; nothing is left to collect, so the invoice is paid at once."
    return text + "."


def _pay_books(inv: Doc) -> str:
    cur = inv["currency"]
    amount = money(inv["amount_remaining"], cur)
    if inv["status"] == rules.UNCOLLECTIBLE:
        return (f"Records {amount} received outside arrears for this written-off invoice: the bad debt is "
                "recovered (the receivable is reinstated as recovered bad debt, then settled in cash). "
                "The invoice becomes paid; this cannot be undone.")
    if inv["status"] == rules.DRAFT:
        return (f"Finalizes the draft and records {money(inv['amount_due'], cur)} received outside arrears: "
                "revenue and a receivable are booked, then settled in cash. The invoice becomes paid; this "
                "cannot be undone.")
    return (f"Records {amount} received outside arrears (cash, cheque, bank transfer): cash goes up and the "
            "receivable is settled. The invoice becomes paid; this cannot be undone.")


def _void_books(inv: Doc) -> str:
    cur = inv["currency"]
    if inv["status"] == rules.UNCOLLECTIBLE:
        text = (f"Voids the written-off invoice: the write-off of {money(inv['amount_remaining'], cur)} is "
                f"reversed together with the revenue of {money(inv['total'], cur)}, so bad-debt expense goes "
                "down by the same amount.")
    else:
        text = (f"Voids the invoice: the revenue of {money(inv['total'], cur)} and the receivable of "
                f"{money(inv['amount_remaining'], cur)} are reversed, as if it had never been issued.")
    if _applied(inv):
        text += f" The {money(abs(_applied(inv)), cur)} of customer balance it used goes back to the customer."
    return text + " A void invoice cannot be paid or reopened."


def _uncollectible_books(inv: Doc) -> str:
    return (f"Writes off {money(inv['amount_remaining'], inv['currency'])} as bad debt: the receivable moves to "
            "bad-debt expense; the invoice can still be paid later or voided.")


async def _finalize(tx: Tx, ctx: Ctx, invoice_id: str) -> Doc:
    return await transitions.finalize(tx, ctx, invoice_id, {})


async def _pay(tx: Tx, ctx: Ctx, invoice_id: str) -> Doc:
    return await transitions.pay(tx, ctx, invoice_id, {"paid_out_of_band": True})


async def _void(tx: Tx, ctx: Ctx, invoice_id: str) -> Doc:
    return await transitions.void(tx, ctx, invoice_id, {})


async def _mark_uncollectible(tx: Tx, ctx: Ctx, invoice_id: str) -> Doc:
    return await transitions.mark_uncollectible(tx, ctx, invoice_id, {})


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("finalize", "Finalize", "Invoice finalized.", _finalize, _finalize_books),
    Action("pay", "Pay out of band", "Payment recorded: the invoice is paid.", _pay, _pay_books),
    Action("mark_uncollectible", "Mark uncollectible", "Invoice marked uncollectible: the debt is written off.",
           _mark_uncollectible, _uncollectible_books, destructive=True),
    Action("void", "Void", "Invoice voided.", _void, _void_books, destructive=True),
)}


def offered(inv: Doc) -> list[Action]:
    """The dashboard's actions the transition table allows from the invoice's status, in table order."""
    allowed = rules.allowed_actions(inv["status"])
    return [action for name, action in ACTIONS.items() if name in allowed]
