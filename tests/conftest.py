"""Shared fixtures: a real ``arrears serve`` on loopback and the official stripe SDK pointed at it.

Every test that uses ``server`` or ``client`` runs once per backend (ids ``[sqlite]`` and
``[postgres]``): SQLite in a temporary folder, PostgreSQL in a throwaway cluster that the suite starts
on a free loopback port and removes at the end (tests/support/postgres.py). Tests that start their own
servers take the ``database`` fixture: a fresh, empty database URL on each backend, and ``own_server`` to
start them (``serve_in`` does the same for module-scoped fixtures). ``http`` is httpx on the session's
server, for what the SDK cannot send or show."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The shared helpers assert too: rewrite their asserts as pytest does a test's, for readable failures.
pytest.register_assert_rewrite("tests.support", "tests.factories")

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


def serve_in(folder: Path, database: str | None = None, **options: Any) -> Iterator[Server]:
    """A server of its own for a module- or session-scoped fixture, as ``yield from serve_in(folder, ...)``:
    on ``database`` (by default a new SQLite file in ``folder``), logging to ``folder/serve.log``, with
    ``options`` for ``Server`` (``env=``, ``workers=``, ...); stopped at the fixture's teardown."""
    with Server(database=database or f"sqlite:///{folder / 'arrears.db'}", log=folder / "serve.log",
                **options) as server:
        yield server


OwnServer = Callable[..., Server]


@pytest.fixture()
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    """Start servers of the test's own: ``own_server(database, env=..., workers=...)`` is a started
    ``Server`` on ``database`` logging to ``tmp_path/serve.log`` (``log="other.log"`` for a second one).
    Every one still running is stopped at teardown; a test may stop (and restart) them itself before."""
    with contextlib.ExitStack() as started:
        def start(database: str, *, log: str = "serve.log", **options: Any) -> Server:
            return started.enter_context(Server(database=database, log=tmp_path / log, **options))
        yield start


@pytest.fixture(scope="session")
def server(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"server-{backend}")
    yield from serve_in(folder, fresh_database(backend, request, folder))


@pytest.fixture(scope="session")
def client(server: Server) -> stripe.StripeClient:
    return make_client(server.url)


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    """httpx on the session's server with the open-mode key, for what the SDK cannot send or show."""
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as client:
        yield client


@pytest.fixture()
def customer(client: stripe.StripeClient) -> stripe.Customer:
    return client.v1.customers.create(params={"email": "jenny@example.com", "name": "Jenny Rosen"})
