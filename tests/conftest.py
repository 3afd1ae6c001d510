"""Shared fixtures: a real ``arrears serve`` on loopback and the official stripe SDK pointed at it.

Every test that uses ``server`` or ``client`` runs once per backend (ids ``[sqlite]`` and
``[postgres]``): SQLite in a temporary folder, PostgreSQL in a throwaway cluster that the suite starts
on a free loopback port and removes at the end (tests/support/postgres.py). Tests that start their own
servers take the ``database`` fixture: a fresh, empty database URL on each backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.postgres import Cluster, PostgresMissing  # noqa: E402
from tests.support.server import KEY, Server  # noqa: E402

BACKENDS = ["sqlite", "postgres"]


def make_client(url: str, key: str = KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=0)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The suite's PostgreSQL server, started on first use. Missing binaries fail the tests that need it,
    with the command that installs them: nothing is skipped."""
    try:
        cluster = Cluster().start()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


def fresh_database(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """The URL of a new, empty database on ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'arrears.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend of the session's server: every test that uses it runs on each."""
    return str(request.param)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL, once per backend, for tests that start their own servers."""
    return fresh_database(request.param, request, tmp_path)


@pytest.fixture(scope="session")
def server(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"server-{backend}")
    srv = Server(database=fresh_database(backend, request, folder), log=folder / "serve.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> stripe.StripeClient:
    return make_client(server.url)


@pytest.fixture()
def customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(params={"email": "jenny@example.com", "name": "Jenny Rosen"})
