"""The SDK suites' server: one of their own per backend, so that the webhook endpoints the SDK programs
create (and the events they cause) never reach the session's shared server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS, fresh_database, serve_in
from tests.support.server import Server


@pytest.fixture(scope="module", params=BACKENDS)
def sdk_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"sdk-server-{request.param}")
    yield from serve_in(folder, fresh_database(request.param, request, folder))
