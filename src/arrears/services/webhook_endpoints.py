"""Webhook endpoint commands. The secret (``whsec_…``) is kept with the endpoint; the Stripe face shows
it only in the answer to create, as Stripe does.

The URL is checked against the server's policy (``ctx.webhook_urls``, domain/webhook_urls.py) by every
rule that needs no DNS; the face resolves the host before the transaction (``webhooks.transport.
check_url``), and the worker checks the addresses again at every delivery."""

from __future__ import annotations

import copy
import secrets
from typing import Any

from arrears.domain import Doc, events, metadata, objects, versions, webhook_urls
from arrears.domain.errors import ParamError
from arrears.services import Ctx
from arrears.services.loading import load
from arrears.store.base import Tx


def _check_url(ctx: Ctx, url: str) -> str:
    webhook_urls.target(url, ctx.webhook_urls)  # UrlRefused, a ParamError on url, when it is not allowed
    return url


def _check_events(enabled: list[str]) -> list[str]:
    if not enabled:
        raise ParamError("Missing required param: enabled_events.", param="enabled_events", code="parameter_missing")
    for i, name in enumerate(enabled):
        if name != "*" and name not in events.EMITTED:
            raise ParamError(
                f"Invalid enabled_events[{i}]: arrears does not emit '{name}'. Use '*' or one of: "
                + ", ".join(sorted(events.EMITTED)), param=f"enabled_events[{i}]")
    return enabled


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    endpoint = {
        "id": ctx.ids.new("we"),
        "object": "webhook_endpoint",
        "api_version": None if p.get("api_version") is None else str(versions.parse(p["api_version"],
                                                                                   param="api_version")),
        "application": None,
        "created": ctx.now,
        "description": p.get("description"),
        "enabled_events": _check_events(p["enabled_events"]),
        "livemode": ctx.livemode,
        "metadata": metadata.merged({}, p.get("metadata") or {}),
        "secret": "whsec_" + secrets.token_urlsafe(24).replace("-", "A").replace("_", "B"),
        "status": "enabled",
        "url": _check_url(ctx, p["url"]),
    }
    await tx.insert("webhook_endpoints", endpoint)
    return endpoint


async def update(tx: Tx, ctx: Ctx, endpoint_id: str, p: dict[str, Any]) -> Doc:
    endpoint = await load(tx, "webhook_endpoints", endpoint_id, param="webhook_endpoint", for_update=True)
    before = copy.deepcopy(endpoint)
    if "url" in p:
        endpoint["url"] = _check_url(ctx, p["url"])
    if "enabled_events" in p:
        endpoint["enabled_events"] = _check_events(p["enabled_events"])
    if "description" in p:
        endpoint["description"] = p["description"]
    if "disabled" in p:
        endpoint["status"] = "disabled" if p["disabled"] else "enabled"
    if "metadata" in p:
        endpoint["metadata"] = metadata.merged(endpoint["metadata"], p["metadata"])
    if endpoint != before:
        await tx.update("webhook_endpoints", endpoint)
    return endpoint


async def delete(tx: Tx, ctx: Ctx, endpoint_id: str) -> Doc:
    await load(tx, "webhook_endpoints", endpoint_id, param="webhook_endpoint")
    await tx.delete("webhook_endpoints", endpoint_id)
    return objects.deleted(endpoint_id, "webhook_endpoint")
