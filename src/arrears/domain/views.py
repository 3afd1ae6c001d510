"""How stored objects are shown: an invoice embeds its first 10 lines; ``status_details`` exists only
from API 2026-09-30.endive on and only while the invoice is uncollectible."""

from __future__ import annotations

from arrears.domain import Doc

EMBEDDED_LINES = 10
STATUS_DETAILS_SINCE = "2026-09-30"


def invoice(doc: Doc, api_version: str) -> Doc:
    view = dict(doc)
    lines = doc["lines"]["data"]
    if len(lines) > EMBEDDED_LINES:
        view["lines"] = {**doc["lines"], "data": lines[:EMBEDDED_LINES], "has_more": True}
    if "status_details" in view and api_version[:10] < STATUS_DETAILS_SINCE:
        del view["status_details"]
    return view
