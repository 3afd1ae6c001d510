"""API keys → the scope a request runs in.

Every face (and the dashboard's sign-in) asks one ``Authenticator``:

- ``grant(key)``: who the key is. Registered keys (``arrears keys create``) are looked up by their
  SHA-256; a revoked or unknown one is a 401. In **open** mode (the default on loopback) a key nobody
  registered that looks like ``sk_test_…`` is still accepted, as stripe-mock does, as a secret key of
  the default account in test mode, so existing test suites work unchanged. In **strict** mode (the
  default on any other address) only registered keys are.
- ``authorize(...)``: the grant, then what the key may do on this endpoint (a publishable key is a 401
  everywhere, a restricted key without the permission a 403), then the account it acts for
  (``Stripe-Account`` reaches a connected account only from its platform), then the key's rate limit.
  The answer is the ``Scope`` the store runs the request in.

Lookups are cached for ``cache_seconds`` per process, so a new or revoked key takes effect on every
server within that time.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass

from arrears import STRIPE_API_VERSION
from arrears.api.ratelimit import RateLimiter
from arrears.domain import keys
from arrears.domain.errors import AuthenticationError, PermissionDenied
from arrears.domain.keys import Grant
from arrears.services import accounts
from arrears.store.base import DEFAULT_ACCOUNT, SYSTEM, Scope, Store

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, "
    "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details."
)
MAX_ACCOUNT_HEADER = 255
_masked = keys.masked


def api_key(authorization: str | None) -> str:
    """The key carried by an Authorization header (Bearer, or Basic with the key as user name)."""
    if not authorization:
        raise AuthenticationError(NO_KEY)
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        key = value
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(value, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError(
                "Invalid Basic authorization header: use the API key as the user name and an empty password."
            ) from None
    else:
        raise AuthenticationError(NO_KEY)
    if not key:
        raise AuthenticationError(NO_KEY)
    return key


def invalid(key: str) -> AuthenticationError:
    return AuthenticationError(f"Invalid API Key provided: {_masked(key)}")


@dataclass
class _Cached:
    grant: Grant | None  # None: no such key (or, in open mode, not registered)
    revoked: bool
    until: float
    open_grant: Grant | None = None  # open mode: the default account's grant of this unregistered key


class Authenticator:
    def __init__(self, store: Store, *, strict: bool = False, cache_seconds: float = 1.0,
                 limiter: RateLimiter | None = None, max_cached: int = 10_000,
                 api_version: str = STRIPE_API_VERSION) -> None:
        self.api_version = api_version  # the default version of an account that set none (open mode's)
        self.store = store
        self.strict = strict
        self.cache_seconds = cache_seconds
        self.limiter = limiter or RateLimiter()
        self.max_cached = max_cached
        self._keys: dict[str, _Cached] = {}
        self._links: dict[tuple[str, str], tuple[bool, float]] = {}

    @property
    def mode(self) -> str:
        return "strict" if self.strict else "open"

    async def _lookup(self, key: str) -> _Cached:
        digest = keys.digest(key)
        now = time.monotonic()
        hit = self._keys.get(digest)
        if hit is not None and hit.until > now:
            return hit
        record, version = await self.store.read(lambda tx: accounts.find_key_and_version(tx, key), scope=SYSTEM)
        grant = None if record is None else Grant(
            account=record["account"], livemode=record["livemode"], kind=record["type"], key_id=record["id"],
            shown=record["shown"], permissions=record["permissions"] or {}, api_version=version or self.api_version)
        found = _Cached(grant, record is not None and record["revoked"] is not None, now + self.cache_seconds)
        if len(self._keys) >= self.max_cached:
            self._keys = {d: c for d, c in self._keys.items() if c.until > now}
            if len(self._keys) >= self.max_cached:
                self._keys.clear()
        if self.cache_seconds > 0:
            self._keys[digest] = found
        return found

    async def grant(self, key: str) -> Grant:
        """Who ``key`` is; AuthenticationError when it is no usable key."""
        shape = keys.shape(key)
        if shape is None:
            raise invalid(key)
        found = await self._lookup(key)
        if found.revoked:
            raise AuthenticationError(f"Expired API Key provided: {_masked(key)}. This key was revoked; "
                                      "use another key of the account.")
        if found.grant is not None:
            return found.grant
        if self.strict or shape.livemode or shape.kind != "secret":
            raise invalid(key)
        if found.open_grant is None:  # made once per cached lookup, not per request
            found.open_grant = Grant(account=DEFAULT_ACCOUNT, livemode=False, shown=_masked(key),
                                     api_version=self.api_version)
        return found.open_grant

    async def _reaches(self, platform: str, connected: str) -> bool:
        now = time.monotonic()
        hit = self._links.get((platform, connected))
        if hit is not None and hit[1] > now:
            return hit[0]
        ok = await self.store.read(lambda tx: accounts.reachable(tx, platform, connected), scope=SYSTEM)
        if len(self._links) >= self.max_cached:
            self._links.clear()
        if self.cache_seconds > 0:
            self._links[platform, connected] = (ok, now + self.cache_seconds)
        return ok

    async def scope_for(self, grant: Grant, stripe_account: str | None) -> Scope:
        """The scope a request runs in: the key's account, or the connected account it names."""
        if stripe_account is None or stripe_account.strip() in ("", grant.account):
            return Scope(grant.account, grant.livemode)
        target = stripe_account.strip()
        if len(target) > MAX_ACCOUNT_HEADER or not await self._reaches(grant.account, target):
            raise PermissionDenied(
                f"The provided key '{grant.shown}' does not have access to account '{target[:64]}' (or that "
                "account does not exist). Application access may have been revoked.", code="account_invalid")
        return Scope(target, grant.livemode)

    async def authorize(self, key: str, *, path: str, write: bool,
                        headers: Mapping[str, str] | None = None) -> tuple[Grant, Scope]:
        """Everything a face checks before it parses a parameter: the key, its permission for this
        endpoint, the account it acts for, its rate limit."""
        grant = await self.grant(key)
        grant.check(keys.resource_of(path), write)
        scope = await self.scope_for(grant, (headers or {}).get("stripe-account"))
        self.limiter.take(grant.key_id or keys.digest(key), grant.livemode)
        return grant, scope
