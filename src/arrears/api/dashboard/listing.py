"""Pages of a list, newest first: by filter with Stripe's cursors, or by a search query in Stripe's query
language (parsed by the Stripe face's parser, so the dashboard accepts exactly what the API accepts).
Each page knows how many rows match in all (``count``), read in the same transaction as the page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from arrears.api.dashboard.web import Visit
from arrears.api.stripe import search as search_lang
from arrears.domain import Doc
from arrears.domain.errors import ParamError
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page, PageResult

PAGE_SIZE = 25


@dataclass
class Listing:
    docs: list[Doc] = field(default_factory=list)
    newer: str | None = None  # the query string of the newer page, when there is one
    older: str | None = None
    error: str | None = None  # why the search query was refused
    count: int = 0  # how many rows match, over every page


def _query(params: Mapping[str, str], **cursor: str) -> str:
    return "?" + urlencode({**{k: v for k, v in params.items() if v}, **cursor})


async def by_filter(visit: Visit, table: str, conds: list[Cond], params: Mapping[str, str]) -> Listing:
    after, before = visit.param("starting_after") or None, visit.param("ending_before") or None
    page = Page(limit=PAGE_SIZE, starting_after=after, ending_before=None if after else before)

    async def read(tx: Tx) -> tuple[PageResult, int]:
        flt = Filter(tuple(conds))
        return await tx.list(table, flt, page), await tx.count(table, flt)

    result, count = await visit.env.store.read(read, scope=visit.scope)
    listing = Listing(docs=result.docs, count=count)
    if result.docs:
        # has_more is about the direction the page was read in; the other direction is where we came from
        newer = result.has_more if page.ending_before else page.starting_after is not None
        older = page.ending_before is not None or result.has_more
        listing.newer = _query(params, ending_before=result.docs[0]["id"]) if newer else None
        listing.older = _query(params, starting_after=result.docs[-1]["id"]) if older else None
    return listing


async def by_search(visit: Visit, table: str, resource: str, query: str, params: Mapping[str, str]) -> Listing:
    fields = search_lang.INVOICE_SEARCH_FIELDS if resource == "invoices" else search_lang.CUSTOMER_SEARCH_FIELDS
    try:
        flt = search_lang.parse_search(query, fields, resource)
    except ParamError as exc:
        return Listing(error=exc.message)
    token = visit.param("page")
    after = int(token) if token.isdigit() else None

    async def read(tx: Tx) -> tuple[list[Doc], int | None, int]:
        docs, last = await tx.search(table, flt, PAGE_SIZE, after)
        return docs, last, await tx.count(table, flt)

    docs, last, count = await visit.env.store.read(read, scope=visit.scope)
    listing = Listing(docs=docs, count=count)
    if last is not None:
        listing.older = _query(params, page=str(last))
    if after is not None:
        listing.newer = _query(params)  # search pages go forward only: back to the first page
    return listing
