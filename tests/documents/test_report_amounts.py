"""``arrears report`` writes amounts with the same formatter as the hosted page and the PDF: an invoice of
¥5,000 is 5,000 under a "(JPY)" header, never 50.00."""

from __future__ import annotations

import stripe

from tests import factories
from tests.cli.support import arrears
from tests.support.server import Server


def test_the_aging_table_writes_yen_without_decimals(server: Server, client: stripe.StripeClient) -> None:
    # Given an open invoice of ¥5,000
    cus = factories.new_customer(client, name="Sato Hanako")
    factories.invoice_in(client, "open", amount=5000, currency="jpy", cus=cus)
    # When the aging report is printed for yen
    run = arrears("report", "aging", "--currency", "JPY", "--database", server.database, env={"COLUMNS": "250"})
    # Then the customer's row says 5,000 under a header that names the currency
    assert run.returncode == 0, run.stderr
    row = next(line for line in run.stdout.splitlines() if cus.id in line)
    assert "5,000" in row and "50.00" not in row
    assert "total (JPY)" in run.stdout
