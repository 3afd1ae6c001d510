"""Customer pages: the list (search, pages) and one customer (balance and its transactions, invoices,
delinquency)."""

from __future__ import annotations

from starlette.responses import Response

from arrears.api.dashboard import listing
from arrears.api.dashboard.web import Visit
from arrears.domain import Doc
from arrears.store.base import Tx
from arrears.store.query import Cond, Filter, Page

SHOWN = 25


async def index(visit: Visit) -> Response:
    query, email = visit.param("q"), visit.param("email")
    if query:
        found = await listing.by_search(visit, "customers", "customers", query, {"q": query})
    else:
        conds = [Cond("email", "=", email)] if email else []
        found = await listing.by_filter(visit, "customers", conds, {"email": email})
    return visit.render("customers.html", listing=found, query=query, email=email,
                        status=400 if found.error else 200)


async def show(visit: Visit) -> Response:
    customer_id = visit.request.path_params["customer"]
    by_customer = Filter((Cond("customer", "=", customer_id),))

    see_invoices = visit.may("invoice")

    async def read(tx: Tx) -> tuple[Doc, list[Doc], bool, list[Doc] | None, bool] | None:
        customer = await tx.get("customers", customer_id)
        if customer is None:
            return None
        txns = await tx.list("balance_transactions", by_customer, Page(limit=SHOWN))
        if not see_invoices:
            return customer, txns.docs, txns.has_more, None, False
        invoices = await tx.list("invoices", by_customer, Page(limit=SHOWN))
        return customer, txns.docs, txns.has_more, invoices.docs, invoices.has_more

    found = await visit.env.store.read(read, scope=visit.scope)
    if found is None:
        return visit.not_found(f"There is no customer {customer_id}.")
    customer, txns, more_txns, invoices, more_invoices = found
    return visit.render("customer.html", customer=customer, txns=txns, more_txns=more_txns, invoices=invoices,
                        more_invoices=more_invoices)
