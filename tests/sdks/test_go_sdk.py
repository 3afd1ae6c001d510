"""The official stripe-go SDK against arrears (tests/sdks/go): the docs scenario with the docs' own call
``invoice.MarkUncollectible``, the state errors as ``*stripe.Error``, auto-pagination with ``expand``, a
webhook checked by ``webhook.ConstructEvent*``, an idempotent retry.

The Go test binary is compiled once per session (``go test -c``, modules and build cache under
tests/sdks/.cache/go) and each of its tests is run on its own against a fresh server on each backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sdks.toolchains import CACHE, SDKS, build, need, run
from tests.support.server import KEY, Server

pytestmark = pytest.mark.slow

GO_DIR = SDKS / "go"
GO_CACHE = CACHE / "go"
GO_ENV = {
    "GOPATH": str(GO_CACHE), "GOMODCACHE": str(GO_CACHE / "mod"), "GOCACHE": str(GO_CACHE / "build"),
    "GOFLAGS": "-mod=readonly -modcacherw -buildvcs=false", "GOTOOLCHAIN": "local", "GOWORK": "off",
}
HOW = "install Go 1.23 or newer (https://go.dev/doc/install) and put `go` on the PATH"

GO_TESTS = [
    "TestTheDocsScenarioWritesTheDebtOffAndItCanStillBePaid",
    "TestMarkingADraftAPaidOrAnUncollectibleInvoiceIsRefusedWithStripesWords",
    "TestAutoPaginationWalksEveryPageAndKeepsTheExpansion",
    "TestTheSameIdempotencyKeyTwiceGivesTheSameObject",
    "TestAWebhookIsVerifiedByTheSDKsSignatureCheck",
    # stripe-go 85 is on the dahlia release train, arrears' default is endive: webhook.ConstructEvent
    # refuses an event of another train, so this holds only if the endpoint's api_version is honoured.
    "TestAWebhookForAnEndpointInTheSDKsAPIVersionPassesTheStrictCheck",
]


@pytest.fixture(scope="session")
def go_tests() -> Path:
    """The compiled Go test program (built from the pinned go.mod/go.sum)."""
    need(["go"], HOW)
    binary = GO_CACHE / "bin" / "sdks.test"
    command = ["go", "test", "-c", "-o", str(binary), "."]
    build((command, {**GO_ENV, "GOPROXY": "off"}), (command, GO_ENV), cwd=GO_DIR, timeout=900)
    return binary


def test_this_driver_runs_every_test_of_the_go_program(go_tests: Path) -> None:
    listed = run([str(go_tests), "-test.list", "."], cwd=GO_DIR, env={}, timeout=60)
    assert listed.returncode == 0, listed.stdout
    assert sorted(listed.stdout.split()) == sorted(GO_TESTS)


@pytest.mark.parametrize("name", GO_TESTS)
def test_stripe_go_against_arrears(name: str, go_tests: Path, sdk_server: Server) -> None:
    env = {"ARREARS_URL": sdk_server.url, "ARREARS_KEY": KEY}
    done = run([str(go_tests), "-test.v", "-test.run", f"^{name}$"], cwd=GO_DIR, env=env, timeout=120)
    assert done.returncode == 0 and f"--- PASS: {name}" in done.stdout, done.stdout


def test_without_an_address_the_go_program_sends_nothing(go_tests: Path) -> None:
    # A bare run must never reach api.stripe.com with a key: without ARREARS_URL it stops before any test.
    done = run([str(go_tests), "-test.v"], cwd=GO_DIR, env={}, timeout=60, without=("ARREARS_URL", "ARREARS_KEY"))
    assert done.returncode == 0, done.stdout
    assert "nothing to test against" in done.stdout and "=== RUN" not in done.stdout
