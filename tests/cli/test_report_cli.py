"""``arrears report`` and ``arrears webhooks attempts`` find the server's data as the user expects: through
the running server with --api-base, or in the database `arrears serve` uses; never a new, empty one."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import stripe

from tests import factories
from tests.cli.support import arrears, one_line_error
from tests.support.server import Server


@pytest.fixture(scope="module")
def owed(client: stripe.StripeClient) -> stripe.Invoice:
    """An open invoice of 12.34 USD owed by a named customer."""
    cus = factories.new_customer(client, name="Ada Lovelace")
    return factories.invoice_in(client, "open", amount=1234, cus=cus)


def test_the_aging_table_read_through_the_server_names_the_customer_says_the_unit_and_totals(
        server: Server, owed: stripe.Invoice) -> None:
    run = arrears("report", "aging", "--currency", "USD", "--api-base", server.url, env={"COLUMNS": "250"})
    assert run.returncode == 0, run.stderr
    row = next(line for line in run.stdout.splitlines() if str(owed.customer) in line)
    assert "Ada Lovelace" in row and "12.34" in row
    assert "total (USD)" in run.stdout
    assert any(line.strip("│| ").startswith("TOTAL") for line in run.stdout.splitlines()), run.stdout
    assert f"from {server.url}" in run.stdout


def test_the_report_through_the_server_and_from_its_database_agree(server: Server, owed: stripe.Invoice) -> None:
    through = arrears("report", "aging", "--format", "json", "--as-of", "2100-01-01", "--api-base", server.url)
    direct = arrears("report", "aging", "--format", "json", "--as-of", "2100-01-01", "--database", server.database)
    assert through.returncode == direct.returncode == 0, through.stderr + direct.stderr
    assert json.loads(through.stdout)["rows"] == json.loads(direct.stdout)["rows"]
    mine = next(r for r in json.loads(direct.stdout)["rows"] if r["customer"] == owed.customer)
    assert (mine["customer_name"], mine["over_90"], mine["total"]) == ("Ada Lovelace", 1234, 1234)


def test_a_date_as_of_is_the_end_of_that_utc_day(server: Server) -> None:
    run = arrears("report", "aging", "--format", "json", "--as-of", "2026-01-31", "--database", server.database)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["as_of"] == 1769903999  # 2026-01-31T23:59:59Z
    bad = arrears("report", "aging", "--as-of", "last tuesday", "--database", server.database)
    assert bad.returncode == 2 and "use 2026-01-31" in bad.stderr


def test_the_csv_headers_say_amounts_are_in_minor_units(server: Server, owed: stripe.Invoice) -> None:
    run = arrears("report", "aging", "--format", "csv", "--api-base", server.url)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    mine = next(r for r in rows if r["customer"] == owed.customer)
    assert (mine["customer_name"], mine["total_minor_units"]) == ("Ada Lovelace", "1234")


def test_webhook_attempts_are_read_through_the_server(server: Server) -> None:
    run = arrears("webhooks", "attempts", "--format", "json", "--api-base", server.url)
    assert run.returncode == 0, run.stderr
    assert isinstance(json.loads(run.stdout), list)


@pytest.mark.parametrize("command", [("report", "aging"), ("report", "journal"), ("webhooks", "attempts")])
def test_a_folder_without_a_database_is_one_line_error_and_no_new_file(tmp_path: Path,
                                                                       command: tuple[str, ...]) -> None:
    run = arrears(*command, cwd=tmp_path)
    message = one_line_error(run)
    assert f"there is no database at {tmp_path / 'arrears.db'}" in message and "--api-base" in message
    assert list(tmp_path.iterdir()) == []
    named = arrears(*command, "--database", f"sqlite:///{tmp_path / 'elsewhere.db'}", cwd=tmp_path)
    assert "elsewhere.db" in one_line_error(named)
    assert list(tmp_path.iterdir()) == []


def test_the_database_of_arrears_database_url_is_the_one_read(server: Server, owed: stripe.Invoice,
                                                               tmp_path: Path) -> None:
    run = arrears("report", "aging", "--format", "json", cwd=tmp_path, env={"ARREARS_DATABASE_URL": server.database})
    assert run.returncode == 0, run.stderr
    assert owed.customer in {r["customer"] for r in json.loads(run.stdout)["rows"]}


def test_a_server_that_is_not_there_is_one_line_that_says_to_start_it(tmp_path: Path) -> None:
    from tests.support.server import free_port

    message = one_line_error(arrears("report", "aging", "--api-base", f"http://127.0.0.1:{free_port()}"))
    assert "cannot reach" in message and "arrears serve" in message


def test_a_reader_that_goes_away_ends_the_report_quietly(server: Server, owed: stripe.Invoice) -> None:
    # Given stdout is a pipe nobody reads any more (`arrears report … | head` after head exited)
    read, write = os.pipe()
    os.close(read)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
        run = subprocess.run([sys.executable, "-m", "arrears", "report", "aging", "--format", "csv",
                              "--database", server.database], stdout=write, stderr=subprocess.PIPE, text=True,
                             env=env, timeout=60)
    finally:
        os.close(write)
    # Then it stops without a word
    assert (run.returncode, run.stderr) == (0, "")
