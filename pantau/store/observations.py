"""What a collection observes besides posts: coverage gaps, TikTok activity, account figures."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from pantau.models import Activity, CoverageGap
from pantau.store.base import Database
from pantau.store.convert import aware, to_db_time
from pantau.store.schema import account_stats, activity, coverage_gaps


class Observations(Database):
    """Gaps, activity intervals and account statistics: appended, read whole."""

    def record_gap(self, gap: CoverageGap) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(coverage_gaps).values(
                source_id=gap.source_id, detected_at=to_db_time(gap.detected_at),
                gap_start=to_db_time(gap.gap_start), gap_end=to_db_time(gap.gap_end)))

    def gaps_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(coverage_gaps).order_by(coverage_gaps.c.detected_at), conn)
        return aware(frame, ("detected_at", "gap_start", "gap_end"))

    def record_activity(self, item: Activity) -> bool:
        """Store a counted interval once; False when that interval is already known."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(activity).values(
                    unit_id=item.unit_id, source_id=item.source_id, period_start=to_db_time(item.start),
                    period_end=to_db_time(item.end), delta=item.delta))
            return True
        except IntegrityError:
            return False

    def activity_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(activity).order_by(activity.c.period_start), conn)
        return aware(frame, ("period_start", "period_end"))

    def record_account_stats(self, source_id: str, collected_at: datetime,
                             followers: int | None, media_count: int | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(account_stats).values(
                source_id=source_id, collected_at=to_db_time(collected_at),
                followers=followers, media_count=media_count))

    def account_stats_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(select(account_stats).order_by(account_stats.c.collected_at), conn)
        return aware(frame, ("collected_at",))

