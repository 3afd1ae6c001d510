"""What every face is handed: the store and the seams (clock, ids), wired once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from arrears.clock import Clock
from arrears.ids import IdGen
from arrears.store.base import Store


@dataclass(frozen=True)
class Env:
    store: Store
    clock: Clock
    ids: IdGen
    base_url: str
