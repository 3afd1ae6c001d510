"""Automatic collection (rules: domain/collection.py): what the scheduler inside ``arrears serve`` and
a test clock's advance do when an invoice's next step falls due. Each step takes its invoices again
under a row lock and asks the invoice's table (``domain.invoice``) whether the step still applies; the
moves are the same functions the API's commands use (services/transitions.py)."""

from __future__ import annotations

import dataclasses

from arrears.domain import Doc, invoice, payments
from arrears.domain import collection as rules
from arrears.domain.errors import ParamError
from arrears.domain.invoice import DRAFT, OPEN
from arrears.services import Ctx, transitions
from arrears.services.outbox import emit
from arrears.store.base import Scope, Tx
from arrears.store.query import Cond, Filter, Page

BATCH = 200
SCHEDULER_MARK = "system"  # the scheduler mark of objects on no test clock
MAX_ACCOUNTS = 10_000


def _on(clock: str | None) -> Cond:
    return Cond("test_clock", "=", clock) if clock else Cond("test_clock", "null")


def due_filters(policy: rules.Policy, now: int, overdue_since: int, clock: str | None) -> dict[str, Filter]:
    """The invoices each collection step would take at ``now``: the one definition that the steps
    themselves and the scheduler's cheap "anything due?" probe both use."""
    sent = (_on(clock), Cond("status", "=", OPEN), Cond("collection_method", "=", "send_invoice"))
    steps = {
        "finalize": Filter((_on(clock), Cond("status", "=", DRAFT), Cond("automatically_finalizes_at", "<=", now))),
        "attempt": Filter((_on(clock), Cond("status", "=", OPEN), Cond("next_payment_attempt", "<=", now))),
        "overdue": Filter((*sent, Cond("due_date", ">", overdue_since), Cond("due_date", "<=", now))),
    }
    if policy.uncollectible_days_after_due is not None:
        cutoff = now - policy.uncollectible_days_after_due * rules.DAY
        steps["write_off"] = Filter((*sent, Cond("due_date", "<=", cutoff)))
    return steps


async def _due(tx: Tx, flt: Filter | None) -> list[Doc]:
    if flt is None:
        return []
    found = await tx.list("invoices", flt, Page(limit=BATCH, unordered=True))
    return found.docs


async def anything_due(tx: Tx, policy: rules.Policy, now: int) -> bool:
    """Whether any step is due for objects on no test clock (a read: an idle server writes nothing)."""
    mark = await tx.get("scheduler_marks", SCHEDULER_MARK)
    since = int(mark["overdue_since"]) if mark else 0
    for flt in due_filters(policy, now, since, None).values():
        if (await tx.list("invoices", flt, Page(limit=1, unordered=True))).docs:
            return True
    return False


async def _locked(tx: Tx, inv: Doc) -> Doc | None:
    """The invoice again under a row lock: another worker may have moved it since the scan."""
    return await tx.get("invoices", inv["id"], for_update=True)


async def run_due(tx: Tx, ctx: Ctx, policy: rules.Policy, *, clock: str | None, overdue_since: int) -> int:
    """Carry out every collection step due at ``ctx.now`` for invoices on ``clock`` (None: on no clock).
    Invoices that fell due after ``overdue_since`` get ``invoice.overdue``. Returns the steps taken."""
    now, steps = ctx.now, 0
    due = due_filters(policy, now, overdue_since, clock)
    for found in await _due(tx, due["finalize"]):
        inv = await _locked(tx, found)
        if inv and invoice.allows("finalize", inv) and inv["auto_advance"] and inv["automatically_finalizes_at"] <= now:
            try:
                await transitions.finalize_draft(tx, ctx, inv)
            except ParamError as refused:  # past a bound (domain/limits.py), refused before any change
                _not_finalized(inv, refused)
            await tx.update("invoices", inv)
            steps += 1
    for found in await _due(tx, due["attempt"]):
        inv = await _locked(tx, found)
        if inv and invoice.collected(inv) and (inv["next_payment_attempt"] or now + 1) <= now:
            await attempt(tx, ctx, policy, inv)
            steps += 1
    for found in await _due(tx, due["overdue"]):
        inv = await _locked(tx, found)
        if inv and invoice.collected(inv):
            await emit(tx, ctx, "invoice.overdue", inv)
            await _set_delinquent(tx, inv, True)
            steps += 1
    for found in await _due(tx, due.get("write_off")):
        inv = await _locked(tx, found)
        if inv and invoice.allows("mark_uncollectible", inv):
            await transitions.write_off(tx, ctx, inv, "payment_not_received")
            steps += 1
    return steps


def _not_finalized(inv: Doc, refused: ParamError) -> None:
    """An automatic finalization refused: the invoice stays a draft with Stripe's
    ``last_finalization_error``, and is not finalized automatically again (the other steps go on)."""
    inv["last_finalization_error"] = {"type": "invalid_request_error", "code": refused.code,
                                      "message": refused.message, "param": refused.param}
    inv["automatically_finalizes_at"] = None


async def attempt(tx: Tx, ctx: Ctx, policy: rules.Policy, inv: Doc) -> None:
    """An automatic payment attempt with the invoice's or the customer's default payment method."""
    cust = await tx.get("customers", inv["customer"], for_update=True)
    method = inv["default_payment_method"] or ((cust or {}).get("invoice_settings") or {}).get("default_payment_method")
    if payments.succeeds(method):
        await transitions.record_payment(tx, ctx, inv, out_of_band=False)
        await tx.update("invoices", inv)
        return
    invoice.count_attempt(inv)
    inv["next_payment_attempt"] = rules.retry_at(policy, inv["attempt_count"], ctx.now)
    await tx.update("invoices", inv)
    await emit(tx, ctx, "invoice.payment_failed", inv)
    await _set_delinquent(tx, inv, True)
    if inv["next_payment_attempt"] is None and policy.after_last_retry == rules.MARK_UNCOLLECTIBLE:
        await transitions.write_off(tx, ctx, inv, "max_payment_attempts")


async def _set_delinquent(tx: Tx, inv: Doc, value: bool) -> None:
    cust = await tx.get("customers", inv["customer"], for_update=True)
    if cust is not None and cust["delinquent"] != value:
        cust["delinquent"] = value
        await tx.update("customers", cust)


async def tick(tx: Tx, ctx: Ctx, policy: rules.Policy) -> int:
    """One round of the server's scheduler over objects on no test clock, at ``ctx.now``. It runs in the
    store's SYSTEM scope and carries out each account's steps in that account's scope."""
    mark = await tx.get("scheduler_marks", SCHEDULER_MARK, for_update=True)
    since = int(mark["overdue_since"]) if mark else 0
    steps = 0
    accounts = await tx.list("accounts", Filter(), Page(limit=MAX_ACCOUNTS, oldest_first=True))
    for account in accounts.docs:
        version = account.get("api_version") or ctx.account_api_version  # what its events name
        for live in (False, True):
            scope = Scope(account["id"], live)
            steps += await run_due(tx.within(scope), dataclasses.replace(
                ctx, livemode=live, account=account["id"], api_version=version, account_api_version=version), policy,
                clock=None, overdue_since=since)
    if mark is None:
        await tx.insert("scheduler_marks", {"id": SCHEDULER_MARK, "overdue_since": ctx.now})
    elif since < ctx.now:
        await tx.update("scheduler_marks", {**mark, "overdue_since": ctx.now})
    return steps


async def advance_clock(tx: Tx, ctx: Ctx, policy: rules.Policy, clock: Doc, target: int) -> None:
    """Move a test clock to ``target``, carrying out every collection step of its objects in time order."""
    current = int(clock["frozen_time"])
    while True:
        docs = await _due(tx, Filter((_on(clock["id"]), Cond("status", "in", (DRAFT, OPEN)))))
        steps = [t for t in (rules.next_step(policy, d, current) for d in docs) if t is not None]
        at = min(steps) if steps else None
        if at is None or at > target:
            break
        await run_due(tx, dataclasses.replace(ctx, now=at), policy, clock=clock["id"], overdue_since=current)
        current = at
    await run_due(tx, dataclasses.replace(ctx, now=target), policy, clock=clock["id"], overdue_since=current)
    clock["frozen_time"] = target
