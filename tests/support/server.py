"""Start and stop real ``arrears serve`` processes on loopback for the tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from bench.harness.loopback import free_port

KEY = "sk_test_arrears"
__all__ = ["KEY", "Server", "free_port"]


@dataclass
class Server:
    """One ``arrears serve`` process (and its workers). ``with Server(...) as srv:`` starts it and stops it
    when the block ends, however it ends."""

    database: str
    port: int = field(default_factory=free_port)
    workers: int = 1
    log: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    args: tuple[str, ...] = ()  # more options for ``arrears serve``, e.g. ("--server", "uvicorn")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "arrears", "serve", "--port", str(self.port), "--database", self.database,
                "--workers", str(self.workers), *self.args]

    def start(self, timeout: float = 20.0) -> Server:
        cmd = self.command()
        if self.log:
            with open(self.log, "ab") as out:
                self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                             env={**os.environ, **self.env}, start_new_session=True)
        else:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                         env={**os.environ, **self.env}, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"arrears serve exited with {self.proc.returncode}; see {self.log}")
            try:
                req = urllib.request.Request(self.url + "/v1/customers?limit=1",
                                             headers={"Authorization": f"Bearer {KEY}"})
                with urllib.request.urlopen(req, timeout=1):
                    return self
            except urllib.error.HTTPError:  # it answers (a strict server refuses the open-mode key)
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"arrears serve did not answer on {self.url} within {timeout}s")

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def run_to_exit(self, timeout: float = 20.0) -> subprocess.CompletedProcess[str]:
        """Run ``arrears serve`` expecting it to refuse to start: its exit status, stdout and stderr.
        ``subprocess.TimeoutExpired`` if it is still running after ``timeout`` (it and its workers are
        killed first)."""
        proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, **self.env}, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def worker_pids(self) -> list[int]:
        """The pids of the running children of ``arrears serve`` (granian's workers), in pid order."""
        if self.proc is None:
            return []
        pids: list[int] = []
        for children in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            with contextlib.suppress(FileNotFoundError):
                pids += [int(pid) for pid in children.read_text().split()]
        return sorted(pid for pid in set(pids) if _alive(pid))


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (not a zombie waiting to be reaped by its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
