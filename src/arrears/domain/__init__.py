"""Pure rules: no HTTP, no SQL. Objects are plain dicts in Stripe's latest shape (see ADR 0002)."""

from typing import Any

Doc = dict[str, Any]
