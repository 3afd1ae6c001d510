"""Loading objects inside a command: ``load`` for commands (404 when missing, optionally locked), ``find``
and ``retrieve`` for reads (a deleted customer answers its stub); ``at_clock``, the time an object on a
test clock lives at."""

from __future__ import annotations

import dataclasses

from arrears.domain import Doc, views
from arrears.domain.errors import missing
from arrears.services import Ctx
from arrears.store.base import Tx
from arrears.store.tables import TABLES


async def load(tx: Tx, table: str, obj_id: str, *, param: str | None = None, for_update: bool = False) -> Doc:
    doc = await tx.get(table, obj_id, for_update=for_update)
    if doc is None:
        raise missing(TABLES[table].kind, obj_id, param)
    return doc


# Tables whose deleted objects Stripe still answers for, as the stub {id, object, deleted: true} kept in
# ``deleted_objects``: "Unlike other objects, deleted customers can still be retrieved through the API"
# (docs.stripe.com/api/customers/delete). Deleted invoices, invoice items and webhook endpoints are 404.
TOMBSTONED = frozenset({"customers"})


async def find(tx: Tx, table: str, obj_id: str) -> Doc | None:
    """What a read answers for ``obj_id``: the object, the stub of a deleted one (``TOMBSTONED``), or None."""
    doc = await tx.get(table, obj_id)
    if doc is None and table in TOMBSTONED:
        doc = await tx.get("deleted_objects", obj_id)
        if doc is not None and doc["object"] != TABLES[table].kind:
            return None
    return doc


async def retrieve(tx: Tx, table: str, obj_id: str, *, param: str | None = None) -> Doc:
    """``find`` for GET: a deleted customer answers its stub, anything else not found is a 404. Commands
    ``load`` instead, so they refuse a deleted customer with "No such customer"."""
    doc = await find(tx, table, obj_id)
    if doc is None:
        raise missing(TABLES[table].kind, obj_id, param)
    return doc


def view(doc: Doc) -> Doc:
    """An object as the current API version shows it (an event's ``data.object``)."""
    return views.invoice(doc) if doc.get("object") == "invoice" else doc


async def at_clock(tx: Tx, ctx: Ctx, clock_id: str | None) -> Ctx:
    """``ctx`` at the frozen time of test clock ``clock_id`` (unchanged when there is none)."""
    if clock_id is None:
        return ctx
    clock = await tx.get("test_clocks", clock_id)
    return ctx if clock is None else dataclasses.replace(ctx, now=int(clock["frozen_time"]))

