"""A webhook endpoint cannot reach inside the server's network: on a strict server (registered keys, any
non-loopback address) ``POST /v1/webhook_endpoints`` and its update refuse URLs aimed at loopback,
private, link-local, cloud metadata and other non-public addresses, disguised IPv4 forms, credentials
in the URL and impossible ports, with Stripe's 400 on ``url``; an operator can let private networks
through with ``ARREARS_WEBHOOK_ALLOW_PRIVATE=1`` (never metadata). Delivery-time checks (a name that
later resolves elsewhere) are in tests/webhooks/test_webhook_worker.py; the rules, one by one, in
tests/unit/test_webhook_url_policy.py.

The servers run without the delivery worker: the public endpoints they accept are never called."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, fresh_database
from tests.support.accounts import KeySpec, provision
from tests.support.server import Server

ACCOUNT = "acct_hooks"

# One URL per class of target; the unit table has the rest.
INSIDE = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://metadata/computeMetadata/v1/",
    "http://instance-data/latest/meta-data/",
    "http://127.0.0.1:9/hook",
    "http://localhost:8080/hook",
    "http://[::1]:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.0.1/hook",
    "http://192.168.0.10/hook",
    "http://[fd00::1]/hook",
    "http://100.64.0.1/hook",
    "http://169.254.10.10/hook",
    "http://[fe80::1]/hook",
    "http://0.0.0.0:8080/hook",
    "http://[::]/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://printer/hook",
    "http://billing.internal/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f.1/hook",
    "http://127.1/hook",
    "http://hooks.example.com@127.0.0.1/hook",
    "https://user:secret@hooks.example.com/hook",
    "http://hooks.example.com:99999/hook",
    "http://hooks.example.com:0/hook",
    "http://hooks.example.com:abc/hook",
]
PRIVATE_OK = ["http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://[::1]:8080/hook",
              "http://10.0.0.5/hook", "http://172.16.0.1/hook", "http://192.168.0.10/hook", "http://[fd00::1]/hook", "http://100.64.0.1/hook",
              "http://printer/hook", "http://billing.internal/hook", "http://[::ffff:127.0.0.1]/hook"]
PUBLIC = ["https://93.184.216.34/hooks", "https://[2606:4700:4700::1111]/hooks", "https://hooks.example.com/stripe"]


@dataclass
class Strict:
    server: Server
    http: httpx.Client

    def create(self, url: str) -> httpx.Response:
        return self.http.post("/v1/webhook_endpoints", data={"url": url, "enabled_events[]": "*"})

    def update(self, endpoint_id: str, url: str) -> httpx.Response:
        return self.http.post(f"/v1/webhook_endpoints/{endpoint_id}", data={"url": url})

    def urls(self) -> list[str]:
        listed = self.http.get("/v1/webhook_endpoints", params={"limit": 100})
        assert listed.status_code == 200, listed.text
        return [e["url"] for e in listed.json()["data"]]


def strict_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  **env: str) -> Iterator[Strict]:
    folder = tmp_path_factory.mktemp(f"webhook-urls-{request.param}")
    database = fresh_database(request.param, request, folder)
    keys = provision(database, {ACCOUNT: None}, [KeySpec("key", ACCOUNT)])
    env = {"ARREARS_AUTH": "strict", "ARREARS_WEBHOOKS": "off", "ARREARS_SCHEDULER": "off", **env}
    with Server(database=database, log=folder / "serve.log", env=env) as server, \
            httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {keys['key']}"}, timeout=30) as http:
        yield Strict(server, http)


@pytest.fixture(scope="module", params=BACKENDS)
def strict(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Strict]:
    yield from strict_server(request, tmp_path_factory)


@pytest.fixture(scope="module", params=BACKENDS)
def allowing(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Strict]:
    yield from strict_server(request, tmp_path_factory, ARREARS_WEBHOOK_ALLOW_PRIVATE="1")


def refused(response: httpx.Response, url: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error: dict[str, Any] = response.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", "url", "url_invalid")
    assert error["message"].startswith(f"Invalid URL: {url} (")
    return error


@pytest.mark.parametrize("url", INSIDE)
def test_a_strict_server_refuses_to_create_an_endpoint_that_reaches_inside_the_network(
        strict: Strict, url: str) -> None:
    before = strict.urls()

    refused(strict.create(url), url)

    assert strict.urls() == before


@pytest.mark.parametrize("url", INSIDE)
def test_a_strict_server_refuses_to_point_an_existing_endpoint_inside_the_network(strict: Strict, url: str) -> None:
    created = strict.create("https://hooks.example.com/stripe")
    assert created.status_code == 200, created.text
    endpoint_id = created.json()["id"]

    refused(strict.update(endpoint_id, url), url)

    kept = strict.http.get(f"/v1/webhook_endpoints/{endpoint_id}").json()
    assert kept["url"] == "https://hooks.example.com/stripe"


def test_the_refusal_says_why_and_what_the_operator_can_do(strict: Strict) -> None:
    error = refused(strict.create("http://169.254.169.254/latest/"), "http://169.254.169.254/latest/")

    assert "169.254.169.254 is a cloud metadata address" in error["message"]
    assert "publicly accessible" in error["message"] and "ARREARS_WEBHOOK_ALLOW_PRIVATE=1" in error["message"]
    local = refused(strict.create("http://localhost:4242/webhook"), "http://localhost:4242/webhook")
    assert "localhost is a loopback name" in local["message"]


@pytest.mark.parametrize("url", PUBLIC)
def test_a_strict_server_takes_public_endpoints(strict: Strict, url: str) -> None:
    created = strict.create(url)

    assert created.status_code == 200, created.text
    assert created.json()["url"] == url


@pytest.mark.parametrize("url", PRIVATE_OK)
def test_an_operator_can_allow_private_networks_on_a_strict_server(allowing: Strict, url: str) -> None:
    created = allowing.create(url)

    assert created.status_code == 200, created.text


@pytest.mark.parametrize("url", sorted(set(INSIDE) - set(PRIVATE_OK)))
def test_allowing_private_networks_still_refuses_metadata_link_local_and_disguised_urls(
        allowing: Strict, url: str) -> None:
    refused(allowing.create(url), url)
