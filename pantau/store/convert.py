"""Values between Python and the database: aware times in memory, naive UTC on disk; result rows
to frames."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from collectors.dates import publication_window


def to_db_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return value.astimezone(UTC).replace(tzinfo=None)


def from_db_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rows_frame(rows: Sequence, columns: list[str]) -> pd.DataFrame:
    """A frame from result rows, built column-wise (pandas inspects each Row object otherwise)."""
    if not rows:
        return pd.DataFrame({name: [] for name in columns})
    return pd.DataFrame(dict(zip(columns, zip(*rows, strict=True), strict=True)))


def aware(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Naive-UTC time columns of a frame read from the database -> aware UTC."""
    for column in columns:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column]).dt.tz_localize("UTC")
    return frame


def plausibly_published(column):
    """SQL condition: a publication time inside the window every stored post passes
    (collectors.dates.check_publication_date at the wall clock). Posts stored before that check
    existed, dated year 1 or 9999, are left out of every read instead of breaking the page
    (pandas holds no time outside 1677-2262)."""
    earliest, latest = publication_window(utcnow())
    return column.between(to_db_time(earliest), to_db_time(latest))
