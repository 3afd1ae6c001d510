"""Object ids in Stripe's form: a prefix, an underscore and 24 base-62 characters."""

from __future__ import annotations

import os

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class IdGen:
    """Random ids; a seam so tests can pass a deterministic one."""

    def new(self, prefix: str, length: int = 24) -> str:
        raw = os.urandom(length)
        return prefix + "_" + "".join(_ALPHABET[b % 62] for b in raw)

    def invoice_prefix(self) -> str:
        raw = os.urandom(8)
        return "".join(_ALPHABET[b % 36] for b in raw)
