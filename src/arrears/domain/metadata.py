"""Metadata rules (Stripe: up to 50 keys, keys up to 40 characters without square brackets, values up
to 500 characters; an empty value unsets a key, an empty ``metadata`` unsets them all)."""

from __future__ import annotations

from arrears.domain.errors import ParamError

MAX_KEYS, MAX_KEY_LENGTH, MAX_VALUE_LENGTH = 50, 40, 500


def merged(current: dict[str, str] | None, update: dict[str, str] | None) -> dict[str, str]:
    """``current`` with ``update`` applied. ``update`` None means "unset everything"."""
    if update is None:
        return {}
    result = dict(current or {})
    for key, value in update.items():
        if value == "":
            result.pop(key, None)
        else:
            result[key] = value
    check(result)
    return result


def check(metadata: dict[str, str]) -> None:
    for key, value in metadata.items():
        if len(key) > MAX_KEY_LENGTH:
            raise ParamError(
                f"Invalid key: metadata keys must be at most {MAX_KEY_LENGTH} characters, "
                f"but '{key[:60]}' has {len(key)}.", param=f"metadata[{key[:60]}]",
            )
        if "[" in key or "]" in key:
            raise ParamError("Invalid key: metadata keys can't contain square brackets ([ and ]).",
                             param="metadata")
        if len(value) > MAX_VALUE_LENGTH:
            raise ParamError(
                f"Invalid value: metadata values can have up to {MAX_VALUE_LENGTH} characters, "
                f"but the value of '{key}' has {len(value)}.", param=f"metadata[{key}]",
            )
    if len(metadata) > MAX_KEYS:
        raise ParamError(
            f"Metadata can have up to {MAX_KEYS} keys, but you've set {len(metadata)}.", param="metadata"
        )
