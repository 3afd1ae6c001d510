"""Automatic collection, as Stripe's collection settings describe it.

An account-level ``Policy`` says what happens to an unpaid invoice:
- ``charge_automatically``: a failed automatic payment attempt is retried ``retry_days`` later (one
  entry per retry); after the last retry fails, the invoice is marked uncollectible with reason
  ``max_payment_attempts`` (or left past due). Each failure sets the customer ``delinquent``.
- ``send_invoice``: when the due date passes, ``invoice.overdue`` is sent and the customer becomes
  ``delinquent``; ``uncollectible_days_after_due`` days later the invoice is marked uncollectible with
  reason ``payment_not_received``.
- Drafts with ``auto_advance`` are finalized at ``automatically_finalizes_at``.
A dunning write-off does not reset ``delinquent`` (Stripe: "If an invoice becomes uncollectible by
dunning, delinquent doesn't reset to false").
"""

from __future__ import annotations

from dataclasses import dataclass

from arrears.domain import Doc

DAY = 86400
MARK_UNCOLLECTIBLE, LEAVE_PAST_DUE = "mark_uncollectible", "leave_past_due"


@dataclass(frozen=True)
class Policy:
    retry_days: tuple[int, ...] = (3, 5, 7)
    after_last_retry: str = MARK_UNCOLLECTIBLE
    uncollectible_days_after_due: int | None = 30


def retry_at(policy: Policy, failed_attempts: int, now: int) -> int | None:
    """When to try again after ``failed_attempts`` automatic failures; None when retries are exhausted."""
    if failed_attempts <= len(policy.retry_days):
        return now + policy.retry_days[failed_attempts - 1] * DAY
    return None


def write_off_at(policy: Policy, inv: Doc) -> int | None:
    """When an unpaid ``send_invoice`` invoice is written off for payment not received."""
    if policy.uncollectible_days_after_due is None or inv["collection_method"] != "send_invoice":
        return None
    if inv["due_date"] is None:
        return None
    return int(inv["due_date"]) + policy.uncollectible_days_after_due * DAY


def next_step(policy: Policy, inv: Doc, after: int) -> int | None:
    """The earliest time later than ``after`` at which collection has something to do for ``inv``."""
    times: list[int | None] = []
    if inv["status"] == "draft" and inv["auto_advance"]:
        times.append(inv["automatically_finalizes_at"])
    if inv["status"] == "open":
        if inv["collection_method"] == "charge_automatically":
            times.append(inv["next_payment_attempt"])
        else:
            times += [inv["due_date"], write_off_at(policy, inv)]
    later = [t for t in times if t is not None and t > after]
    return min(later) if later else None
