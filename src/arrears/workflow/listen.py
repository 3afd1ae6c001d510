"""``arrears listen``: like ``stripe listen``, follow a server's events as they happen, print each one and
forward it, signed, to a local URL.

- The signing secret is stable: one per account and machine, kept in ``secrets.json`` under the user's
  config folder (ARREARS_CONFIG_DIR, else ``$XDG_CONFIG_HOME/arrears``, else ``~/.config/arrears``), so the
  app's secret does not change between runs. ``--print-secret`` prints it and exits.
- Events arrive by long poll (``GET /_arrears/v1/events/wait``, api/arrears_ops.py): no busy polling.
- The listener keeps the id of the last event it handled. When the server goes away it says so, retries
  with backoff, and on its return asks for the events after that id: none lost, none twice."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson

from arrears.webhooks.signing import signature
from arrears.workflow.client import POLL_SECONDS, Api, WorkflowError, follow


def config_dir() -> Path:
    if os.environ.get("ARREARS_CONFIG_DIR"):
        return Path(os.environ["ARREARS_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "arrears"


def account_of(api: Api) -> str:
    """Whose events these are: the Stripe-Account named, else the key's account (``GET /v1/account``),
    else a digest of the key (a server without that endpoint)."""
    if api.account:
        return api.account
    response = api.request("GET", "/v1/account")
    if response.status_code == 200 and isinstance(response.json().get("id"), str):
        return str(response.json()["id"])
    return "key_" + hashlib.sha256(api.key.encode()).hexdigest()[:16]


def stable_secret(account: str, folder: Path | None = None) -> str:
    """The signing secret of ``account`` on this machine: made once, then read back."""
    path = (folder or config_dir()) / "secrets.json"
    try:
        known: dict[str, str] = json.loads(path.read_text())
    except FileNotFoundError:
        known = {}
    except (OSError, ValueError) as exc:
        raise WorkflowError(f"cannot read the signing secrets in {path} ({exc}): fix or delete that file") from None
    if account in known:
        return known[account]
    known[account] = "whsec_" + secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = path.with_suffix(".tmp")
        fresh.write_text(json.dumps(known, indent=2))
        fresh.chmod(0o600)
        fresh.replace(path)
    except OSError as exc:
        raise WorkflowError(f"cannot keep the signing secret in {path} ({exc.strerror or exc}): set "
                            "ARREARS_CONFIG_DIR to a folder you can write") from None
    return known[account]


def parse_headers(texts: list[str]) -> dict[str, str]:
    """``--headers "Key:Value,Other:Value"`` (as the Stripe CLI writes them) as a dict."""
    headers: dict[str, str] = {}
    for text in texts:
        for pair in filter(None, (p.strip() for p in text.split(","))):
            name, colon, value = pair.partition(":")
            if not colon or not name.strip():
                raise WorkflowError(f"--headers {pair!r}: write each header as Name:Value, separated by commas")
            headers[name.strip()] = value.strip()
    return headers


@dataclass
class Listener:
    api: Api
    secret: str
    forward_to: str | None = None
    forward_connect_to: str | None = None
    events: frozenset[str] = frozenset()
    headers: dict[str, str] = field(default_factory=dict)
    skip_verify: bool = False
    as_json: bool = False
    latest: bool = False
    out: Callable[[str], None] = print
    cursor: str | None = None
    handled: int = 0
    _forwarder: httpx.Client | None = None

    def start(self) -> None:
        """Begin after the newest event that exists now (history is not replayed)."""
        self.cursor = self._wait(None, 0)["cursor"]

    def _wait(self, after: str | None, timeout: float) -> dict[str, Any]:
        params: dict[str, Any] = {"timeout": f"{timeout:g}"}
        if after is not None:
            params["after"] = after
        if self.events:
            params["types"] = ",".join(sorted(self.events))
        if self.latest:
            params["latest"] = "true"
        answer: dict[str, Any] = self.api.call("GET", "/_arrears/v1/events/wait", params, timeout=timeout + 15)
        return answer

    def poll(self, timeout: float = POLL_SECONDS) -> int:
        """Wait up to ``timeout`` seconds for events after the cursor; handle them; how many."""
        answer = self._wait(self.cursor, timeout)
        for event in answer["data"]:
            self._handle(event)
            self.cursor = event["id"]
            self.handled += 1
        return len(answer["data"])

    def run(self, *, seconds: float = 0, max_events: int = 0, sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll until ``seconds`` pass or ``max_events`` are handled (0: never), through server restarts."""
        follow(self.api, self.poll, done=lambda: bool(max_events) and self.handled >= max_events, out=self.out,
               seconds=seconds, sleep=sleep, resumed=lambda: f"; resuming after {self.cursor}")

    def _handle(self, event: dict[str, Any]) -> None:
        stamp = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
        if self.as_json:
            self.out(orjson.dumps(event).decode())
        else:
            self.out(f"{stamp}   --> {event['type']} [{event['id']}]")
        target = self.forward_connect_to if event.get("account") and self.forward_connect_to else self.forward_to
        if not target:
            return
        body = orjson.dumps(event)
        headers = {**self.headers, "Content-Type": "application/json; charset=utf-8",
                   "Stripe-Signature": signature(self.secret, int(time.time()), body)}
        if self._forwarder is None:
            self._forwarder = httpx.Client(timeout=30.0, verify=not self.skip_verify)
        try:
            response = self._forwarder.post(target, content=body, headers=headers)
            if not self.as_json:
                self.out(f"{stamp}  <--  [{response.status_code}] POST {target} [{event['id']}]")
        except httpx.HTTPError as exc:
            self.out(f"{stamp}  <--  [ERROR] POST {target} [{event['id']}]: {exc or type(exc).__name__}. "
                     "Is your webhook handler running?")

    def close(self) -> None:
        if self._forwarder is not None:
            self._forwarder.close()
