"""What a test asks of an answer, written once: ``ok`` for an httpx response that must succeed, ``refused``
for an SDK call that must be refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import stripe


def ok(response: httpx.Response) -> Any:
    """The JSON body of a 200 answer; any other status fails the test, showing the body."""
    assert response.status_code == 200, response.text
    return response.json()


def refused(call: Callable[[], object], status: int = 400) -> stripe.InvalidRequestError:
    """The SDK's error for ``call``, which must be refused as an invalid request with ``status``."""
    with pytest.raises(stripe.InvalidRequestError) as info:
        call()
    assert info.value.http_status == status
    return info.value
