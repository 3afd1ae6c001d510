"""The dashboard's request cycle: read the session, check its key again (``access.py``: a revoked key
ends the session), send strangers to sign in, refuse pages the key may not see, check the CSRF token of
every POST, run the page in the session's scope, render its template and set the cookie again when the
session changed.

Behind a reverse proxy (``ARREARS_TRUST_PROXY``, ``Dash.trust_proxy``) the request's scheme and client
address are the ones the proxy reports: the cookie is Secure when ``X-Forwarded-Proto`` says https, and
sign-in is throttled by the last address of ``X-Forwarded-For`` (the one the proxy itself added). Without
the setting both headers are ignored, since any client could send them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from arrears import STRIPE_API_VERSION
from arrears.api.dashboard import access
from arrears.api.dashboard import format as fmt
from arrears.api.dashboard.access import Access
from arrears.api.dashboard.session import COOKIE, CSRF_FIELD, MAX_AGE, Session, Sessions
from arrears.api.dashboard.throttle import SignInThrottle
from arrears.api.env import Env
from arrears.domain.keys import Grant
from arrears.services import Ctx
from arrears.store.base import Scope

log = logging.getLogger("arrears.dashboard")
PREFIX = "/dashboard"
MAX_FORM = 64 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(money=fmt.money, when=fmt.when, iso=fmt.iso, prefix=PREFIX,
                       csrf_field=CSRF_FIELD)
    env.filters["urlencode_params"] = lambda params: urlencode({k: v for k, v in params.items() if v})
    return env


@dataclass(frozen=True)
class Need:
    """Who may see a page: any signed-in key (``resource`` None), or one that may read (``write``: change)
    ``resource`` by the API's key rules."""

    resource: str | None = None
    write: bool = False


@dataclass(frozen=True)
class Dash:
    """What every page is handed: the app's seams, the session codec, the key checks and the templates."""

    env: Env
    sessions: Sessions
    reports: Any = None  # bad_debt.Reports: the reports service (routes() hands it services.reports)
    trust_proxy: bool = False  # believe X-Forwarded-Proto / X-Forwarded-For (ARREARS_TRUST_PROXY)
    throttle: SignInThrottle = field(default_factory=SignInThrottle)  # failed sign-ins per client address
    templates: jinja2.Environment = field(default_factory=_templates)
    checks: Access = field(init=False)  # the session's key, checked again on every request

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", Access(self.env))


@dataclass
class Visit:
    """One request as a page sees it."""

    request: Request
    session: Session
    dash: Dash
    form: dict[str, str] = field(default_factory=dict)
    grant: Grant | None = None  # the session's key as it stands now, when signed in

    @property
    def env(self) -> Env:
        return self.dash.env

    @property
    def scope(self) -> Scope:
        """The account and mode every store call of this visit runs in."""
        if self.grant is None:
            raise RuntimeError("a page that reads account data was served without a signed-in session")
        return access.scope_of(self.grant)

    def may(self, resource: str, write: bool = False) -> bool:
        return self.grant is not None and access.may(self.grant, resource, write)

    def landing(self) -> str:
        """The first section the key may read (sign-in ensures there is one)."""
        return next((s.path for s in access.SECTIONS if self.may(s.resource)), "/invoices")

    @property
    def secure(self) -> bool:
        """Whether the browser reached the dashboard over https (directly, or through a trusted proxy)."""
        if self.request.url.scheme == "https":
            return True
        forwarded = self.request.headers.get("x-forwarded-proto", "") if self.dash.trust_proxy else ""
        return forwarded.split(",")[0].strip().lower() == "https"

    @property
    def client_address(self) -> str:
        """The address sign-in attempts are counted by."""
        if self.dash.trust_proxy:
            hops = [h.strip() for h in self.request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
            if hops:
                return hops[-1]
        return self.request.client.host if self.request.client else ""

    def param(self, name: str) -> str:
        return self.request.query_params.get(name, "").strip()

    def ctx(self) -> Ctx:
        """The context a service call made from this visit runs with."""
        version = (self.grant.api_version if self.grant is not None else None) or STRIPE_API_VERSION
        return self.env.ctx(livemode=self.scope.livemode, request_id=self.env.ids.new("req", 14),
                            api_version=version, account_api_version=version, account=self.scope.account)

    def flash(self, kind: str, message: str) -> None:
        self.session = self.session.with_flash(kind, message)

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flash = self.session.flash
        self.session = self.session.without_flash()
        sections = [s for s in access.SECTIONS if self.may(s.resource)]
        page = self.dash.templates.get_template(template).render(
            session=self.session, csrf=self.session.csrf, flash=flash, path=self.request.url.path,
            may=self.may, sections=sections, home=sections[0].path if sections else "/sign-in", **context)
        return HTMLResponse(page, status_code=status, headers=SECURITY_HEADERS)

    def redirect(self, path: str) -> Response:
        return RedirectResponse(PREFIX + path, status_code=303, headers=SECURITY_HEADERS)

    def not_found(self, what: str) -> HTMLResponse:
        return self.render("error.html", 404, title="Not found", message=what)

    def forbidden(self, message: str) -> HTMLResponse:
        return self.render("error.html", 403, title="Not allowed", message=message)


Handler = Callable[[Visit], Awaitable[Response]]


async def _read_form(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > MAX_FORM:
        return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return None


def endpoint(handler: Handler, dash: Dash, need: Need | None) -> Callable[[Request], Awaitable[Response]]:
    """The page ``handler`` behind the request cycle; ``need`` None: anyone may see it."""

    async def handle(request: Request) -> Response:
        now = dash.env.clock.now()
        session = dash.sessions.loads(request.cookies.get(COOKIE), now) or dash.sessions.new(now)
        visit = Visit(request, session, dash)
        try:
            if session.signed_in:
                visit.grant = await dash.checks.current(session)
                if visit.grant is None:
                    visit.session = dash.sessions.new(now).with_flash("error", access.ENDED)
            if need is not None and visit.grant is None:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = visit.redirect("/sign-in?next=" + quote(target, safe=""))
            elif need is not None and need.resource and not visit.may(need.resource, need.write):
                assert visit.grant is not None
                response = visit.forbidden(access.refusal(visit.grant, need.resource, need.write))
            elif request.method == "POST" and not await _accept_post(visit):
                response = visit.render("error.html", 403, title="Form expired",
                                        message="This form has expired or did not come from this dashboard. "
                                                "Go back, reload the page and try again.")
            else:
                response = await handler(visit)
        except Exception:
            log.exception("dashboard %s %s failed", request.method, request.url.path)
            response = visit.render("error.html", 500, title="Something went wrong",
                                    message="The dashboard could not show this page; the server log has details.")
        if visit.session.changed:
            response.set_cookie(COOKIE, dash.sessions.dumps(visit.session), max_age=MAX_AGE, path=PREFIX,
                                httponly=True, samesite="lax", secure=visit.secure)
        return response

    handle.__name__ = getattr(handler, "__name__", "dashboard_page")
    return handle


async def _accept_post(visit: Visit) -> bool:
    form = await _read_form(visit.request)
    if form is None or not visit.session.csrf_ok(form.get(CSRF_FIELD)):
        return False
    visit.form = form
    return True
