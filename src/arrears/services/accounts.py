"""Accounts and their API keys (``arrears keys …``). These commands run in the SYSTEM scope: the
``accounts`` and ``api_keys`` tables belong to no account.

A connected account names its ``platform``; the platform's keys reach it with the ``Stripe-Account``
header, nobody else's do. The key itself is returned once by ``create_key``; only its SHA-256 is kept.
"""

from __future__ import annotations

from typing import Any

from arrears import STRIPE_API_VERSION
from arrears.domain import Doc, versions
from arrears.domain import keys as rules
from arrears.domain.errors import InvalidRequest, NotFound, ParamError
from arrears.services import Ctx
from arrears.store.base import DEFAULT_ACCOUNT, Tx
from arrears.store.query import Cond, Filter, Page

MAX_KEYS_LISTED = 1000


async def create_account(tx: Tx, ctx: Ctx, *, name: str | None = None, platform: str | None = None,
                         account_id: str | None = None, api_version: str | None = None) -> Doc:
    """A new account; ``api_version`` is its default API version (None: the server's default)."""
    if api_version is not None:
        versions.parse(api_version, param="api_version")
    if platform is not None:
        parent = await get_account(tx, platform)
        if parent["platform"] is not None:
            raise InvalidRequest(f"{platform} is itself a connected account of {parent['platform']}: "
                                 "a connected account's platform must be a platform account.")
    obj_id = account_id or ctx.ids.new("acct", 16)
    if not obj_id.startswith("acct_") or len(obj_id) > 64 or not obj_id[5:].replace("_", "").isalnum():
        raise ParamError(f"Invalid account id {obj_id!r}: use acct_ and letters, digits or underscores.")
    if await tx.get("accounts", obj_id) is not None:
        raise InvalidRequest(f"The account {obj_id} already exists.")
    account = {"id": obj_id, "object": "account", "created": ctx.now, "name": name, "platform": platform,
               "api_version": api_version}
    await tx.insert("accounts", account)
    return account


def shown(ctx: Ctx, record: Doc | None = None, *, api_version: str | None = None) -> Doc:
    """An account in Stripe's shape, with arrears' one addition, ``api_version``: the account's default API
    version (what requests without Stripe-Version get). ``record``: its row of the accounts table (read in
    the SYSTEM scope), else the account the request acts for, from ``ctx`` alone."""
    record = record or {}
    name = record.get("name")
    return {
        "id": record.get("id", ctx.account), "object": "account",
        "api_version": api_version or record.get("api_version") or ctx.account_api_version,
        "business_profile": {"name": name, "url": None, "support_email": None}, "business_type": None,
        "capabilities": {}, "charges_enabled": False, "country": record.get("country") or "US",
        "created": record.get("created"), "default_currency": record.get("default_currency") or "usd",
        "details_submitted": True, "email": record.get("email"), "metadata": {}, "payouts_enabled": False,
        "settings": {"dashboard": {"display_name": name, "timezone": "Etc/UTC"},
                     "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": "offer"}},
        "type": "custom" if record.get("platform") else "standard",
    }


async def own(tx: Tx, ctx: Ctx) -> Doc:
    """``GET /v1/account`` (a SYSTEM read): the account the request acts for, from its row when it has one."""
    return shown(ctx, await tx.get("accounts", ctx.account) if ctx.account else None)


async def connected(tx: Tx, ctx: Ctx, account_id: str) -> Doc:
    """``GET /v1/accounts/{account}`` (a SYSTEM read): the caller itself, or one of its connected accounts;
    any other account is "No such account", whether it exists or not."""
    record = await tx.get("accounts", account_id)
    if record is None or account_id != ctx.account and record["platform"] != ctx.account:
        raise NotFound(f"No such account: '{account_id}'", param="account")
    if account_id == ctx.account:
        return shown(ctx, record)
    return shown(ctx, record, api_version=record.get("api_version") or await _server_default(tx, ctx))


async def _server_default(tx: Tx, ctx: Ctx) -> str:
    """The API version of an account that sets none: the caller's own default when the caller sets none."""
    caller = await tx.get("accounts", ctx.account) if ctx.account else None
    return ctx.account_api_version if caller is None or caller.get("api_version") is None else STRIPE_API_VERSION


async def list_connected(tx: Tx, ctx: Ctx, page: Page) -> tuple[list[Doc], bool]:
    """``GET /v1/accounts`` (a SYSTEM read): the caller's connected accounts, newest first."""
    found = await tx.list("accounts", Filter((Cond("platform", "=", ctx.account),)), page)
    default = await _server_default(tx, ctx)
    return [shown(ctx, r, api_version=r.get("api_version") or default) for r in found.docs], found.has_more


async def get_account(tx: Tx, account_id: str) -> Doc:
    account = await tx.get("accounts", account_id)
    if account is None:
        raise NotFound(f"No such account: '{account_id}'", param="account")
    return account


async def list_accounts(tx: Tx) -> list[Doc]:
    return (await tx.list("accounts", Filter(), Page(limit=MAX_KEYS_LISTED, oldest_first=True))).docs


async def create_key(tx: Tx, ctx: Ctx, *, account: str = DEFAULT_ACCOUNT, kind: str = "secret",
                     livemode: bool = False, name: str | None = None,
                     permissions: dict[str, str] | None = None) -> tuple[Doc, str]:
    """A new key of ``account``: (its record, the key itself, shown only now)."""
    await get_account(tx, account)
    if kind not in rules.PREFIX_OF:
        raise ParamError(f"Invalid key type {kind!r}: use secret, restricted or publishable.", param="type")
    if kind != "restricted" and permissions:
        raise ParamError("Only restricted keys carry permissions.", param="permissions")
    key = rules.new_key(kind, livemode)
    record: dict[str, Any] = {
        "id": ctx.ids.new("key", 16), "object": "api_key", "account": account, "type": kind, "livemode": livemode,
        "name": name, "created": ctx.now, "revoked": None, "hash": rules.digest(key), "shown": rules.masked(key),
        "permissions": dict(permissions or {}) if kind == "restricted" else None,
    }
    await tx.insert("api_keys", record)
    return record, key


async def list_keys(tx: Tx, account: str | None = None) -> list[Doc]:
    flt = Filter((Cond("account", "=", account),)) if account else Filter()
    return (await tx.list("api_keys", flt, Page(limit=MAX_KEYS_LISTED, oldest_first=True))).docs


async def find_key(tx: Tx, key: str) -> Doc | None:
    """The record of a key (revoked or not), by its hash."""
    found = await tx.list("api_keys", Filter((Cond("hash", "=", rules.digest(key)),)), Page(limit=1))
    return found.docs[0] if found.docs else None


async def find_key_and_version(tx: Tx, key: str) -> tuple[Doc | None, str | None]:
    """A key's record and its account's default API version (None when the account sets none)."""
    record = await find_key(tx, key)
    if record is None:
        return None, None
    account = await tx.get("accounts", record["account"])
    return record, (account or {}).get("api_version")


async def revoke_key(tx: Tx, ctx: Ctx, key_or_id: str) -> Doc:
    """Revoke a key, named by its id (``key_…``) or by the key itself."""
    record = (await tx.get("api_keys", key_or_id, for_update=True) if key_or_id.startswith("key_")
              else await find_key(tx, key_or_id))
    if record is None:
        raise NotFound(f"No such API key: '{key_or_id if key_or_id.startswith('key_') else rules.masked(key_or_id)}'")
    if record["revoked"] is None:
        record["revoked"] = ctx.now
        await tx.update("api_keys", record)
    return record


async def reachable(tx: Tx, platform: str, connected: str) -> bool:
    """Whether ``platform``'s keys may act for ``connected`` (Stripe-Account)."""
    account = await tx.get("accounts", connected)
    return account is not None and account["platform"] == platform
