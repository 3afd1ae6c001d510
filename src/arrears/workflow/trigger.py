"""``arrears trigger EVENT``: make a running server emit EVENT, the way ``stripe trigger`` does, by running
the built-in fixture for it (``fixtures/EVENT.json``, in the Stripe CLI's format: ``fixtures.py``). One
fixture per event type arrears emits (``domain/events.py``); each creates the objects the Stripe CLI's
fixture for that event creates, as far as arrears has them (no products or prices: invoice items carry
the amount)."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from arrears.workflow import fixtures
from arrears.workflow.client import Api, WorkflowError

FOLDER = "fixtures"


def events() -> list[str]:
    """The event types a built-in fixture exists for, sorted."""
    folder = resources.files("arrears.workflow") / FOLDER
    return sorted(item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json"))


def builtin(event: str) -> fixtures.Fixture:
    if event not in events():
        raise WorkflowError(f"no trigger for {event!r}: `arrears trigger --help` lists the {len(events())} events "
                            "arrears can trigger")
    text = (resources.files("arrears.workflow") / FOLDER / f"{event}.json").read_text()
    return fixtures.parse(json.loads(text), f"the built-in fixture for {event}")


def trigger(event: str, api: Api, *, overrides: list[str], adds: list[str], removes: list[str], skips: list[str],
            out: Callable[[str], None] = print) -> dict[str, Any] | None:
    """Run EVENT's fixture with the CLI's edits; the event it caused (found by the object the fixture made
    that the event is about: the customer, invoice item or invoice), None if the edits left none."""
    fixture = fixtures.apply_changes(builtin(event), overrides=overrides, adds=adds, removes=removes, skips=skips)
    results = fixtures.run(fixture, api, out=out)
    # The object the event is about: the fixture step named by its resource ("customer.tax_id.created": the
    # step "tax_id"; "invoice.paid": "invoice"), else by its first word.
    parts = event.split(".")
    named = [parts[-2], parts[0]] if len(parts) > 2 else [parts[0]]
    subject = next((results[n].get("id") for n in named if isinstance(results.get(n), dict)), None)
    if subject is None:
        return None
    for found in api.call("GET", "/v1/events", {"type": event, "limit": 100})["data"]:
        obj = found["data"]["object"]
        if subject in (obj.get("id"), obj.get("customer")):  # customer.discount.*, customer.tax_id.*: its customer
            return dict(found)
    return None
