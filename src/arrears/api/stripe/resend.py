"""``POST /_arrears/v1/events/{id}/resend``: the handler and params behind ``arrears events resend``
(services/resend.py). Stripe's own CLI calls an endpoint of Stripe's it does not document; this is
arrears' own, under the reserved prefix."""

from __future__ import annotations

from arrears.api.cycle import Call
from arrears.api.schema import Spec, string
from arrears.domain import Doc
from arrears.services import resend as service
from arrears.store.base import Tx

PARAMS: dict[str, Spec] = {"webhook_endpoint": string(doc="Only to this endpoint (default: every enabled endpoint "
                                                          "that receives the event's type).")}


async def resend_event(tx: Tx, call: Call) -> Doc:
    return await service.resend(tx, call.ctx, call.path["id"], call.params.get("webhook_endpoint"))
