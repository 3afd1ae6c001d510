"""Object ids in Stripe's form: a prefix, an underscore and base-62 characters.

A 24-character id (invoices, events, ledger lines, ...) starts, as Stripe's do, with its creation time:
seven characters of milliseconds since 2020, then 17 random ones. New rows' ids then land at the end
of the table's id index instead of on a random page of it, so a batch of inserts rewrites a few index
pages rather than one per row. Shorter ids (customers' 14, request ids) are wholly random.
"""

from __future__ import annotations

import os
import threading
import time
import weakref

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# byte -> a base-62 character, so that ``os.urandom(n).translate(_BASE62)`` is n random characters
_BASE62 = bytes(ord(_ALPHABET[b % 62]) for b in range(256))
_BASE36 = bytes(ord(_ALPHABET[b % 36]) for b in range(256))
EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
STAMP_LENGTH = 7  # 62**7 ms is 111 years
TIMED_FROM = 20  # ids at least this long start with the time


def stamp(ms: int) -> str:
    """``ms`` since EPOCH_MS as STAMP_LENGTH base-62 characters, in the alphabet's (ASCII) order."""
    n = max(ms - EPOCH_MS, 0)
    out = []
    for _ in range(STAMP_LENGTH):
        n, digit = divmod(n, 62)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


_GENERATORS: weakref.WeakSet[IdGen] = weakref.WeakSet()


def _forget_random_after_fork() -> None:
    """A forked worker must not draw the random bytes its parent had drawn: the ids would repeat."""
    for gen in list(_GENERATORS):
        gen._random = b""
        gen._lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_random_after_fork)


class IdGen:
    """Time-ordered random ids; a seam so tests can pass a deterministic one."""

    def __init__(self) -> None:
        self._ms = -1
        self._stamp = ""
        self._random = b""  # os.urandom drawn 4 KB at a time: one system call per ~200 ids, not per id
        self._lock = threading.Lock()
        _GENERATORS.add(self)

    def _take(self, n: int) -> bytes:
        with self._lock:
            if len(self._random) < n:
                self._random = os.urandom(4096)
            out, self._random = self._random[:n], self._random[n:]
        return out

    def new(self, prefix: str, length: int = 24) -> str:
        if length < TIMED_FROM:
            return prefix + "_" + self._take(length).translate(_BASE62).decode()
        ms = time.time_ns() // 1_000_000
        if ms != self._ms:
            self._ms, self._stamp = ms, stamp(ms)
        return prefix + "_" + self._stamp + self._take(length - STAMP_LENGTH).translate(_BASE62).decode()

    def invoice_prefix(self) -> str:
        return self._take(8).translate(_BASE36).decode()
