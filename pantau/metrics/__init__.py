"""Every number Pantau shows, exactly as DESIGN.md ("The numbers") defines it.

The functions here are pure: pandas frames in, pandas frames out, so the tests can drive them
with literal frames. They read neither the store nor the environment: pantau.loading builds the
Facts they start from, and the reference date `today` is given (pantau.config.reference_date).

Conventions (pantau.calendar): a *day* is a naive Timestamp at local midnight in the regency
zone; a week is an ISO week, Monday to Sunday local, named like `2025-W37`; periods are local
calendar days, both ends inclusive; nothing published after `today` is counted.

Each job has its module, and every name is re-exported here, so a caller writes
`metrics.period_table(...)`: pantau.metrics.facts (raw frames -> Facts, "has a source"),
pantau.metrics.reference (the leaders' reference, Indeks Imbang), pantau.metrics.status (Status,
data_status, changes of status), pantau.metrics.weekly (the weekly table), pantau.metrics.period
(a period's leaderboard, streaks, the Kecamatan rollup).
"""

from __future__ import annotations

from pantau.metrics.facts import (
    NON_POST_COLLECTORS,
    SOURCE_FRAME_COLUMNS,
    STREAK_LOOKBACK_WEEKS,
    UNIT_FRAME_COLUMNS,
    Facts,
    daily_counts,
    in_set,
    make_facts,
    post_sources,
    success_days,
    unit_success_days,
    units_with_post_source,
    weeks_of,
)
from pantau.metrics.period import (
    kecamatan_rollup,
    period_streaks,
    period_table,
    streak_week,
    streaks,
)
from pantau.metrics.reference import (
    keeps_pace,
    leader_regencies,
    leaders_reference,
    pace,
    regency_of,
    regency_references,
)
from pantau.metrics.status import (
    AKTIF,
    AKTIF_MAX_DAYS,
    DATA_FAILED,
    DATA_NO_SOURCE,
    DATA_OK,
    DORMAN,
    HEALTH_WINDOW_DAYS,
    KURANG_AKTIF,
    KURANG_AKTIF_MAX_DAYS,
    STATUSES,
    TANPA_DATA,
    period_status,
    status_changes,
    status_on,
)
from pantau.metrics.weekly import (
    WEEKLY_COLUMNS,
    weekly_counts,
    weekly_export,
    weekly_table,
)

__all__ = [
    "AKTIF",
    "AKTIF_MAX_DAYS",
    "DATA_FAILED",
    "DATA_NO_SOURCE",
    "DATA_OK",
    "DORMAN",
    "Facts",
    "HEALTH_WINDOW_DAYS",
    "KURANG_AKTIF",
    "KURANG_AKTIF_MAX_DAYS",
    "NON_POST_COLLECTORS",
    "SOURCE_FRAME_COLUMNS",
    "STATUSES",
    "STREAK_LOOKBACK_WEEKS",
    "TANPA_DATA",
    "UNIT_FRAME_COLUMNS",
    "WEEKLY_COLUMNS",
    "daily_counts",
    "in_set",
    "kecamatan_rollup",
    "keeps_pace",
    "leader_regencies",
    "leaders_reference",
    "make_facts",
    "pace",
    "period_status",
    "period_streaks",
    "period_table",
    "post_sources",
    "regency_of",
    "regency_references",
    "status_changes",
    "status_on",
    "streak_week",
    "streaks",
    "success_days",
    "unit_success_days",
    "units_with_post_source",
    "weekly_counts",
    "weekly_export",
    "weekly_table",
    "weeks_of",
]
