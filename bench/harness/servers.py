"""Start and stop the servers under test on loopback, each in its own process group."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness.loopback import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
WORK = ROOT / "bench" / ".work"
KEY = "sk_test_bench"
AUTH = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Server:
    """A server process on 127.0.0.1:port, ready when ``ready_path`` answers 200."""

    name: str
    cmd: list[str]
    log: Path
    port: int
    ready_path: str = "/v1/customers?limit=1"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 600.0) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.cwd,
                                         env={**os.environ, **self.env}, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                req = urllib.request.Request(self.url + self.ready_path, headers=AUTH)
                with urllib.request.urlopen(req, timeout=2):
                    return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer on {self.url} within {timeout:.0f}s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def arrears(database: str, logs: Path, *, workers: int, name: str = "arrears", extra: tuple[str, ...] = ()) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "arrears", "serve", "--port", str(port), "--database", database,
           "--workers", str(workers), *extra]
    return Server(name, cmd, logs / f"{name}-{port}.log", port)


def ceiling(logs: Path, *, workers: int) -> Server:
    port = free_port()
    cmd = [sys.executable, "-m", "bench.harness.ceiling_app", "--port", str(port), "--workers", str(workers)]
    return Server("ceiling", cmd, logs / f"ceiling-{port}.log", port)


LOCALSTRIPE_PY = WORK / "localstripe" / "bin" / "python"


def localstripe_available() -> bool:
    return LOCALSTRIPE_PY.exists()


@dataclass
class Localstripe:
    server: Server
    ids: Path
    info_path: Path

    def info(self) -> dict[str, str]:
        return dict(json.loads(self.info_path.read_text()))


def localstripe(logs: Path, *, seed: int, tag: str) -> Localstripe:
    port = free_port()
    ids, info = logs / f"localstripe-{tag}.ids", logs / f"localstripe-{tag}.json"
    cmd = [str(LOCALSTRIPE_PY), str(ROOT / "bench" / "harness" / "localstripe_launcher.py"), "--port", str(port),
           "--seed", str(seed), "--ids-out", str(ids), "--info-out", str(info), "--access-log"]
    return Localstripe(Server(f"localstripe-{tag}", cmd, logs / f"localstripe-{tag}-{port}.log", port,
                              cwd=Path(tempfile.gettempdir())), ids, info)


# --- stripe-mock: Stripe's stateless mock, a Go binary that bench/setup.sh installs ---------------

STRIPE_MOCK_VERSION = "v0.203.0"  # pinned in bench/setup.sh too
STRIPE_MOCK = WORK / "stripe-mock" / "bin" / "stripe-mock"


def stripe_mock_available() -> bool:
    return STRIPE_MOCK.exists()


def stripe_mock(logs: Path) -> Server:
    """stripe-mock with both its listeners (HTTP, and HTTPS with HTTP/2) on 127.0.0.1, each on a free port:
    by default it would take 12111 and 12112 on every address."""
    port, tls_port = free_port(), free_port()
    while tls_port == port:
        tls_port = free_port()
    cmd = [str(STRIPE_MOCK), "-http-addr", f"127.0.0.1:{port}", "-https-addr", f"127.0.0.1:{tls_port}"]
    return Server("stripe-mock", cmd, logs / f"stripe-mock-{port}.log", port)


# --- PostgreSQL: a throwaway durable cluster ------------------------------------------------------

def pg_bin() -> Path | None:
    import glob

    candidates = [os.environ.get("ARREARS_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    found = shutil.which("initdb")
    candidates.append(str(Path(found).resolve().parent) if found else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    return None


@dataclass
class PgCluster:
    """initdb + pg_ctl on a free loopback port with durable settings (fsync=on, synchronous_commit=on)
    and the memory settings of shared/reference/ceilings.md; removed by ``stop``."""

    bin: Path
    port: int = field(default_factory=free_port)
    root: Path | None = None
    user: str = "arrears"
    pid: int = 0

    def _run(self, *args: str) -> str:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> PgCluster:
        self.root = Path(tempfile.mkdtemp(prefix="arrears-bench-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-instructions")
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=on -c synchronous_commit=on -c wal_sync_method=fdatasync -c shared_buffers=512MB "
                   "-c max_wal_size=4GB -c max_connections=200")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(data), "-l", str(self.root / "postgres.log"),
                  "-o", options)
        self.pid = int((data / "postmaster.pid").read_text().split()[0])
        return self

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        psql = self.bin / "psql"
        subprocess.run([str(psql) if psql.exists() else "psql", self.url("postgres"), "-v", "ON_ERROR_STOP=1", "-q",
                        "-c", f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=60)
        return self.url(name)

    def version(self) -> str:
        return self._run("pg_ctl", "--version").strip()

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.root / "data"))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
