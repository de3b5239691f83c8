"""pantau.loading.post_counts: the one place that counts in SQL (fixed offset) or in pandas (a zone
with daylight saving), both answering the same question the same way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from pantau import metrics
from pantau.loading import post_counts
from pantau.models import Post
from pantau.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
WIB = ZoneInfo("Asia/Jakarta")


def test_days_and_weeks_across_a_daylight_saving_change(store: Store):
    # 22:30 UTC on 29 March 2025 is 23:30 CET on the 29th; 22:30 UTC on the 30th is 00:30 CEST on the 31st.
    instants = [datetime(2025, 3, 29, 22, 30, tzinfo=UTC), datetime(2025, 3, 30, 22, 30, tzinfo=UTC),
                datetime(2025, 3, 30, 10, 0, tzinfo=UTC)]
    store.upsert_posts("opd-a", "website", [Post("s-a", str(i), "", "t", ts) for i, ts in enumerate(instants)])
    days = post_counts(store, BERLIN, date(2025, 3, 24), date(2025, 4, 6))
    assert dict(zip(days["day"].dt.strftime("%Y-%m-%d"), days["posts"], strict=True)) == \
        {"2025-03-29": 1, "2025-03-30": 1, "2025-03-31": 1}
    weeks = post_counts(store, BERLIN, date(2025, 3, 24), date(2025, 4, 6), per="week")
    assert dict(zip(weeks["week_start"].dt.strftime("%Y-%m-%d"), weeks["posts"], strict=True)) == \
        {"2025-03-24": 2, "2025-03-31": 1}


def test_sql_and_pandas_agree_for_a_fixed_offset(store: Store):
    instants = [datetime(2025, 9, 10, 16, 30, tzinfo=UTC), datetime(2025, 9, 10, 17, 0, tzinfo=UTC),
                datetime(2025, 8, 31, 18, 0, tzinfo=UTC)]
    store.upsert_posts("opd-a", "website", [Post("s-a", str(i), "", "t", ts) for i, ts in enumerate(instants)])
    for per, key in (("day", "day"), ("week", "week_start")):
        in_sql = post_counts(store, WIB, date(2025, 8, 25), date(2025, 9, 14), per=per).sort_values(key)
        assert in_sql["posts"].sum() == 3
        shifted = post_counts(store, WIB, date(2025, 8, 25), date(2025, 9, 14), unit_ids=["opd-b"], per=per)
        assert shifted.empty
    days = post_counts(store, WIB, date(2025, 8, 25), date(2025, 9, 14)).sort_values("day").reset_index(drop=True)
    assert list(days["day"]) == [pd.Timestamp("2025-09-01"), pd.Timestamp("2025-09-10"), pd.Timestamp("2025-09-11")]
    in_pandas = metrics.daily_counts(store.posts_frame(columns=["unit_id", "published_at"]), WIB)
    pd.testing.assert_frame_equal(days, in_pandas.sort_values("day").reset_index(drop=True), check_dtype=False)
