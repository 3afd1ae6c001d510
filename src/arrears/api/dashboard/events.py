"""Events: a live tail (the page polls ``/events/feed`` for rows newer than the newest it shows),
filterable by type (``invoice.paid``, or a prefix such as ``invoice.*``), and one event with its webhook
delivery attempts."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from arrears.api.dashboard.web import Visit
from arrears.domain import Doc, events
from arrears.domain.errors import ArrearsError
from arrears.services import resend as resending
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

SHOWN = 50
POLL_MS = 2000


def _filter(kind: str) -> Filter:
    if kind.endswith("*"):
        return Filter((Cond("type", "prefix", kind[:-1]),))
    return Filter((Cond("type", "=", kind),)) if kind else Filter()


async def index(visit: Visit) -> Response:
    kind = visit.param("type")
    async def read(tx: Tx) -> tuple[list[Doc], int]:
        return (await tx.list("events", _filter(kind), Page(limit=SHOWN))).docs, await tx.count("events", _filter(kind))

    shown, count = await visit.env.store.read(read, scope=visit.scope)
    return visit.render("events.html", events=shown, count=count, kind=kind, types=sorted(events.EMITTED),
                        poll_ms=POLL_MS)


async def feed(visit: Visit) -> Response:
    """The rows newer than ``ending_before`` (oldest batch first), as HTML rows for the tail to insert."""
    kind, newest = visit.param("type"), visit.param("ending_before") or None
    page = await visit.env.store.read(
        lambda tx: tx.list("events", _filter(kind), Page(limit=SHOWN, ending_before=newest)), scope=visit.scope)
    response = visit.render("_event_rows.html", events=page.docs)
    response.headers["X-More"] = "1" if page.has_more else "0"
    return response


async def show(visit: Visit) -> Response:
    event_id = visit.request.path_params["event"]

    see_attempts = visit.may("webhook")

    async def read(tx: Tx) -> tuple[Doc, list[Doc] | None] | None:
        event = await tx.get("events", event_id)
        if event is None:
            return None
        if not see_attempts:
            return event, None
        attempts = await tx.list("webhook_attempts", Filter((Cond("event", "=", event_id),)), Page(limit=50))
        return event, attempts.docs

    found = await visit.env.store.read(read, scope=visit.scope)
    if found is None:
        return visit.not_found(f"There is no event {event_id}.")
    event, attempts = found
    body = orjson.dumps(event, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()
    return visit.render("event.html", event=event, attempts=attempts, body=body,
                        may_resend=visit.may("webhook", write=True))


async def resend(visit: Visit) -> Response:
    """Send the event again to every enabled endpoint that wants its type (``arrears events resend``): a
    new delivery each, which the worker sends and records like any other."""
    event_id = visit.request.path_params["event"]
    ctx = visit.ctx()

    async def run(tx: Tx) -> Doc | None:
        if await tx.get("events", event_id) is None:  # none of this account's, as on the event page
            return None
        return await resending.resend(tx, ctx, event_id)

    try:
        done = await visit.env.store.write(run, scope=visit.scope)
    except ArrearsError as exc:
        visit.flash("error", f"Resend failed: {exc.message}")
    else:
        if done is None:
            return visit.not_found(f"There is no event {event_id}.")
        visit.flash("success", "Sent again: a new delivery to each endpoint that receives this event's type.")
    return visit.redirect(f"/events/{event_id}")
