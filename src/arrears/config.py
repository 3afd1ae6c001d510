"""Configuration, read once into one small typed object that fails fast."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from arrears import STRIPE_API_VERSION
from arrears.domain.collection import LEAVE_PAST_DUE, MARK_UNCOLLECTIBLE, Policy
from arrears.domain.versions import VERSIONS
from arrears.domain.webhook_urls import OPEN, PRIVATE, PUBLIC, UrlPolicy

DEFAULT_DATABASE = "sqlite:///arrears.db"
# Stripe publishes no body limit for api.stripe.com (file uploads go to files.stripe.com, which arrears does
# not serve). An object at Stripe's metadata limits (50 pairs of up to 540 bytes) is about 30 KB.
DEFAULT_MAX_BODY_BYTES = 1 << 20


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 12111
    database: str = DEFAULT_DATABASE
    workers: int = 1
    synchronous: str = "FULL"  # SQLite's PRAGMA synchronous
    sqlite_rehearsal: bool = True  # SQLite: rehearse writes outside the write lock (store/rehearsal.py)
    pool_size: int = 10  # PostgreSQL connections per server process
    auto_migrate: bool = True
    webhooks: bool = True  # run the delivery worker inside the server
    dashboard_secret: str = field(default="", repr=False)  # signs dashboard sessions; one per serve if unset
    trust_proxy: bool = False  # behind a reverse proxy: believe its X-Forwarded-Proto / X-Forwarded-For
    webhook_schedule: tuple[int, ...] = (60, 300, 900, 3600, 10800, 21600, 43200, 86400, 86400)
    webhook_allow_private: bool = False  # strict servers: deliver to loopback and private networks too
    webhook_timeout: float = 10.0  # seconds for a whole delivery attempt, answer included
    webhook_endpoint_concurrency: int = 10  # attempts in flight to one endpoint, per process
    collection: Policy = Policy()  # automatic collection: retries, then uncollectible (domain/collection.py)
    scheduler: bool = True  # run automatic collection inside the server
    auth: str = ""  # "open" | "strict"; from_env picks open on loopback, strict on any other address
    key_cache_seconds: float = 1.0  # how long a process trusts a key lookup (revocation takes this long)
    rate_limit: float = 100.0  # live-mode requests per second per key and process (0: no limit)
    test_rate_limit: float = 0.0  # test-mode requests per second per key and process (0: no limit)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # larger request bodies are refused with a 413, unread
    api_version: str = STRIPE_API_VERSION  # the default API version of accounts that set none (open mode's)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    @property
    def webhook_urls(self) -> UrlPolicy:
        """Where webhooks may go (domain/webhook_urls.py): anywhere on open servers, public addresses only on
        strict ones unless the operator allows private networks."""
        if self.auth != "strict":
            return OPEN
        return PRIVATE if self.webhook_allow_private else PUBLIC

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"


def from_env(**overrides: object) -> Settings:
    """Settings from ARREARS_* variables, then from explicit overrides (CLI flags) that are not None."""
    values: dict[str, object] = {}
    env = os.environ
    if "ARREARS_DATABASE_URL" in env:
        values["database"] = env["ARREARS_DATABASE_URL"]
    if "ARREARS_HOST" in env:
        values["host"] = env["ARREARS_HOST"]
    if "ARREARS_PORT" in env:
        values["port"] = _int("ARREARS_PORT", env["ARREARS_PORT"])
    if "ARREARS_WORKERS" in env:
        values["workers"] = _int("ARREARS_WORKERS", env["ARREARS_WORKERS"])
    if "ARREARS_SQLITE_SYNCHRONOUS" in env:
        values["synchronous"] = env["ARREARS_SQLITE_SYNCHRONOUS"].upper()
    if "ARREARS_API_VERSION" in env:
        values["api_version"] = env["ARREARS_API_VERSION"].strip()
    if "ARREARS_SQLITE_REHEARSAL" in env:
        values["sqlite_rehearsal"] = env["ARREARS_SQLITE_REHEARSAL"].lower() not in ("0", "off", "false", "no")
    if "ARREARS_PG_POOL_SIZE" in env:
        values["pool_size"] = _int("ARREARS_PG_POOL_SIZE", env["ARREARS_PG_POOL_SIZE"])
    if "ARREARS_DASHBOARD_SECRET" in env:
        values["dashboard_secret"] = env["ARREARS_DASHBOARD_SECRET"]
    if "ARREARS_TRUST_PROXY" in env:
        values["trust_proxy"] = env["ARREARS_TRUST_PROXY"].lower() in ("1", "on", "true", "yes")
    if "ARREARS_WEBHOOKS" in env:
        values["webhooks"] = env["ARREARS_WEBHOOKS"].lower() not in ("0", "off", "false", "no")
    if "ARREARS_WEBHOOK_SCHEDULE" in env:
        values["webhook_schedule"] = _schedule(env["ARREARS_WEBHOOK_SCHEDULE"])
    if "ARREARS_WEBHOOK_ALLOW_PRIVATE" in env:
        values["webhook_allow_private"] = env["ARREARS_WEBHOOK_ALLOW_PRIVATE"].lower() in ("1", "on", "true", "yes")
    if "ARREARS_WEBHOOK_TIMEOUT_SECONDS" in env:
        values["webhook_timeout"] = _number("ARREARS_WEBHOOK_TIMEOUT_SECONDS", env["ARREARS_WEBHOOK_TIMEOUT_SECONDS"])
    if "ARREARS_WEBHOOK_ENDPOINT_CONCURRENCY" in env:
        values["webhook_endpoint_concurrency"] = _int("ARREARS_WEBHOOK_ENDPOINT_CONCURRENCY",
                                                      env["ARREARS_WEBHOOK_ENDPOINT_CONCURRENCY"])
    policy = _policy(env)
    if policy is not None:
        values["collection"] = policy
    if "ARREARS_SCHEDULER" in env:
        values["scheduler"] = env["ARREARS_SCHEDULER"].lower() not in ("0", "off", "false", "no")
    if "ARREARS_AUTH" in env:
        values["auth"] = env["ARREARS_AUTH"].lower()
    if "ARREARS_KEY_CACHE_SECONDS" in env:
        values["key_cache_seconds"] = _number("ARREARS_KEY_CACHE_SECONDS", env["ARREARS_KEY_CACHE_SECONDS"])
    if "ARREARS_RATE_LIMIT" in env:
        values["rate_limit"] = _number("ARREARS_RATE_LIMIT", env["ARREARS_RATE_LIMIT"])
    if "ARREARS_TEST_RATE_LIMIT" in env:
        values["test_rate_limit"] = _number("ARREARS_TEST_RATE_LIMIT", env["ARREARS_TEST_RATE_LIMIT"])
    if "ARREARS_MAX_BODY_BYTES" in env:
        values["max_body_bytes"] = _int("ARREARS_MAX_BODY_BYTES", env["ARREARS_MAX_BODY_BYTES"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    if not values.get("auth"):  # strict whenever the server can be reached from another machine
        values["auth"] = "open" if is_loopback(str(values.get("host", Settings.host))) else "strict"
    settings = Settings(**values)  # type: ignore[arg-type]
    if settings.auth not in ("open", "strict"):
        raise ConfigError(f"auth mode {settings.auth!r}: use open (any sk_test_ key) or strict (registered keys only)")
    if min(settings.key_cache_seconds, settings.rate_limit, settings.test_rate_limit) < 0:
        raise ConfigError("ARREARS_KEY_CACHE_SECONDS and the rate limits cannot be negative")
    if not 0 < settings.port < 65536:
        raise ConfigError(f"port {settings.port} is out of range: use 1-65535")
    if settings.workers < 1:
        raise ConfigError("workers must be at least 1")
    if not 0 < settings.webhook_timeout <= 300 or settings.webhook_endpoint_concurrency < 1:
        raise ConfigError("ARREARS_WEBHOOK_TIMEOUT_SECONDS must be above 0 and at most 300, and "
                          "ARREARS_WEBHOOK_ENDPOINT_CONCURRENCY at least 1")
    if settings.max_body_bytes < 1:
        raise ConfigError("ARREARS_MAX_BODY_BYTES must be at least 1")
    if settings.pool_size < 1:
        raise ConfigError("ARREARS_PG_POOL_SIZE must be at least 1")
    if settings.api_version not in VERSIONS:
        raise ConfigError(f"API version {settings.api_version!r} is not a Stripe API version: use one such as "
                          f"{STRIPE_API_VERSION} (the latest) or 2024-06-20")
    if settings.synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ConfigError(f"ARREARS_SQLITE_SYNCHRONOUS={settings.synchronous}: use FULL (default) or NORMAL")
    if not settings.database.startswith(("sqlite:", "postgresql://", "postgres://")):
        raise ConfigError(
            f"database URL {settings.database!r} is not supported: use sqlite:///path/to/file.db or "
            "postgresql://user@host:port/db"
        )
    return settings


def _policy(env: Mapping[str, str]) -> Policy | None:
    """ARREARS_COLLECTION_RETRY_DAYS (e.g. 3,5,7), ARREARS_COLLECTION_AFTER_RETRIES (mark_uncollectible |
    leave_past_due), ARREARS_UNCOLLECTIBLE_DAYS_AFTER_DUE (days, or "never")."""
    names = ("ARREARS_COLLECTION_RETRY_DAYS", "ARREARS_COLLECTION_AFTER_RETRIES",
             "ARREARS_UNCOLLECTIBLE_DAYS_AFTER_DUE")
    if not any(name in env for name in names):
        return None
    default = Policy()
    retry_days = default.retry_days
    if names[0] in env:
        retry_days = _schedule(env[names[0]], names[0])
    after = env.get(names[1], default.after_last_retry)
    if after not in (MARK_UNCOLLECTIBLE, LEAVE_PAST_DUE):
        raise ConfigError(f"{names[1]}={after!r}: use {MARK_UNCOLLECTIBLE} or {LEAVE_PAST_DUE}")
    days: int | None = default.uncollectible_days_after_due
    if names[2] in env:
        days = None if env[names[2]].lower() == "never" else _int(names[2], env[names[2]])
    return Policy(retry_days=retry_days, after_last_retry=after, uncollectible_days_after_due=days)


def _schedule(text: str, name: str = "ARREARS_WEBHOOK_SCHEDULE") -> tuple[int, ...]:
    try:
        schedule = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError(
            f"{name}={text!r}: give whole numbers separated by commas, e.g. 60,300,3600"
        ) from None
    if any(s < 0 for s in schedule):
        raise ConfigError(f"{name}: delays cannot be negative")
    return schedule


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a number") from None


def _int(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
