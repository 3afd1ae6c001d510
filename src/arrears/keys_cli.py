"""``arrears accounts create|list`` and ``arrears keys create|list|revoke``: the accounts a strict server
serves and their API keys. A key is printed once, when it is made; the database keeps only its SHA-256.
A running server sees a new or revoked key within ``ARREARS_KEY_CACHE_SECONDS`` (1 s)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from arrears.config import from_env
from arrears.domain import keys as rules
from arrears.domain.errors import ArrearsError
from arrears.ids import IdGen
from arrears.services import Ctx, accounts
from arrears.store import open_store
from arrears.store.base import DEFAULT_ACCOUNT, SYSTEM, Tx

T = TypeVar("T")


def _ctx() -> Ctx:
    return Ctx(now=int(time.time()), ids=IdGen())


async def _system(database: str, fn: Callable[[Tx], Awaitable[T]], *, write: bool) -> T:
    store = open_store(database)
    await store.open()
    try:
        return await (store.write(fn, scope=SYSTEM) if write else store.read(fn, scope=SYSTEM))
    finally:
        await store.close()


def _run(args: argparse.Namespace, fn: Callable[[Tx], Awaitable[T]], *, write: bool) -> T | None:
    try:
        return asyncio.run(_system(from_env(database=args.database).database, fn, write=write))
    except ArrearsError as exc:
        print(f"arrears: {exc.message}", file=sys.stderr)
        return None


def _when(ts: int | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts))


def _account_create(args: argparse.Namespace) -> int:
    account = _run(args, lambda tx: accounts.create_account(tx, _ctx(), name=args.name, platform=args.platform,
                                                            account_id=args.id, api_version=args.api_version),
                   write=True)
    if account is None:
        return 1
    if args.format == "json":
        print(json.dumps(account))
    else:
        print(f"{account['id']}" + (f" (connected to {account['platform']})" if account["platform"] else ""))
    return 0


def _account_list(args: argparse.Namespace) -> int:
    found = _run(args, accounts.list_accounts, write=False) or []
    if args.format == "json":
        print(json.dumps(found, indent=2))
        return 0
    print(f"{'account':28} {'platform':28} {'created (UTC)':16}  {'api version':18}  name")
    for a in found:
        version = a.get("api_version") or "(server default)"
        print(f"{a['id']:28} {a['platform'] or '-':28} {_when(a['created']):16}  {version:18}  {a['name'] or ''}")
    return 0


def _key_create(args: argparse.Namespace) -> int:
    def make(tx: Tx) -> Awaitable[tuple[dict[str, Any], str]]:
        return accounts.create_key(tx, _ctx(), account=args.account, kind=args.type, livemode=args.live,
                                   name=args.name, permissions=rules.parse_permissions(args.permission or []))

    made = _run(args, make, write=True)
    if made is None:
        return 1
    record, key = made
    if args.format == "json":
        print(json.dumps({**{k: v for k, v in record.items() if k != "hash"}, "key": key}))
    else:
        print(key)
        print(f"({record['id']}, {record['type']} {'live' if record['livemode'] else 'test'} key of "
              f"{record['account']}; shown only now: keep it safe)", file=sys.stderr)
    return 0


def _key_list(args: argparse.Namespace) -> int:
    found = _run(args, lambda tx: accounts.list_keys(tx, args.account), write=False) or []
    rows = [{k: v for k, v in r.items() if k != "hash"} for r in found]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'id':22} {'key':22} {'type':11} {'mode':4} {'account':24} {'created (UTC)':16} {'revoked':16} name")
    for r in rows:
        print(f"{r['id']:22} {r['shown']:22} {r['type']:11} {'live' if r['livemode'] else 'test':4} "
              f"{r['account']:24} {_when(r['created']):16} {_when(r['revoked']):16} {r['name'] or ''}")
    return 0


def _key_revoke(args: argparse.Namespace) -> int:
    record = _run(args, lambda tx: accounts.revoke_key(tx, _ctx(), args.key), write=True)
    if record is None:
        return 1
    print(f"revoked {record['id']} ({record['shown']})")
    return 0


def add_parsers(sub: Any) -> None:
    database = {"help": "database URL (default sqlite:///arrears.db; env ARREARS_DATABASE_URL)"}
    fmt = {"choices": ["table", "json"], "default": "table"}
    accts = sub.add_parser("accounts", help="accounts: create, list").add_subparsers(dest="accounts_command",
                                                                                      required=True)
    create = accts.add_parser("create", help="a new account (a connected one with --platform)")
    create.add_argument("--database", **database)
    create.add_argument("--name")
    create.add_argument("--platform", help="the platform account whose keys may act for it (Stripe-Account)")
    create.add_argument("--api-version", help="its default Stripe API version, what requests without "
                                               "Stripe-Version get (default: the server's, the latest unless "
                                               "serve --api-version says otherwise)")
    create.add_argument("--id", help="the account id to use (default: a new acct_…)")
    create.add_argument("--format", **fmt)
    create.set_defaults(run=_account_create)
    listing = accts.add_parser("list", help="every account")
    listing.add_argument("--database", **database)
    listing.add_argument("--format", **fmt)
    listing.set_defaults(run=_account_list)

    keys = sub.add_parser("keys", help="API keys: create, list, revoke").add_subparsers(dest="keys_command",
                                                                                       required=True)
    create = keys.add_parser("create", help="a new API key, printed once")
    create.add_argument("--database", **database)
    create.add_argument("--account", default=DEFAULT_ACCOUNT, help=f"whose key (default {DEFAULT_ACCOUNT})")
    create.add_argument("--type", choices=sorted(rules.PREFIX_OF), default="secret")
    create.add_argument("--live", action="store_true", help="a live-mode key (default: test mode)")
    create.add_argument("--name", help="a note to recognize it by")
    create.add_argument("--permission", action="append", metavar="RESOURCE:ACCESS",
                        help=f"restricted keys: e.g. customer:read, invoice:write; resources: "
                             f"{', '.join(rules.PERMISSIONS)}")
    create.add_argument("--format", **fmt)
    create.set_defaults(run=_key_create)
    listing = keys.add_parser("list", help="keys (masked), oldest first")
    listing.add_argument("--database", **database)
    listing.add_argument("--account", help="only this account's")
    listing.add_argument("--format", **fmt)
    listing.set_defaults(run=_key_list)
    revoke = keys.add_parser("revoke", help="revoke a key, named by its id (key_…) or by the key itself")
    revoke.add_argument("key")
    revoke.add_argument("--database", **database)
    revoke.set_defaults(run=_key_revoke)
