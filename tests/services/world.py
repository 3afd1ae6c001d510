"""The services tier's world: the commands of ``arrears.services`` run against the memory store
(store/memory.py) at a FixedClock's time, with no server, no event loop and no database.

A memory transaction runs to its end without yielding (it awaits only its Tx calls), so ``World.run``
steps a command's coroutine through in one go: a broken rule fails here in milliseconds, at the rule.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from arrears.clock import FixedClock
from arrears.domain import Doc
from arrears.ids import IdGen
from arrears.services import Ctx, customers, invoiceitems, invoices, transitions
from arrears.store.base import OPEN, Scope, Tx, run_sync
from arrears.store.memory import MemoryStore
from arrears.store.query import Cond, Filter, Page

T = TypeVar("T")
T0 = 1_800_000_000  # a fixed start: nothing depends on today's date
DAY = 86400


@dataclasses.dataclass
class World:
    store: MemoryStore = dataclasses.field(default_factory=MemoryStore)
    clock: FixedClock = dataclasses.field(default_factory=lambda: FixedClock(T0))
    ids: IdGen = dataclasses.field(default_factory=IdGen)
    scope: Scope = OPEN

    def ctx(self, **fields: Any) -> Ctx:
        return Ctx(now=self.clock.now(), ids=self.ids, livemode=self.scope.livemode, **fields)

    def run(self, command: Callable[..., Awaitable[T]], *args: Any, ctx: Ctx | None = None) -> T:
        """``command(tx, ctx, *args)`` in one write transaction of the world's scope."""
        the_ctx = ctx or self.ctx()

        async def fn(tx: Tx) -> T:
            return await command(tx, the_ctx, *args)
        return run_sync(self.store.write(fn, scope=self.scope))

    def read(self, fn: Callable[[Tx], Awaitable[T]]) -> T:
        return run_sync(self.store.read(fn, scope=self.scope))

    # --- looking -------------------------------------------------------------------------------------
    def get(self, table: str, obj_id: str) -> Doc | None:
        return self.read(lambda tx: tx.get(table, obj_id))

    def invoice(self, invoice_id: str) -> Doc:
        found = self.get("invoices", invoice_id)
        assert found is not None
        return found

    def customer(self, customer_id: str) -> Doc:
        found = self.get("customers", customer_id)
        assert found is not None
        return found

    def rows(self, table: str, *conds: Cond, limit: int = 100) -> list[Doc]:
        """Rows of ``table`` oldest first."""
        async def fn(tx: Tx) -> list[Doc]:
            return (await tx.list(table, Filter(conds), Page(limit=limit, oldest_first=True))).docs
        return self.read(fn)

    def events_of(self, obj_id: str) -> list[str]:
        return [e["type"] for e in self.rows("events", limit=1000) if e["data"]["object"]["id"] == obj_id]

    def entries_of(self, invoice_id: str) -> list[Doc]:
        return self.rows("ledger_entries", Cond("invoice", "=", invoice_id), limit=1000)

    def books_of(self, invoice_id: str) -> Counter[str]:
        """Net amount per ledger account of what was posted for the invoice (zeros left out)."""
        net: Counter[str] = Counter()
        for line in self.entries_of(invoice_id):
            net[line["account"]] += line["amount"]
        return Counter({account: amount for account, amount in net.items() if amount})

    # --- making --------------------------------------------------------------------------------------
    def new_customer(self, **params: Any) -> Doc:
        return self.run(customers.create, {"email": "jenny@example.com", "name": "Jenny Rosen", **params})

    def draft(self, cus: Doc | None = None, *, amount: int = 1099, currency: str = "usd", **params: Any) -> Doc:
        """A draft with one line of ``amount`` for ``cus`` (a new customer when None)."""
        cus = cus or self.new_customer()
        self.run(invoiceitems.create, {"customer": cus["id"], "amount": amount, "currency": currency})
        return self.run(invoices.create, {"customer": cus["id"], "pending_invoice_items_behavior": "include",
                                          **params})

    def open_invoice(self, cus: Doc | None = None, **params: Any) -> Doc:
        return self.run(transitions.finalize, self.draft(cus, **params)["id"], {})

    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)
