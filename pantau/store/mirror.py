"""The registry's units and sources mirrored into the database, so SQL can join on them."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
from sqlalchemy import delete, insert, select

from pantau.models import Source, Unit
from pantau.registry import Registry
from pantau.store.rollup import DayRollup
from pantau.store.schema import sources, units


class RegistryMirror(DayRollup):
    """Units and sources as the registry lists them, plus the manual sources imports created."""

    def sync_registry(self, registry: Registry) -> None:
        """Mirror the registry's units and sources so SQL can join on them.

        Manual sources (created by `pantau import`) are not in the registry and are kept.
        """
        with self.engine.begin() as conn:
            conn.execute(delete(units))
            if registry.units:
                conn.execute(insert(units), [unit_row(u) for u in registry.units])
            conn.execute(delete(sources).where(sources.c.collector != "manual"))
            if registry.sources:
                conn.execute(insert(sources), [source_row(s) for s in registry.sources])
        offset = datetime.now(registry.settings.zone).utcoffset()
        if offset is not None:
            self.ensure_day_rollup(offset)

    def ensure_source(self, source: Source) -> bool:
        """Create a source row if missing (manual imports); True when it was created."""
        with self.engine.begin() as conn:
            exists = conn.execute(select(sources.c.source_id).where(sources.c.source_id == source.source_id)).first()
            if exists:
                return False
            conn.execute(insert(sources).values(**source_row(source)))
            return True

    def units_frame(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(select(units).order_by(units.c.unit_id), conn)

    def sources_frame(self, collector: str | None = None) -> pd.DataFrame:
        """The stored sources (those of one collector when given, e.g. "manual"), by source_id."""
        query = select(sources).order_by(sources.c.source_id)
        if collector is not None:
            query = query.where(sources.c.collector == collector)
        with self.engine.connect() as conn:
            return pd.read_sql(query, conn)


def unit_row(unit: Unit) -> dict:
    return {"unit_id": unit.unit_id, "name": unit.name, "kind": unit.kind, "parent_id": unit.parent_id,
            "code": unit.code, "verified": unit.verified}


def source_row(source: Source) -> dict:
    return {"source_id": source.source_id, "unit_id": source.unit_id, "platform": source.platform,
            "collector": source.collector, "address": source.address,
            "options": json.dumps(source.options, sort_keys=True), "active": source.active}

