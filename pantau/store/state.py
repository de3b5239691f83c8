"""Per-source memory between runs (validators for conditional GET, a resolved API root, a
YouTube channel id, TikTok's last videoCount...), as JSON."""

from __future__ import annotations

import json

from sqlalchemy import insert, select, update

from pantau.store.base import Database
from pantau.store.convert import to_db_time, utcnow
from pantau.store.schema import source_state


class SourceState(Database):
    """One JSON document per source, replaced whole."""

    def get_state(self, source_id: str) -> dict:
        with self.engine.connect() as conn:
            value = conn.execute(select(source_state.c.state).where(source_state.c.source_id == source_id)).scalar()
        return json.loads(value) if value else {}

    def set_state(self, source_id: str, state: dict) -> None:
        payload = json.dumps(state, sort_keys=True, default=str)
        now = to_db_time(utcnow())
        with self.engine.begin() as conn:
            done = conn.execute(
                update(source_state).where(source_state.c.source_id == source_id).values(state=payload, updated_at=now)
            ).rowcount
            if not done:
                conn.execute(insert(source_state).values(source_id=source_id, state=payload, updated_at=now))

