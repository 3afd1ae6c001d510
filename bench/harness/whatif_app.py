"""What-if for the profile: arrears' own app, served as ``arrears serve --workers N`` serves it, except
that every accepted connection gets TCP_NODELAY.

Why: with ``--workers`` > 1 uvicorn binds the listening socket itself with ``socket.socket(family)``,
whose ``proto`` is 0, and asyncio's transport only sets TCP_NODELAY when ``sock.proto ==
IPPROTO_TCP`` (``asyncio.base_events._set_nodelay``). So Nagle stays on: an HTTP reply written as
headers then body waits for the client's delayed ACK (~40 ms) on every keep-alive request after the
first. Imported in each worker (uvicorn imports the app string there), this module relaxes the check.
Nothing in src/ changes; bench/profile.py uses this to measure what the fix would give."""

from __future__ import annotations

import asyncio.base_events
import socket
from typing import Any


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in {socket.AF_INET, socket.AF_INET6} and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]


def from_environment() -> Any:
    from arrears.app import from_environment as build

    return build()


def main() -> None:
    import argparse
    import os

    import uvicorn

    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--database", required=True)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    os.environ.update(ARREARS_DATABASE_URL=args.database, ARREARS_HOST="127.0.0.1", ARREARS_PORT=str(args.port))
    uvicorn.run("bench.harness.whatif_app:from_environment", factory=True, host="127.0.0.1", port=args.port,
                workers=args.workers, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
