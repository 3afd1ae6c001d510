"""Loading helpers and the outbox append shared by the commands."""

from __future__ import annotations

from typing import Any

from arrears import STRIPE_API_VERSION
from arrears.domain import Doc, events, views
from arrears.domain.errors import missing
from arrears.services import Ctx
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page
from arrears.store.tables import TABLES

_ENABLED = Filter((Cond("status", "=", "enabled"),))


async def load(tx: Tx, table: str, obj_id: str, *, param: str | None = None, for_update: bool = False) -> Doc:
    doc = await tx.get(table, obj_id, for_update=for_update)
    if doc is None:
        raise missing(TABLES[table].kind, obj_id, param)
    return doc


# Tables whose deleted objects Stripe still answers for, as the stub {id, object, deleted: true} kept in
# ``deleted_objects``: "Unlike other objects, deleted customers can still be retrieved through the API"
# (docs.stripe.com/api/customers/delete). Deleted invoices, invoice items and webhook endpoints are 404.
TOMBSTONED = frozenset({"customers"})


async def find(tx: Tx, table: str, obj_id: str) -> Doc | None:
    """What a read answers for ``obj_id``: the object, the stub of a deleted one (``TOMBSTONED``), or None."""
    doc = await tx.get(table, obj_id)
    if doc is None and table in TOMBSTONED:
        doc = await tx.get("deleted_objects", obj_id)
        if doc is not None and doc["object"] != TABLES[table].kind:
            return None
    return doc


async def retrieve(tx: Tx, table: str, obj_id: str, *, param: str | None = None) -> Doc:
    """``find`` for GET: a deleted customer answers its stub, anything else not found is a 404. Commands
    ``load`` instead, so they refuse a deleted customer with "No such customer"."""
    doc = await find(tx, table, obj_id)
    if doc is None:
        raise missing(TABLES[table].kind, obj_id, param)
    return doc


def view(doc: Doc, api_version: str) -> Doc:
    return views.invoice(doc, api_version) if doc.get("object") == "invoice" else doc


async def emit(tx: Tx, ctx: Ctx, event_type: str, obj: Doc, previous: dict[str, Any] | None = None) -> Doc:
    """Append an event to the outbox, in the transaction of the change it describes."""
    # An event is rendered once, in the account's API version, whatever version the request used.
    data: dict[str, Any] = {"object": view(obj, STRIPE_API_VERSION)}
    if previous is not None:
        data["previous_attributes"] = previous
    endpoints = await tx.list("webhook_endpoints", _ENABLED, Page(limit=500))
    targets = [e for e in endpoints.docs if events.matches(e["enabled_events"], event_type)]
    event = {
        "id": ctx.ids.new("evt"),
        "object": "event",
        "account": None,
        "api_version": STRIPE_API_VERSION,
        "context": None,
        "created": ctx.now,
        "data": data,
        "livemode": ctx.livemode,
        "pending_webhooks": len(targets),
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": event_type,
    }
    await tx.insert("events", event)
    for endpoint in targets:  # the outbox: delivered after commit by webhooks.worker
        await tx.insert("webhook_deliveries", {
            "id": ctx.ids.new("wd"), "object": "webhook_delivery", "event": event["id"],
            "endpoint": endpoint["id"], "created": ctx.now, "status": "pending",
            "next_attempt_at": ctx.now, "attempts": 0,
        })
    return event


def changed(before: Doc, after: Doc) -> dict[str, Any]:
    """``previous_attributes``: the old value of every top-level key whose value changed."""
    return {k: before.get(k) for k in after if before.get(k) != after.get(k)}
