"""A deterministic seeded store for dashboard, export and recap tests (and screenshots).

`build_registry` writes a registry folder: a small one (two leaders, a handful of OPD, two
kecamatan with their desa) for fast tests, or the shipped Blora units with generated example
sources for realistic screenshots. `seed_store` fills a store with posts of known rhythms,
daily collection attempts (one collector broken for the last days), a manual import, screening
flags, TikTok activity and a coverage gap. Same arguments, same store.
"""

from __future__ import annotations

import csv
import random
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from pantau.config import DEFAULT_REGISTRY
from pantau.models import Activity, CoverageGap, Post, Source
from pantau.registry import Registry, load_registry
from pantau.store import Store, attempts, to_db_time

ZONE = ZoneInfo("Asia/Jakarta")
XSS_TITLE = "<img src=x onerror=alert(1)>"

SMALL_UNITS = [
    ("bupati", "Bupati Blora", "pimpinan", ""),
    ("wakil-bupati", "Wakil Bupati Blora", "pimpinan", ""),
    ("opd-dinkes", "Dinas Kesehatan", "opd", ""),
    ("opd-dindik", "Dinas Pendidikan", "opd", ""),
    ("opd-dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang", "opd", ""),
    ("opd-kominfo", "Dinas Komunikasi dan Informatika", "opd", ""),
    ("opd-dlh", "Dinas Lingkungan Hidup", "opd", ""),
    ("kec-cepu", "Kecamatan Cepu", "kecamatan", ""),
    ("kec-randublatung", "Kecamatan Randublatung", "kecamatan", ""),
    ("desa-ngloram", "Desa Ngloram", "desa", "kec-cepu"),
    ("desa-sumberpitu", "Desa Sumberpitu", "desa", "kec-cepu"),
    ("kel-cepu", "Kelurahan Cepu", "kelurahan", "kec-cepu"),
    ("desa-kalisari", "Desa Kalisari", "desa", "kec-randublatung"),
    ("desa-wulung", "Desa Wulung", "desa", "kec-randublatung"),
]

# Probability of publishing on a given day, by profile.
RHYTHMS = {"daily": 0.9, "busy": 0.6, "weekly": 0.2, "sparse": 0.08, "silent": 0.0}


@dataclass(frozen=True)
class Seeded:
    url: str
    registry_dir: Path
    registry: Registry
    today: date
    broken_unit: str  # its only source fails since BROKEN_DAYS: must show "tanpa data"
    dormant_unit: str  # collected fine, nothing for 40+ days: must show "dorman"
    no_source_unit: str
    manual_unit: str


BROKEN_DAYS = 6


def _profile(unit_id: str, kind: str, rng: random.Random) -> str:
    if kind == "pimpinan":
        return "daily"
    if kind == "opd":
        return rng.choice(["busy", "weekly", "weekly", "sparse", "busy"])
    if kind == "kecamatan":
        return rng.choice(["busy", "weekly", "sparse"])
    return rng.choice(["weekly", "sparse", "sparse", "silent"])


def build_registry(folder: Path, blora: bool = False) -> Path:
    """Write units.csv, sources.csv and settings.csv into folder; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEFAULT_REGISTRY / "settings.csv", folder / "settings.csv")
    if blora:
        shutil.copy(DEFAULT_REGISTRY / "units.csv", folder / "units.csv")
        with (folder / "units.csv").open(encoding="utf-8") as handle:
            units = [(r["unit_id"], r["name"], r["kind"], r["parent_id"]) for r in csv.DictReader(handle)]
    else:
        units = SMALL_UNITS
        with (folder / "units.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["unit_id", "name", "kind", "parent_id", "code"])
            writer.writerows([*u, ""] for u in units)
    rng = random.Random(11)
    rows = []
    for unit_id, _name, kind, _parent in units:
        if unit_id == "opd-dlh":
            continue  # a unit with no registered source at all
        if kind in ("desa", "kelurahan") and blora and rng.random() < 0.35:
            continue  # many villages have no known channel
        rows.append([f"web-{unit_id}", unit_id, "website", "wordpress", f"https://{unit_id}.example.invalid/", "",
                     "true"])
        if kind in ("pimpinan", "opd") and rng.random() < 0.5:
            rows.append([f"ig-{unit_id}", unit_id, "instagram", "instagram", unit_id.replace("-", "_")[:30], "",
                         "true"])
    rows.append(["tt-bupati", "bupati", "tiktok", "tiktok", "https://www.tiktok.com/@bupati.example", "", "true"])
    rows.append(["x-bupati", "bupati", "x", "", "", "", "false"])
    rows.append(["fb-opd-dinkes", "opd-dinkes", "facebook", "facebook", "", "", "false"])
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "unit_id", "platform", "collector", "address", "options", "active"])
        writer.writerows(rows)
    return folder


def seed_store(url: str, registry_dir: Path, today: date, weeks: int = 10, seed: int = 7) -> Seeded:
    """Fill the store at url with `weeks` weeks of history ending on `today` (local)."""
    registry = load_registry(registry_dir)
    store = Store(url)
    store.sync_registry(registry)
    rng = random.Random(seed)
    first = today - timedelta(weeks=weeks)
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    broken_unit, dormant_unit, manual_unit = "opd-kominfo", "opd-dpupr", "desa-wulung"
    if broken_unit not in {u.unit_id for u in registry.units}:
        broken_unit, dormant_unit, manual_unit = _pick_special(registry)

    sources_by_unit: dict[str, list[Source]] = {}
    for source in registry.active_sources():
        if source.platform != "tiktok":
            sources_by_unit.setdefault(source.unit_id, []).append(source)

    xss_done = False
    for unit in registry.units:
        unit_sources = sources_by_unit.get(unit.unit_id, [])
        if not unit_sources:
            continue
        profile = _profile(unit.unit_id, unit.kind, rng)
        chance = RHYTHMS[profile]
        per_source: dict[str, list[Post]] = {s.source_id: [] for s in unit_sources}
        for day in days:
            if unit.unit_id == dormant_unit and day > today - timedelta(days=45):
                continue
            if unit.unit_id == broken_unit and day > today - timedelta(days=BROKEN_DAYS):
                continue  # nothing collected while the collector is broken
            if rng.random() >= chance:
                continue
            for n in range(1 + (rng.random() < 0.3)):
                source = rng.choice(unit_sources)
                # Some posts late in the evening: 23:30 WIB is still the same local day.
                moment = time(23, 30) if rng.random() < 0.1 else time(rng.randint(6, 20), rng.choice([0, 15, 30, 45]))
                published = datetime.combine(day, moment, tzinfo=ZONE)
                external = f"{unit.unit_id}-{day.isoformat()}-{n}"
                title = _title(unit.name, rng)
                if not xss_done and unit.kind == "opd":
                    title, xss_done = XSS_TITLE, True
                per_source[source.source_id].append(Post(
                    source.source_id, external, f"https://{unit.unit_id}.example.invalid/{external}", title,
                    published, likes=rng.randint(0, 200), comments=rng.randint(0, 20),
                    collected_at=published + timedelta(hours=3)))
        for source in unit_sources:
            store.upsert_posts(unit.unit_id, source.platform, per_source[source.source_id])

    _seed_manual(store, manual_unit, today)
    _seed_attempts(store, registry, days, broken_unit)
    _seed_flags(store, rng)
    bupati_tt = next((s for s in registry.sources if s.platform == "tiktok"), None)
    if bupati_tt:
        for i in range(3):
            end = datetime.combine(today - timedelta(days=7 * i), time(2), tzinfo=ZONE)
            store.record_activity(Activity(bupati_tt.unit_id, bupati_tt.source_id, end - timedelta(days=7), end, 3 + i))
    first_source = registry.active_sources()[0]
    store.record_gap(CoverageGap(first_source.source_id, datetime.combine(today, time(2), tzinfo=ZONE),
                                 datetime.combine(first, time(0), tzinfo=ZONE),
                                 datetime.combine(first + timedelta(days=5), time(0), tzinfo=ZONE)))
    store.dispose()
    no_source = next(u.unit_id for u in registry.units if not registry.sources_of(u.unit_id))
    return Seeded(url, registry_dir, registry, today, broken_unit, dormant_unit, no_source, manual_unit)


def _pick_special(registry: Registry) -> tuple[str, str, str]:
    """In the Blora registry: two OPD with a website source, and a village without one."""
    opd = [u.unit_id for u in registry.units_of_kind("opd") if registry.sources_of(u.unit_id)]
    villages = [u.unit_id for u in registry.units_of_kind("desa") if not registry.sources_of(u.unit_id)]
    return opd[1], opd[2], villages[0]


TITLE_WORDS = [
    "Rapat koordinasi percepatan pembangunan jalan desa",
    "Pelayanan posyandu balita dan lansia",
    "Peresmian gedung serbaguna",
    "Sosialisasi penerimaan peserta didik baru",
    "Upacara peringatan hari jadi",
    "Penyaluran bantuan sosial tahap III",
    "Kerja bakti pembersihan saluran irigasi",
    "Vaksinasi massal di puskesmas",
]


def _title(unit_name: str, rng: random.Random) -> str:
    return f"{rng.choice(TITLE_WORDS)} — {unit_name}"


def _seed_manual(store: Store, unit_id: str, today: date) -> None:
    """A manual import three weeks ago: the unit's only data, 'collected' on the import day."""
    source = Source(f"manual:{unit_id}:instagram", unit_id, "instagram", "manual", "", {}, True)
    store.ensure_source(source)
    imported = datetime.combine(today - timedelta(days=1), time(9), tzinfo=ZONE)
    items = [
        Post(source.source_id, f"https://instagram.com/p/m{i}", f"https://instagram.com/p/m{i}",
             f"Musyawarah desa {i + 1}", datetime.combine(today - timedelta(days=20 - 3 * i), time(10), tzinfo=ZONE),
             collected_at=imported)
        for i in range(3)
    ]
    store.upsert_posts(unit_id, "instagram", items)


def _seed_attempts(store: Store, registry: Registry, days: list[date], broken_unit: str) -> None:
    rows = []
    for source in registry.active_sources():
        broken = source.unit_id == broken_unit
        for day in days:
            started = datetime.combine(day, time(2), tzinfo=ZONE)
            failed = broken and day > days[-1] - timedelta(days=BROKEN_DAYS)
            rows.append({
                "source_id": source.source_id, "started_at": to_db_time(started),
                "finished_at": to_db_time(started + timedelta(seconds=4)), "ok": not failed,
                "status": "error" if failed else "ok", "error_kind": "http_error" if failed else "",
                "error": "HTTP 503 dari https://opd.example.invalid/wp-json/wp/v2/posts" if failed else "",
                "items_seen": 0, "items_new": 0, "requests": 1, "route": "rest",
            })
    with store.engine.begin() as conn:
        for i in range(0, len(rows), 2000):
            conn.execute(insert(attempts), rows[i:i + 2000])


def _seed_flags(store: Store, rng: random.Random) -> None:
    """Flags from the real screening of each title, so topics match what the posts say."""
    from pantau.ingest import screen_stored

    frame = store.posts_frame(columns=["source_id", "external_id"])
    screen_stored(store, list(frame.itertuples(index=False, name=None)))


def seeded_store(tmp_path: Path, today: date = date(2025, 9, 24), blora: bool = False, weeks: int = 10) -> Seeded:
    """Registry folder and SQLite store under tmp_path, seeded."""
    registry_dir = build_registry(tmp_path / "registry", blora=blora)
    url = f"sqlite:///{tmp_path / 'pantau.db'}"
    return seed_store(url, registry_dir, today, weeks=weeks)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
