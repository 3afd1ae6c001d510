"""``arrears trigger EVENT`` and ``arrears fixtures FILE``: the Stripe CLI's fixture format run against a
real server, one built-in fixture per event type arrears emits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stripe

from arrears.domain.events import EMITTED
from arrears.workflow import fixtures, trigger
from arrears.workflow.client import Api, WorkflowError
from tests.cli.support import arrears, one_line_error
from tests.support.server import KEY, Server


def test_there_is_a_builtin_trigger_for_every_event_type_arrears_emits() -> None:
    assert trigger.events() == sorted(EMITTED)


@pytest.mark.parametrize("event", sorted(EMITTED))
def test_each_builtin_fixture_makes_the_server_emit_its_event(server: Server, client: stripe.StripeClient,
                                                               event: str) -> None:
    with Api(base=server.url, key=KEY) as api:
        found = trigger.trigger(event, api, overrides=[], adds=[], removes=[], skips=[], out=lambda line: None)
    assert found is not None
    assert client.v1.events.retrieve(found["id"]).type == event


def test_trigger_help_lists_the_events(tmp_path: Path) -> None:
    run = arrears("trigger", "--help", env={"COLUMNS": "200"})
    assert run.returncode == 0
    assert all(event in run.stdout for event in EMITTED)


def test_trigger_applies_overrides_and_adds_as_the_stripe_cli_does(server: Server,
                                                                   client: stripe.StripeClient) -> None:
    run = arrears("trigger", "customer.created", "--api-base", server.url, "--api-key", KEY,
                  "--override", "customer:description=from the test", "--add", "customer:metadata.order=42",
                  "--add", "customer:name=Grace Hopper")
    assert run.returncode == 0, run.stderr
    assert "Trigger succeeded! customer.created is evt_" in run.stdout
    event_id = run.stdout.split("customer.created is ", 1)[1].split(":")[0]
    made = client.v1.events.retrieve(event_id).data.object
    assert (made["description"], made["metadata"]["order"], made["name"]) == ("from the test", "42", "Grace Hopper")


def test_trigger_refuses_an_override_of_a_param_the_fixture_does_not_set(server: Server) -> None:
    message = one_line_error(arrears("trigger", "customer.created", "--api-base", server.url,
                                     "--override", "customer:nickname=x"))
    assert "use --add" in message


def test_skipping_the_step_that_emits_the_event_says_no_event_came(server: Server) -> None:
    run = arrears("trigger", "invoice.voided", "--api-base", server.url, "--skip", "invoice_void")
    assert run.returncode == 1 and "no invoice.voided event came of it" in run.stdout


def test_an_unknown_event_is_refused_with_the_list(server: Server) -> None:
    run = arrears("trigger", "charge.succeeded", "--api-base", server.url)
    assert run.returncode == 2 and "invoice.payment_failed" in run.stderr and "Traceback" not in run.stderr


FILE = {
    "_meta": {"template_version": 0},
    "fixtures": [
        {"name": "cus", "path": "/v1/customers", "method": "post",
         "params": {"name": "${.env:CUSTOMER_NAME}", "description": "${.env:NOT_SET|fallback}"}},
        {"name": "item", "path": "/v1/invoiceitems", "method": "post",
         "params": {"customer": "${cus:id}", "amount": 500, "currency": "usd"}},
        {"name": "inv", "path": "/v1/invoices", "method": "post",
         "params": {"customer": "${cus:id}", "pending_invoice_items_behavior": "include",
                    "metadata": {"first_line": "${item:id} for ${cus:name}"}}},
        {"name": "fin", "path": "/v1/invoices/${inv:id}/finalize", "method": "post"},
        {"name": "again", "path": "/v1/invoices/${inv:id}/finalize", "method": "post",
         "expected_error_type": "invalid_request_error"},
        {"name": "read", "path": "/v1/invoices/${inv:id}", "method": "get"},
        {"name": "line", "path": "/v1/invoices/${inv:id}/lines", "method": "get",
         "params": {"limit": "${read:lines.data[0].quantity}"}},
    ],
}


def test_a_stripe_cli_fixture_file_runs_with_references_env_and_an_expected_error(server: Server,
                                                                                  tmp_path: Path) -> None:
    path = tmp_path / "flow.json"
    path.write_text(json.dumps(FILE))
    run = arrears("fixtures", str(path), "--api-base", server.url, "--format", "json",
                  env={"CUSTOMER_NAME": "Katherine Johnson"})
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    assert (answers["cus"]["name"], answers["cus"]["description"]) == ("Katherine Johnson", "fallback")
    assert answers["inv"]["metadata"]["first_line"] == f"{answers['item']['id']} for Katherine Johnson"
    assert answers["fin"]["status"] == "open"
    assert answers["again"]["error"]["type"] == "invalid_request_error"
    assert answers["line"]["data"][0]["amount"] == 500


def test_a_fixture_that_succeeds_where_an_error_was_expected_fails_the_run(server: Server, tmp_path: Path) -> None:
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps({"fixtures": [{"name": "cus", "path": "/v1/customers", "method": "post",
                                              "expected_error_type": "card_error"}]}))
    assert "expected a card_error" in one_line_error(arrears("fixtures", str(path), "--api-base", server.url))


def test_a_refused_fixture_names_itself_and_stripes_message(server: Server, tmp_path: Path) -> None:
    path = tmp_path / "refused.json"
    path.write_text(json.dumps({"fixtures": [{"name": "bad", "path": "/v1/customers", "method": "post",
                                              "params": {"nickname": "x"}}]}))
    message = one_line_error(arrears("fixtures", str(path), "--api-base", server.url))
    assert "fixture 'bad'" in message and "Received unknown parameter: nickname" in message


def test_a_file_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{")
    assert "is not JSON" in one_line_error(arrears("fixtures", str(path)))


def test_a_reference_to_a_missing_field_names_it() -> None:
    with pytest.raises(WorkflowError, match=r"the answer of 'cus' has no lines.data.0"):
        fixtures.resolve("${cus:lines.data.0}", {"cus": {"lines": {"data": []}}}, {})


def test_a_whole_string_reference_keeps_the_value_type() -> None:
    assert fixtures.resolve({"n": "${a:count}", "s": "x${a:count}"}, {"a": {"count": 3}}, {}) == {"n": 3, "s": "x3"}
