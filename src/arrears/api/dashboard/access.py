"""Who a dashboard session is and what it may see.

Signing in asks ``env.auth.grant(key)``, the question every API face asks: in strict mode only registered
keys answer, in open mode an unregistered ``sk_test_`` key is the default account in test mode. The
session keeps the granted scope (account, livemode) and the key's record id, and every later request
reads that record again (cached for the authenticator's ``cache_seconds``), so a revoked key's
sessions end as soon as its API requests do. Every store call of a page runs in the session's scope,
so another account's ids answer 404 exactly as ids that never existed.

A signed-in session is also a row of ``dashboard_sessions`` (``open_session`` at sign-in, ``close_session``
at sign-out), read on every request and never cached: signing out ends the session at once in every
process, whatever cookie anyone kept. Sign-in prunes rows past their expiry.

Keys are held to the API's rules: a publishable key cannot sign in, a restricted key needs the
``read`` permission of at least one section, sees only the sections it may read, and may press the
invoice buttons only with ``invoice:write``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from arrears.api.dashboard.session import MAX_AGE, Session
from arrears.api.env import Env
from arrears.domain import Doc
from arrears.domain.errors import AuthenticationError, PermissionDenied
from arrears.domain.keys import Grant
from arrears.store.base import DEFAULT_ACCOUNT, SYSTEM, Scope, Tx
from arrears.store.query import Cond, Filter, Page


@dataclass(frozen=True)
class Section:
    path: str  # under /dashboard
    label: str
    resource: str  # the key permission that lets a restricted key read it


SECTIONS = (Section("/invoices", "Invoices", "invoice"), Section("/customers", "Customers", "customer"),
            Section("/events", "Events", "event"), Section("/bad-debt", "Bad debt", "report"))
NOUNS = {s.resource: s.label.lower() for s in SECTIONS}

NO_KEY = "Enter an API key: a secret key (sk_…), or a restricted key (rk_…) with read permissions."
PUBLISHABLE = ("Publishable keys (pk_…) cannot sign in to the dashboard: they are meant for browsers and may "
               "not read account data. Use a secret key (sk_…) or a restricted key (rk_…) with read permissions.")
ENDED = ("Your session has ended: it was signed out, or the API key it was signed in with was revoked or is no "
         "longer accepted by this server. Sign in with a current key.")
SESSIONS = "dashboard_sessions"
PRUNE_BATCH = 100  # expired session rows deleted per sign-in


def scope_of(grant: Grant) -> Scope:
    return Scope(grant.account, grant.livemode)


def may(grant: Grant, resource: str, write: bool = False) -> bool:
    """Whether the key may read (or, with ``write``, change) ``resource``, by the API's rules."""
    try:
        grant.check(resource, write)
    except (AuthenticationError, PermissionDenied):
        return False
    return True


def refusal(grant: Grant, resource: str, write: bool) -> str:
    """Why a page is not shown to this key."""
    verb = "change" if write else "see"
    return (f"The key {grant.shown} may not {verb} {NOUNS.get(resource, resource)} on account {grant.account}: "
            f"a restricted key needs the {resource}:{'write' if write else 'read'} permission for this page.")


async def sign_in(env: Env, key: str) -> Grant:
    """The grant of a key typed into the sign-in form; AuthenticationError or PermissionDenied, with a
    message for the form, when it may not use the dashboard."""
    if not key:
        raise AuthenticationError(NO_KEY)
    grant = await env.auth.grant(key)
    if grant.kind == "publishable":
        raise AuthenticationError(PUBLISHABLE)
    if not any(may(grant, s.resource) for s in SECTIONS):
        wanted = ", ".join(f"{s.resource}:read" for s in SECTIONS)
        raise PermissionDenied(f"The restricted key {grant.shown} has no read permission the dashboard can use: "
                               f"it needs at least one of {wanted}.")
    return grant


@dataclass
class _Seen:
    record: Doc | None
    until: float


class Access:
    """Checks a session's key again on every request (one lookup by record id per ``cache_seconds``)."""

    def __init__(self, env: Env, max_cached: int = 10_000) -> None:
        self.env = env
        self.max_cached = max_cached
        self._seen: dict[str, _Seen] = {}

    async def _record(self, key_id: str) -> Doc | None:
        now = time.monotonic()
        hit = self._seen.get(key_id)
        if hit is not None and hit.until > now:
            return hit.record

        async def read(tx: Tx) -> Doc | None:
            return await tx.get("api_keys", key_id)

        record = await self.env.store.read(read, scope=SYSTEM)
        if len(self._seen) >= self.max_cached:
            self._seen.clear()
        if self.env.auth.cache_seconds > 0:
            self._seen[key_id] = _Seen(record, now + self.env.auth.cache_seconds)
        return record

    async def open_session(self, now: int) -> str:
        """A new session row (its id goes into the cookie), pruning rows that have expired."""
        sid = self.env.ids.new("dsess")
        expired = Filter((Cond("expires", "<=", now),))

        async def write(tx: Tx) -> None:
            await tx.insert(SESSIONS, {"id": sid, "object": "dashboard_session", "created": now,
                                       "expires": now + MAX_AGE})
            for row in (await tx.list(SESSIONS, expired, Page(limit=PRUNE_BATCH, unordered=True))).docs:
                await tx.delete(SESSIONS, row["id"])

        await self.env.store.write(write, scope=SYSTEM)
        return sid

    async def close_session(self, session: Session) -> None:
        """Sign-out: the session's row is deleted, so its cookie is no session anywhere."""
        sid = session.sid
        if sid is None:
            return

        async def write(tx: Tx) -> None:
            if await tx.get(SESSIONS, sid) is not None:
                await tx.delete(SESSIONS, sid)

        await self.env.store.write(write, scope=SYSTEM)

    async def _open(self, sid: str) -> bool:
        async def read(tx: Tx) -> Doc | None:
            return await tx.get(SESSIONS, sid)

        row = await self.env.store.read(read, scope=SYSTEM)
        return row is not None and row["expires"] > self.env.clock.now()

    async def current(self, session: Session) -> Grant | None:
        """The grant of a signed-in session now; None when it was signed out (its row is gone) or its key
        no longer grants the session's scope."""
        if not session.signed_in or session.sid is None or not await self._open(session.sid):
            return None
        if session.key_id is None:  # open mode's unregistered sk_test_ key
            if self.env.auth.strict or session.account != DEFAULT_ACCOUNT or session.livemode:
                return None
            return Grant(account=DEFAULT_ACCOUNT, livemode=False, shown=session.key or "")
        record = await self._record(session.key_id)
        if (record is None or record["revoked"] is not None or record["account"] != session.account
                or bool(record["livemode"]) != session.livemode or record["type"] == "publishable"):
            return None
        return Grant(account=record["account"], livemode=bool(record["livemode"]), kind=record["type"],
                     key_id=record["id"], shown=record["shown"], permissions=record["permissions"] or {})
