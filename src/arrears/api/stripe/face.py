"""The Stripe face: its ``Dialect`` for the one request cycle (api/cycle.py) over ``routes.OPERATIONS``.

What Stripe does its own way: the key as Bearer or Basic user name, form bodies, ``Stripe-Account``,
``Stripe-Version`` (read, and echoed on every reply), ``Idempotency-Key`` on POSTs, ``expand[]`` on every
operation, and objects presented for the request's API version (``domain/versions.py``): invoices through
``views``, a webhook endpoint's secret only in the answer that creates it."""

from __future__ import annotations

from starlette.routing import Route

from arrears.api import auth, cycle, forms
from arrears.api.cycle import Csv, Operation, Presenter
from arrears.api.env import Env
from arrears.api.stripe import errors
from arrears.api.stripe import expand as expansion
from arrears.api.stripe.params import EXPAND
from arrears.api.stripe.routes import OPERATIONS, RESERVED
from arrears.domain import Doc, versions, views
from arrears.domain.versions import Version
from arrears.services.loading import find
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

INCLUDED_LIMIT = 100  # the rows an includable list shows when expanded (a customer's tax_ids)


def present(doc: Doc, shows_secret: bool = False) -> Doc:
    """The stored object as the current version shows it: an invoice with its first lines, a webhook
    endpoint without its secret (shown once, at creation)."""
    kind = doc.get("object")
    if kind == "invoice" and "lines" in doc:
        return views.invoice(doc)
    if kind == "webhook_endpoint" and "secret" in doc and not shows_secret:
        shown = dict(doc)
        del shown["secret"]
        return shown
    if kind in ("list", "search_result"):
        return {**doc, "data": [present(d) for d in doc["data"]]}
    return doc


async def render(tx: Tx, doc: Doc, paths: list[str], version: Version, shows_secret: bool = False) -> Doc:
    """The reply: presented, expanded, then shown as ``version`` shows it (nothing to do at the latest)."""
    out = present(doc, shows_secret)
    if paths:
        async def load(table: str, obj_id: str) -> Doc | None:
            found = await find(tx, table, obj_id)  # a deleted customer expands to its stub
            return None if found is None else present(found)

        async def lister(table: str, column: str, value: str) -> tuple[list[Doc], bool]:
            found = await tx.list(table, Filter((Cond(column, "=", value),)), Page(limit=INCLUDED_LIMIT))
            return [present(d) for d in found.docs], found.has_more

        out = await expansion.expand(out, paths, load, lister=lister)
    return versions.render(out, version)


async def render_with_secret(tx: Tx, doc: Doc, paths: list[str], version: Version) -> Doc:
    return await render(tx, doc, paths, version, shows_secret=True)


async def render_or_csv(tx: Tx, doc: Doc | Csv, paths: list[str], version: Version) -> Doc | Csv:
    return doc if isinstance(doc, Csv) else await render(tx, doc, paths, version)


def presenter(op: Operation) -> Presenter:
    if op.shows_secret:
        return render_with_secret
    if "format" in op.params:  # the reports: format=csv answers a Csv (the rule openapi.py documents)
        return render_or_csv
    return render


DIALECT = cycle.Dialect(
    mount="", key=auth.api_key, render_error=errors.render, internal_error=errors.internal, body=forms.FORM,
    common={"expand": EXPAND}, expand=expansion.check, presenter=presenter, version_header="stripe-version",
    account_header=True, idempotent=True, reserved=RESERVED,
    not_found="Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
)


def routes(env: Env) -> list[Route]:
    return cycle.routes(OPERATIONS, env, DIALECT)
