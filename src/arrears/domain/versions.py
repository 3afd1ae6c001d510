"""Stripe API versions: which exist, how they order, and how an answer of the current shape is turned into
the shape of an older version (and an older request into the current one).

The store and the services keep one shape, the latest version's. Each dated change Stripe made is one
``Change`` (``domain/api_changes.py``): what an object of the newer shape looks like before that date
(``down``, per object kind), what an older request's parameters are in the newer spelling (``up``, per
operation), and which behaviours started that day (``behaviours``, asked by the services with ``since``).
An answer at version V passes through every change newer than V, newest first; an answer at the latest
version passes through nothing. Adding a version is adding one ``Change``.

Versions are compared as parsed dates (a release name is a label of its dates), never as strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from arrears.domain import Doc
from arrears.domain.errors import InvalidRequest

# Every version Stripe has released, oldest first: the values its webhook endpoint ``api_version`` takes
# (stripe-python 16's WebhookEndpointCreateParams lists them). Stripe refuses any other.
KNOWN: tuple[str, ...] = (
    "2011-01-01", "2011-06-21", "2011-06-28", "2011-08-01", "2011-09-15", "2011-11-17", "2012-02-23",
    "2012-03-25", "2012-06-18", "2012-06-28", "2012-07-09", "2012-09-24", "2012-10-26", "2012-11-07",
    "2013-02-11", "2013-02-13", "2013-07-05", "2013-08-12", "2013-08-13", "2013-10-29", "2013-12-03",
    "2014-01-31", "2014-03-13", "2014-03-28", "2014-05-19", "2014-06-13", "2014-06-17", "2014-07-22",
    "2014-07-26", "2014-08-04", "2014-08-20", "2014-09-08", "2014-10-07", "2014-11-05", "2014-11-20",
    "2014-12-08", "2014-12-17", "2014-12-22", "2015-01-11", "2015-01-26", "2015-02-10", "2015-02-16",
    "2015-02-18", "2015-03-24", "2015-04-07", "2015-06-15", "2015-07-07", "2015-07-13", "2015-07-28",
    "2015-08-07", "2015-08-19", "2015-09-03", "2015-09-08", "2015-09-23", "2015-10-01", "2015-10-12",
    "2015-10-16", "2016-02-03", "2016-02-19", "2016-02-22", "2016-02-23", "2016-02-29", "2016-03-07",
    "2016-06-15", "2016-07-06", "2016-10-19", "2017-01-27", "2017-02-14", "2017-04-06", "2017-05-25",
    "2017-06-05", "2017-08-15", "2017-12-14", "2018-01-23", "2018-02-05", "2018-02-06", "2018-02-28",
    "2018-05-21", "2018-07-27", "2018-08-23", "2018-09-06", "2018-09-24", "2018-10-31", "2018-11-08",
    "2019-02-11", "2019-02-19", "2019-03-14", "2019-05-16", "2019-08-14", "2019-09-09", "2019-10-08",
    "2019-10-17", "2019-11-05", "2019-12-03", "2020-03-02", "2020-08-27", "2022-08-01", "2022-11-15",
    "2023-08-16", "2023-10-16", "2024-04-10", "2024-06-20", "2024-09-30.acacia", "2024-10-28.acacia",
    "2024-11-20.acacia", "2024-12-18.acacia", "2025-01-27.acacia", "2025-02-24.acacia", "2025-03-01.dashboard",
    "2025-03-31.basil", "2025-04-30.basil", "2025-05-28.basil", "2025-06-30.basil", "2025-07-30.basil",
    "2025-08-27.basil", "2025-09-30.clover", "2025-10-29.clover", "2025-11-17.clover", "2025-12-15.clover",
    "2026-01-28.clover", "2026-02-25.clover", "2026-03-25.dahlia", "2026-04-22.dahlia", "2026-05-27.dahlia",
    "2026-06-24.dahlia", "2026-07-29.dahlia", "2026-08-26.dahlia", "2026-09-30.endive", "2026-10-28.endive",
)


@dataclass(frozen=True, order=True, slots=True)
class Version:
    """One API version: its day, then its release name ("" before 2024-09-30)."""

    day: date
    release: str = ""
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.text


def _parse(text: str) -> Version:
    day, _, release = text.partition(".")
    return Version(date.fromisoformat(day), release, text)


VERSIONS: dict[str, Version] = {text: _parse(text) for text in KNOWN}
LATEST = VERSIONS[KNOWN[-1]]  # arrears.STRIPE_API_VERSION names it too (tests/unit/test_versions.py)


class InvalidVersion(InvalidRequest):
    """A ``Stripe-Version`` (or an ``api_version`` parameter) that names no released version."""


def parse(text: str, *, param: str | None = None) -> Version:
    """The version ``text`` names exactly, or Stripe's 400."""
    found = VERSIONS.get(text.strip()) if isinstance(text, str) else None
    if found is None:
        raise InvalidVersion(f"Invalid Stripe API version: {text}", param=param)
    return found


def at(day: str) -> Version:
    """The version a change is dated by (``"2019-12-03"``, ``"2025-03-31.basil"``): for comparisons."""
    return _parse(day)


# An object of the newer shape -> the same object as the older version showed it. It may change the dict it
# is handed: the walk hands it a copy of its own.
Down = Callable[[Doc], Doc]
Up = Callable[[dict[str, Any]], dict[str, Any]]  # an older request's parameters -> the newer spelling


@dataclass(frozen=True)
class Change:
    """What changed on ``since``: versions before it see ``down`` applied to each object of its kinds,
    send parameters ``up`` turns into the newer spelling, and lack the ``behaviours`` that began then."""

    since: Version
    title: str
    source: str
    down: Mapping[str, Down] = field(default_factory=dict)
    up: Mapping[str, Up] = field(default_factory=dict)
    behaviours: frozenset[str] = frozenset()


def since(version: Version | str, behaviour: str) -> bool:
    """Whether a request at ``version`` has ``behaviour`` (a name some Change lists): every version from
    that change's day on does."""
    from arrears.domain.api_changes import BEHAVIOURS  # the registry lists itself against this module

    v = version if isinstance(version, Version) else VERSIONS.get(version, LATEST)
    return v >= BEHAVIOURS[behaviour]


@cache
def _older_than(version: Version) -> tuple[Change, ...]:
    from arrears.domain.api_changes import CHANGES

    return tuple(c for c in CHANGES if version < c.since)  # CHANGES is newest first


def changes_for(version: Version) -> tuple[Change, ...]:
    """The changes an answer at ``version`` passes through, newest first (none at the latest)."""
    return () if version is LATEST else _older_than(version)


@cache
def _plan(version: Version) -> dict[str, tuple[Down, ...]]:
    """Per object kind, the down functions an object of that kind passes through at ``version``, in order."""
    plan: dict[str, list[Down]] = {}
    for change in changes_for(version):
        for kind, down in change.down.items():
            plan.setdefault(kind, []).append(down)
    return {kind: tuple(downs) for kind, downs in plan.items()}


def _walk(doc: Doc, plan: dict[str, tuple[Down, ...]]) -> Doc:
    """``doc`` with every object in it shown through ``plan``, innermost first. Only values that hold
    objects are visited: a dict with an ``object`` key, or a list whose first item is one."""
    kind = doc.get("object")
    if kind == "event":
        return event(doc)
    out = doc
    for key, value in doc.items():
        kind_of = type(value)
        if kind_of is dict:
            if "object" not in value:
                continue
            shown: Any = _walk(value, plan)
        elif kind_of is list:
            if not value or type(value[0]) is not dict or "object" not in value[0]:
                continue
            shown = [_walk(v, plan) if type(v) is dict else v for v in value]
        else:
            continue
        if out is doc:
            out = dict(doc)
        out[key] = shown
    downs = plan.get(kind, ()) if type(kind) is str else ()
    if downs and out is doc:
        out = dict(doc)  # the down functions change the copy they are handed, never the stored object
    for down in downs:
        out = down(out)
    return out


def _holds_events(doc: Doc) -> bool:
    if doc.get("object") == "event":
        return True
    data = doc.get("data")
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and data[0].get("object") == "event"


def render(doc: Doc, version: Version) -> Doc:
    """``doc`` (an object, a list or a search result, of the current shape) as ``version`` shows it. An
    event's ``data`` is shown in the event's own ``api_version``, whatever version asks."""
    if version is LATEST and not _holds_events(doc):
        return doc
    return _walk(doc, _plan(version))


def event(doc: Doc) -> Doc:
    """An event as listed or retrieved: its ``data.object`` (and ``previous_attributes``) in the version
    the event was made in, whatever version asks (no change so far touches the envelope itself)."""
    return event_at(doc, VERSIONS.get(doc.get("api_version") or "", LATEST))


def event_at(doc: Doc, version: Version) -> Doc:
    """An event with its ``data`` shown at ``version`` (a webhook endpoint's own version)."""
    data = doc.get("data") or {}
    obj = data.get("object")
    out = {**doc, "api_version": version.text}
    if version is LATEST or not isinstance(obj, dict):
        return out
    plan = _plan(version)
    shown = _walk(obj, plan)
    new_data: Doc = {**data, "object": shown}
    previous = data.get("previous_attributes")
    if isinstance(previous, dict):
        # The older shape of what the object was before, compared key by key with the older shape of now.
        before = _walk({**obj, **previous}, plan)
        new_data["previous_attributes"] = {k: v for k, v in before.items() if shown.get(k) != v}
    out["data"] = new_data
    return out


def upgrade(operation_id: str, version: Version, params: dict[str, Any]) -> dict[str, Any]:
    """An older request's parameters in the current spelling: oldest change first, the way the request
    would have been upgraded one version at a time."""
    for change in reversed(changes_for(version)):
        up = change.up.get(operation_id)
        if up is not None:
            params = up(params)
    return params
