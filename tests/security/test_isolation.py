"""One account never sees another's data: every route of every face's route table (Stripe, Flex, Yorlet),
called on a strict server with keys that must not reach account alpha's objects, answers the right
401/403/404 and no byte of alpha's data; and alpha's objects are unchanged afterwards.

The callers: bravo's secret key (another account), alpha's live key (another mode), alpha's revoked key,
alpha's restricted keys without the permission, alpha's publishable key, and Stripe-Account headers
naming an account the key's account is not the platform of. A new route fails this test until its path
parameters and a valid body are known here (``PATH_IDS``, ``BODIES``)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from arrears.api.cycle import Operation as DialectOperation
from arrears.api.flex.ids import to_flex
from arrears.api.flex.routes import OPERATIONS as FLEX_OPERATIONS
from arrears.api.stripe.routes import OPERATIONS
from arrears.api.yorlet.routes import OPERATIONS as YORLET_OPERATIONS
from tests.conftest import BACKENDS, fresh_database
from tests.support.accounts import KeySpec, everything, provision
from tests.support.answers import ok
from tests.support.server import Server

ALPHA, BRAVO, PLATFORM, CONNECTED = "acct_alpha", "acct_bravo", "acct_platform", "acct_connected"
SENTINEL = "Zq7Sentinel"
EMAIL = "alpha-zq7@example.com"
KEYS = [
    KeySpec("alpha", ALPHA), KeySpec("alpha_live", ALPHA, livemode=True),
    KeySpec("alpha_revoked", ALPHA, revoked=True), KeySpec("alpha_pk", ALPHA, kind="publishable"),
    KeySpec("alpha_rk_none", ALPHA, kind="restricted", permissions={}),
    KeySpec("alpha_rk_read", ALPHA, kind="restricted", permissions=everything("read")),
    KeySpec("alpha_rk_write", ALPHA, kind="restricted", permissions=everything("write")),
    KeySpec("bravo", BRAVO), KeySpec("platform", PLATFORM), KeySpec("connected", CONNECTED),
]


@dataclass
class Alpha:
    """Alpha's objects, by the path parameter that names each."""

    ids: dict[str, str]
    number: str
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def secrets(self) -> list[str]:
        """Strings that only alpha's data contains."""
        flexed = [to_flex(v) for v in self.ids.values()]
        return [SENTINEL, EMAIL, self.number, *self.ids.values(), *(f for f in flexed if f)]


@dataclass
class World:
    server: Server
    http: httpx.Client
    keys: dict[str, str]
    alpha: Alpha


def stripe(http: httpx.Client, key: str, method: str, path: str, params: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None) -> httpx.Response:
    h = {"Authorization": f"Bearer {key}", **(headers or {})}
    if method in ("GET", "DELETE"):
        return http.request(method, path, params=params, headers=h)
    return http.request(method, path, json=params or {}, headers=h)


def seed_alpha(server: httpx.Client, key: str) -> Alpha:
    def post(path: str, params: dict[str, Any] | None = None) -> Any:
        return ok(stripe(server, key, "POST", path, params))

    now = int(time.time())
    cus = post("/v1/customers", {"name": f"{SENTINEL} Alpha", "email": EMAIL, "metadata": {"note": SENTINEL}})
    clock = post("/v1/test_helpers/test_clocks", {"frozen_time": now, "name": SENTINEL})
    txn = post(f"/v1/customers/{cus['id']}/balance_transactions", {"amount": -500, "currency": "usd",
                                                                    "description": SENTINEL})
    item = post("/v1/invoiceitems", {"customer": cus["id"], "amount": 1099, "currency": "usd", "description": SENTINEL})
    draft = post("/v1/invoices", {"customer": cus["id"], "pending_invoice_items_behavior": "include",
                                  "description": SENTINEL})
    post("/v1/invoiceitems", {"customer": cus["id"], "amount": 2500, "currency": "usd", "description": SENTINEL})
    opened = post("/v1/invoices", {"customer": cus["id"], "pending_invoice_items_behavior": "include"})
    opened = post(f"/v1/invoices/{opened['id']}/finalize")
    endpoint = post("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/alpha", "enabled_events": ["*"],
                                              "description": SENTINEL})
    rate = post("/v1/tax_rates", {"display_name": SENTINEL, "percentage": 19, "inclusive": False})
    tax_id = post(f"/v1/customers/{cus['id']}/tax_ids", {"type": "eu_vat", "value": "DE123456789"})
    product = post("/v1/products", {"name": f"{SENTINEL} plan", "metadata": {"note": SENTINEL},
                                    "default_price_data": {"currency": "usd", "unit_amount": 700}})
    coupon = post("/v1/coupons", {"percent_off": 10, "name": "Alpha coupon", "metadata": {"note": SENTINEL}})
    promo = post("/v1/promotion_codes", {"promotion": {"type": "coupon", "coupon": coupon["id"]},
                                         "metadata": {"note": SENTINEL}})
    ok(stripe(server, key, "POST", f"/v1/customers/{cus['id']}", {"coupon": coupon["id"]},
              headers={"Stripe-Version": "2025-02-24.acacia"}))  # a customer discount: before basil only
    event = ok(stripe(server, key, "GET", "/v1/events", {"limit": 1}))["data"][0]
    ids = {"customer": cus["id"], "test_clock": clock["id"], "transaction": txn["id"], "invoiceitem": item["id"],
           "invoice": draft["id"], "open_invoice": opened["id"], "line_item_id": draft["lines"]["data"][0]["id"],
           "id": event["id"], "webhook_endpoint": endpoint["id"], "tax_rate": rate["id"], "tax_id": tax_id["id"],
           "product": product["id"], "price": product["default_price"],
           "coupon": coupon["id"], "promotion_code": promo["id"]}
    return Alpha(ids=ids, number=opened["number"])


def snapshot(server: httpx.Client, key: str, alpha: Alpha) -> dict[str, Any]:
    """Everything of alpha's that an attack could change."""
    paths = [f"/v1/customers/{alpha.ids['customer']}", f"/v1/invoices/{alpha.ids['invoice']}",
             f"/v1/invoices/{alpha.ids['open_invoice']}", f"/v1/invoiceitems/{alpha.ids['invoiceitem']}",
             f"/v1/webhook_endpoints/{alpha.ids['webhook_endpoint']}",
             f"/v1/test_helpers/test_clocks/{alpha.ids['test_clock']}",
             f"/v1/customers/{alpha.ids['customer']}/balance_transactions",
             f"/v1/tax_rates/{alpha.ids['tax_rate']}", f"/v1/customers/{alpha.ids['customer']}/tax_ids",
             f"/v1/products/{alpha.ids['product']}", f"/v1/prices/{alpha.ids['price']}",
             f"/v1/coupons/{alpha.ids['coupon']}", f"/v1/promotion_codes/{alpha.ids['promotion_code']}"]
    out = {p: ok(stripe(server, key, "GET", p)) for p in paths}
    for listed in ("/v1/customers", "/v1/invoices", "/v1/invoiceitems", "/v1/webhook_endpoints",
                   "/v1/test_helpers/test_clocks", "/v1/coupons", "/v1/promotion_codes"):
        out[listed] = [d["id"] for d in ok(stripe(server, key, "GET", listed, {"limit": 100}))["data"]]
    out["events"] = sorted(d["id"] for d in ok(stripe(server, key, "GET", "/v1/events", {"limit": 100}))["data"])
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"isolation-{request.param}")
    database = fresh_database(request.param, request, folder)
    keys = provision(database, {ALPHA: None, BRAVO: None, PLATFORM: None, CONNECTED: PLATFORM}, KEYS)
    env = {"ARREARS_AUTH": "strict", "ARREARS_KEY_CACHE_SECONDS": "0",
           "ARREARS_WEBHOOK_ALLOW_PRIVATE": "1"}  # its endpoints are on 127.0.0.1
    with Server(database=database, log=folder / "serve.log", env=env) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        alpha = seed_alpha(http, keys["alpha"])
        alpha.snapshot = snapshot(http, keys["alpha"], alpha)
        yield World(server, http, keys, alpha)


# --- every route, as a request that would succeed with alpha's own key ------------------------------

@dataclass(frozen=True)
class Call:
    face: str  # stripe | flex | yorlet
    operation_id: str
    method: str
    path: str  # with alpha's ids in it
    params: dict[str, Any]
    names_an_object: bool  # the path names one of alpha's objects
    write: bool


# The path parameter of each route -> which of alpha's objects it names.
PATH_IDS = {"customer": "customer", "transaction": "transaction", "invoiceitem": "invoiceitem",
            "invoice": "invoice", "line_item_id": "line_item_id", "id": "id", "webhook_endpoint": "webhook_endpoint",
            "test_clock": "test_clock", "tax_rate": "tax_rate", "account": "account",
            "product": "product", "price": "price", "coupon": "coupon", "promotion_code": "promotion_code"}
# Accounts belong to no mode (the platform's test and live keys both reach its connected accounts, as
# Stripe's do): another mode of alpha's key still reads alpha's own account.
MODE_FREE = frozenset({"GetAccountsAccount"})


def stripe_bodies(alpha: Alpha) -> dict[str, dict[str, Any]]:
    """Valid parameters for the Stripe operations that require some; references are to alpha's objects."""
    cus, now = alpha.ids["customer"], int(time.time())
    return {
        "GetCustomers": {"email": EMAIL},
        "GetCustomersSearch": {"query": f"email:'{EMAIL}'"},
        "GetInvoicesSearch": {"query": f"customer:'{cus}'"},
        "GetInvoices": {"customer": cus},
        "GetInvoiceitems": {"customer": cus},
        "PostCustomersCustomerBalanceTransactions": {"amount": 100, "currency": "usd"},
        "PostInvoiceitems": {"customer": cus, "amount": 100, "currency": "usd"},
        "PostInvoices": {"customer": cus},
        "PostInvoicesInvoiceAddLines": {"lines": [{"amount": 100, "description": "x"}]},
        "PostInvoicesInvoiceRemoveLines": {"lines": [{"id": alpha.ids["line_item_id"], "behavior": "delete"}]},
        "PostInvoicesInvoiceUpdateLines": {"lines": [{"id": alpha.ids["line_item_id"], "description": "x"}]},
        "PostInvoicesInvoiceLinesLineItemId": {"description": "x"},
        "PostInvoicesInvoicePay": {"paid_out_of_band": True},
        "PostWebhookEndpoints": {"url": "http://127.0.0.1:9/other", "enabled_events": ["*"]},
        "PostTestHelpersTestClocks": {"frozen_time": now},
        "PostTestHelpersTestClocksTestClockAdvance": {"frozen_time": now + 3600},
        "PostCustomersCustomer": {"description": "x"},
        "PostInvoicesInvoice": {"description": "x"},
        "PostInvoiceitemsInvoiceitem": {"description": "x"},
        "PostWebhookEndpointsWebhookEndpoint": {"description": "x"},
        "PostCustomersCustomerBalanceTransactionsTransaction": {"description": "x"},
        "GetCustomersCustomerBalanceTransactions": {},
        "ArrearsGetWebhookAttempts": {"endpoint": alpha.ids["webhook_endpoint"]},
        "PostTaxRates": {"display_name": "x", "percentage": 5, "inclusive": True},
        "PostProducts": {"name": "x"},
        "PostProductsProduct": {"description": "x"},
        "GetProductsSearch": {"query": f"metadata['note']:'{SENTINEL}'"},
        "PostPrices": {"product": alpha.ids["product"], "currency": "usd", "unit_amount": 100},
        "PostPricesPrice": {"nickname": "x"},
        "GetPricesSearch": {"query": f"product:'{alpha.ids['product']}'"},
        "PostTaxRatesTaxRate": {"description": "x"},
        "PostCoupons": {"percent_off": 5},
        "PostCouponsCoupon": {"name": "x"},
        "PostPromotionCodes": {"promotion": {"type": "coupon", "coupon": alpha.ids["coupon"]}},
        "PostPromotionCodesPromotionCode": {"metadata": {"x": "y"}},
        "PostCustomersCustomerTaxIds": {"type": "us_ein", "value": "12-3456789"},
        "PostTaxIds": {"type": "us_ein", "value": "12-3456789", "owner": {"type": "customer", "customer": cus}},
    }


def dialect_bodies(alpha: Alpha, face: str) -> dict[str, dict[str, Any]]:
    cus = alpha.ids["customer"]
    if face == "flex":
        fcus = to_flex(cus)
        return {"CreateCustomer": {"customer": {"first_name": "x"}},
                "CreateInvoiceItem": {"invoice_item": {"customer": fcus, "amount": 100, "currency": "usd"}},
                "CreateInvoice": {"invoice": {"customer": fcus}}}
    return {"CreateCustomer": {"email": "x@example.com"},
            "CreateInvoiceItem": {"customer": cus, "amount": 100, "currency": "usd"},
            "CreateInvoice": {"customer": cus}, "PayInvoice": {"paid_off_platform": True}}


def fill(path: str, alpha: Alpha, flex: bool = False) -> tuple[str, bool]:
    """``path`` with alpha's ids in its parameters; whether it had any."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    for name in names:
        assert name in PATH_IDS, f"{path}: which of alpha's objects does {{{name}}} name? Add it to PATH_IDS."
        value = ALPHA if name == "account" else alpha.ids[PATH_IDS[name]]  # alpha's own account: not a secret
        if name == "id" and "/tax_ids/" in path:  # a tax id's {id}: alpha's, not the event's
            value = alpha.ids["tax_id"]
        if flex and name == "id":  # Flex's {id} is a customer or an invoice, in Flex's form
            value = alpha.ids["customer"] if "/customers/" in path else alpha.ids["invoice"]
            value = to_flex(value) or value
        path = path.replace("{" + name + "}", value)
    return path, bool(names)


def every_call(alpha: Alpha) -> list[Call]:
    bodies = stripe_bodies(alpha)
    calls = []
    for op in OPERATIONS:
        path, named = fill(op.path, alpha)
        calls.append(Call("stripe", op.operation_id, op.method, path, bodies.get(op.operation_id, {}), named,
                          op.write))
    faces: list[tuple[str, tuple[DialectOperation, ...]]] = [("flex", FLEX_OPERATIONS),
                                                              ("yorlet", YORLET_OPERATIONS)]
    for face, operations in faces:
        face_bodies = dialect_bodies(alpha, face)
        for dop in operations:
            path, named = fill(dop.path, alpha, flex=face == "flex")
            body = face_bodies.get(dop.operation_id, {})
            calls.append(Call(face, dop.operation_id, dop.method, f"/{face}{path}", body, named, dop.write))
    return calls


def send(world: World, call: Call, key: str, headers: dict[str, str] | None = None) -> httpx.Response:
    given = "f" + key if call.face == "flex" else key
    h = {"Authorization": f"Bearer {given}", **(headers or {})}
    if call.method in ("GET", "DELETE"):
        return world.http.request(call.method, call.path, params=call.params, headers=h)
    return world.http.request(call.method, call.path, json=call.params, headers=h)


def leaked(world: World, call: Call, response: httpx.Response) -> list[str]:
    """Alpha's strings in the answer that the request did not carry itself (a 404 names the id it was
    asked for, as Stripe's does)."""
    asked = call.path + repr(call.params)
    return [s for s in world.alpha.secrets if s in response.text and s not in asked]


def error_code(response: httpx.Response) -> Any:
    body = response.json()
    return body.get("error", body).get("code") if isinstance(body, dict) else None


# --- the checks -----------------------------------------------------------------------------------

ATTACKERS = {
    # name: (key, extra headers, what every route must answer: "hidden" = 404 on alpha's ids, lists
    #        without alpha's objects; or a status)
    "another account": ("bravo", None, "hidden"),
    "another mode": ("alpha_live", None, "hidden"),
    "a revoked key": ("alpha_revoked", None, 401),
    "a publishable key": ("alpha_pk", None, 401),
    "a restricted key without permissions": ("alpha_rk_none", None, 403),
    "Stripe-Account of another platform's account": ("bravo", {"Stripe-Account": CONNECTED}, 403),
    "Stripe-Account of an unconnected account": ("platform", {"Stripe-Account": ALPHA}, 403),
}


def test_every_route_refuses_or_hides_another_accounts_data(world: World, figures: Counter[str]) -> None:
    calls = every_call(world.alpha)
    problems = []
    checked = 0
    for name, (key_name, headers, expected) in ATTACKERS.items():
        for call in calls:
            if headers and call.face != "stripe":
                continue  # Stripe-Account is the Stripe face's header
            response = send(world, call, world.keys[key_name], headers)
            checked += 1
            where = f"{name}: {call.face} {call.operation_id} {call.method} {call.path}"
            if leaked(world, call, response):
                problems.append(f"{where} leaked {leaked(world, call, response)}: {response.text[:300]}")
            if expected == "hidden":
                if call.operation_id in MODE_FREE and key_name == "alpha_live":
                    pass
                elif call.names_an_object and response.status_code != 404:
                    problems.append(f"{where}: {response.status_code} instead of 404: {response.text[:200]}")
                elif not call.names_an_object and response.status_code not in (200, 404):
                    problems.append(f"{where}: {response.status_code}: {response.text[:200]}")
            elif response.status_code != expected:
                problems.append(f"{where}: {response.status_code} instead of {expected}: {response.text[:200]}")
    figures["isolation checks (route x caller x backend)"] += checked
    assert not problems, "\n".join(problems[:40])
    # And none of it changed anything of alpha's
    assert snapshot(world.http, world.keys["alpha"], world.alpha) == world.alpha.snapshot


def test_a_read_only_restricted_key_may_read_but_not_write(world: World, figures: Counter[str]) -> None:
    problems = []
    calls = every_call(world.alpha)
    for call in calls:
        if not call.write:
            continue
        response = send(world, call, world.keys["alpha_rk_read"])
        if response.status_code != 403:
            problems.append(f"{call.face} {call.operation_id}: {response.status_code}: {response.text[:200]}")
        elif call.face == "stripe" and "rak_" not in response.json()["error"]["message"]:
            problems.append(f"{call.operation_id}: the 403 does not name the permission: {response.text}")
    for call in calls:  # every read answers as it does for alpha's secret key
        if call.write:
            continue
        mine = send(world, call, world.keys["alpha"])
        restricted = send(world, call, world.keys["alpha_rk_read"])
        if restricted.status_code != mine.status_code:
            problems.append(f"{call.face} {call.operation_id}: read-only key got {restricted.status_code}, "
                            f"the secret key {mine.status_code}: {restricted.text[:200]}")
    figures["isolation checks (route x caller x backend)"] += len(calls)
    assert not problems, "\n".join(problems)


def test_a_restricted_key_with_the_permission_writes(world: World) -> None:
    response = stripe(world.http, world.keys["alpha_rk_write"], "POST",
                      f"/v1/customers/{world.alpha.ids['customer']}", {"metadata": {"by": "rk"}})
    assert response.status_code == 200, response.text
    assert response.json()["metadata"]["by"] == "rk"


def test_the_platform_reaches_its_connected_account_and_nobody_else_does(world: World) -> None:
    # Given a customer of the connected account, made by the platform with Stripe-Account
    header = {"Stripe-Account": CONNECTED}
    made = ok(stripe(world.http, world.keys["platform"], "POST", "/v1/customers", {"name": "Connected"}, header))

    # Then the connected account's own key sees it, the platform sees it only through the header
    assert ok(stripe(world.http, world.keys["connected"], "GET", f"/v1/customers/{made['id']}"))["id"] == made["id"]
    assert stripe(world.http, world.keys["platform"], "GET", f"/v1/customers/{made['id']}").status_code == 404
    assert ok(stripe(world.http, world.keys["platform"], "GET", f"/v1/customers/{made['id']}", None,
                     header))["id"] == made["id"]
    # And another account's key with the header is refused with Stripe's account_invalid
    refused = stripe(world.http, world.keys["bravo"], "GET", f"/v1/customers/{made['id']}", None, header)
    assert refused.status_code == 403 and error_code(refused) == "account_invalid"
    # And the connected account's key cannot reach its platform
    up = stripe(world.http, world.keys["connected"], "GET", "/v1/customers", None, {"Stripe-Account": PLATFORM})
    assert up.status_code == 403


def test_invoice_numbers_are_unique_per_account_not_across_accounts(world: World) -> None:
    # Given bravo gives a customer the same invoice prefix as one of alpha's
    prefix = world.alpha.number.split("-")[0]
    cus = ok(stripe(world.http, world.keys["bravo"], "POST", "/v1/customers", {"invoice_prefix": prefix}))
    ok(stripe(world.http, world.keys["bravo"], "POST", "/v1/invoiceitems",
              {"customer": cus["id"], "amount": 100, "currency": "usd"}))
    inv = ok(stripe(world.http, world.keys["bravo"], "POST", "/v1/invoices",
                    {"customer": cus["id"], "pending_invoice_items_behavior": "include"}))

    # When bravo finalizes it, it gets the first number of its own sequence, even though alpha has it
    done = ok(stripe(world.http, world.keys["bravo"], "POST", f"/v1/invoices/{inv['id']}/finalize"))
    assert done["number"] == f"{prefix}-0001" == world.alpha.number


def test_a_strict_server_refuses_keys_nobody_registered(world: World) -> None:
    response = stripe(world.http, "sk_test_" + "x" * 24, "GET", "/v1/customers")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Invalid API Key provided: sk_test_")


def test_a_strict_server_serves_the_dashboard_behind_its_sign_in(world: World) -> None:
    assert world.http.get("/dashboard/sign-in").status_code == 200
    page = world.http.get("/dashboard/invoices", follow_redirects=False)
    assert page.status_code in (302, 303) and "/dashboard/sign-in" in page.headers["location"]
