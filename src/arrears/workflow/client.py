"""One small HTTP client for the CLI's commands that talk to a running server: Stripe's form encoding,
its error bodies, and failures told in one line that says what to do next (``WorkflowError``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

DEFAULT_API_BASE = "http://127.0.0.1:12111"
DEFAULT_KEY = "sk_test_arrears_cli"  # any sk_test_ key works on an open (loopback) server


class WorkflowError(Exception):
    """A command that cannot go on: its message is the one line the user reads."""


class KeyRefused(WorkflowError):
    """The server does not accept the API key (a 401): nothing will change by trying again."""


class ApiError(WorkflowError):
    """The server refused a request: its status and Stripe's error object."""

    def __init__(self, status: int, error: Mapping[str, Any], what: str) -> None:
        self.status = status
        self.error = dict(error)
        self.type = str(error.get("type") or "api_error")
        super().__init__(f"{what} was refused ({status} {self.type}): {error.get('message') or 'no message'}")


def api_base_from(value: str | None) -> str:
    return (value or os.environ.get("ARREARS_API_BASE") or DEFAULT_API_BASE).rstrip("/")


def api_key_from(value: str | None) -> str:
    return value or os.environ.get("ARREARS_API_KEY") or DEFAULT_KEY


def encode(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: ``{"a": {"b": 1}, "c": [x, y]}`` → ``a[b]=1``, ``c[0]=x``, ``c[1]=y``;
    booleans as ``true``/``false``; None is left out, and an empty string sent (it unsets a field)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if value is None:
            continue
        if isinstance(value, Mapping):
            pairs += encode(value, name)
        elif isinstance(value, list | tuple):
            pairs += encode({str(i): item for i, item in enumerate(value)}, name)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        else:
            pairs.append((name, str(value)))
    return pairs


@dataclass
class Api:
    """The server at ``base`` as ``key`` (acting for ``account`` with Stripe-Account when given)."""

    base: str = DEFAULT_API_BASE
    key: str = DEFAULT_KEY
    account: str | None = None
    timeout: float = 30.0
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.key}", "User-Agent": "arrears-cli"}
        if self.account:
            headers["Stripe-Account"] = self.account
        return {**headers, **(extra or {})}

    def request(self, method: str, path: str, params: Mapping[str, Any] | None = None, *,
                timeout: float | None = None, headers: Mapping[str, str] | None = None) -> httpx.Response:
        """The raw answer; WorkflowError when the server cannot be reached at all."""
        url = self.base + path
        pairs = encode(params or {})
        try:
            if method.upper() in ("GET", "DELETE"):
                return self.http.request(method.upper(), url, params=_query(pairs), headers=self.headers(headers),
                                         timeout=timeout or self.timeout)
            return self.http.request(method.upper(), url, data=dict(pairs) if pairs else None,
                                     headers=self.headers(headers), timeout=timeout or self.timeout)
        except httpx.TimeoutException:
            raise WorkflowError(f"{self.base} did not answer {method.upper()} {path} in time: "
                                "is the server busy or stopped?") from None
        except httpx.HTTPError as exc:
            raise WorkflowError(unreachable(self.base, exc)) from None

    def call(self, method: str, path: str, params: Mapping[str, Any] | None = None, **options: Any) -> Any:
        """The JSON answer of a request that must succeed; ApiError (with a hint for a refused key) if not."""
        response = self.request(method, path, params, **options)
        return answer(response, f"{method.upper()} {path}", self)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def answer(response: httpx.Response, what: str, api: Api) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code < 400 and body is not None:
        return body
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        raise WorkflowError(f"{api.base} answered {what} with {response.status_code} and no Stripe error: "
                            "is that an arrears server? (check --api-base)")
    if response.status_code == 401:
        said = str(error.get("message") or "").rstrip(".")
        raise KeyRefused(f"{api.base} refused the API key {masked(api.key)}: {said}. "
                         "Pass a key it accepts with --api-key (or ARREARS_API_KEY).")
    raise ApiError(response.status_code, error, what)


def _query(pairs: list[tuple[str, str]]) -> httpx.QueryParams:
    query = httpx.QueryParams()
    for name, value in pairs:
        query = query.add(name, value)
    return query


def masked(key: str) -> str:
    return key if len(key) <= 12 else f"{key[:8]}…{key[-4:]}"


def unreachable(base: str, exc: Exception) -> str:
    reason = str(exc) or type(exc).__name__
    return (f"cannot reach {base} ({reason}): start the server with `arrears serve`, "
            "or point --api-base at the one that runs.")


POLL_SECONDS = 25.0  # how long one long poll waits on the server for something new
BACKOFF = (0.25, 0.5, 1.0, 2.0, 4.0)  # seconds between tries while the server is away


def follow(api: Api, poll: Callable[[float], object], *, done: Callable[[], bool], out: Callable[[str], None],
           seconds: float = 0, sleep: Callable[[float], None] = time.sleep,
           resumed: Callable[[], str] = lambda: "") -> None:
    """Long-poll with ``poll(timeout)`` until ``seconds`` pass (0: never) or ``done()``, through server
    restarts: when the server goes away, say so once, retry with backoff, and say so again when it is
    back (``resumed()`` adds where it goes on from). A refused key ends it: trying again changes nothing."""
    deadline = time.monotonic() + seconds if seconds else None
    failures = 0
    while deadline is None or time.monotonic() < deadline:
        if done():
            return
        left = POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))
        try:
            poll(left)
        except KeyRefused:
            raise
        except WorkflowError as exc:
            if failures == 0:
                out(f"Lost {api.base} ({exc}); waiting for it to come back, retrying every few seconds "
                    "(^C to quit)")
            sleep(BACKOFF[min(failures, len(BACKOFF) - 1)])
            failures += 1
            continue
        if failures:
            out(f"Reconnected to {api.base}{resumed()}")
            failures = 0
