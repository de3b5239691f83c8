"""When a failed request is tried again, and after how long: transient statuses (5xx, 408, 429)
and failures are retried with exponential backoff, a server's Retry-After honoured up to a cap."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Protocol

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


class RetryPolicy(Protocol):
    """What of collectors.http.HttpPolicy the delay depends on."""

    backoff: float
    max_backoff: float
    max_retry_after: float


def retry_delay(retry_after: str | None, attempt: int, policy: RetryPolicy) -> float:
    """Seconds to wait before the next attempt: Retry-After (seconds or HTTP date) when given,
    capped; else exponential backoff, capped."""
    if retry_after:
        value = retry_after.strip()
        seconds: float | None = None
        if value.isdigit():
            seconds = float(value)
        else:
            try:
                when = parsedate_to_datetime(value)
                seconds = when.timestamp() - time.time()
            except (TypeError, ValueError, IndexError):
                seconds = None
        if seconds is not None:
            return max(0.0, min(seconds, policy.max_retry_after))
    return min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff)
