"""What ``arrears serve`` says when it cannot listen, and how it names a worker's end: pure rules."""

from __future__ import annotations

import errno
import os

import pytest

from arrears.serving import bind_failure, ended


@pytest.mark.parametrize(("host", "code", "expected"), [
    ("127.0.0.1", errno.EADDRINUSE,
     "arrears: port 80 is in use: is another arrears or stripe-mock running? use --port"),
    ("0.0.0.0", errno.EACCES, "arrears: cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need "
                              "root or CAP_NET_BIND_SERVICE): use --port"),
    ("::1", errno.EADDRNOTAVAIL, "arrears: cannot listen on [::1]:80: the address is not one of this machine's: "
                                 "use --host"),
    ("127.0.0.1", errno.EMFILE, f"arrears: cannot listen on 127.0.0.1:80: {os.strerror(errno.EMFILE)}"),
])
def test_a_failed_bind_is_one_line_naming_the_cause_and_the_option_to_change(
        host: str, code: int, expected: str) -> None:
    assert bind_failure(host, 80, OSError(code, os.strerror(code))) == expected


@pytest.mark.parametrize(("exitcode", "expected"), [
    (-9, "was killed by SIGKILL"), (-11, "was killed by SIGSEGV"), (1, "exited with status 1"),
    (0, "exited with status 0"), (None, "stopped"),
])
def test_a_worker_end_is_named_by_signal_or_status(exitcode: int | None, expected: str) -> None:
    assert ended(exitcode) == expected
