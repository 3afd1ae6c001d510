"""Accounts and API keys made straight in a test database (the same service ``arrears keys create`` calls),
before or while a server runs on it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from arrears.ids import IdGen
from arrears.services import Ctx, accounts
from arrears.store import open_store
from arrears.store.base import SYSTEM, Tx

T = TypeVar("T")


def system_write(database: str, fn: Callable[[Tx], Awaitable[T]]) -> T:
    async def main() -> T:
        store = open_store(database)
        await store.open()
        try:
            return await store.write(fn, scope=SYSTEM)
        finally:
            await store.close()
    return asyncio.run(main())


def ctx() -> Ctx:
    return Ctx(now=int(time.time()), ids=IdGen())


@dataclass(frozen=True)
class KeySpec:
    name: str
    account: str
    kind: str = "secret"
    livemode: bool = False
    permissions: dict[str, str] | None = None
    revoked: bool = False


def provision(database: str, account_ids: dict[str, str | None], specs: list[KeySpec]) -> dict[str, str]:
    """Create the accounts (id -> platform or None) and keys; the keys by spec name."""
    async def run(tx: Tx) -> dict[str, str]:
        for account_id, platform in account_ids.items():
            if await tx.get("accounts", account_id) is None:
                await accounts.create_account(tx, ctx(), account_id=account_id, platform=platform)
        made: dict[str, str] = {}
        for spec in specs:
            record, key = await accounts.create_key(tx, ctx(), account=spec.account, kind=spec.kind,
                                                    livemode=spec.livemode, permissions=spec.permissions)
            if spec.revoked:
                await accounts.revoke_key(tx, ctx(), record["id"])
            made[spec.name] = key
        return made
    return system_write(database, run)


def everything(access: str) -> dict[str, Any]:
    from arrears.domain.keys import PERMISSIONS

    return {resource: access for resource in PERMISSIONS}
