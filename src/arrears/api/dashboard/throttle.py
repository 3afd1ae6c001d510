"""Sign-in throttling: after ``limit`` failed sign-ins from one client address within ``window`` seconds,
the form refuses that address (429) until the oldest failure is ``window`` seconds old, whatever key it
sends, so API keys cannot be guessed through the dashboard at speed.

The count is kept in each worker process, like the API's rate limits: with ``--workers N`` an address
gets up to N times ``limit`` tries per window. A worker forgets every address when it restarts, and keeps
at most ``max_addresses`` of them (past that it starts afresh rather than grow)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

LIMIT = 10
WINDOW = 60.0


class SignInThrottle:
    def __init__(self, limit: int = LIMIT, window: float = WINDOW, *,
                 clock: Callable[[], float] = time.monotonic, max_addresses: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_addresses = max_addresses
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if failures is not None and not failures:
            del self._failures[address]
            return None
        return failures

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again; None when it may try now."""
        now = self.clock()
        failures = self._recent(address, now)
        if failures is None or len(failures) < self.limit:
            return None
        return max(1, math.ceil(failures[0] + self.window - now))

    def failed(self, address: str) -> None:
        now = self.clock()
        failures = self._recent(address, now)
        if failures is None:
            if len(self._failures) >= self.max_addresses:
                self._failures.clear()
            failures = self._failures[address] = deque()
        failures.append(now)
        while len(failures) > self.limit:
            failures.popleft()
