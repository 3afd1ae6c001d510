"""The account objects over a real server, on both backends: ``GET /v1/account`` from the accounts table,
and a platform's connected accounts, ``GET /v1/accounts`` and ``GET /v1/accounts/{account}``, which show
the caller and the accounts it is the platform of, and nothing of any other account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import stripe

from arrears.services import accounts
from arrears.store.base import Tx
from tests.conftest import BACKENDS, fresh_database, make_client, serve_in
from tests.support.accounts import KeySpec, ctx, provision, system_write
from tests.support.answers import ok

PLATFORM, FIRST, SECOND, OTHER, OTHERS_CHILD = (
    "acct_platform", "acct_first", "acct_second", "acct_other", "acct_otherschild")


@dataclass
class World:
    http: httpx.Client
    keys: dict[str, str]

    def get(self, key: str, path: str, **params: object) -> httpx.Response:
        return self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.keys[key]}"})


def make_accounts(database: str) -> None:
    async def run(tx: Tx) -> None:
        await accounts.create_account(tx, ctx(), account_id=PLATFORM, name="Platform Inc")
        await accounts.create_account(tx, ctx(), account_id=FIRST, platform=PLATFORM, name="First Shop")
        await accounts.create_account(tx, ctx(), account_id=SECOND, platform=PLATFORM, api_version="2024-06-20")
        await accounts.create_account(tx, ctx(), account_id=OTHER)
        await accounts.create_account(tx, ctx(), account_id=OTHERS_CHILD, platform=OTHER)
    system_write(database, run)


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp(f"accounts-{request.param}")
    database = fresh_database(request.param, request, folder)
    make_accounts(database)
    keys = provision(database, {}, [
        KeySpec("platform", PLATFORM), KeySpec("first", FIRST), KeySpec("other", OTHER),
        KeySpec("platform_live", PLATFORM, livemode=True),
        KeySpec("platform_rk_none", PLATFORM, kind="restricted", permissions={}),
        KeySpec("platform_rk_account", PLATFORM, kind="restricted", permissions={"account": "read"}),
    ])
    for server in serve_in(folder, database, env={"ARREARS_AUTH": "strict", "ARREARS_KEY_CACHE_SECONDS": "0"}):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield World(http, keys)


def test_the_account_is_read_from_the_accounts_table(world: World) -> None:
    body = ok(world.get("platform", "/v1/account"))
    assert (body["id"], body["object"], body["type"]) == (PLATFORM, "account", "standard")
    assert body["business_profile"]["name"] == "Platform Inc"
    assert body["settings"]["dashboard"]["display_name"] == "Platform Inc"
    assert isinstance(body["created"], int)
    assert body["settings"]["invoices"] == {"default_account_tax_ids": None, "hosted_payment_method_save": "offer"}
    assert (body["country"], body["default_currency"]) == ("US", "usd")


def test_a_platform_lists_its_connected_accounts_newest_first(world: World) -> None:
    body = ok(world.get("platform", "/v1/accounts"))
    assert body["object"] == "list" and body["url"] == "/v1/accounts"
    assert [a["id"] for a in body["data"]] == [SECOND, FIRST] and not body["has_more"]
    assert {a["type"] for a in body["data"]} == {"custom"}
    page = ok(world.get("platform", "/v1/accounts", limit=1))
    assert [a["id"] for a in page["data"]] == [SECOND] and page["has_more"]
    rest = ok(world.get("platform", "/v1/accounts", limit=1, starting_after=SECOND))
    assert [a["id"] for a in rest["data"]] == [FIRST] and not rest["has_more"]


def test_a_connected_account_is_retrieved_by_its_platform_with_its_own_version(world: World) -> None:
    first = ok(world.get("platform", f"/v1/accounts/{FIRST}"))
    assert (first["id"], first["business_profile"]["name"], first["type"]) == (FIRST, "First Shop", "custom")
    assert ok(world.get("platform", f"/v1/accounts/{SECOND}"))["api_version"] == "2024-06-20"
    assert ok(world.get("platform", f"/v1/accounts/{PLATFORM}"))["id"] == PLATFORM  # itself, by id


@pytest.mark.parametrize("key, account", [
    ("platform", OTHERS_CHILD),  # another platform's connected account
    ("platform", OTHER),  # an account that is no connected account of the caller
    ("first", PLATFORM),  # a connected account does not see its platform
    ("first", SECOND),  # nor its siblings
    ("platform", "acct_nobody"),  # nor does anyone see an account that does not exist
])
def test_any_other_account_is_no_such_account(world: World, key: str, account: str) -> None:
    answer = world.get(key, f"/v1/accounts/{account}")
    assert answer.status_code == 404
    error = answer.json()["error"]
    assert (error["message"], error["param"], error["code"]) == (
        f"No such account: '{account}'", "account", "resource_missing")


def test_another_platform_lists_only_its_own_connected_accounts(world: World) -> None:
    assert [a["id"] for a in ok(world.get("other", "/v1/accounts"))["data"]] == [OTHERS_CHILD]
    assert ok(world.get("first", "/v1/accounts"))["data"] == []


def test_accounts_belong_to_no_mode_the_platforms_live_key_sees_them_too(world: World) -> None:
    assert [a["id"] for a in ok(world.get("platform_live", "/v1/accounts"))["data"]] == [SECOND, FIRST]


def test_a_restricted_key_needs_the_account_permission(world: World) -> None:
    refused = world.get("platform_rk_none", "/v1/accounts")
    assert refused.status_code == 403 and "rak_account_read" in refused.json()["error"]["message"]
    assert [a["id"] for a in ok(world.get("platform_rk_account", "/v1/accounts"))["data"]] == [SECOND, FIRST]


def test_the_sdk_reads_the_account_and_its_connected_accounts(world: World) -> None:
    client = make_client(str(world.http.base_url), world.keys["platform"])
    assert client.v1.accounts.retrieve_current().id == PLATFORM
    assert client.v1.accounts.retrieve(FIRST).id == FIRST
    assert [a.id for a in client.v1.accounts.list().data] == [SECOND, FIRST]
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.accounts.retrieve(OTHERS_CHILD)
    assert info.value.http_status == 404


def test_open_mode_answers_the_default_account_from_its_row(http: httpx.Client) -> None:
    body = ok(http.get("/v1/account"))
    assert body["id"] == "acct_default" and isinstance(body["created"], int)
    assert ok(http.get("/v1/accounts"))["data"] == []


def test_an_account_has_nothing_to_expand_so_a_system_read_reaches_no_other_table(world: World) -> None:
    answer = world.get("platform", "/v1/accounts", **{"expand[]": "data.settings"})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "This property cannot be expanded (data.settings)."
