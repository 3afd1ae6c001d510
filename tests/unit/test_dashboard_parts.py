"""The dashboard's pure parts: money and dates as people read them, the signed session, the charts'
SVG, and the action table's agreement with the transition table."""

from __future__ import annotations

import pytest

from arrears.api.dashboard import actions, charts
from arrears.api.dashboard.format import amount, day_start, money, when
from arrears.api.dashboard.session import MAX_AGE, Sessions
from arrears.domain import invoice as rules

NOW = 1_795_000_000


@pytest.mark.parametrize(("minor", "currency", "shown"), [
    (599, "usd", "5.99"), (-500, "usd", "-5.00"), (123456789, "eur", "1,234,567.89"), (5, "usd", "0.05"),
    (1000, "jpy", "1,000"), (1234, "kwd", "1.234"), (0, "usd", "0.00"),
])
def test_amounts_are_written_in_the_currencys_own_decimals(minor: int, currency: str, shown: str) -> None:
    assert amount(minor, currency) == shown


def test_money_names_the_currency_and_dates_are_utc() -> None:
    assert money(599, "usd") == "5.99 USD"
    assert money(None, "usd") == "—"
    assert when(0) == "1970-01-01 00:00 UTC"
    assert day_start("2026-11-03") == 1793664000
    assert day_start("not a date") is None


def test_a_session_survives_its_cookie_and_nothing_else_does() -> None:
    sessions = Sessions("s" * 32)
    session = sessions.new(NOW, key="sk_test_…1234").with_flash("success", "Done.")
    cookie = sessions.dumps(session)
    back = sessions.loads(cookie, NOW + 60)
    assert back is not None
    assert (back.key, back.csrf, back.flash, back.signed_in) == ("sk_test_…1234", session.csrf, ("success", "Done."),
                                                                True)
    assert sessions.loads(cookie, NOW + MAX_AGE) is None  # expired
    assert Sessions("t" * 32).loads(cookie, NOW) is None  # another secret
    body, _, signature = cookie.partition(".")
    assert sessions.loads(body[:-2] + "xx." + signature, NOW) is None
    assert sessions.loads("garbage", NOW) is None and sessions.loads(None, NOW) is None


def test_the_csrf_token_must_match_exactly() -> None:
    session = Sessions("s" * 32).new(NOW)
    assert session.csrf_ok(session.csrf)
    assert not session.csrf_ok(session.csrf[:-1]) and not session.csrf_ok(None) and not session.csrf_ok("")


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        Sessions("short")


@pytest.mark.parametrize(("top", "step"), [(0, 1), (4, 1), (599, 200), (1000, 500), (1001, 500), (4099, 2000)])
def test_chart_ticks_are_round_numbers(top: int, step: int) -> None:
    assert charts.nice_step(top) == step


def test_chart_text_is_escaped_and_every_bar_names_itself() -> None:
    series = [charts.Series("written_off", "Written off", "#b91c1c")]
    svg = charts.grouped_bars("c", "T <1>", "D", series, [charts.Bar('<b>"x"</b>', {"written_off": 599})],
                              lambda minor: money(minor, "usd"))
    assert "<b>" not in svg and "&lt;b&gt;&#34;x&#34;&lt;/b&gt;" in svg
    assert 'data-series="written_off"' in svg and 'data-amount="599"' in svg
    assert "<title>&lt;b&gt;&#34;x&#34;&lt;/b&gt; — Written off: 5.99 USD</title>" in svg
    assert 'role="img"' in svg and 'aria-labelledby="c-t c-d"' in svg


@pytest.mark.parametrize("status", rules.STATUSES)
def test_the_dashboard_offers_exactly_what_the_transition_table_allows(status: str) -> None:
    offered = [a.name for a in actions.offered({"status": status})]
    assert offered == [name for name in actions.ACTIONS if status in rules.TRANSITIONS[name]]


def open_invoice(**fields: object) -> dict[str, object]:
    return {"status": "open", "currency": "usd", "total": 1099, "amount_due": 599, "amount_remaining": 599,
            "starting_balance": -500, "ending_balance": 0, **fields}


def test_each_confirmation_says_what_happens_to_the_books() -> None:
    inv = open_invoice()
    assert actions.ACTIONS["mark_uncollectible"].books(inv) == (
        "Writes off 5.99 USD as bad debt: the receivable moves to bad-debt expense; the invoice can still be "
        "paid later or voided.")
    assert "Records 5.99 USD received outside arrears" in actions.ACTIONS["pay"].books(inv)
    assert "the bad debt is recovered" in actions.ACTIONS["pay"].books(open_invoice(status="uncollectible"))
    voided = actions.ACTIONS["void"].books(inv)
    assert "revenue of 10.99 USD" in voided and "The 5.00 USD of customer balance it used goes back" in voided
    assert "write-off of 5.99 USD is reversed" in actions.ACTIONS["void"].books(open_invoice(status="uncollectible"))
    draft = open_invoice(status="draft", amount_due=0, amount_remaining=0)
    assert "nothing is left to collect, so the invoice is paid at once" in actions.ACTIONS["finalize"].books(draft)
