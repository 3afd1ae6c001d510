"""Invoice pages: the list (filters, search, pages), one invoice (lines, amounts, timeline, events,
webhook attempts, the actions its status allows) and the confirmation of an action."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from arrears.api.dashboard import listing
from arrears.api.dashboard.actions import ACTIONS, offered
from arrears.api.dashboard.format import day_start
from arrears.api.dashboard.web import Visit
from arrears.domain import Doc
from arrears.domain import invoice as rules
from arrears.domain.errors import ArrearsError
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

DAY = 86400
EVENT_SCAN_LIMIT = 2000  # invoice events read to find one invoice's (events have no object column yet)
FILTERS = ("status", "customer", "created_from", "created_to", "due_from", "due_to")


def _range(conds: list[Cond], column: str, start: str, end: str) -> None:
    """A [start day, end day] filter on a unix-time column, both days included (UTC)."""
    if (low := day_start(start)) is not None:
        conds.append(Cond(column, ">=", low))
    if (high := day_start(end)) is not None:
        conds.append(Cond(column, "<", high + DAY))


async def index(visit: Visit) -> Response:
    values = {name: visit.param(name) for name in FILTERS}
    query = visit.param("q")
    if query:
        found = await listing.by_search(visit, "invoices", "invoices", query, {"q": query})
    else:
        conds = []
        if values["status"] in rules.STATUSES:
            conds.append(Cond("status", "=", values["status"]))
        if values["customer"]:
            conds.append(Cond("customer", "=", values["customer"]))
        _range(conds, "created", values["created_from"], values["created_to"])
        _range(conds, "due_date", values["due_from"], values["due_to"])
        found = await listing.by_filter(visit, "invoices", conds, values)
    return visit.render("invoices.html", listing=found, values=values, query=query, statuses=rules.STATUSES,
                        status=400 if found.error else 200)


@dataclass
class Delivery:
    event: Doc
    attempts: list[Doc] | None  # None: the key may not read webhook attempts


async def _events_of(tx: Tx, inv: Doc) -> tuple[list[Doc], bool]:
    """The invoice's events, newest first, and whether the scan stopped before reaching its creation."""
    flt = Filter((Cond("type", "prefix", "invoice."), Cond("created", ">=", inv["created"])))
    found: list[Doc] = []
    after: str | None = None
    for _ in range(EVENT_SCAN_LIMIT // 100):
        page = await tx.list("events", flt, Page(limit=100, starting_after=after))
        found += [e for e in page.docs if (e["data"]["object"] or {}).get("id") == inv["id"]]
        if not page.has_more:
            return found, False
        after = page.docs[-1]["id"]
    return found, True


async def show(visit: Visit) -> Response:
    invoice_id = visit.request.path_params["invoice"]

    see_events, see_attempts = visit.may("event"), visit.may("webhook")

    async def read(tx: Tx) -> tuple[Doc, Doc | None, list[Delivery] | None, bool] | None:
        inv = await tx.get("invoices", invoice_id)
        if inv is None:
            return None
        customer = await tx.get("customers", inv["customer"])
        if not see_events:
            return inv, customer, None, False
        events, capped = await _events_of(tx, inv)
        deliveries = []
        for event in events:
            attempts = (await tx.list("webhook_attempts", Filter((Cond("event", "=", event["id"]),)),
                                      Page(limit=20))).docs if see_attempts else None
            deliveries.append(Delivery(event, attempts))
        return inv, customer, deliveries, capped

    found = await visit.env.store.read(read, scope=visit.scope)
    if found is None:
        return visit.not_found(f"There is no invoice {invoice_id}.")
    inv, customer, deliveries, capped = found
    transitions = inv["status_transitions"]
    timeline = sorted(
        [(when, label) for label, when in (
            ("Created", inv["created"]),
            ("Finalized", transitions.get("finalized_at")),
            ("Marked uncollectible", transitions.get("marked_uncollectible_at")),
            ("Paid", transitions.get("paid_at")),
            ("Voided", transitions.get("voided_at")),
        ) if when is not None],
        key=lambda item: item[0],
    )
    return visit.render("invoice.html", inv=inv, customer=customer, deliveries=deliveries, capped=capped,
                        timeline=timeline, actions=offered(inv), may_act=visit.may("invoice", write=True))


async def confirm(visit: Visit) -> Response:
    """The confirmation page of an action; the invoice page shows the same text in a dialog."""
    invoice_id, name = visit.request.path_params["invoice"], visit.request.path_params["action"]
    action = ACTIONS.get(name)
    inv = await visit.env.store.read(lambda tx: tx.get("invoices", invoice_id), scope=visit.scope)
    if inv is None or action is None:
        return visit.not_found(f"There is no invoice {invoice_id}." if inv is None else f"No action {name}.")
    if action not in offered(inv):
        visit.flash("error", f"{action.label} is not possible: this invoice is {inv['status']}.")
        return visit.redirect(f"/invoices/{invoice_id}")
    return visit.render("confirm.html", inv=inv, action=action)


async def act(visit: Visit) -> Response:
    """Run the action through its service, in one transaction; the service refuses what the rules refuse."""
    invoice_id, name = visit.request.path_params["invoice"], visit.request.path_params["action"]
    action = ACTIONS.get(name)
    if action is None:
        return visit.not_found(f"No action {name}.")
    ctx = visit.ctx()

    async def run(tx: Tx) -> Doc | None:
        if await tx.get("invoices", invoice_id) is None:  # none of this account's, as on the invoice page
            return None
        return await action.run(tx, ctx, invoice_id)

    try:
        done = await visit.env.store.write(run, scope=visit.scope, kind=action.kind)
    except ArrearsError as exc:
        visit.flash("error", f"{action.label} failed: {exc.message}")
    else:
        if done is None:
            return visit.not_found(f"There is no invoice {invoice_id}.")
        visit.flash("success", action.done)
    return visit.redirect(f"/invoices/{invoice_id}")
