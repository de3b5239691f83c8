"""Local days in SQL and back: the day arithmetic the rollup and the dashboard queries share.

A local day is numbered as days since 0001-01-01 (a Monday, proleptic Gregorian), so a week is
`day // 7` and the numbers stay positive for any year.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Date, Integer, String, cast, func, type_coerce

from pantau.store.convert import rows_frame

# From 0001-01-01 to the Unix epoch.
DAYS_0001_TO_1970 = (date(1970, 1, 1) - date(1, 1, 1)).days
SECONDS_0001_TO_1970 = DAYS_0001_TO_1970 * 86400


def offset_minutes(utc_offset: timedelta) -> int:
    minutes = int(utc_offset.total_seconds() // 60)
    if utc_offset != timedelta(minutes=minutes):
        raise ValueError(f"UTC offset {utc_offset} is not whole minutes")
    return minutes


def day_number(naive_local: datetime) -> int:
    """Days since 0001-01-01 of a naive local instant: post_days' day key."""
    return naive_local.toordinal() - 1


def sqlite_epoch(column):
    """SQLite seconds since 1970 of a naive-UTC column, as an integer expression."""
    if sqlite3.sqlite_version_info >= (3, 38):
        return type_coerce(func.unixepoch(column), Integer)
    return cast(func.strftime("%s", column), Integer)


def day_number_sql(dialect: str, column, minutes: int):
    """SQL for local days since 0001-01-01 of a naive-UTC column, shifted by `minutes`."""
    seconds = minutes * 60 + SECONDS_0001_TO_1970
    if dialect == "sqlite":
        # Integer arithmetic on the epoch seconds costs half of date()'s text modifiers per row.
        return (sqlite_epoch(column) + seconds) // 86400
    return cast(func.floor((func.date_part("epoch", column) + seconds) / 86400), Integer)


def local_day_sql(dialect: str, column, utc_offset: timedelta):
    """SQL for the local calendar day of a naive-UTC column, as 'YYYY-MM-DD' text or a date."""
    if dialect == "sqlite":
        minutes = int(utc_offset.total_seconds() // 60)
        # Plain text: SQLAlchemy's per-row date parsing costs more than the query itself.
        return type_coerce(func.date(column, f"{minutes:+d} minutes"), String)
    return cast(column + utc_offset, Date)


def text_days(values: pd.Series) -> pd.Series:
    """'YYYY-MM-DD' text (SQLite) or dates (PostgreSQL) -> naive midnight timestamps."""
    if values.empty:
        return pd.Series([], dtype="datetime64[ns]", index=values.index)
    return pd.to_datetime(values.astype(str), format="%Y-%m-%d").astype("datetime64[ns]")


def day_dates(days: pd.Series) -> pd.Series:
    """Days since 0001-01-01 -> naive midnight timestamps."""
    if days.empty:
        return pd.Series([], dtype="datetime64[ns]", index=days.index)
    values = days.astype("int64").to_numpy() - DAYS_0001_TO_1970
    return pd.Series(values.astype("datetime64[D]").astype("datetime64[ns]"), index=days.index)


def day_counts_frame(rows: Sequence, day_column: str) -> pd.DataFrame:
    """(unit_id, day number, posts) rows -> unit_id, naive local midnight, posts."""
    frame = pd.DataFrame.from_records(rows, columns=["unit_id", day_column, "posts"], nrows=len(rows)) if rows \
        else rows_frame(rows, ["unit_id", day_column, "posts"])
    frame[day_column] = day_dates(frame[day_column])
    frame["posts"] = frame["posts"].astype("int64")
    return frame
