"""The dashboard's session: a signed cookie, and the CSRF token every form carries.

The cookie holds a small JSON payload and an HMAC-SHA256 of it under the server's dashboard secret
(``ARREARS_DASHBOARD_SECRET``; ``arrears serve`` makes one per start and hands it to its workers). It is
HttpOnly and SameSite=Lax, and Secure when the dashboard is served over https. The API key itself is
not stored: only its masked form (to show who is signed in) and whether it is a live key.

Every visitor gets a session, signed in or not, so the sign-in form has a CSRF token too. Signing in
issues a new token (no fixation), and a session is good for ``MAX_AGE`` seconds after it was issued.
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

COOKIE = "arrears_dashboard"
MAX_AGE = 12 * 3600
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    csrf: str
    issued: int
    key: str | None = None  # the masked API key when signed in
    livemode: bool = False
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


class Sessions:
    """Issues, signs and reads sessions under one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the dashboard secret must be at least 16 characters long")
        self._key = hashlib.sha256(b"arrears-dashboard-session:" + secret.encode()).digest()

    def new(self, now: int, *, key: str | None = None, livemode: bool = False) -> Session:
        return Session(csrf=secrets.token_urlsafe(24), issued=now, key=key, livemode=livemode, changed=True)

    def dumps(self, session: Session) -> str:
        payload: dict[str, Any] = {"c": session.csrf, "i": session.issued}
        if session.key is not None:
            payload |= {"k": session.key, "l": session.livemode}
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
                              key=payload.get("k"), livemode=bool(payload.get("l", False)),
                              flash=_flash(payload.get("f")))
        except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None
        if not session.issued <= now < session.issued + MAX_AGE:
            return None
        return session

    def _sign(self, body: str) -> bytes:
        return hmac.new(self._key, body.encode(), hashlib.sha256).digest()
