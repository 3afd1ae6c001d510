"""Signing in with an API key, and out. The key is asked of ``env.auth`` exactly as the API faces ask it
(``access.sign_in``: registered keys, and in open mode any ``sk_test_`` key as the default account);
the session keeps its masked form, the scope it was granted, its record id and the id of the session's
row, which signing out deletes. Too many refused keys from one address are a 429 (``throttle.py``)."""

from __future__ import annotations

from starlette.responses import Response

from arrears.api.dashboard import access
from arrears.api.dashboard.web import PREFIX, Visit
from arrears.domain.errors import AuthenticationError, PermissionDenied

THROTTLED = ("Too many failed sign-in attempts from your address. Wait {seconds} seconds before you try again; "
             "every further attempt until then is refused, whatever the key.")


def _safe_next(target: str) -> str | None:
    """Where to go after signing in: a dashboard path, never another site."""
    if target.startswith(PREFIX + "/") and not target.startswith("//") and "\\" not in target:
        return target[len(PREFIX):]
    return None


def _shown(key: str) -> str:
    """The key as the header shows it: its prefix and last four characters."""
    return f"{key[:8]}…{key[-4:]}" if len(key) > 16 else key[:8] + "…"


def _form(visit: Visit, status: int = 200, *, target: str = "", error: str | None = None) -> Response:
    return visit.render("sign_in.html", status, next=target, error=error, mode=visit.env.auth.mode)


async def form(visit: Visit) -> Response:
    if visit.grant is not None:
        return visit.redirect(_safe_next(visit.param("next")) or visit.landing())
    return _form(visit, target=visit.param("next"))


async def submit(visit: Visit) -> Response:
    key = visit.form.get("api_key", "").strip()
    target = visit.form.get("next", "")
    address = visit.client_address
    wait = visit.dash.throttle.retry_after(address)
    if wait is not None:
        refused = _form(visit, 429, target=target, error=THROTTLED.format(seconds=wait))
        refused.headers["Retry-After"] = str(wait)
        return refused
    try:
        grant = await access.sign_in(visit.env, key)
    except AuthenticationError as exc:
        visit.dash.throttle.failed(address)
        return _form(visit, 401, target=target, error=exc.message)
    except PermissionDenied as exc:
        return _form(visit, 403, target=target, error=exc.message)
    now = visit.env.clock.now()
    await visit.dash.checks.close_session(visit.session)  # signing in again ends the session it replaces
    sid = await visit.dash.checks.open_session(now)
    visit.session = visit.dash.sessions.new(now, key=_shown(key), account=grant.account, livemode=grant.livemode,
                                            key_id=grant.key_id, sid=sid)
    visit.grant = grant
    return visit.redirect(_safe_next(target) or visit.landing())


async def sign_out(visit: Visit) -> Response:
    await visit.dash.checks.close_session(visit.session)
    visit.session = visit.dash.sessions.new(visit.env.clock.now()).with_flash("success", "You are signed out.")
    visit.grant = None
    return visit.redirect("/sign-in")


async def home(visit: Visit) -> Response:
    return visit.redirect(visit.landing())
