"""``arrears accounts``/``arrears keys`` from the command line, the auth modes, revocation on a running
server, and per-key rate limits with Stripe's 429."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

from arrears.config import from_env
from tests.conftest import make_client
from tests.support.server import KEY, Server


def arrears(*args: str) -> Any:
    result = subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_keys_made_listed_and_revoked_from_the_command_line_are_kept_hashed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keys.db'}"
    # Given an account and a restricted key made with the CLI
    arrears("accounts", "create", "--database", db, "--id", "acct_cli", "--name", "CLI")
    made = json.loads(arrears("keys", "create", "--database", db, "--account", "acct_cli", "--type", "restricted",
                              "--permission", "customer:read", "--permission", "invoice:write", "--format", "json"))
    assert made["key"].startswith("rk_test_") and made["permissions"] == {"customer": "read", "invoice": "write"}

    # Then the list shows it masked, and the database holds only its hash
    listed = json.loads(arrears("keys", "list", "--database", db, "--account", "acct_cli", "--format", "json"))
    assert [(k["id"], k["shown"][-4:], k["revoked"]) for k in listed] == [(made["id"], made["key"][-4:], None)]
    assert made["key"] not in json.dumps(listed)
    with sqlite3.connect(tmp_path / "keys.db") as conn:
        dump = "\n".join(conn.iterdump())
    assert made["key"] not in dump and made["key"][8:] not in dump

    # When it is revoked, by id
    arrears("keys", "revoke", made["id"], "--database", db)
    listed = json.loads(arrears("keys", "list", "--database", db, "--format", "json"))
    assert [k["revoked"] is not None for k in listed if k["id"] == made["id"]] == [True]


def test_a_key_for_an_unknown_account_or_with_a_bad_permission_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keys.db'}"
    for args in (["--account", "acct_nobody"], ["--type", "restricted", "--permission", "customer:delete"],
                 ["--permission", "customer:read"]):
        result = subprocess.run([sys.executable, "-m", "arrears", "keys", "create", "--database", db, *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and result.stderr.startswith("arrears: "), (args, result.stderr)


@pytest.mark.parametrize(("host", "mode"), [("127.0.0.1", "open"), ("localhost", "open"), ("::1", "open"),
                                            ("127.0.0.2", "open"), ("0.0.0.0", "strict"), ("10.1.2.3", "strict"),
                                            ("::", "strict"), ("example.internal", "strict")])
def test_auth_is_strict_by_default_on_anything_but_loopback(host: str, mode: str) -> None:
    assert from_env(host=host).auth == mode
    assert from_env(host=host, auth="open").auth == "open"


def test_a_registered_key_is_revoked_on_a_running_server_within_the_cache_time(database: str, tmp_path: Path) -> None:
    # Given an open-mode server and a key of another account, made while it runs
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_KEY_CACHE_SECONDS": "0.5"}) as server:
        arrears("accounts", "create", "--database", database, "--id", "acct_other")
        made = json.loads(arrears("keys", "create", "--database", database, "--account", "acct_other",
                                  "--format", "json"))
        mine = make_client(server.url, made["key"])
        default = make_client(server.url, KEY)
        # Then the key works, in its own account (open mode maps only unregistered keys to the default one)
        cus = mine.v1.customers.create(params={"name": "Other"})
        with pytest.raises(stripe.InvalidRequestError):
            default.v1.customers.retrieve(cus.id)

        # When it is revoked, then within the cache time it is refused with a 401
        arrears("keys", "revoke", made["key"], "--database", database)
        time.sleep(0.6)
        with pytest.raises(stripe.AuthenticationError, match="Expired API Key provided"):
            mine.v1.customers.retrieve(cus.id)


def test_a_key_over_its_rate_limit_gets_stripes_429(database: str, tmp_path: Path) -> None:
    with Server(database=database, log=tmp_path / "serve.log", env={"ARREARS_TEST_RATE_LIMIT": "5"}) as server:
        client = make_client(server.url, "sk_test_busy")
        with pytest.raises(stripe.RateLimitError) as raised:
            for _ in range(50):
                client.v1.customers.list()
        assert raised.value.http_status == 429
        assert raised.value.json_body["error"]["code"] == "rate_limit"  # type: ignore[index]
        # Another key has its own budget
        assert make_client(server.url, "sk_test_calm").v1.customers.list().object == "list"
        # And the budget comes back
        time.sleep(1.1)
        assert client.v1.customers.list().object == "list"
        # The dialect faces count against the same key
        answers = [httpx.get(server.url + "/yorlet/v1/invoices", headers={"Authorization": "Bearer sk_test_yorlet"})
                   for _ in range(20)]
        assert {r.status_code for r in answers} == {200, 429}


@pytest.mark.slow
def test_rate_limits_are_off_in_test_mode_by_default(server: Server) -> None:
    statuses = {httpx.get(server.url + "/v1/customers", headers={"Authorization": "Bearer sk_test_many"}).status_code
                for _ in range(150)}
    assert statuses == {200}
