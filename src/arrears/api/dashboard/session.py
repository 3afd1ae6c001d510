"""The dashboard's session: a signed cookie, and the CSRF token every form carries.

The cookie holds a small JSON payload and an HMAC-SHA256 of it under the server's dashboard secret
(``ARREARS_DASHBOARD_SECRET``; ``arrears serve`` makes one per start and hands it to its workers). It is
HttpOnly and SameSite=Lax, and Secure when the dashboard is served over https (directly, or behind a
proxy that says so in ``X-Forwarded-Proto`` when ``ARREARS_TRUST_PROXY`` is set). The API key itself is
not stored: only its masked form (to show who is signed in), the scope it was granted (account and
livemode: every store call of the session runs in it) and the id of its record, so every request can
check that the key still exists and is not revoked (``access.py``). Open mode's unregistered ``sk_test_``
keys have no record: their sessions are the default account in test mode, and only on an open server.

Every visitor gets a session, signed in or not, so the sign-in form has a CSRF token too. Signing in
issues a new token (no fixation), and a session is good for ``MAX_AGE`` seconds after it was issued.

A signed-in session also names its row in the ``dashboard_sessions`` table (``sid``), written at sign-in
and deleted at sign-out (``access.py``). Every request reads that row, so a cookie kept from before
signing out (copied, or replayed) is no session, in every worker process and on every host: a signature
alone proves only that this server once issued the cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from arrears.store.base import DEFAULT_ACCOUNT

COOKIE = "arrears_dashboard"
MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    csrf: str
    issued: int
    key: str | None = None  # the masked API key when signed in
    account: str = DEFAULT_ACCOUNT  # the account the key was granted (with livemode: the session's scope)
    livemode: bool = False
    key_id: str | None = None  # the key's record (None: open mode's unregistered sk_test_ key)
    sid: str | None = None  # the session's row in dashboard_sessions, while signed in
    flash: tuple[str, str] | None = None  # (kind, message) shown once on the next page
    changed: bool = field(default=False, compare=False)  # the cookie must be sent again

    @property
    def signed_in(self) -> bool:
        return self.key is not None

    def with_flash(self, kind: str, message: str) -> Session:
        return replace(self, flash=(kind, message), changed=True)

    def without_flash(self) -> Session:
        return replace(self, flash=None, changed=True) if self.flash else self

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf.encode())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _flash(value: Any) -> tuple[str, str] | None:
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), str(value[1])
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class Sessions:
    """Issues, signs and reads sessions under one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the dashboard secret must be at least 16 characters long")
        self._key = hashlib.sha256(b"arrears-dashboard-session:" + secret.encode()).digest()

    def new(self, now: int, *, key: str | None = None, account: str = DEFAULT_ACCOUNT, livemode: bool = False,
            key_id: str | None = None, sid: str | None = None) -> Session:
        return Session(csrf=secrets.token_urlsafe(24), issued=now, key=key, account=account, livemode=livemode,
                       key_id=key_id, sid=sid, changed=True)

    def dumps(self, session: Session) -> str:
        payload: dict[str, Any] = {"c": session.csrf, "i": session.issued}
        if session.signed_in:
            payload |= {"k": session.key, "a": session.account, "l": session.livemode}
            if session.key_id is not None:
                payload["d"] = session.key_id
            if session.sid is not None:
                payload["s"] = session.sid
        if session.flash is not None:
            payload["f"] = list(session.flash)
        body = _b64(orjson.dumps(payload))
        return body + "." + _b64(self._sign(body))

    def loads(self, cookie: str | None, now: int) -> Session | None:
        """The session in ``cookie``; None when it is missing, forged, malformed or expired."""
        if not cookie or "." not in cookie:
            return None
        body, _, signature = cookie.partition(".")
        try:
            if not hmac.compare_digest(_unb64(signature), self._sign(body)):
                return None
            payload = orjson.loads(_unb64(body))
            session = Session(csrf=str(payload["c"]), issued=int(payload["i"]),
                              key=_text(payload.get("k")), account=_text(payload.get("a")) or DEFAULT_ACCOUNT,
                              livemode=bool(payload.get("l", False)), key_id=_text(payload.get("d")),
                              sid=_text(payload.get("s")), flash=_flash(payload.get("f")))
        except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        if not session.issued <= now < session.issued + MAX_AGE:
            return None
        return session

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode(), hashlib.sha256).digest()
