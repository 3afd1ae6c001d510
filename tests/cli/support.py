"""Run ``arrears`` subcommands as a user does: a subprocess, in a folder of the test's choosing."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def arrears(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``arrears ARGS`` to its end: exit status, stdout, stderr (ARREARS_* of the test run left out)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    return subprocess.run([sys.executable, "-m", "arrears", *args], capture_output=True, text=True, cwd=cwd,
                          env={**base, **(env or {})}, timeout=timeout)


def one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a command that failed as a user should see it fail: one line, no traceback."""
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr.strip()


class Lines:
    """The stdout of a running process, line by line, read in a thread so the test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """The last line so far that contains ``text``, waiting up to ``timeout`` seconds for one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [line for line in self.lines if text in line]
                if found:
                    return found[-1]
                left = deadline - time.monotonic()
                assert left > 0, f"no line with {text!r} in {self.lines}"
                self._changed.wait(left)


@contextlib.contextmanager
def running(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], Lines]]:
    """``arrears ARGS`` running, and its stdout as it comes; killed (if still running) at the end."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ARREARS_")}
    with subprocess.Popen([sys.executable, "-m", "arrears", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env={**base, "PYTHONUNBUFFERED": "1", **(env or {})}) as proc:
        try:
            yield proc, Lines(proc)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
