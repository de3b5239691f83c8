"""Small helpers the API collectors share: Graph timestamps, and titles from captions."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.errors import ParseError


def graph_time(value: object) -> datetime:
    """A Graph API time (`2026-08-13T05:00:00+0000`, UTC without a colon) as aware UTC."""
    text = str(value or "").strip()
    if not text:
        raise ParseError("missing timestamp")
    for parse in (lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S%z"), datetime.fromisoformat):
        try:
            when = parse(text.replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    raise ParseError(f"unreadable timestamp {text[:40]!r}")


def title_of(text: str | None, limit: int = 200) -> str:
    """The first non-empty line of a caption or message, cut at `limit` characters."""
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""


def excerpt_of(text: str | None, limit: int = 300) -> str:
    """The whole caption on one line, cut at `limit` characters (kept as plain text)."""
    return " ".join((text or "").split())[:limit]


def count(value: object) -> int | None:
    """A counter as int; None when absent (a hidden like count is unknown, never 0)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
