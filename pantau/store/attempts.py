"""The attempt log: one row per source per collection run, and its per-source summary."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import func, insert, select

from pantau.models import CollectionRun
from pantau.redaction import redact_text
from pantau.store.base import Database
from pantau.store.convert import aware, to_db_time
from pantau.store.schema import attempts


class AttemptLog(Database):
    """Every collection attempt recorded; the health pages read the summary."""

    def record_attempt(self, run: CollectionRun) -> int:
        values = {
            "source_id": run.source_id,
            "started_at": to_db_time(run.started_at),
            "finished_at": to_db_time(run.finished_at),
            "ok": run.ok,
            "status": run.status,
            "error_kind": run.error_kind,
            "error": redact_text(run.error)[:4000],  # the one writer of the log: nothing unmasked gets in
            "items_seen": run.items_seen,
            "items_new": run.items_new,
            "requests": run.requests,
            "route": run.route,
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(attempts).values(**values))
            run.attempt_id = int(result.inserted_primary_key[0])
        return run.attempt_id

    def attempts_frame(self, source_ids: Sequence[str] | None = None) -> pd.DataFrame:
        query = select(attempts).order_by(attempts.c.started_at, attempts.c.id)
        if source_ids is not None:
            query = query.where(attempts.c.source_id.in_(list(source_ids)))
        with self.engine.connect() as conn:
            frame = pd.read_sql(query, conn)
        return aware(frame, ("started_at", "finished_at"))

    def attempt_summary(self) -> pd.DataFrame:
        """Per source: last attempt, last success, failed attempts since then, the latest error.

        Columns: source_id, last_attempt, last_success, failing_streak, last_error_at,
        last_error_kind, last_error, last_status, and last_notice_kind, last_notice: what the last
        attempt, when it succeeded, noted (ids_renamed, items skipped). Aggregated in SQL: the log grows by one row
        per source per run.
        """
        done = func.coalesce(attempts.c.finished_at, attempts.c.started_at)
        last = select(attempts.c.source_id, func.max(attempts.c.started_at).label("last_attempt"),
                      func.max(attempts.c.id).label("last_id")).group_by(attempts.c.source_id).subquery()
        good = (select(attempts.c.source_id, func.max(done).label("last_success"))
                .where(attempts.c.ok.is_(True)).group_by(attempts.c.source_id).subquery())
        failing = (
            select(attempts.c.source_id, func.count().label("failing_streak"))
            .select_from(attempts.outerjoin(good, good.c.source_id == attempts.c.source_id))
            .where(attempts.c.ok.is_(False),
                   (good.c.last_success.is_(None)) | (attempts.c.started_at > good.c.last_success))
            .group_by(attempts.c.source_id)
        )
        last_bad = (select(func.max(attempts.c.id)).where(attempts.c.ok.is_(False))
                    .group_by(attempts.c.source_id))
        errors = select(attempts.c.source_id, attempts.c.started_at.label("last_error_at"),
                        attempts.c.error_kind.label("last_error_kind"), attempts.c.error.label("last_error")
                        ).where(attempts.c.id.in_(last_bad))
        status = select(last.c.source_id, last.c.last_attempt, attempts.c.status.label("last_status"),
                        attempts.c.ok, attempts.c.error_kind, attempts.c.error).join(
            attempts, attempts.c.id == last.c.last_id)
        with self.engine.connect() as conn:
            frame = pd.DataFrame(conn.execute(status).all(),
                                 columns=["source_id", "last_attempt", "last_status", "ok", "kind", "text"])
            ok = frame["ok"].astype(bool)
            frame["last_notice_kind"] = frame["kind"].where(ok, "").fillna("")
            frame["last_notice"] = frame["text"].where(ok, "").fillna("")
            frame = frame.drop(columns=["ok", "kind", "text"])
            frame = frame.merge(pd.DataFrame(conn.execute(select(good)).all(),
                                             columns=["source_id", "last_success"]), on="source_id", how="left")
            frame = frame.merge(pd.DataFrame(conn.execute(failing).all(),
                                             columns=["source_id", "failing_streak"]), on="source_id", how="left")
            frame = frame.merge(pd.DataFrame(conn.execute(errors).all(),
                                             columns=["source_id", "last_error_at", "last_error_kind", "last_error"]),
                                on="source_id", how="left")
        frame["failing_streak"] = frame["failing_streak"].fillna(0).astype("int64")
        return aware(frame, ("last_attempt", "last_success", "last_error_at"))

