"""Shared fixtures: a real ``arrears serve`` on loopback and the official stripe SDK pointed at it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import KEY, Server  # noqa: E402


def make_client(url: str, key: str = KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=0)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    srv = Server(database=f"sqlite:///{folder / 'arrears.db'}", log=folder / "serve.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> stripe.StripeClient:
    return make_client(server.url)


@pytest.fixture()
def customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(params={"email": "jenny@example.com", "name": "Jenny Rosen"})
