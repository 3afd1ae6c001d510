"""What survives a restart: every acknowledged write is on disk when ``arrears serve`` stops, whether
it is asked to (SIGTERM) or killed (SIGKILL). And the schema is brought to head by ``arrears migrate``."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
import stripe

from arrears.store import versions
from tests import factories
from tests.conftest import OwnServer, make_client
from tests.support.server import KEY, Server, free_port

PREFIX = "PERSIST"


@pytest.fixture()
def srv(database: str, own_server: OwnServer) -> Server:
    return own_server(database)


def book(client: stripe.StripeClient) -> dict[str, Any]:
    """A customer with credit, invoices in every status, a pending item and balance adjustments."""
    cus = client.v1.customers.create(params={
        "email": "keep@example.com", "name": "Keep Me", "invoice_prefix": PREFIX, "balance": -300,
        "metadata": {"tier": "gold"}})
    invoices = {status: factories.invoice_in(client, status, cus=cus, amount=1000 + i)
                for i, status in enumerate(("void", "open", "paid", "uncollectible"))}
    client.v1.customers.balance_transactions.create(cus.id, params={"amount": 250, "currency": "usd"})
    invoices["draft"] = factories.draft(client, cus=cus, amount=777, metadata={"order": "o-1"})
    pending = client.v1.invoice_items.create(params={"customer": cus.id, "amount": 55, "currency": "usd"})
    return {"customer": cus.id, "invoices": {s: inv.id for s, inv in invoices.items()}, "pending": pending.id}


def snapshot(client: stripe.StripeClient, ids: dict[str, Any]) -> dict[str, Any]:
    cus = ids["customer"]
    return {
        "customer": client.v1.customers.retrieve(cus).to_dict(),
        "invoices": {s: client.v1.invoices.retrieve(i).to_dict() for s, i in ids["invoices"].items()},
        "invoice_list": [inv.id for inv in client.v1.invoices.list(params={"customer": cus, "limit": 100})],
        "items": [i.to_dict() for i in client.v1.invoice_items.list(params={"customer": cus, "limit": 100})],
        "balance_transactions": [t.to_dict() for t in client.v1.customers.balance_transactions.list(
            cus, params={"limit": 100})],
        "search": [inv.id for inv in client.v1.invoices.search(params={"query": 'metadata["order"]:"o-1"'})],
    }


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_everything_acknowledged_survives_a_restart(srv: Server, sig: int) -> None:
    # Given a server that has acknowledged a book of customers, invoices, items and balance moves
    client = make_client(srv.url)
    ids = book(client)
    before = snapshot(client, ids)
    assert {s: inv["status"] for s, inv in before["invoices"].items()} == {
        "void": "void", "open": "open", "paid": "paid", "uncollectible": "uncollectible", "draft": "draft"}

    # When it stops (asked to, or killed right after its last answer) and starts again on the same file
    srv.stop(sig)
    srv.start()

    # Then everything reads back exactly as it was acknowledged
    after = snapshot(client, ids)
    assert after == before
    # -300 of credit, used by the first invoice, given back when it was voided, used by the next; then +250
    assert after["customer"]["balance"] == 250
    assert [inv["number"] for inv in after["invoices"].values()] == [
        f"{PREFIX}-0001", f"{PREFIX}-0002", f"{PREFIX}-0003", f"{PREFIX}-0004", None]
    assert [t["type"] for t in after["balance_transactions"]] == [
        "adjustment", "applied_to_invoice", "unapplied_from_invoice", "applied_to_invoice", "initial"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_work_carries_on_after_a_restart(srv: Server, sig: int) -> None:
    client = make_client(srv.url)
    ids = book(client)

    srv.stop(sig)
    srv.start()

    # the draft made before the restart finalizes with the next number, taking in the balance
    draft = client.v1.invoices.finalize_invoice(ids["invoices"]["draft"])
    assert (draft.status, draft.number) == ("open", f"{PREFIX}-0005")
    assert (draft.starting_balance, draft.amount_due) == (250, 1027)
    # the pending item is still pending and goes onto a new invoice
    inv = client.v1.invoices.create(params={"customer": ids["customer"], "pending_invoice_items_behavior": "include"})
    assert [line.parent.invoice_item_details.invoice_item for line in inv.lines.data] == [ids["pending"]]
    assert client.v1.invoices.finalize_invoice(inv.id).number == f"{PREFIX}-0006"
    assert client.v1.customers.retrieve(ids["customer"]).next_invoice_sequence == 7
    # and the invoices left open or uncollectible can still be settled
    paid = client.v1.invoices.pay(ids["invoices"]["uncollectible"], params={"paid_out_of_band": True})
    assert (paid.status, paid.amount_remaining) == ("paid", 0)


def test_writes_made_just_before_a_kill_are_all_there(srv: Server) -> None:
    client = make_client(srv.url)
    cus = client.v1.customers.create(params={"email": "burst@example.com"})
    made = [client.v1.invoice_items.create(params={"customer": cus.id, "amount": n, "currency": "usd"}).id
            for n in range(1, 41)]

    srv.stop(signal.SIGKILL)
    srv.start()

    found = [i.id for i in client.v1.invoice_items.list(params={"customer": cus.id, "limit": 100})]
    assert found == made[::-1]


# --- migrations from the command line -------------------------------------------------------------

def arrears(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_migrate_applies_every_migration_once(database: str) -> None:
    url = database
    names = [name for _, name, _ in versions.read("sqlite" if url.startswith("sqlite") else "postgres")]
    assert names  # there is a schema to apply

    first = arrears("migrate", "--database", url)
    second = arrears("migrate", "--database", url)

    assert first.returncode == 0, first.stderr
    assert all(name in first.stdout for name in names)
    assert f"{len(names)} migration(s) applied" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "0 migration(s) applied" in second.stdout
    assert not any(name in second.stdout for name in names)


def test_serve_with_no_migrate_refuses_an_unmigrated_database(database: str) -> None:
    url = database

    result = arrears("serve", "--no-migrate", "--port", str(free_port()), "--database", url, timeout=30)

    assert result.returncode != 0
    assert "arrears migrate" in result.stderr


def test_serve_with_no_migrate_starts_on_a_migrated_database(database: str) -> None:
    url = database
    assert arrears("migrate", "--database", url).returncode == 0
    port = free_port()

    proc = subprocess.Popen([sys.executable, "-m", "arrears", "serve", "--no-migrate", "--port", str(port),
                             "--database", url], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline, answered = time.monotonic() + 20, False
        while time.monotonic() < deadline and proc.poll() is None and not answered:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/customers",
                                                 headers={"Authorization": f"Bearer {KEY}"})
                with urllib.request.urlopen(request, timeout=1) as response:
                    answered = response.status == 200
            except (urllib.error.URLError, OSError):
                time.sleep(0.05)
        assert answered, proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else "no answer"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
