"""Dashboard sessions beyond their signed cookie: signing out ends a session on the server, in every
process that serves the database, so a cookie kept from before (copied, replayed) no longer signs anyone
in; the cookie is Secure behind a reverse proxy that says the browser came over https, when the operator
trusts it (``ARREARS_TRUST_PROXY``); and sign-in refuses an address after ten bad keys in a minute."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from arrears.api.dashboard.session import COOKIE, Sessions
from arrears.api.dashboard.throttle import SignInThrottle
from tests.conftest import OwnServer, serve_in
from tests.support.server import KEY, Server

SECRET = "a-dashboard-secret-every-process-shares"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: httpx.Client, key: str = KEY, headers: dict[str, str] | None = None) -> httpx.Response:
    form = client.get("/dashboard/sign-in", headers=headers)
    return client.post("/dashboard/sign-in", data={"api_key": key, "csrf_token": csrf_of(form), "next": ""},
                       headers=headers)


def with_cookie(server: Server, cookie: str) -> httpx.Client:
    """A client that sends only ``cookie``, as whoever copied it would."""
    return httpx.Client(base_url=server.url, cookies={COOKIE: cookie}, timeout=30)


@pytest.fixture()
def two_processes(database: str, own_server: OwnServer) -> tuple[Server, Server]:
    """Two ``arrears serve`` processes on one database and one dashboard secret, as two workers or hosts."""
    env = {"ARREARS_DASHBOARD_SECRET": SECRET}
    return own_server(database, log="first.log", env=env), own_server(database, log="second.log", env=env)


def test_signing_out_ends_the_session_in_every_process_even_for_a_kept_cookie(
        two_processes: tuple[Server, Server]) -> None:
    first, second = two_processes
    with httpx.Client(base_url=first.url, timeout=30) as browser:
        # Given a session signed in on one process, whose cookie someone kept
        assert sign_in(browser).status_code == 303
        kept = browser.cookies[COOKIE]
        for server in (first, second):  # the cookie is good on both processes
            with with_cookie(server, kept) as copy:
                assert copy.get("/dashboard/invoices").status_code == 200, server.url

        # When its owner signs out
        out = browser.post("/dashboard/sign-out", data={"csrf_token": csrf_of(browser.get("/dashboard/invoices"))})
        assert out.status_code == 303 and out.headers["location"] == "/dashboard/sign-in"

    # Then the kept cookie signs nobody in, on either process: it is sent to sign in, told the session ended
    for server in (first, second):
        with with_cookie(server, kept) as copy:
            answer = copy.get("/dashboard/invoices")
            assert answer.status_code == 303, server.url
            assert answer.headers["location"].startswith("/dashboard/sign-in?next=")
            shown = copy.get(answer.headers["location"])
            assert "Your session has ended" in shown.text
            assert copy.get("/dashboard/events/feed").status_code == 303


def test_a_signed_in_cookie_without_a_session_row_is_no_session(two_processes: tuple[Server, Server]) -> None:
    # Given a cookie signed with the server's own secret for a signed-in session that has no row (as cookies
    # issued before sessions were kept in the database, or forged by someone holding the secret)
    first, _ = two_processes
    sessions = Sessions(SECRET)
    with httpx.Client(base_url=first.url, timeout=30) as browser:
        assert sign_in(browser).status_code == 303
        real = sessions.loads(browser.cookies[COOKIE], int(time.time()))
    assert real is not None and real.sid is not None
    for sid in (None, "dsess_never_issued"):
        forged = sessions.dumps(sessions.new(real.issued, key=real.key, account=real.account, sid=sid))
        with with_cookie(first, forged) as copy:
            assert copy.get("/dashboard/invoices").status_code == 303, sid


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_in(tmp_path_factory.mktemp("dashboard-proxy"), env={"ARREARS_TRUST_PROXY": "1"})


@pytest.fixture(scope="module")
def direct(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serve_in(tmp_path_factory.mktemp("dashboard-direct"))


def cookie_header(server: Server, headers: dict[str, str]) -> str:
    return httpx.get(server.url + "/dashboard/sign-in", headers=headers, timeout=10).headers["set-cookie"]


def test_the_cookie_is_secure_when_a_trusted_proxy_says_the_browser_came_over_https(behind_proxy: Server) -> None:
    https = {"X-Forwarded-Proto": "https"}
    assert "Secure" in cookie_header(behind_proxy, https)
    # and the signed-in session's cookie too (sent back by hand: over plain http, httpx keeps Secure ones)
    form = httpx.get(behind_proxy.url + "/dashboard/sign-in", headers=https, timeout=10)
    done = httpx.post(behind_proxy.url + "/dashboard/sign-in", data={"api_key": KEY, "csrf_token": csrf_of(form)},
                      headers={**https, "Cookie": f"{COOKIE}={form.cookies[COOKIE]}"}, timeout=10)
    assert done.status_code == 303 and "Secure" in done.headers["set-cookie"]


def test_the_cookie_is_not_secure_over_plain_http_or_when_the_proxy_is_not_trusted(behind_proxy: Server,
                                                                                    direct: Server) -> None:
    assert "Secure" not in cookie_header(behind_proxy, {})
    assert "Secure" not in cookie_header(behind_proxy, {"X-Forwarded-Proto": "http"})
    assert "Secure" not in cookie_header(direct, {"X-Forwarded-Proto": "https"})  # any client could send it


def test_sign_in_is_refused_to_an_address_after_ten_bad_keys_in_a_minute(behind_proxy: Server) -> None:
    guesser, neighbour = {"X-Forwarded-For": "198.51.100.7"}, {"X-Forwarded-For": "198.51.100.8"}
    with httpx.Client(base_url=behind_proxy.url, timeout=30) as browser:
        # Given ten bad keys from one address, each refused as usual
        for n in range(10):
            assert sign_in(browser, f"sk_live_guess{n:02d}", headers=guesser).status_code == 401, n
        # When it tries again, even with a good key
        for key in ("sk_live_guess10", KEY):
            refused = sign_in(browser, key, headers=guesser)
            # Then it is refused without the key being tried, and told when it may try again
            assert refused.status_code == 429, key
            assert "Too many failed sign-in attempts" in refused.text
            assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert browser.get("/dashboard/invoices", headers=guesser).status_code == 303
    # and another address signs in as usual
    with httpx.Client(base_url=behind_proxy.url, timeout=30) as other:
        assert sign_in(other, headers=neighbour).status_code == 303


def test_a_client_cannot_dodge_the_throttle_with_a_forwarded_for_header_the_server_does_not_trust(
        direct: Server) -> None:
    with httpx.Client(base_url=direct.url, timeout=30) as browser:
        for n in range(10):
            headers = {"X-Forwarded-For": f"203.0.113.{n}"}  # a new address each time, claimed by the client
            assert sign_in(browser, f"sk_live_guess{n:02d}", headers=headers).status_code == 401
        assert sign_in(browser, KEY, headers={"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_the_throttle_forgets_failures_a_window_old() -> None:
    now = [1000.0]
    throttle = SignInThrottle(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.retry_after("a") is None
        throttle.failed("a")
        now[0] += 10
    assert throttle.retry_after("a") == 30  # the first failure, at 1000, ages out at 1060
    assert throttle.retry_after("b") is None
    now[0] = 1060.0
    assert throttle.retry_after("a") is None  # two failures left in the window
    throttle.failed("a")
    assert throttle.retry_after("a") == 10
