"""``arrears listen``: a stable signing secret, known event types only, and every event forwarded exactly
once across a restart of the server it follows (long poll, resumed from the last event it handled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import arrears, one_line_error, running
from tests.conftest import OwnServer, make_client
from tests.support.receiver import Receiver
from tests.support.server import free_port


@pytest.fixture()
def config(tmp_path: Path) -> dict[str, str]:
    """Where listen keeps its secret: a folder of the test's own."""
    return {"ARREARS_CONFIG_DIR": str(tmp_path / "config")}


@pytest.mark.slow
def test_listen_forwards_every_event_exactly_once_across_a_server_restart(database: str, own_server: OwnServer,
                                                                         config: dict[str, str]) -> None:
    # Given a server, and listen forwarding its events to a webhook handler with the machine's secret
    port = free_port()
    srv = own_server(database, port=port)
    secret = arrears("listen", "--print-secret", "--api-base", srv.url, env=config).stdout.strip()
    assert secret.startswith("whsec_")
    with Receiver(secret) as hook:
        with running("listen", "--forward-to", hook.url, "--api-base", srv.url, "--seconds", "60",
                     "--max-events", "4", env=config) as (proc, out):
            assert out.wait_for("Ready!") == f"Ready! Your webhook signing secret is {secret} (^C to quit)"
            client = make_client(srv.url)
            first = client.v1.customers.create(params={"name": "Before"})
            hook.wait_for(1)
            # When the server stops, comes back on the same database, and events happen at once
            srv.stop()
            out.wait_for("waiting for it to come back")
            srv = own_server(database, port=port, log="again.log")
            client = make_client(srv.url)
            second = client.v1.customers.create(params={"name": "After"})
            client.v1.customers.update(second.id, params={"name": "After, renamed"})
            client.v1.customers.delete(first.id)
            proc.wait(timeout=40)
            # Then listen said it reconnected and ended after the four events
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
            out.wait_for("Reconnected to")
        # And the handler got each of the four, once, in order, signed with the same secret
        expected = [e.id for e in reversed(list(client.v1.events.list(params={"limit": 10}).auto_paging_iter()))]
        assert len(expected) == 4
        assert hook.event_ids() == expected
        assert hook.rejected == []
    assert arrears("listen", "--print-secret", "--api-base", srv.url, env=config).stdout.strip() == secret


def test_the_signing_secret_is_kept_per_account(own_server: OwnServer, tmp_path: Path,
                                                config: dict[str, str]) -> None:
    srv = own_server(f"sqlite:///{tmp_path / 'arrears.db'}")
    once = arrears("listen", "--print-secret", "--api-base", srv.url, env=config)
    again = arrears("listen", "--print-secret", "--api-base", srv.url, env=config)
    assert once.returncode == 0 and once.stdout == again.stdout
    assert (Path(config["ARREARS_CONFIG_DIR"]) / "secrets.json").stat().st_mode & 0o077 == 0
    elsewhere = arrears("listen", "--print-secret", "--api-base", srv.url,
                        env={"ARREARS_CONFIG_DIR": str(tmp_path / "other")})
    assert elsewhere.stdout != once.stdout


def test_unknown_event_types_are_refused_with_the_known_ones(config: dict[str, str]) -> None:
    message = one_line_error(arrears("listen", "--events", "invoice.paid,charge.succeeded", env=config))
    assert "arrears emits no charge.succeeded events" in message and "invoice.payment_failed" in message


def test_a_refused_key_says_the_key_is_wrong_not_that_the_server_is_down(own_server: OwnServer, tmp_path: Path,
                                                                          config: dict[str, str]) -> None:
    srv = own_server(f"sqlite:///{tmp_path / 'arrears.db'}")
    message = one_line_error(arrears("listen", "--api-base", srv.url, "--api-key", "sk_live_wrong", env=config))
    assert "refused the API key" in message and "--api-key" in message
    assert "arrears serve" not in message


def test_listen_filters_by_type_and_prints_json(own_server: OwnServer, tmp_path: Path,
                                                config: dict[str, str]) -> None:
    import json

    srv = own_server(f"sqlite:///{tmp_path / 'arrears.db'}")
    with running("listen", "--api-base", srv.url, "--events", "customer.updated", "--format", "JSON",
                 "--max-events", "1", "--seconds", "30", env=config) as (proc, out):
        out.wait_for("Ready!")
        client = make_client(srv.url)
        cus = client.v1.customers.create(params={"name": "A"})
        client.v1.customers.update(cus.id, params={"name": "B"})
        assert proc.wait(timeout=30) == 0
    printed = [json.loads(line) for line in out.lines if line.startswith("{")]
    assert [(e["type"], e["data"]["object"]["name"]) for e in printed] == [("customer.updated", "B")]
