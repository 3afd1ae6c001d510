"""Free loopback ports, for the benchmark harness and the test suite alike (tests/support/server.py imports
this; the bench imports nothing from tests). Standard library only."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, as the OS picks it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
