"""The ``arrears serve`` process: the port is ours or we say so, and a worker that dies is replaced.

- A second server on a port already held (by another arrears, or by any program) exits 1 at once with one
  line on stderr, before its banner, and the first server goes on serving its own database alone.
- A worker killed with SIGKILL, under load, is replaced: the server keeps answering, a new worker pid
  appears, the replacement is logged, only the requests the dead worker was serving fail, and what was
  written before the kill is still there.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.support.server import KEY, Server

pytestmark = pytest.mark.slow  # real processes bound, killed and respawned, seconds each
AUTH = {"Authorization": f"Bearer {KEY}"}
IN_USE = "arrears: port {port} is in use: is another arrears or stripe-mock running? use --port\n"
SERVERS = ["granian", "uvicorn"]
THREADS = 4  # clients under load, each one request at a time on its own keep-alive connection

T = TypeVar("T")


def wait_for(what: Callable[[], T], timeout: float = 15.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := what():
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s")


def create_customer(url: str, email: str) -> str:
    with httpx.Client(base_url=url, headers=AUTH, timeout=20) as http:
        answer = http.post("/v1/customers", data={"email": email})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def retrieve_on_fresh_connections(url: str, customer: str, times: int = 20) -> list[int]:
    """Statuses of ``times`` retrievals of ``customer``, each on a new connection (so on any worker)."""
    statuses = []
    for _ in range(times):
        with httpx.Client(base_url=url, headers=AUTH, timeout=20) as http:
            answer = http.get(f"/v1/customers/{customer}")
        statuses.append(answer.status_code)
        assert answer.status_code != 200 or answer.json()["id"] == customer
    return statuses


@pytest.fixture()
def first(tmp_path: Path) -> Iterator[Server]:
    with Server(database=f"sqlite:///{tmp_path / 'first.db'}", workers=2) as srv:
        yield srv


@pytest.mark.parametrize("kind", SERVERS)
def test_a_second_server_on_the_port_of_a_running_arrears_exits_1_with_one_line_and_the_first_serves_alone(
        first: Server, tmp_path: Path, kind: str) -> None:
    # Given a running arrears, with a customer in its database
    customer = create_customer(first.url, "first@example.com")
    # When a second arrears, on another database, is started on its port
    started = time.monotonic()
    second = Server(database=f"sqlite:///{tmp_path / 'second.db'}", port=first.port,
                    args=("--server", kind)).run_to_exit(timeout=15)
    # Then it refuses at once, in one line, before its banner
    assert time.monotonic() - started < 5
    assert second.returncode == 1
    assert second.stderr == IN_USE.format(port=first.port)
    assert second.stdout == ""
    assert not (tmp_path / "second.db").exists()  # it did not even open its database
    # And every request to the port is still answered by the first server, from its own database
    assert retrieve_on_fresh_connections(first.url, customer) == [200] * 20


def test_no_program_can_share_the_port_of_a_running_arrears_even_with_so_reuseport(first: Server) -> None:
    # Linux lets sockets of one user share a port when all of them set SO_REUSEPORT: arrears's does not
    with socket.socket() as intruder:
        intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        with pytest.raises(OSError) as refused:
            intruder.bind(("127.0.0.1", first.port))
    assert refused.value.errno == errno.EADDRINUSE


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_on_a_port_another_program_listens_on_exits_1_with_one_line(tmp_path: Path, kind: str) -> None:
    # Given a program (not arrears) listening on a port, without SO_REUSEPORT
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        # When arrears is started on it
        result = Server(database=f"sqlite:///{tmp_path / 'a.db'}", port=port, args=("--server", kind)).run_to_exit()
    # Then it exits 1 with one line and no traceback, and says nothing of serving
    assert result.returncode == 1
    assert result.stderr == IN_USE.format(port=port)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_a_server_on_an_address_this_machine_does_not_have_exits_1_with_one_line(tmp_path: Path) -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface here has it, so the bind fails, with no traffic
    srv = Server(database=f"sqlite:///{tmp_path / 'a.db'}", args=("--host", "192.0.2.1"))
    result = srv.run_to_exit()
    assert result.returncode == 1
    assert result.stderr == (f"arrears: cannot listen on 192.0.2.1:{srv.port}: the address is not one of this "
                             "machine's: use --host\n")
    assert result.stdout == ""


def client_connections(pid: int, port: int) -> int:
    """How many established connections to ``port`` the process ``pid`` holds (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(f"socket:[{fields[9]}]")
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):
            held += os.readlink(fd) in inodes
    return held


@dataclass
class Load:
    """THREADS clients retrieving one customer in a loop, each on its own keep-alive connection, until
    stopped (or 60 s). Records when each request was answered, or failed without an answer."""

    url: str
    customer: str
    answered: list[tuple[float, int, int]] = field(default_factory=list)  # (when, status, client)
    lost: list[tuple[float, str]] = field(default_factory=list)  # (when, error): no answer
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Load:
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(THREADS)]
        for thread in self.threads:
            thread.start()
        return self

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def answers_since(self, moment: float) -> Counter[int]:
        """How many requests of each client were answered after ``moment``."""
        with self.lock:
            return Counter(client for when, _, client in self.answered if when > moment)

    def _client(self, client: int) -> None:
        deadline = time.monotonic() + 60
        with httpx.Client(base_url=self.url, headers=AUTH, timeout=10) as http:
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    status = http.get(f"/v1/customers/{self.customer}").status_code
                except httpx.TransportError as exc:
                    with self.lock:
                        self.lost.append((time.monotonic(), repr(exc)))
                    continue
                with self.lock:
                    self.answered.append((time.monotonic(), status, client))


def test_a_worker_killed_under_load_is_replaced_and_only_its_requests_in_flight_fail(
        database: str, tmp_path: Path) -> None:
    # Given a server with two workers, a customer written, and clients reading it in a loop
    log = tmp_path / "serve.log"
    with Server(database=database, workers=2, log=log) as srv:
        customer = create_customer(srv.url, "before@example.com")
        before = srv.worker_pids()
        assert len(before) == 2
        load = Load(srv.url, customer).start()
        try:
            wait_for(lambda: min(load.answers_since(0)[n] for n in range(THREADS)) >= 10)
            # When the worker serving most of the clients is killed with SIGKILL
            held = {pid: client_connections(pid, srv.port) for pid in before}
            victim = max(held, key=held.__getitem__)
            assert held[victim] > 0
            os.kill(victim, signal.SIGKILL)
            replacement = wait_for(lambda: [pid for pid in srv.worker_pids() if pid not in before])[0]
            respawned = time.monotonic()
            wait_for(lambda: min(load.answers_since(respawned)[n] for n in range(THREADS)) >= 20)
        finally:
            load.finish()
        # Then the server runs on, with the replacement beside the surviving worker
        assert srv.proc is not None and srv.proc.poll() is None
        assert srv.worker_pids() == sorted([*(pid for pid in before if pid != victim), replacement])
        # And the only casualties are the requests in flight on the dead worker, one per client it served;
        # every client is answered again after the respawn (the wait above)
        assert len(load.lost) <= held[victim], load.lost
        assert {status for _, status, _ in load.answered} == {200}
        # And requests after the respawn succeed, reads of the write made before the kill as new writes
        later = create_customer(srv.url, "after@example.com")
        assert retrieve_on_fresh_connections(srv.url, customer) == [200] * 20
        assert retrieve_on_fresh_connections(srv.url, later, times=5) == [200] * 5
        # And the replacement is logged
        wait_for(lambda: re.search(rf"^arrears: worker \d \(pid {victim}\) was killed by SIGKILL; "
                                   rf"replaced by pid {replacement}$", log.read_text(), re.M), timeout=5)


def test_the_single_worker_killed_is_replaced_and_connections_made_meanwhile_wait_for_it(tmp_path: Path) -> None:
    # Given a server with one worker (still a child process of `arrears serve`) and a customer written
    log = tmp_path / "serve.log"
    with Server(database=f"sqlite:///{tmp_path / 'a.db'}", workers=1, log=log) as srv:
        customer = create_customer(srv.url, "before@example.com")
        [victim] = srv.worker_pids()
        # When the worker is killed with SIGKILL, and a client connects while it is gone
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: victim not in srv.worker_pids())
        statuses = retrieve_on_fresh_connections(srv.url, customer, times=1)
        # Then that request waited for the replacement and was answered, from the same database
        assert statuses == [200]
        [replacement] = srv.worker_pids()
        assert replacement != victim
        assert srv.proc is not None and srv.proc.poll() is None
        wait_for(lambda: re.search(rf"^arrears: worker 1 \(pid {victim}\) was killed by SIGKILL; "
                                   rf"replaced by pid {replacement}$", log.read_text(), re.M), timeout=5)
