"""What every face is handed: the store, the seams (clock, ids), the account's collection settings and
the authenticator, wired once at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arrears.api.auth import Authenticator
from arrears.clock import Clock
from arrears.domain.collection import Policy
from arrears.domain.webhook_urls import OPEN, UrlPolicy
from arrears.ids import IdGen
from arrears.services import Ctx
from arrears.store.base import Store


@dataclass(frozen=True)
class Env:
    store: Store
    clock: Clock
    ids: IdGen
    base_url: str
    auth: Authenticator  # who a key is, in open or strict mode (built by app.build from the settings)
    policy: Policy = Policy()  # the account's collection settings
    webhook_urls: UrlPolicy = OPEN  # where webhook endpoints may point (Settings.webhook_urls)

    def ctx(self, **request: Any) -> Ctx:
        """A command context for a request now: the seams and settings, plus what the request says."""
        return Ctx(now=self.clock.now(), ids=self.ids, base_url=self.base_url, policy=self.policy,
                   webhook_urls=self.webhook_urls, **request)
