"""Report periods as the reports service names them (``"2026-11"`` for a month, ``"2026-Q4"`` for a
quarter) and the gaps between them: a chart over time shows the months in which nothing was written off
as zero, not by leaving them out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def _index(label: str, period: str) -> int | None:
    """A period as a running number (months or quarters since year 0); None for a label of another kind."""
    found = (_MONTH if period == "month" else _QUARTER).fullmatch(label)
    if found is None:
        return None
    year, part = int(found.group(1)), int(found.group(2))
    return year * (12 if period == "month" else 4) + part - 1


def _label(index: int, period: str) -> str:
    per_year = 12 if period == "month" else 4
    year, part = divmod(index, per_year)
    return f"{year:04d}-{part + 1:02d}" if period == "month" else f"{year:04d}-Q{part + 1}"


def span(labels: Iterable[str], period: str) -> list[str]:
    """Every period from the earliest to the latest of ``labels``, in order (labels of another kind,
    such as "undated", are left out)."""
    indexes = [i for i in (_index(label, period) for label in labels) if i is not None]
    if not indexes:
        return []
    return [_label(i, period) for i in range(min(indexes), max(indexes) + 1)]


def filled(rows: Iterable[Mapping[str, Any]], period: str, zero: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``rows`` (each with a ``period``) in order with a copy of ``zero`` for every period between them that
    has none; rows whose period is not of the kind (``undated``) come last, as they were."""
    kept = [dict(r) for r in rows]
    by_label = {r["period"]: r for r in kept}
    out = [by_label.get(label) or {**zero, "period": label} for label in span(by_label, period)]
    return out + [r for r in kept if _index(str(r["period"]), period) is None]
