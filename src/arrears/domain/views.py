"""How stored objects are shown: an invoice embeds its first 10 lines. What older API versions show
instead is ``domain/versions.py``'s business (``status_details``, for one, is the endive change's)."""

from __future__ import annotations

from arrears.domain import Doc

EMBEDDED_LINES = 10


def invoice(doc: Doc) -> Doc:
    lines = doc["lines"]["data"]
    if len(lines) <= EMBEDDED_LINES:
        return dict(doc)
    return {**doc, "lines": {**doc["lines"], "data": lines[:EMBEDDED_LINES], "has_more": True}}
