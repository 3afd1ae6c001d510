"""Key shapes, what each kind of key may do, which permission each endpoint needs, and the token bucket."""

from __future__ import annotations

import pytest

from arrears.api.ratelimit import RateLimiter
from arrears.api.stripe.routes import OPERATIONS
from arrears.domain import keys
from arrears.domain.errors import AuthenticationError, ParamError, PermissionDenied, RateLimited


@pytest.mark.parametrize(("key", "kind", "live"), [("sk_test_abc", "secret", False), ("sk_live_abc", "secret", True),
                                                   ("rk_test_abc", "restricted", False),
                                                   ("pk_live_abc", "publishable", True)])
def test_a_keys_prefix_says_its_kind_and_mode(key: str, kind: str, live: bool) -> None:
    assert keys.shape(key) == keys.Shape(kind, live)


@pytest.mark.parametrize("key", ["sk_test_", "sk_prod_abc", "xk_test_abc", "sk_test_a b", "sk_test_\x00", "sk",
                                 "sk_test_" + "a" * 300])
def test_anything_else_is_no_key(key: str) -> None:
    assert keys.shape(key) is None


def test_new_keys_are_random_and_only_their_last_four_characters_are_shown() -> None:
    made = {keys.new_key("restricted", True) for _ in range(100)}
    assert len(made) == 100 and all(k.startswith("rk_live_") and len(k) == 40 for k in made)
    key = made.pop()
    assert keys.masked(key).startswith("rk_live_") and keys.masked(key).endswith(key[-4:])
    assert key[8:-4] not in keys.masked(key)


def test_every_stripe_route_belongs_to_a_permission() -> None:
    assert {op.path: keys.resource_of(op.path) for op in OPERATIONS if keys.resource_of(op.path) is None} == {}


def test_a_secret_key_may_do_anything_and_a_publishable_key_nothing() -> None:
    keys.Grant("acct_a", False).check("invoice", write=True)
    with pytest.raises(AuthenticationError, match="publishable API key"):
        keys.Grant("acct_a", False, kind="publishable").check("invoice", write=False)


def test_a_restricted_key_reads_with_read_writes_with_write_and_says_what_is_missing() -> None:
    grant = keys.Grant("acct_a", False, kind="restricted", shown="rk_test_****abcd",
                       permissions=keys.parse_permissions(["customer:read", "invoice:write", "invoice:read"]))
    grant.check("customer", write=False)
    grant.check("invoice", write=True)
    with pytest.raises(PermissionDenied, match="'rak_customer_write' permission") as denied:
        grant.check("customer", write=True)
    assert "rk_test_****abcd" in denied.value.message and "acct_a" in denied.value.message
    with pytest.raises(PermissionDenied, match="rak_event_read"):
        grant.check("event", write=False)
    with pytest.raises(ParamError):
        keys.parse_permissions(["customers:read"])


def test_the_bucket_allows_a_burst_of_one_second_then_the_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(live=10, test=0, clock=lambda: now[0])
    for _ in range(10):
        limiter.take("k", livemode=True)
    with pytest.raises(RateLimited):
        limiter.take("k", livemode=True)
    limiter.take("other", livemode=True)  # each key has its own bucket
    for _ in range(1000):  # test mode: no limit by default
        limiter.take("k", livemode=False)
    now[0] = 0.5
    for _ in range(5):
        limiter.take("k", livemode=True)
    with pytest.raises(RateLimited):
        limiter.take("k", livemode=True)


def test_the_limiter_forgets_idle_keys_instead_of_growing() -> None:
    now = [0.0]
    limiter = RateLimiter(test=1, clock=lambda: now[0], max_keys=100)
    for n in range(1000):
        now[0] += 2
        limiter.take(f"k{n}", livemode=False)
    assert len(limiter._buckets) <= 100
