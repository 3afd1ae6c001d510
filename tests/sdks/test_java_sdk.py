"""The official stripe-java SDK against arrears (tests/sdks/java): the docs scenario with the docs' own call
``resource.markUncollectible(params)``, the state errors as ``StripeException``, auto-pagination with
``expand``, a webhook checked by ``Webhook.constructEvent``, an idempotent retry.

The program is built once per session with Maven (``mvn -q package``, artifacts under
tests/sdks/.cache/m2) and each of its checks is run on its own with ``java`` against a fresh server on each
backend: a JVM start per check instead of a Maven run per backend."""

from __future__ import annotations

import pytest

from tests.sdks.toolchains import CACHE, SDKS, build, need, run
from tests.support.server import KEY, Server

pytestmark = pytest.mark.slow

JAVA_DIR = SDKS / "java"
HOW = "install a Java 17 JDK and Maven (apt-get install openjdk-17-jdk-headless maven)"

CHECKS = [
    "the docs scenario writes the debt off and it can still be paid",
    "marking a draft, a paid or an uncollectible invoice is refused with Stripe's words",
    "auto-pagination walks every page and keeps the expansion",
    "the same idempotency key twice gives the same object",
    "a webhook is verified by the SDK's signature check",
    # stripe-java 33.3 is on the dahlia release train, arrears' default is endive: getObject() is empty for
    # an event of another version, so this holds only if the endpoint's api_version is honoured.
    "a webhook's object deserializes in the SDK's API version",
]


@pytest.fixture(scope="session")
def java_program() -> list[str]:
    """The command that runs the built program (its class path from target/classpath.txt)."""
    need(["java", "javac", "mvn"], HOW)
    maven = ["mvn", "-q", "-B", f"-Dmaven.repo.local={CACHE / 'm2'}", "-Dstyle.color=never", "package"]
    build(([*maven, "-o"], {}), (maven, {}), cwd=JAVA_DIR, timeout=900)
    target = JAVA_DIR / "target"
    classpath = f"{target / 'classes'}:{(target / 'classpath.txt').read_text().strip()}"
    return ["java", "-cp", classpath, "arrears.sdks.Scenario"]


def test_this_driver_runs_every_check_of_the_java_program(java_program: list[str]) -> None:
    listed = run([*java_program, "--list"], cwd=JAVA_DIR, env={}, timeout=60)
    assert listed.returncode == 0, listed.stdout
    assert sorted(listed.stdout.splitlines()) == sorted(CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_stripe_java_against_arrears(name: str, java_program: list[str], sdk_server: Server) -> None:
    env = {"ARREARS_URL": sdk_server.url, "ARREARS_KEY": KEY}
    done = run([*java_program, name], cwd=JAVA_DIR, env=env, timeout=120)
    assert done.returncode == 0 and f"PASS {name}" in done.stdout, done.stdout


def test_without_an_address_the_java_program_sends_nothing(java_program: list[str]) -> None:
    # A bare run must never reach api.stripe.com with a key: without ARREARS_URL it stops before any check.
    done = run(java_program, cwd=JAVA_DIR, env={}, timeout=60, without=("ARREARS_URL", "ARREARS_KEY"))
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip() == "ARREARS_URL and ARREARS_KEY are not set: nothing to test against"

