"""The HTTP server under ``arrears serve``: one listening socket of our own, and supervised workers.

- **The port is ours or we say so.** ``listen()`` binds the socket in the main process, before the banner,
  with SO_REUSEADDR (a restart over connections in TIME_WAIT) and never SO_REUSEPORT: no other server,
  arrears or not, can bind the port while it is held, and a port someone else holds is one line
  (``BindFailure``), not a traceback. The workers inherit that one socket; the kernel queues new
  connections on it until one of them accepts.
- **Workers are supervised.** granian respawns a worker that dies (``respawn_failed_workers``). The
  listening socket belongs to the main process, so connections waiting to be accepted outlive the worker:
  only the requests it was serving are lost. Each replacement is one line on stderr. A worker that dies
  again within granian's crash-loop window (5.5 s after its replacement) stops the server, as one that
  cannot start would; one that does not stop within ``KILL_AFTER`` seconds of SIGTERM is killed.

granian (2.8) has no option for a listening socket made by the caller, so ``_OnSocket`` overrides the
method that makes it (``_init_shared_socket``) with what granian itself builds where SO_REUSEPORT is not
available: one ``SocketHolder`` shared by every worker. ``_stoppable_worker`` covers two ways a granian
worker can miss a stop signal while it starts (its docstring).
"""

from __future__ import annotations

import errno
import functools
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

BACKLOG = 2048
KILL_AFTER = 10  # seconds a worker has to finish its requests after SIGTERM before it is killed
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_stopping = False  # a stop signal reached the main process; a worker forked after it inherits the flag


class BindFailure(Exception):
    """The listening socket could not be made; the message is the one line for the user."""


def listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host``:``port``, inheritable by the workers; ``BindFailure`` if it cannot be."""
    host = host.strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise BindFailure(f"arrears: cannot listen on {host}: {exc.strerror}: use --host") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise BindFailure(bind_failure(host, port, exc)) from None
    sock.set_inheritable(True)
    return sock


def bind_failure(host: str, port: int, exc: OSError) -> str:
    """The one line that says why ``host``:``port`` could not be listened on, and what to change."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return f"arrears: port {port} is in use: is another arrears or stripe-mock running? use --port"
    if exc.errno == errno.EACCES:
        return (f"arrears: cannot listen on {where}: permission denied (ports below 1024 need root or "
                "CAP_NET_BIND_SERVICE): use --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"arrears: cannot listen on {where}: the address is not one of this machine's: use --host"
    return f"arrears: cannot listen on {where}: {exc.strerror or exc}"


def ended(exitcode: int | None) -> str:
    """How a worker process ended, from its multiprocessing exit code (negative: the signal)."""
    if exitcode is None:
        return "stopped"
    if exitcode < 0:
        try:
            return f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"was killed by signal {-exitcode}"
    return f"exited with status {exitcode}"


def run_granian(sock: socket.socket, workers: int, **options: Any) -> None:
    """Serve ``arrears.app:from_environment`` with granian's ASGI workers on ``sock``, until stopped."""
    from granian.constants import Interfaces

    server = _granian_class()("arrears.app:from_environment", sock=sock, interface=Interfaces.ASGI, factory=True,
                              workers=workers, backlog=BACKLOG, respawn_failed_workers=True,
                              workers_kill_timeout=KILL_AFTER, **options)
    server.serve(spawn_target=functools.partial(_stoppable_worker, server._spawn_asgi_lifespan_worker))


def _stoppable_worker(target: Callable[..., None], *args: Any) -> None:
    """Run granian's worker ``target`` so that a stop signal stops it at any moment of its start.

    1. A forked worker inherits the main process's handlers, which only set a flag, until granian installs
       its own after loading the app: a SIGTERM in between was lost and the worker never stopped. Here the
       default action (the worker ends) holds until then, and a stop that came earlier skips the start.
    2. granian's own handler, called twice before the worker serves (SIGTERM to the process group, then
       the main process's SIGTERM to each worker), deadlocks in its second ``WorkerSignal.set()``. The
       handler installed here sets it once.
    """
    import granian._signals

    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_DFL)
    if _stopping:
        return
    granian._signals.set_loop_signals = _loop_signals_once
    target(*args)


def _loop_signals_once(loop: Any) -> Any:
    """granian's ``set_loop_signals``, but only the first stop signal sets the worker's shutdown event."""
    from granian._granian import WorkerSignal

    event = WorkerSignal()
    fired: list[bool] = []

    def stop() -> None:
        if not fired:
            fired.append(True)
            event.set()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop)
    return event


def _granian_class() -> Any:
    """``_OnSocket``, defined on first use so that importing this module does not import granian."""
    from granian import Granian
    from granian._granian import SocketHolder

    class _OnSocket(Granian):  # type: ignore[misc, valid-type]
        """granian serving on a socket it was given, and saying when it replaced a worker."""

        def __init__(self, *args: Any, sock: socket.socket, **kwargs: Any) -> None:
            host, port = sock.getsockname()[:2]
            super().__init__(*args, address=host, port=port, **kwargs)
            self._listener = sock

        def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
            global _stopping
            _stopping = True
            super().signal_handler_interrupt(*args, **kwargs)

        def _init_shared_socket(self) -> None:
            self._ssp = None
            # (fd, is a unix socket, backlog): granian's stub leaves __new__ out
            self._shd = SocketHolder(self._listener.fileno(), False, self.backlog)  # type: ignore[call-arg]
            self._sfd = self._shd.get_fd()
            self._sso = self._listener

        def _respawn_workers(self, workers: list[int], *args: Any, **kwargs: Any) -> None:
            dead = {idx: self.wrks[idx] for idx in workers if not self.wrks[idx].is_alive()}
            super()._respawn_workers(workers, *args, **kwargs)
            for idx, old in dead.items():
                print(f"arrears: worker {idx + 1} (pid {old.inner.pid}) {ended(old.inner.exitcode)}; "
                      f"replaced by pid {self.wrks[idx].inner.pid}", file=sys.stderr, flush=True)

    return _OnSocket


def run_uvicorn(sock: socket.socket, workers: int, **options: Any) -> None:
    """Serve with uvicorn on ``sock``, as ``uvicorn.run`` would on its own socket: in this process with one
    worker (nothing respawns it), else under uvicorn's supervisor, which replaces a worker that dies or
    stops answering its health check (logged at info level)."""
    import uvicorn
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("arrears.app:from_environment", factory=True, workers=workers, **options)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
        return
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)
