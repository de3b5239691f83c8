"""Keep credentials out of third-party log lines.

The API collectors pass tokens as query parameters (`access_token`, `key`), as the platforms
document. Our own messages redact URLs, but urllib3 logs every request line at DEBUG with its
full query; this filter rewrites such records before any handler sees them.
"""

from __future__ import annotations

import logging
import re

from collectors.http import SECRET_PARAMS

SECRET_IN_QUERY = re.compile(
    r"(?<=[?&])(" + "|".join(sorted(SECRET_PARAMS)) + r")=[^&\s\"']*", re.IGNORECASE
)
# Loggers that print request URLs.
URL_LOGGERS = ("urllib3.connectionpool", "requests")


def redact_text(text: str) -> str:
    return SECRET_IN_QUERY.sub(r"\1=[redacted]", text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactSecrets()


def install() -> None:
    """Attach the filter to the loggers that print URLs (idempotent)."""
    for name in URL_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
