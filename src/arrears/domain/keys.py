"""API keys and what each may do: pure rules, no I/O.

A key is ``<kind>_<mode>_<secret>``: ``sk`` (secret: everything in its account and mode), ``rk``
(restricted: the resources its permissions name, read or write) or ``pk`` (publishable: refused by every
endpoint arrears has, as Stripe refuses it on secret endpoints); mode ``test`` or ``live``. Only the
key's SHA-256 is stored; the key is shown once, when it is made.

Permissions of a restricted key name a resource and ``read`` or ``write`` (write includes read), as the
Stripe Dashboard's restricted-key form does. Which resource an endpoint belongs to is ``RESOURCES``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from arrears.domain.errors import AuthenticationError, ParamError, PermissionDenied

KINDS = {"sk": "secret", "rk": "restricted", "pk": "publishable"}
PREFIX_OF = {kind: prefix for prefix, kind in KINDS.items()}
MODES = {"test": False, "live": True}
ACCESS = ("read", "write")
MAX_KEY_LENGTH = 255

# The first path segment after /v1/ (or /_arrears/v1/) -> the permission that covers it. Stripe's
# restricted-key form has one row per resource; invoice items are under Invoices there too.
RESOURCES: dict[str, str] = {
    "account": "account",
    "accounts": "account",
    "tax_rates": "tax_rate",
    "tax_ids": "tax_id",
    "customers": "customer",
    "coupons": "coupon",
    "promotion_codes": "promotion_code",
    "invoices": "invoice",
    "products": "product",
    "prices": "price",
    "invoiceitems": "invoice",
    "events": "event",
    "webhook_endpoints": "webhook",
    "webhook_attempts": "webhook",
    "reports": "report",
    "test_helpers": "test_clock",
    # the dialect faces' own spellings
    "invoice_items": "invoice",
}
PERMISSIONS = tuple(sorted(set(RESOURCES.values())))

PUBLISHABLE = ("This API call cannot be made with a publishable API key. Please use a secret API key. You can "
               "find a list of your API keys at https://dashboard.stripe.com/account/apikeys.")


def masked(key: str) -> str:
    """The key as errors and listings show it: its kind and mode, stars, and its last four characters."""
    head = key[:8] if key[:3] in ("sk_", "rk_", "pk_") else key[:4]
    return head + "*" * max(len(key) - len(head) - 4, 4) + key[-4:] if len(key) > 12 else key[:4] + "****"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Shape:
    kind: str  # secret | restricted | publishable
    livemode: bool


def shape(key: str) -> Shape | None:
    """The kind and mode a key's prefix says, or None when it is no key of ours."""
    prefix, _, rest = key.partition("_")
    mode, _, secret = rest.partition("_")
    if prefix not in KINDS or mode not in MODES or not secret or len(key) > MAX_KEY_LENGTH:
        return None
    if not key.isprintable() or " " in key:
        return None
    return Shape(KINDS[prefix], MODES[mode])


def new_key(kind: str, livemode: bool) -> str:
    """A fresh key: 32 random base-62-ish characters after the prefix (190 bits)."""
    body = secrets.token_urlsafe(32).replace("-", "").replace("_", "")[:32]
    return f"{PREFIX_OF[kind]}_{'live' if livemode else 'test'}_{body}"


def parse_permissions(specs: list[str]) -> dict[str, str]:
    """``["customer:read", "invoice:write"]`` -> {"customer": "read", "invoice": "write"}."""
    out: dict[str, str] = {}
    for spec in specs:
        resource, _, access = spec.partition(":")
        if resource not in PERMISSIONS or access not in ACCESS:
            raise ParamError(f"Invalid permission {spec!r}: use RESOURCE:read or RESOURCE:write, with RESOURCE one "
                             f"of {', '.join(PERMISSIONS)}.", param="permissions")
        if out.get(resource) != "write":
            out[resource] = access
    return out


def resource_of(path: str) -> str | None:
    """The permission an endpoint needs, from its path; None for a path no permission covers (only a
    secret key may call it)."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["_arrears"]:
        parts = parts[1:]
    if len(parts) < 2 or parts[0] != "v1":
        return None
    return RESOURCES.get(parts[1])


@dataclass(frozen=True, slots=True)
class Grant:
    """What a request's key allows: its account and mode, and for a restricted key its permissions."""

    account: str
    livemode: bool
    kind: str = "secret"
    key_id: str | None = None  # None for open mode's unregistered sk_test_ keys
    shown: str = ""  # the masked key, for messages
    permissions: Mapping[str, str] = field(default_factory=dict)
    api_version: str | None = None  # the account's default API version (None: the server's default)

    def check(self, resource: str | None, write: bool) -> None:
        """Raise unless the key may call an endpoint of ``resource`` (``write``: one that changes state)."""
        if self.kind == "publishable":
            raise AuthenticationError(PUBLISHABLE)
        if self.kind == "secret":
            return
        granted = self.permissions.get(resource or "")
        if granted == "write" or (granted == "read" and not write):
            return
        needed = f"rak_{resource}_{'write' if write else 'read'}" if resource else None
        raise PermissionDenied(
            f"The provided key '{self.shown}' does not have the required permissions for this endpoint on account "
            f"'{self.account}'. " + (f"Having the '{needed}' permission would allow this request to continue."
                                     if needed else "This endpoint is not available to restricted keys."))
