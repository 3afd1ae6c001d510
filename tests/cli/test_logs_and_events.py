"""``arrears logs tail`` (the running server's request log, filtered as ``stripe logs tail`` filters) and
``arrears events list|retrieve|resend``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import stripe

from arrears.workflow.logs import Filters
from tests.cli.support import arrears, one_line_error, running
from tests.conftest import OwnServer
from tests.support.accounts import KeySpec, provision
from tests.support.receiver import Receiver
from tests.support.server import KEY, Server

AUTH = {"Authorization": f"Bearer {KEY}"}


def test_logs_tail_streams_the_requests_its_filters_admit_with_request_id_and_error(server: Server) -> None:
    # Given a tail of failed GETs of one path
    missing = f"/v1/customers/cus_missing{uuid.uuid4().hex[:10]}"
    with running("logs", "tail", "--api-base", server.url, "--seconds", "30", "--filter-status-code", "4XX",
                 "--filter-http-method", "GET", "--filter-request-path", missing, "--max-lines", "1",
                 "--format", "JSON") as (proc, out):
        out.wait_for("Ready!")
        # When the server answers a 200, a POST to that path, and a GET of it that fails
        assert httpx.get(server.url + "/v1/customers?limit=1", headers=AUTH).status_code == 200
        assert httpx.post(server.url + missing, headers=AUTH, data={"name": "x"}).status_code == 404
        refused = httpx.get(server.url + missing, headers=AUTH)
        assert refused.status_code == 404
        assert proc.wait(timeout=30) == 0
    # Then only the failed GET is shown, with its request id, mode and Stripe's error message
    shown = [json.loads(line) for line in out.lines if line.startswith("{")]
    assert len(shown) == 1
    entry = shown[0]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", missing, 404)
    assert entry["request_id"] == refused.headers["request-id"]
    assert entry["livemode"] is False and entry["error_type"] == "invalid_request_error"
    assert entry["error_message"] == refused.json()["error"]["message"]


def test_status_code_filters_take_codes_and_classes() -> None:
    filters = Filters.of(["200,4xx"], ["post"], ["/v1/invoices/*"], None)
    entry = {"status": 402, "method": "POST", "path": "/v1/invoices/in_1/pay", "account": "acct_default"}
    assert filters.admits(entry)
    assert not filters.admits({**entry, "status": 500})
    assert not filters.admits({**entry, "method": "GET"})
    assert not filters.admits({**entry, "path": "/v1/customers"})
    assert Filters.of(None, None, None, ["acct_other"]).admits(entry) is False


def test_a_status_filter_that_is_no_code_is_one_line(server: Server) -> None:
    assert "use codes like 200" in one_line_error(arrears("logs", "tail", "--api-base", server.url,
                                                          "--filter-status-code", "teapot"))


def test_events_resend_makes_a_new_delivery_attempt_to_the_endpoint(server: Server,
                                                                    client: stripe.StripeClient) -> None:
    with Receiver() as hook:
        # Given an endpoint that got a customer.created event once
        endpoint = client.v1.webhook_endpoints.create(params={"url": hook.url, "enabled_events": ["customer.created"]})
        hook.secret = endpoint.secret
        try:
            cus = client.v1.customers.create(params={"name": "Resent"})
            event = next(e for e in hook.wait_for(1) if e.data.object["id"] == cus.id)
            # When it is resent to that endpoint
            run = arrears("events", "resend", event.id, "--webhook-endpoint", endpoint.id, "--api-base", server.url)
            assert run.returncode == 0, run.stderr
            assert f"Resent customer.created {event.id} to {endpoint.id}" in run.stdout
            # Then the endpoint gets it a second time, and the attempts show two deliveries
            hook.wait_for(2)
            assert hook.event_ids().count(event.id) == 2
            attempts = arrears("webhooks", "attempts", "--event", event.id, "--format", "json",
                               "--api-base", server.url)
            rows = json.loads(attempts.stdout)
            assert len({row["delivery"] for row in rows}) == 2 and all(row["succeeded"] for row in rows)
        finally:
            client.v1.webhook_endpoints.delete(endpoint.id)


def test_events_resend_of_an_unknown_event_is_stripes_404_in_one_line(server: Server) -> None:
    message = one_line_error(arrears("events", "resend", "evt_nope", "--api-base", server.url))
    assert "No such event: 'evt_nope'" in message


def test_events_list_and_retrieve_show_the_servers_events(server: Server, client: stripe.StripeClient) -> None:
    cus = client.v1.customers.create(params={"name": "Listed"})
    listed = arrears("events", "list", "--type", "customer.created", "--limit", "100", "--format", "json",
                     "--api-base", server.url)
    event = next(e for e in json.loads(listed.stdout)["data"] if e["data"]["object"]["id"] == cus.id)
    shown = arrears("events", "retrieve", event["id"], "--api-base", server.url)
    assert json.loads(shown.stdout)["id"] == event["id"]
    table = arrears("events", "list", "--api-base", server.url, "--limit", "100")
    assert event["id"] in table.stdout


def test_a_tail_on_a_strict_server_sees_its_own_accounts_requests_only(own_server: OwnServer,
                                                                         tmp_path: Path) -> None:
    # Given a strict server with two accounts
    database = f"sqlite:///{tmp_path / 'arrears.db'}"
    keys = provision(database, {"acct_alpha": None, "acct_beta": None},
                     [KeySpec("alpha", "acct_alpha"), KeySpec("beta", "acct_beta")])
    srv = own_server(database, args=("--auth", "strict"))
    # And alpha tailing the log
    with running("logs", "tail", "--api-base", srv.url, "--api-key", keys["alpha"], "--seconds", "30",
                 "--max-lines", "1", "--format", "JSON") as (proc, out):
        out.wait_for("Ready!")
        # When beta, then alpha, make a request
        beta = httpx.get(srv.url + "/v1/customers", headers={"Authorization": f"Bearer {keys['beta']}"})
        alpha = httpx.get(srv.url + "/v1/invoices", headers={"Authorization": f"Bearer {keys['alpha']}"})
        assert proc.wait(timeout=30) == 0
    # Then alpha's tail shows alpha's request, and not beta's
    shown = [json.loads(line) for line in out.lines if line.startswith("{")]
    assert [(e["account"], e["path"], e["request_id"]) for e in shown] == [
        ("acct_alpha", "/v1/invoices", alpha.headers["request-id"])]
    assert beta.headers["request-id"] not in "\n".join(out.lines)
