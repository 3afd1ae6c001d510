"""``arrears listen``: like ``stripe listen``, follow a server's events as they happen, print each one,
and optionally forward it, signed with a session secret, to a local URL."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import orjson

from arrears.webhooks.signing import signature


class Listener:
    def __init__(self, api_base: str, api_key: str, *, forward_to: str | None = None,
                 events: list[str] | None = None, out: Callable[[str], None] = print,
                 client: httpx.Client | None = None) -> None:
        self.api_base = api_base.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}"}
        self.forward_to = forward_to
        self.events = set(events or [])
        self.out = out
        self.secret = "whsec_" + secrets.token_hex(24)
        self.http = client or httpx.Client(timeout=10.0)
        self.cursor: str | None = None

    def _get(self, params: dict[str, str]) -> dict:  # type: ignore[type-arg]
        response = self.http.get(f"{self.api_base}/v1/events", params=params, headers=self.headers)
        if response.status_code != 200:
            message = response.json().get("error", {}).get("message", response.text)
            raise RuntimeError(f"{self.api_base} answered {response.status_code}: {message}")
        return response.json()  # type: ignore[no-any-return]

    def start(self) -> None:
        """Begin after the newest event that exists now (history is not replayed)."""
        newest = self._get({"limit": "1"})["data"]
        self.cursor = newest[0]["id"] if newest else None

    def poll(self) -> int:
        """Handle every event newer than the cursor, oldest first; the number handled."""
        handled = 0
        while True:
            params = {"limit": "100"}
            if self.cursor:
                params["ending_before"] = self.cursor
            page = self._get(params)
            if not page["data"]:
                return handled
            for event in reversed(page["data"]):
                self.cursor = event["id"]
                if not self.events or event["type"] in self.events:
                    self._handle(event)
                    handled += 1
            if not page["has_more"]:
                return handled

    def _handle(self, event: dict) -> None:  # type: ignore[type-arg]
        stamp = datetime.fromtimestamp(event["created"], tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.out(f"{stamp}   --> {event['type']} [{event['id']}]")
        if not self.forward_to:
            return
        body = orjson.dumps(event)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "Stripe-Signature": signature(self.secret, int(time.time()), body)}
        try:
            response = self.http.post(self.forward_to, content=body, headers=headers)
            self.out(f"{stamp}  <--  [{response.status_code}] POST {self.forward_to} [{event['id']}]")
        except httpx.HTTPError as exc:
            self.out(f"{stamp}  <--  [ERROR] POST {self.forward_to} [{event['id']}]: {exc}. "
                     "Is your webhook handler running?")
