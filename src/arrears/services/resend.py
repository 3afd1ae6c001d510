"""Send an event again (``stripe events resend``): a new pending delivery of an existing event to one
webhook endpoint, or to every enabled endpoint that wants its type. The delivery worker sends it as it
sends any other, with a fresh attempt count; the event itself is unchanged but for ``pending_webhooks``."""

from __future__ import annotations

from arrears.domain import Doc
from arrears.domain.errors import ParamError
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.services.outbox import deliver, subscribed
from arrears.store.base import Tx


async def resend(tx: Tx, ctx: Ctx, event_id: str, endpoint_id: str | None = None) -> Doc:
    event = await load(tx, "events", event_id, param="id", for_update=True)
    if endpoint_id:
        endpoint = await load(tx, "webhook_endpoints", endpoint_id, param="webhook_endpoint")
        if endpoint["status"] != "enabled":
            raise ParamError(f"The webhook endpoint {endpoint_id} is disabled: enable it first.",
                             param="webhook_endpoint")
        targets = [endpoint]
    else:
        targets = await subscribed(tx, event["type"])
        if not targets:
            raise ParamError(f"No enabled webhook endpoint receives {event['type']} events: name one with "
                             "webhook_endpoint.", param="webhook_endpoint")
    await deliver(tx, ctx, event["id"], targets)
    event["pending_webhooks"] = (event.get("pending_webhooks") or 0) + len(targets)
    await tx.update("events", event)
    return event
