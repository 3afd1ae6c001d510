"""The outbox: each event appended in the transaction of the change it describes, with a delivery row per
enabled webhook endpoint that wants it (sent after commit by ``webhooks.worker``)."""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc, events
from arrears.services import Ctx
from arrears.services.loading import view
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

_ENABLED = Filter((Cond("status", "=", "enabled"),))


async def subscribed(tx: Tx, event_type: str) -> list[Doc]:
    """The enabled webhook endpoints that want events of ``event_type``."""
    endpoints = await tx.list("webhook_endpoints", _ENABLED, Page(limit=500))
    return [e for e in endpoints.docs if events.matches(e["enabled_events"], event_type)]


async def deliver(tx: Tx, ctx: Ctx, event_id: str, targets: list[Doc]) -> None:
    """A pending delivery of the event to each endpoint of ``targets``: the outbox, sent after commit by
    webhooks.worker."""
    for endpoint in targets:
        await tx.insert("webhook_deliveries", {
            "id": ctx.ids.new("wd"), "object": "webhook_delivery", "event": event_id,
            "endpoint": endpoint["id"], "created": ctx.now, "status": "pending",
            "next_attempt_at": ctx.now, "attempts": 0,
        })


async def emit(tx: Tx, ctx: Ctx, event_type: str, obj: Doc, previous: dict[str, Any] | None = None) -> Doc:
    """Append an event to the outbox, in the transaction of the change it describes."""
    # An event keeps its object in the current shape and names the account's default API version, whatever
    # version the request used: reads and deliveries show ``data`` in that version (domain/versions.event).
    data: dict[str, Any] = {"object": view(obj)}
    if previous is not None:
        data["previous_attributes"] = previous
    targets = await subscribed(tx, event_type)
    event_id = ctx.ids.new("evt")
    event = {
        "id": event_id,
        "object": "event",
        "account": None,
        "api_version": ctx.account_api_version,
        "context": None,
        "created": ctx.now,
        "data": data,
        "livemode": ctx.livemode,
        "pending_webhooks": len(targets),
        "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
        "type": event_type,
    }
    await tx.insert("events", event)
    await deliver(tx, ctx, event_id, targets)
    return event


def changed(before: Doc, after: Doc) -> dict[str, Any]:
    """``previous_attributes``: the old value of every top-level key whose value changed."""
    return {k: before.get(k) for k in after if before.get(k) != after.get(k)}
