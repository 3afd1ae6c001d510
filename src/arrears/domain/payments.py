"""Payment methods arrears can charge: Stripe's test payment methods (https://docs.stripe.com/testing),
those that succeed and the card error each failing one answers with."""

from __future__ import annotations

from typing import Final, NamedTuple


class Decline(NamedTuple):
    code: str
    decline_code: str
    message: str


SUCCEEDING_TEST_METHODS: Final = frozenset({"pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_us"})
DECLINING_TEST_METHODS: Final[dict[str, Decline]] = {
    "pm_card_chargeDeclined": Decline("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeCustomerFail": Decline("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_visa_chargeDeclined": Decline("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": Decline(
        "card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": Decline("expired_card", "expired_card", "Your card has expired."),
}


def known(method: str) -> bool:
    """Whether ``method`` is a payment method arrears can charge (successfully or not)."""
    return method in SUCCEEDING_TEST_METHODS or method in DECLINING_TEST_METHODS


def succeeds(method: str | None) -> bool:
    return method in SUCCEEDING_TEST_METHODS


def decline_of(method: str | None) -> Decline | None:
    """The card error a charge of ``method`` answers with; None when it succeeds (or is not a method)."""
    return DECLINING_TEST_METHODS.get(method) if method is not None else None
