"""Accounts and their API keys (``arrears keys …``). These commands run in the SYSTEM scope: the
``accounts`` and ``api_keys`` tables belong to no account.

A connected account names its ``platform``; the platform's keys reach it with the ``Stripe-Account``
header, nobody else's do. The key itself is returned once by ``create_key``; only its SHA-256 is kept.
"""

from __future__ import annotations

from typing import Any

from arrears.domain import Doc
from arrears.domain import keys as rules
from arrears.domain.errors import InvalidRequest, NotFound, ParamError
from arrears.services import Ctx
from arrears.store.base import DEFAULT_ACCOUNT, Tx
from arrears.store.query import Cond, Filter, Page

MAX_KEYS_LISTED = 1000


async def create_account(tx: Tx, ctx: Ctx, *, name: str | None = None, platform: str | None = None,
                         account_id: str | None = None) -> Doc:
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
    account = {"id": obj_id, "object": "account", "created": ctx.now, "name": name, "platform": platform}
    await tx.insert("accounts", account)
    return account


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
