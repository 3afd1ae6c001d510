"""The dashboard on a strict server with two accounts (ADR 0006): a session sees only the scope its key was
granted. A user signed in with alpha's key never sees one of bravo's ids, names or amounts on any page or
in any CSV, bravo's ids answer 404 exactly as ids that never existed, buttons pressed on bravo's invoice
change nothing, a revoked key's session ends, and keys are held to the API's rules (publishable keys
refused, restricted keys limited to their permissions). Open mode signs in as the API does."""

from __future__ import annotations

import base64
import csv
import io
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import orjson
import pytest
import stripe

from tests import factories
from tests.conftest import make_client
from tests.support.accounts import KeySpec, everything, provision
from tests.support.server import KEY, Server

ALPHA, BRAVO = "acct_alpha", "acct_bravo"
SECRET = "a-dashboard-secret-both-servers-share"
KEYS = [
    KeySpec("alpha", ALPHA), KeySpec("alpha_revocable", ALPHA), KeySpec("alpha_live", ALPHA, livemode=True),
    KeySpec("alpha_pk", ALPHA, kind="publishable"),
    KeySpec("alpha_rk_none", ALPHA, kind="restricted", permissions={"webhook": "write"}),
    KeySpec("alpha_rk_invoices", ALPHA, kind="restricted", permissions={"invoice": "read"}),
    KeySpec("alpha_rk_read", ALPHA, kind="restricted", permissions=everything("read")),
    KeySpec("alpha_revoked", ALPHA, revoked=True),
    KeySpec("bravo", BRAVO),
]
PAGES = ["/dashboard/invoices", "/dashboard/customers", "/dashboard/events", "/dashboard/events/feed",
         "/dashboard/bad-debt", "/dashboard/bad-debt?period=quarter",
         *(f"/dashboard/invoices?status={s}" for s in ("draft", "open", "paid", "uncollectible", "void"))]
CSVS = ["/dashboard/bad-debt/aging.csv", "/dashboard/bad-debt/write-offs.csv", "/dashboard/bad-debt/by-customer.csv",
        "/dashboard/bad-debt/write-offs.csv?period=quarter", "/dashboard/bad-debt/by-customer.csv?period=quarter"]
SessionOf = Callable[[str], httpx.Client]
LINK = re.compile(r'href="(/dashboard/(?:invoices|customers|events)/(?:in|cus|evt)_[A-Za-z0-9]+)"')


@dataclass
class Books:
    """One account's objects, made through the API with its key; amounts only this account uses."""

    tag: str
    open_amount: int
    bad_amount: int
    paid_amount: int
    ids: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    @property
    def amounts(self) -> list[int]:
        return [self.open_amount, self.bad_amount, self.paid_amount]

    def shown(self) -> list[str]:
        """What would give this account's data away on a page: ids, names, amounts as written and raw."""
        money = [f"{a // 100}.{a % 100:02d}" for a in self.amounts]
        return [*self.ids.values(), *self.events, f"{self.tag} Holdings", f"{self.tag.lower()}@example.com",
                *money, *map(str, self.amounts)]


def seed(api: stripe.StripeClient, books: Books) -> Books:
    cus = factories.customer(api, name=f"{books.tag} Holdings", email=f"{books.tag.lower()}@example.com")
    books.ids["customer"] = cus.id
    books.ids["open"] = factories.invoice_in(api, "open", cus=cus, amount=books.open_amount).id
    books.ids["bad"] = factories.invoice_in(api, "uncollectible", cus=cus, amount=books.bad_amount).id
    books.ids["paid"] = factories.invoice_in(api, "paid", cus=cus, amount=books.paid_amount).id
    books.events = [e.id for e in api.v1.events.list(params={"limit": 100}).data]
    return books


@dataclass
class World:
    server: Server
    keys: dict[str, str]
    alpha: Books
    bravo: Books

    def api(self, name: str) -> stripe.StripeClient:
        return make_client(self.server.url, self.keys[name])

    def books(self, name: str) -> Books:
        return self.alpha if name == "alpha" else self.bravo


def arrears_cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("dashboard-accounts")
    database = f"sqlite:///{folder / 'arrears.db'}"
    for account in (ALPHA, BRAVO):  # as an operator would: `arrears accounts create`
        assert arrears_cli("accounts", "create", "--id", account, "--database", database).strip() == account
    keys = provision(database, {}, KEYS)
    with Server(database=database, log=folder / "serve.log",
                env={"ARREARS_AUTH": "strict", "ARREARS_DASHBOARD_SECRET": SECRET}) as server:
        alpha = seed(make_client(server.url, keys["alpha"]), Books("Alpha", 1234, 2345, 3456))
        bravo = seed(make_client(server.url, keys["bravo"]), Books("Bravo", 98765, 87654, 76543))
        yield World(server, keys, alpha, bravo)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: httpx.Client, key: str) -> httpx.Response:
    form = client.get("/dashboard/sign-in")
    return client.post("/dashboard/sign-in", data={"api_key": key, "csrf_token": csrf_of(form), "next": ""})


@pytest.fixture()
def session_of(world: World) -> Iterator[SessionOf]:
    """``session_of(name)``: a client signed in with that key, cookies kept as a browser keeps them."""
    clients: list[httpx.Client] = []

    def make(name: str) -> httpx.Client:
        client = httpx.Client(base_url=world.server.url, timeout=30)
        clients.append(client)
        done = sign_in(client, world.keys[name])
        assert done.status_code == 303, done.text
        return client

    yield make
    for client in clients:
        client.close()


def crawl(client: httpx.Client) -> dict[str, str]:
    """Every page a user reaches from the sections by following links to invoices, customers and events,
    and every CSV: path -> body."""
    seen: dict[str, str] = {}
    todo = list(PAGES)
    while todo and len(seen) < 300:
        path = todo.pop()
        if path in seen:
            continue
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        seen[path] = answer.text
        todo += [link for link in LINK.findall(answer.text) if link not in seen]
    for path in CSVS:
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv"), path
        seen[path] = answer.text
    return seen


@pytest.mark.parametrize(("me", "other"), [("alpha", "bravo"), ("bravo", "alpha")])
def test_a_session_sees_its_own_account_and_nothing_of_the_other(world: World, session_of: SessionOf, me: str,
                                                                 other: str) -> None:
    mine, theirs = world.books(me), world.books(other)
    pages = crawl(session_of(me))
    everything_shown = "\n".join(pages.values())
    # its own books are there (the crawl reached them) ...
    section = {"cus": "customers", "in": "invoices", "evt": "events"}
    for obj_id in (*mine.ids.values(), *mine.events[:3]):
        assert f"/dashboard/{section[obj_id.partition('_')[0]]}/{obj_id}" in pages
    assert f"{mine.tag} Holdings" in pages["/dashboard/customers"]
    # ... and not a trace of the other account's, on any page or in any CSV
    for secret in theirs.shown():
        # a number counts only as a whole token: "1234" inside a timestamp or a random id is no leak
        numeric = re.fullmatch(r"[0-9.]+", secret)
        pattern = re.compile(rf"(?<![A-Za-z0-9.]){re.escape(secret)}(?![A-Za-z0-9])") if numeric else None
        leaks = [path for path, body in pages.items()
                 if (pattern.search(body) if pattern else secret in body)]
        assert not leaks, f"{other}'s {secret!r} shown to {me} on {leaks}"
    assert mine.ids["customer"] in everything_shown


def test_the_bad_debt_figures_are_the_accounts_own(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha")

    def rows(report: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(client.get(f"/dashboard/bad-debt/{report}.csv").text)))

    assert [(r["customer"], r["total"]) for r in rows("aging")] == [
        (world.alpha.ids["customer"], str(world.alpha.open_amount))]
    assert [(r["customer"], r["written_off"]) for r in rows("by-customer")] == [
        (world.alpha.ids["customer"], str(world.alpha.bad_amount))]
    assert sum(int(r["written_off"]) for r in rows("write-offs")) == world.alpha.bad_amount
    page = client.get("/dashboard/bad-debt").text
    chart = re.search(r'<svg class="chart wide" id="aging-chart".*?</svg>', page, re.S)  # the narrow one repeats it
    assert chart
    drawn = re.findall(r'data-label="All customers" data-amount="(\d+)"', chart.group(0))
    assert sum(map(int, drawn)) == world.alpha.open_amount


def test_the_session_cookie_holds_the_scope_and_not_the_key(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha")
    body = client.cookies["arrears_dashboard"].partition(".")[0]
    payload = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert (payload["a"], payload["l"]) == (ALPHA, False)
    assert payload["d"].startswith("key_")
    assert world.keys["alpha"] not in client.cookies["arrears_dashboard"]
    assert "acct_alpha" in client.get("/dashboard/invoices").text  # the header says whose books these are


def test_another_accounts_ids_answer_404_as_ids_that_never_existed(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha")
    bravo = world.bravo
    pairs = [(f"/dashboard/invoices/{bravo.ids['open']}", "/dashboard/invoices/in_NeverExisted0000"),
             (f"/dashboard/invoices/{bravo.ids['open']}/void", "/dashboard/invoices/in_NeverExisted0000/void"),
             (f"/dashboard/customers/{bravo.ids['customer']}", "/dashboard/customers/cus_NeverExisted000"),
             (f"/dashboard/events/{bravo.events[0]}", "/dashboard/events/evt_NeverExisted000000")]
    for theirs, never in pairs:
        a, b = client.get(theirs), client.get(never)
        assert (a.status_code, b.status_code) == (404, 404), theirs
        id_a, id_b = theirs.split("/")[3], never.split("/")[3]
        assert a.text.replace(id_a, "ID") == b.text.replace(id_b, "ID")
    # lists filtered or searched by bravo's customer show none of bravo's invoices
    for params in ({"customer": bravo.ids["customer"]}, {"q": f"customer:'{bravo.ids['customer']}'"}):
        listed = client.get("/dashboard/invoices", params=params).text
        assert not re.findall(r'href="/dashboard/invoices/(in_[A-Za-z0-9]+)"', listed)


def test_an_action_on_another_accounts_invoice_is_a_404_and_changes_nothing(world: World,
                                                                             session_of: SessionOf) -> None:
    client = session_of("alpha")
    bravo_api = world.api("bravo")
    target = world.bravo.ids["open"]
    before = bravo_api.v1.events.list(params={"limit": 100}).data
    token = csrf_of(client.get("/dashboard/invoices"))
    for action in ("mark_uncollectible", "void", "pay", "finalize"):
        answer = client.post(f"/dashboard/invoices/{target}/{action}", data={"csrf_token": token})
        assert answer.status_code == 404, (action, answer.text)
        assert target in answer.text and "There is no invoice" in answer.text
    inv = bravo_api.v1.invoices.retrieve(target)
    assert (inv.status, inv.amount_remaining) == ("open", world.bravo.open_amount)
    assert [e.id for e in bravo_api.v1.events.list(params={"limit": 100}).data] == [e.id for e in before]
    # and alpha's own buttons still work in alpha's scope
    mine = factories.invoice_in(world.api("alpha"), "open", amount=1111)
    answer = client.post(f"/dashboard/invoices/{mine.id}/void", data={"csrf_token": token})
    assert answer.status_code == 303
    assert "Invoice voided." in client.get(answer.headers["location"]).text
    assert world.api("alpha").v1.invoices.retrieve(mine.id).status == "void"


def test_a_revoked_keys_session_stops_working(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha_revocable")
    assert client.get("/dashboard/invoices").status_code == 200
    assert arrears_cli("keys", "revoke", world.keys["alpha_revocable"], "--database",
                       world.server.database).startswith("revoked key_")
    deadline = time.monotonic() + 10  # the server trusts a key lookup for ARREARS_KEY_CACHE_SECONDS (1 s)
    while (answer := client.get("/dashboard/events/feed")).status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/dashboard/sign-in?next=")
    shown = client.get(answer.headers["location"])
    assert "Your session has ended" in shown.text and world.alpha.ids["open"] not in shown.text
    for path in ("/dashboard/invoices", f"/dashboard/invoices/{world.alpha.ids['open']}",
                 "/dashboard/bad-debt/aging.csv"):
        assert client.get(path).status_code == 303, path
    again = sign_in(client, world.keys["alpha_revocable"])
    assert again.status_code == 401 and "Expired API Key provided" in again.text


@pytest.mark.parametrize(("name", "status", "message"), [
    ("alpha_pk", 401, "Publishable keys (pk_…) cannot sign in to the dashboard"),
    ("alpha_rk_none", 403, "has no read permission the dashboard can use"),
    ("alpha_revoked", 401, "Expired API Key provided"),
])
def test_keys_that_may_not_read_are_refused_on_the_sign_in_page(world: World, name: str, status: int,
                                                                 message: str) -> None:
    with httpx.Client(base_url=world.server.url) as client:
        answer = sign_in(client, world.keys[name])
        assert answer.status_code == status
        assert message in answer.text and 'aria-invalid="true"' in answer.text
        assert world.keys[name] not in answer.text
        assert client.get("/dashboard/invoices").status_code == 303


def test_a_strict_server_refuses_keys_nobody_registered(world: World) -> None:
    with httpx.Client(base_url=world.server.url) as client:
        assert "arrears keys create" in client.get("/dashboard/sign-in").text
        answer = sign_in(client, KEY)
        assert answer.status_code == 401 and "Invalid API Key provided: sk_test_" in answer.text


def test_a_restricted_key_sees_only_what_its_permissions_allow(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha_rk_invoices")
    listed = client.get("/dashboard/invoices")
    assert listed.status_code == 200 and world.alpha.ids["open"] in listed.text
    assert 'href="/dashboard/customers"' not in listed.text and 'href="/dashboard/events"' not in listed.text
    for path in ("/dashboard/customers", f"/dashboard/customers/{world.alpha.ids['customer']}", "/dashboard/events",
                 "/dashboard/bad-debt", "/dashboard/bad-debt/aging.csv"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "needs the" in answer.text and ":read permission" in answer.text
    page = client.get(f"/dashboard/invoices/{world.alpha.ids['open']}")
    assert "/mark_uncollectible" not in page.text and "invoice:write permission" in page.text
    assert "event:read permission" in page.text
    answer = client.post(f"/dashboard/invoices/{world.alpha.ids['open']}/mark_uncollectible",
                         data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 403 and "invoice:write" in answer.text
    assert world.api("alpha").v1.invoices.retrieve(world.alpha.ids["open"]).status == "open"


def test_a_read_only_key_sees_every_section_but_presses_no_button(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha_rk_read")
    for path in ("/dashboard/customers", "/dashboard/events", "/dashboard/bad-debt"):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/dashboard/invoices/{world.alpha.ids['open']}/void").status_code == 403


def test_a_live_key_sees_live_data_only(world: World, session_of: SessionOf) -> None:
    client = session_of("alpha_live")
    page = client.get("/dashboard/invoices")
    assert "Live key" in page.text
    assert not re.findall(r'href="/dashboard/invoices/(in_[A-Za-z0-9]+)"', page.text)
    assert client.get(f"/dashboard/invoices/{world.alpha.ids['open']}").status_code == 404


# --- open mode ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("dashboard-open")
    database = f"sqlite:///{folder / 'arrears.db'}"
    keys = provision(database, {ALPHA: None}, [KeySpec("alpha", ALPHA)])
    with Server(database=database, log=folder / "serve.log", env={"ARREARS_DASHBOARD_SECRET": SECRET}) as server:
        yield server, keys


def test_open_mode_signs_in_as_the_api_does(open_server: tuple[Server, dict[str, str]]) -> None:
    server, keys = open_server
    default = factories.invoice_in(make_client(server.url), "open")
    alphas = factories.invoice_in(make_client(server.url, keys["alpha"]), "open")
    with httpx.Client(base_url=server.url) as anyone, httpx.Client(base_url=server.url) as alpha:
        assert "any <code>sk_test_…</code> key works" in anyone.get("/dashboard/sign-in").text
        assert sign_in(anyone, "sk_test_whoever").status_code == 303  # an unregistered key: the default account
        assert sign_in(alpha, keys["alpha"]).status_code == 303  # a registered key: its own account
        assert default.id in anyone.get("/dashboard/invoices").text
        assert alphas.id not in anyone.get("/dashboard/invoices").text
        assert anyone.get(f"/dashboard/invoices/{alphas.id}").status_code == 404
        assert alphas.id in alpha.get("/dashboard/invoices").text
        assert default.id not in alpha.get("/dashboard/invoices").text


def test_an_open_mode_session_is_no_session_on_a_strict_server(
        world: World, open_server: tuple[Server, dict[str, str]]) -> None:
    # Given a session of an unregistered key, signed by the secret both servers share
    server, _ = open_server
    with httpx.Client(base_url=server.url) as there:
        assert sign_in(there, "sk_test_whoever").status_code == 303
        cookie = there.cookies["arrears_dashboard"]
    # When it is shown to the strict server, it is sent to sign in
    with httpx.Client(base_url=world.server.url) as here:
        here.cookies.set("arrears_dashboard", cookie, path="/dashboard")
        answer = here.get("/dashboard/invoices")
        assert answer.status_code == 303 and answer.headers["location"].startswith("/dashboard/sign-in")


def test_the_sign_in_page_is_served_in_both_modes(world: World, open_server: tuple[Server, dict[str, str]]) -> None:
    for server in (world.server, open_server[0]):
        assert httpx.get(server.url + "/dashboard/sign-in").status_code == 200

