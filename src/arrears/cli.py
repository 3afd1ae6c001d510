"""``arrears`` command line: serve the API, migrate a database."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable

from arrears import __version__
from arrears.config import ConfigError, from_env
from arrears.store.base import Store

EXAMPLE = """\
  import stripe
  client = stripe.StripeClient("sk_test_123", base_addresses={{"api": "{url}"}})"""


def _serve(args: argparse.Namespace) -> int:
    settings = from_env(host=args.host, port=args.port, database=args.database, workers=args.workers,
                        auto_migrate=False if args.no_migrate else None)
    pending = asyncio.run(_with_store(settings.database, lambda store: store.migrate()
                                      if settings.auto_migrate else store.pending_migrations()))
    if not settings.auto_migrate and pending:
        print(f"arrears: {settings.database} needs {len(pending)} migration(s): run "
              f"`arrears migrate --database {settings.database}` first, or drop --no-migrate.", file=sys.stderr)
        return 2
    for key, value in (("ARREARS_DATABASE_URL", settings.database), ("ARREARS_HOST", settings.host),
                       ("ARREARS_PORT", str(settings.port)), ("ARREARS_SQLITE_SYNCHRONOUS", settings.synchronous)):
        os.environ[key] = value
    print(f"arrears {__version__} serving the Stripe API at {settings.base_url} "
          f"(database {settings.database}, {settings.workers} worker{'s' if settings.workers > 1 else ''})")
    print("Point the official SDK at it:")
    print(EXAMPLE.format(url=settings.base_url), flush=True)
    import uvicorn

    uvicorn.run("arrears.app:from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level=args.log_level, access_log=args.access_log)
    return 0


async def _with_store(url: str, action: Callable[[Store], Awaitable[list[str]]]) -> list[str]:
    from arrears.store import open_store

    store = open_store(url, migrate=False)
    try:
        return await action(store)
    finally:
        await store.close()


def _migrate(args: argparse.Namespace) -> int:
    settings = from_env(database=args.database)
    print(f"Migrating {settings.database} ...", flush=True)
    applied = asyncio.run(_with_store(settings.database, lambda store: store.migrate(
        progress=lambda name: print(f"  applying {name}", flush=True))))
    print(f"{len(applied)} migration(s) applied; the schema is at head.")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="arrears", description="A Stripe-compatible invoicing server.")
    top.add_argument("--version", action="version", version=f"arrears {__version__}")
    sub = top.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the Stripe API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 12111)")
    serve.add_argument("--database", help="database URL (default sqlite:///arrears.db; env ARREARS_DATABASE_URL)")
    serve.add_argument("--workers", type=int, help="server processes (default 1)")
    serve.add_argument("--no-migrate", action="store_true", help="refuse to start on an unmigrated database")
    serve.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="bring a database's schema to head")
    migrate.add_argument("--database", help="database URL (default sqlite:///arrears.db; env ARREARS_DATABASE_URL)")
    migrate.set_defaults(run=_migrate)
    return top


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        code = args.run(args)
    except ConfigError as exc:
        print(f"arrears: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
