"""Flex ids: arrears' ids re-encoded reversibly in Crockford base32, matched case-insensitively."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arrears.api.flex import ids
from arrears.domain.errors import NotFound
from arrears.ids import IdGen

BASE62 = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=24, max_size=24)


@given(BASE62)
def test_an_invoice_id_round_trips_in_either_case(body: str) -> None:
    flex = ids.to_flex(f"in_{body}")
    assert flex is not None and flex.startswith("fin_") and len(flex) == 4 + 29
    assert flex[4:] == flex[4:].upper()
    assert ids.to_internal("invoice", flex) == f"in_{body}"
    assert ids.to_internal("invoice", flex.lower()) == f"in_{body}"
    assert ids.to_internal("invoice", "FIN_" + flex[4:].lower()) == f"in_{body}"


def test_customer_and_item_ids_of_generated_length_round_trip() -> None:
    gen = IdGen()
    for internal, kind in ((gen.new("cus", 14), "customer"), (gen.new("ii"), "invoice_item")):
        flex = ids.to_flex(internal)
        assert flex is not None and ids.to_internal(kind, flex) == internal


def test_arrears_ids_are_accepted_as_they_are_and_other_ids_are_left_alone() -> None:
    assert ids.to_internal("invoice", "in_abc") == "in_abc"
    assert ids.to_flex("evt_abc") == "evt_abc"
    assert ids.to_flex(None) is None


@pytest.mark.parametrize("given_id", ["fin_", "fin_nope", "fin_" + "Z" * 29, "fin_" + "U" * 29])
def test_unreadable_flex_ids_are_not_found_with_the_id_as_given(given_id: str) -> None:
    with pytest.raises(NotFound) as caught:
        ids.to_internal("invoice", given_id)
    assert caught.value.message == f"No such invoice: '{given_id}'"


def test_messages_show_flex_ids() -> None:
    internal = IdGen().new("in")
    assert ids.in_text(f"No such invoice: '{internal}'") == f"No such invoice: '{ids.to_flex(internal)}'"
