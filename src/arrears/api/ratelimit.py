"""Per-key rate limits: a token bucket per API key and process, refilled at ``rate`` requests per second
up to a burst of one second's worth. Stripe allows about 100 requests per second in live mode and 25 in
test mode; arrears limits live keys at 100 by default and test keys not at all (a test suite should not
trip on its own server), both configurable (``ARREARS_RATE_LIMIT``, ``ARREARS_TEST_RATE_LIMIT``).

A refused request gets Stripe's 429 with code ``rate_limit`` (stripe-python raises ``RateLimitError``).
Limits are per process: with ``--workers N`` a key may make up to N times the rate."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from arrears.domain.errors import RateLimited

MESSAGE = ("Too many requests hit the API too quickly. We recommend an exponential backoff of your requests. "
           "See https://stripe.com/docs/rate-limits.")


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, *, live: float = 0.0, test: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 10_000) -> None:
        self.live, self.test = live, test
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}

    def take(self, key: str, livemode: bool) -> None:
        """Spend one request of ``key``'s budget, or raise RateLimited."""
        rate = self.live if livemode else self.test
        if rate <= 0:
            return
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:  # forget the keys that are back to a full bucket
                self._buckets = {k: b for k, b in self._buckets.items() if b.tokens + (now - b.at) * rate < rate}
            bucket = self._buckets[key] = _Bucket(rate, now)
        bucket.tokens = min(rate, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1:
            raise RateLimited(MESSAGE)
        bucket.tokens -= 1
