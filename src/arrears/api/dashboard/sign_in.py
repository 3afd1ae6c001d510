"""Signing in with an API key, and out. The key is checked exactly as the Stripe face checks it
(``api.auth``); the session keeps only its masked form."""

from __future__ import annotations

from starlette.responses import Response

from arrears.api import auth
from arrears.api.dashboard.web import PREFIX, Visit
from arrears.domain.errors import AuthenticationError


def _safe_next(target: str) -> str:
    """Where to go after signing in: a dashboard path, never another site."""
    if target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target[len(PREFIX):]
    return "/invoices"


def _shown(key: str) -> str:
    """The key as the header shows it: its prefix and last four characters."""
    return f"{key[:8]}…{key[-4:]}" if len(key) > 16 else key[:8] + "…"


async def form(visit: Visit) -> Response:
    if visit.session.signed_in:
        return visit.redirect(_safe_next(visit.param("next")))
    return visit.render("sign_in.html", next=visit.param("next"), error=None)


async def submit(visit: Visit) -> Response:
    key = visit.form.get("api_key", "").strip()
    target = visit.form.get("next", "")
    try:
        livemode = auth.check_open_mode(auth.api_key(f"Bearer {key}" if key else None))
    except AuthenticationError as exc:
        message = ("Enter a secret API key (sk_test_…)." if not key else exc.message)
        return visit.render("sign_in.html", 401, next=target, error=message)
    visit.session = visit.dash.sessions.new(visit.env.clock.now(), key=_shown(key), livemode=livemode)
    return visit.redirect(_safe_next(target))


async def sign_out(visit: Visit) -> Response:
    visit.session = visit.dash.sessions.new(visit.env.clock.now()).with_flash("success", "You are signed out.")
    return visit.redirect("/sign-in")


async def home(visit: Visit) -> Response:
    return visit.redirect("/invoices")
