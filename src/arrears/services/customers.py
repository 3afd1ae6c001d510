"""Customer commands: create, update, delete, and balance adjustments."""

from __future__ import annotations

import copy
import re
from typing import Any

from arrears.domain import Doc, limits, metadata, objects
from arrears.domain import ledger as books
from arrears.domain.errors import ParamError, missing
from arrears.services import Ctx, discounts, ledger, tax_ids
from arrears.services.loading import at_clock, load
from arrears.services.outbox import changed, emit
from arrears.store.base import Tx

DEFAULT_CURRENCY = "usd"
MANUAL_KINDS = frozenset({"initial", "adjustment"})
_INVOICE_PREFIX = re.compile(r"[A-Z0-9]{3,12}")


def _check_prefix(p: dict[str, Any]) -> None:
    prefix = p.get("invoice_prefix")
    if prefix is not None and not _INVOICE_PREFIX.fullmatch(prefix):
        raise ParamError(f"Invalid invoice_prefix '{prefix}': it must be 3-12 uppercase letters or numbers.",
                         param="invoice_prefix")


async def create(tx: Tx, ctx: Ctx, p: dict[str, Any]) -> Doc:
    _check_prefix(p)
    if "metadata" in p:
        p = {**p, "metadata": metadata.merged({}, p["metadata"])}
    if p.get("test_clock"):
        await load(tx, "test_clocks", p["test_clock"], param="test_clock")
        ctx = await at_clock(tx, ctx, p["test_clock"])
    cust = objects.customer(ctx.ids.new("cus", 14), ctx.now, ctx.livemode, ctx.ids.invoice_prefix(), p)
    initial, cust["balance"] = cust["balance"], 0
    if initial:
        await record_balance(tx, ctx, cust, initial, "initial", None, param="balance")
    owed = await discounts.apply_customer_params(tx, ctx, cust, p)  # coupon / promotion_code, before basil
    await tx.insert("customers", cust)
    await emit(tx, ctx, "customer.created", cust)
    await discounts.announce(tx, ctx, owed)
    if p.get("tax_id_data"):
        await tax_ids.add_all(tx, ctx, cust["id"], p["tax_id_data"], "tax_id_data")
    return cust


async def update(tx: Tx, ctx: Ctx, customer_id: str, p: dict[str, Any]) -> Doc:
    _check_prefix(p)
    cust = await load(tx, "customers", customer_id, param="customer", for_update=True)
    before = copy.deepcopy(cust)
    owed = await discounts.apply_customer_params(tx, ctx, cust, p)  # coupon / promotion_code, before basil
    for key, value in p.items():
        if key in discounts.CUSTOMER_PARAMS:
            continue
        if key == "metadata":
            cust["metadata"] = metadata.merged(cust["metadata"], value)
        elif key == "invoice_settings":
            settings = dict(cust["invoice_settings"] or {})
            settings.update(value or {})
            cust["invoice_settings"] = settings
        elif key == "balance":
            if value != cust["balance"]:
                await record_balance(tx, ctx, cust, value - (cust["balance"] or 0), "adjustment", None,
                                     param="balance")
        elif key == "address":
            cust["address"] = objects.address(value)
        elif key == "shipping":
            cust["shipping"] = objects.shipping(value)
        else:
            cust[key] = value
    diff = changed(before, cust)
    if diff:
        await tx.update("customers", cust)
        await emit(tx, ctx, "customer.updated", cust, diff)
    await discounts.announce(tx, ctx, owed)
    return cust


async def delete(tx: Tx, ctx: Ctx, customer_id: str) -> Doc:
    cust = await load(tx, "customers", customer_id, param="customer", for_update=True)
    await tx.delete("customers", customer_id)
    await tx.insert("deleted_objects", objects.deleted(customer_id, "customer"))  # still retrieved (loading.find)
    await emit(tx, ctx, "customer.deleted", cust)
    return objects.deleted(customer_id, "customer")


async def add_balance_transaction(tx: Tx, ctx: Ctx, customer_id: str, p: dict[str, Any]) -> Doc:
    """POST /v1/customers/{id}/balance_transactions: an adjustment of the customer's balance."""
    cust = await load(tx, "customers", customer_id, param="customer", for_update=True)
    currency = p["currency"]
    if cust["currency"] not in (None, currency):
        raise ParamError(
            f"The currency {currency} does not match the customer's currency {cust['currency']}.",
            param="currency",
        )
    before = copy.deepcopy(cust)
    txn = await record_balance(tx, ctx, cust, limits.amount(p["amount"], currency, "amount"), "adjustment", None,
                               currency=currency, description=p.get("description"),
                               meta=metadata.merged({}, p.get("metadata") or {}), param="amount")
    cust["currency"] = currency
    await tx.update("customers", cust)
    await emit(tx, ctx, "customer.updated", cust, changed(before, cust))
    return txn


async def update_balance_transaction(tx: Tx, ctx: Ctx, customer_id: str, txn_id: str, p: dict[str, Any]) -> Doc:
    await load(tx, "customers", customer_id, param="customer")
    txn = await load(tx, "balance_transactions", txn_id, param="transaction", for_update=True)
    if txn["customer"] != customer_id:
        raise missing("customer_balance_transaction", txn_id, "transaction")
    if "description" in p:
        txn["description"] = p["description"]
    if "metadata" in p:
        txn["metadata"] = metadata.merged(txn["metadata"], p["metadata"])
    await tx.update("balance_transactions", txn)
    return txn


async def record_balance(
    tx: Tx, ctx: Ctx, cust: Doc, amount: int, kind: str, invoice: str | None, *,
    currency: str | None = None, description: str | None = None, meta: dict[str, str] | None = None,
    param: str | None = None,
) -> Doc:
    """Move the customer's balance by ``amount`` and write the balance transaction that says so. The
    caller saves the customer. A balance past the bound of its currency is refused (naming ``param``)
    before anything changes."""
    currency = currency or cust["currency"] or DEFAULT_CURRENCY
    cust["balance"] = limits.total((cust["balance"] or 0) + amount, currency, "the customer's balance", param)
    txn = objects.balance_transaction(
        ctx.ids.new("cbtxn"), ctx.now, ctx.livemode, customer=cust["id"], amount=amount,
        currency=currency, ending_balance=cust["balance"],
        kind=kind, invoice=invoice, description=description, metadata=meta,
    )
    await tx.insert("balance_transactions", txn)
    if kind in MANUAL_KINDS:  # balance applied to or given back by invoices is booked with the invoice
        await ledger.post(tx, ctx, "balance_adjustment", books.balance_adjustment(amount), currency=txn["currency"],
                          customer=cust["id"])
    return txn

