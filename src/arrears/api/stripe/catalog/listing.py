"""Lists and searches of catalog objects over fields that have no column of their own (a product's ``url``
or ``shippable``, a price's ``recurring[interval]``): the columns filter in SQL as every list does, the rest
is read from each object in Python, page by page, until the page asked for is full. A store column for
each of them would make these lists as cheap as the others (migration 0009 has none).

A search whose clauses all name columns runs in SQL, with the handlers' seq page tokens; one that names a
field without a column pages by object id (``id:<id>`` tokens). Both answer Stripe's search_result."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping

from arrears.api.cycle import Call, page
from arrears.api.stripe import handlers as h
from arrears.api.stripe import search as search_lang
from arrears.domain import Doc
from arrears.domain.errors import ParamError
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page
from arrears.store.query import holds as query_holds
from arrears.store.tables import TABLES

Keep = Callable[[Doc], bool]
BATCH = 100


def holds(cond: Cond, doc: Doc) -> bool:
    """Whether ``cond`` holds for the object ``doc`` (its top-level field, or a metadata key), with the
    store's meaning of each operator (store/query.holds)."""
    value = (doc.get("metadata") or {}).get(cond.key) if cond.field == "metadata" else doc.get(cond.field)
    return query_holds(cond, value)


async def scan(tx: Tx, table: str, flt: Filter, keep: Keep, limit: int, *, starting_after: str | None = None,
               ending_before: str | None = None) -> tuple[list[Doc], bool]:
    """Up to ``limit`` objects newest first that match ``flt`` (in SQL) and ``keep`` (in Python), from the
    cursor; and whether more match beyond them."""
    found: list[Doc] = []
    after, before = starting_after, ending_before
    while True:
        batch = await tx.list(table, flt, Page(limit=BATCH, starting_after=after, ending_before=before))
        hits = [d for d in batch.docs if keep(d)]
        found = hits + found if before is not None else found + hits
        if len(found) > limit or not batch.has_more or not batch.docs:
            break
        if before is not None:
            before = batch.docs[0]["id"]
        else:
            after = batch.docs[-1]["id"]
    if before is not None:
        return found[-limit:], len(found) > limit
    return found[:limit], len(found) > limit


async def listed(tx: Tx, call: Call, table: str, conds: list[Cond], keep: Keep | None) -> Doc:
    """A Stripe list of ``table``: ``conds`` on columns, ``keep`` (None: nothing) on the rest."""
    if keep is None:
        return await h._list(tx, call, table, conds)
    wanted = page(call.params, default_limit=h.DEFAULT_LIMIT)
    docs, more = await scan(tx, table, Filter(tuple(conds)), keep, wanted.limit,
                            starting_after=wanted.starting_after, ending_before=wanted.ending_before)
    return {"object": "list", "data": docs, "has_more": more, "url": call.url}


def all_of(conds: list[Cond]) -> Keep | None:
    """A ``keep`` that holds when every one of ``conds`` does (None when there are none)."""
    if not conds:
        return None
    return lambda doc: all(holds(c, doc) for c in conds)


# --- search -------------------------------------------------------------------------------------------

def _booleans(flt: Filter, booleans: frozenset[str]) -> Filter:
    """``active:"true"``: a boolean field's quoted value as the boolean it names."""
    conds = []
    for c in flt.conds:
        if c.field in booleans and c.op in ("=", "!="):
            if c.value not in ("true", "false"):
                raise ParamError(f'Field `{c.field}` takes "true" or "false", but got `{c.value}`.', param="query")
            c = Cond(c.field, c.op, c.value == "true", c.key)
        conds.append(c)
    return Filter(tuple(conds), any_of=flt.any_of)


def _id_token(obj_id: str) -> str:
    return base64.urlsafe_b64encode(f"id:{obj_id}".encode()).decode()


def _after_id(token: str | None) -> str | None:
    if not token:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
    except ValueError:
        kind, value = "", ""
    if kind == "id" and value:
        return value
    raise ParamError("Invalid page: use the next_page value of the previous search result.", param="page")


async def searched(tx: Tx, call: Call, table: str, fields: Mapping[str, search_lang.SearchField], resource: str,
                   booleans: frozenset[str] = frozenset()) -> Doc:
    """``GET /v1/<resource>/search``: Stripe's query language over ``fields``."""
    flt = _booleans(search_lang.parse_search(call.params["query"], fields, resource), booleans)
    columns = TABLES[table].columns
    if all(c.field == "metadata" or c.field in columns for c in flt.conds):
        limit = call.params.get("limit") or h.DEFAULT_LIMIT
        docs, last = await tx.search(table, flt, limit, h._after_seq(call.params.get("page")))
        result: Doc = {"object": "search_result", "data": docs, "has_more": last is not None,
                       "next_page": h._page_token(last), "url": call.url}
        if call.total_count:
            result["total_count"] = await tx.count(table, flt)
        return result
    if flt.any_of:  # an OR reaching past the columns: every clause read in Python
        sql, keep = Filter(), (lambda doc: any(holds(c, doc) for c in flt.conds))
    else:
        in_sql = tuple(c for c in flt.conds if c.field == "metadata" or c.field in columns)
        sql, rest = Filter(in_sql), [c for c in flt.conds if c not in in_sql]
        keep = all_of(rest) or (lambda doc: True)
    limit = call.params.get("limit") or h.DEFAULT_LIMIT
    docs, more = await scan(tx, table, sql, keep, limit, starting_after=_after_id(call.params.get("page")))
    result = {"object": "search_result", "data": docs, "has_more": more,
              "next_page": _id_token(docs[-1]["id"]) if more and docs else None, "url": call.url}
    if call.total_count:
        everything, _ = await scan(tx, table, sql, keep, 1 << 40)
        result["total_count"] = len(everything)
    return result
