"""One function per command. Each loads through the Tx, applies the domain rule, saves and appends
its events to the outbox in the same transaction. Services never commit: the Store does."""

from __future__ import annotations

from dataclasses import dataclass

from arrears import STRIPE_API_VERSION
from arrears.domain.collection import Policy
from arrears.domain.webhook_urls import OPEN, UrlPolicy
from arrears.ids import IdGen


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a command needs to know about the request that carries it."""

    now: int
    ids: IdGen
    livemode: bool = False
    request_id: str | None = None
    idempotency_key: str | None = None
    base_url: str = "http://127.0.0.1:12111"
    api_version: str = STRIPE_API_VERSION  # the request's (Stripe-Version, else the account's default)
    account: str | None = None  # the account the request acts for (its scope's)
    account_api_version: str = STRIPE_API_VERSION  # the account's default: what its events are rendered in
    policy: Policy = Policy()  # the account's collection settings (automatic collection, test clocks)
    webhook_urls: UrlPolicy = OPEN  # where webhook endpoints may point (strict servers: public addresses)
