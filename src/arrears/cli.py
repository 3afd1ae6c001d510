"""``arrears`` command line: serve the API, migrate a database."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from arrears import __version__
from arrears.config import ConfigError, Settings, from_env
from arrears.store import shown
from arrears.store.base import Store

T = TypeVar("T")
EXAMPLE = """\
  import stripe
  client = stripe.StripeClient("sk_test_123", base_addresses={{"api": "{url}"}})"""


def _serve(args: argparse.Namespace) -> int:
    from arrears.serving import BindFailure, listen

    settings = from_env(host=args.host, port=args.port, database=args.database, workers=args.workers,
                        auto_migrate=False if args.no_migrate else None, auth=args.auth,
                        api_version=args.api_version)
    try:  # first: a port that is not ours stops us before we touch the database or print the banner
        sock = listen(settings.host, settings.port)
    except BindFailure as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        pending = asyncio.run(_with_store(settings.database, lambda store: store.migrate()
                                          if settings.auto_migrate else store.pending_migrations()))
    except Exception as exc:  # noqa: BLE001 - a database that cannot be reached is one line, not a traceback
        sock.close()
        if os.environ.get("ARREARS_DEBUG"):
            raise
        print(_unreachable_database(settings.database, exc), file=sys.stderr)
        return 1
    if not settings.auto_migrate and pending:
        print(f"arrears: {shown(settings.database)} needs {len(pending)} migration(s): run "
              f"`arrears migrate --database {shown(settings.database)}` first, or drop --no-migrate.",
              file=sys.stderr)
        sock.close()
        return 2
    for key, value in (("ARREARS_DATABASE_URL", settings.database), ("ARREARS_HOST", settings.host),
                       ("ARREARS_PORT", str(settings.port)), ("ARREARS_SQLITE_SYNCHRONOUS", settings.synchronous),
                       ("ARREARS_AUTH", settings.auth), ("ARREARS_API_VERSION", settings.api_version)):
        os.environ[key] = value
    os.environ.setdefault("ARREARS_DASHBOARD_SECRET", secrets.token_urlsafe(32))  # one for all workers
    print(f"arrears {__version__} serving the Stripe API at {settings.base_url} "
          f"(database {shown(settings.database)}, {settings.workers} worker{'s' if settings.workers > 1 else ''})")
    if settings.auth == "strict":
        print("Auth: strict, only keys made with `arrears keys create` are accepted.")
    elif not settings.loopback:
        print(f"Warning: open auth on {settings.host}: anyone who reaches this address can use any sk_test_ key.",
              file=sys.stderr)
    _first_contact(settings)
    _run_server(sock, settings.workers, args)
    return 0


def _first_contact(settings: Settings) -> None:
    """Where to go next: the dashboard, the OpenAPI document, the MCP endpoint and the SDK, with a key this
    server accepts (under strict auth, how to make one: the open-mode example key would be refused)."""
    base = settings.base_url
    print(f"  Dashboard  {base}/dashboard\n  OpenAPI    {base}/openapi.json\n  MCP        {base}/mcp\n"
          f"  Webhooks   arrears listen --api-base {base} --forward-to http://localhost:4242/webhook")
    if settings.auth == "strict":
        print("Make a key with `arrears keys create` (same --database), then point the official SDK at it:")
        print(EXAMPLE.replace("sk_test_123", "<that key>").format(url=base), flush=True)
        return
    print("Point the official SDK at it:")
    print(EXAMPLE.format(url=base), flush=True)


def _unreachable_database(url: str, exc: Exception) -> str:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if url.startswith(("postgresql://", "postgres://")):
        return (f"arrears: cannot use the database {shown(url)}: {reason}. Is PostgreSQL running there, and are "
                "the host, port, user, password and database name right?")
    return f"arrears: cannot use the database {shown(url)}: {reason}."


def _run_server(sock: socket.socket, workers: int, args: argparse.Namespace) -> None:
    """Serve ``arrears.app:from_environment`` on ``sock`` (arrears/serving.py): granian (Rust HTTP, uvloop;
    workers respawned when they die) by default, uvicorn on request. Both cap the request head at MAX_HEAD."""
    from arrears.api.forms import MAX_HEAD
    from arrears.serving import run_granian, run_uvicorn

    if args.server == "uvicorn":
        run_uvicorn(sock, workers, log_level=args.log_level, access_log=args.access_log,
                    h11_max_incomplete_event_size=MAX_HEAD)
        return
    from granian.constants import Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    run_granian(sock, workers, loop=Loops.uvloop, websockets=False, log_level=LogLevels(args.log_level),
                log_access=args.access_log, http1_settings=HTTP1Settings(max_buffer_size=MAX_HEAD))


async def _with_store(url: str, action: Callable[[Store], Awaitable[T]]) -> T:
    from arrears.store import open_store

    store = open_store(url, migrate=False)
    try:
        return await action(store)
    finally:
        await store.close()


def _migrate(args: argparse.Namespace) -> int:
    settings = from_env(database=args.database)
    print(f"Migrating {shown(settings.database)} ...", flush=True)
    applied = asyncio.run(_with_store(settings.database, lambda store: store.migrate(
        progress=lambda name: print(f"  applying {name}", flush=True))))
    print(f"{len(applied)} migration(s) applied; the schema is at head.")
    return 0


def _worker(args: argparse.Namespace) -> int:
    from arrears.clock import SystemClock
    from arrears.ids import IdGen
    from arrears.webhooks.worker import Deliverer

    settings = from_env(database=args.database)

    async def run(store: Store) -> list[str]:
        await store.open()
        print(f"Delivering webhooks from {shown(settings.database)} (^C to stop)", flush=True)
        await Deliverer.configured(store, SystemClock(), IdGen(), settings).run_forever(asyncio.Event())
        return []

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_with_store(settings.database, run))
    return 0


FACE_DOCUMENTS = {"stripe": "/openapi.json", "flex": "/flex/openapi.json", "yorlet": "/yorlet/openapi.json"}


def _mcp(args: argparse.Namespace) -> int:
    from arrears.agent.mcp_server import run_stdio
    from arrears.agent.tools import load

    try:
        toolset = load(args.api_base.rstrip("/") + FACE_DOCUMENTS[args.face], api_key=args.api_key)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server is reported the same way
        print(f"arrears mcp: cannot read the {args.face} OpenAPI document from {args.api_base}: {exc}. "
              "Is `arrears serve` running there?", file=sys.stderr)
        return 1
    asyncio.run(run_stdio(toolset))
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
    serve.add_argument("--auth", choices=["open", "strict"],
                       help="open: any sk_test_ key works (default on loopback); strict: registered keys only "
                            "(default on any other address; env ARREARS_AUTH)")
    serve.add_argument("--api-version", help="the default Stripe API version of accounts that set none, the "
                                              "open-mode account's among them (default: the latest; env "
                                              "ARREARS_API_VERSION)")
    serve.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument("--server", choices=["granian", "uvicorn"], default="granian",
                       help="HTTP server (default granian; uvicorn for debugging)")
    serve.set_defaults(run=_serve)
    migrate = sub.add_parser("migrate", help="bring a database's schema to head")
    migrate.add_argument("--database", help="database URL (default sqlite:///arrears.db; env ARREARS_DATABASE_URL)")
    migrate.set_defaults(run=_migrate)
    mcp = sub.add_parser("mcp", help="an MCP server on stdio whose tools call a running arrears server")
    mcp.add_argument("--api-base", default="http://127.0.0.1:12111", help="the arrears server to call")
    mcp.add_argument("--api-key", required=True, help="API key for every call (sk_test_…; fsk_test_… for flex)")
    mcp.add_argument("--face", choices=sorted(FACE_DOCUMENTS), default="stripe", help="whose operations become tools")
    mcp.set_defaults(run=_mcp)
    hooks = sub.add_parser("webhooks", help="webhook delivery: attempts and a standalone worker")
    hooks_sub = hooks.add_subparsers(dest="webhooks_command", required=True)
    from arrears import keys_cli, reports_cli

    reports_cli.add_attempts_parser(hooks_sub)
    worker = hooks_sub.add_parser("worker", help="deliver webhooks without serving the API")
    worker.add_argument("--database", help="database URL (env ARREARS_DATABASE_URL)")
    worker.set_defaults(run=_worker)
    reports_cli.add_parser(sub)
    keys_cli.add_parsers(sub)
    _workflow_parsers(sub)
    return top


def _workflow_parsers(sub: Any) -> None:
    """The Stripe CLI's loop: trigger, fixtures, listen, logs, events (arrears/workflow/commands.py)."""
    from arrears.workflow import commands

    commands.add_parsers(sub)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        code = args.run(args)
    except ConfigError as exc:
        print(f"arrears: {exc}", file=sys.stderr)
        code = 2
    except BaseException as exc:  # noqa: BLE001 - every other failure ends in one line, never a traceback
        code = _ended(args, exc)
    sys.exit(code)


def _ended(args: argparse.Namespace, exc: BaseException) -> int:
    """The exit status for a command ended by ``exc``, told in one line on stderr: a reader that went away
    (``… | head``) is quiet, ^C too; a WorkflowError says what to do; anything else names itself and
    ARREARS_DEBUG=1, which shows the traceback."""
    from arrears.workflow.client import WorkflowError

    if isinstance(exc, BrokenPipeError):  # the reader of stdout went away: stop quietly, as `cat` does
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 1
    if os.environ.get("ARREARS_DEBUG"):
        raise exc
    name = " ".join(["arrears", args.command, *(str(value) for key, value in vars(args).items()
                                                 if key.endswith("_command") and value)])
    if isinstance(exc, WorkflowError):
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    print(f"{name}: {type(exc).__name__}: {exc} (run again with ARREARS_DEBUG=1 for the traceback)",
          file=sys.stderr)
    return 1
