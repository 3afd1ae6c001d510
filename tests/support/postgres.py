"""A throwaway PostgreSQL cluster for the tests: ``initdb`` into a temporary folder, ``pg_ctl start`` on
a free loopback port, one fresh database per caller, ``pg_ctl stop`` and the folder removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI) the cluster's commands run as the
``postgres`` user that Debian's package creates. Nothing is skipped when PostgreSQL is missing: the
caller gets ``PostgresMissing`` with the command that installs it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.server import free_port

INSTALL_HINT = (
    "The tests run every API test on PostgreSQL too, and no PostgreSQL server binaries were found "
    "(initdb, pg_ctl in /usr/lib/postgresql/<version>/bin or on PATH). Install them with "
    "`sudo apt-get install postgresql` (Debian/Ubuntu), or run `make test`, which installs them when missing. "
    "Set ARREARS_PG_BIN to the folder holding initdb to use another build."
)
USER = "arrears"


class PostgresMissing(RuntimeError):
    pass


def candidates() -> list[str]:
    """Where initdb may be: $ARREARS_PG_BIN, Debian's folders newest first, then the one on PATH."""
    found = [os.environ.get("ARREARS_PG_BIN", "")]
    found += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    on_path = shutil.which("initdb")
    return found + [str(Path(on_path).resolve().parent) if on_path else ""]


def find_bin(folders: list[str] | None = None) -> Path:
    """The first folder holding both ``initdb`` and ``pg_ctl``; PostgresMissing when there is none."""
    for folder in filter(None, candidates() if folders is None else folders):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise PostgresMissing(INSTALL_HINT)


@dataclass
class Cluster:
    bin: Path = field(default_factory=find_bin)
    port: int = field(default_factory=free_port)
    root: Path | None = None
    _names: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def admin_url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and postgres refuse root: run them as Debian's postgres user
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def start(self) -> Cluster:
        self.root = Path(tempfile.mkdtemp(prefix="arrears-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions")
        # A test cluster: fsync off (a crash of PostgreSQL itself is not what the tests exercise; every
        # other setting, synchronous_commit and READ COMMITTED included, is PostgreSQL's default).
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} "
                   "-c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB")
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(data), "-l", str(self.root / "postgres.log"),
                  "-o", options)
        return self

    def create_database(self, prefix: str = "t") -> str:
        """A fresh, empty database; its URL."""
        name = f"{prefix}_{next(self._names)}"
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _psql(self, sql: str) -> None:
        psql = self.bin / "psql"
        result = subprocess.run([str(psql) if psql.exists() else "psql", self.admin_url, "-v", "ON_ERROR_STOP=1",
                                 "-q", "-c", sql], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {result.stderr}")

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.root / "data"))
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
