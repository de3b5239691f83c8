"""What simulated units publish and when: Indonesian titles, rhythms and the event calendar.

The rhythms follow what the Bupati's instruction describes: the leaders report almost daily,
OPD range from several posts a week to silence, kecamatan post weekly, many desa rarely or
never. Weekends are quieter; 17 Agustus and HUT Blora (11 December) bring bursts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, time, timedelta

# --- Titles ----------------------------------------------------------------------------------

LEADER_TITLES = (
    "Bupati Blora Tinjau Progres Betonisasi Jalan di {place}",
    "Bupati Serahkan Bantuan Sosial kepada Warga {place}",
    "Wakil Bupati Hadiri Musrenbang Kecamatan {place}",
    "Bupati Pimpin Apel Pagi Bersama ASN Pemkab Blora",
    "Safari Kerja Bupati ke Desa {place}: Dengar Aspirasi Warga",
    "Bupati Resmikan Jembatan Penghubung Dua Desa di {place}",
    "Wakil Bupati Buka Lomba Posyandu Tingkat Kabupaten",
    "Rapat Koordinasi Percepatan Penurunan Stunting & Kemiskinan Ekstrem",
    "Bupati Terima Audiensi Kelompok Tani dari {place}",
    "Penyerahan SK PPPK kepada {n} Tenaga Kesehatan",
    "Bupati Ajak Warga Jaga Kebersihan Lingkungan",
    "Panen Raya Padi Bersama Petani {place}",
)
OPD_TITLES = (
    "Sosialisasi {topic} kepada Masyarakat {place}",
    "Rapat Koordinasi {topic} Tingkat Kabupaten",
    "Monitoring dan Evaluasi Program {topic} di {place}",
    "Pelatihan {topic} bagi {n} Peserta",
    "Penyerahan Bantuan {topic} untuk Warga {place}",
    "Pelayanan Keliling {topic} di Kecamatan {place}",
    "Pengumuman Jadwal Layanan {topic}",
    "Bimbingan Teknis {topic} untuk Perangkat Desa",
)
OPD_TOPICS = (
    "Administrasi Kependudukan", "Imunisasi Anak", "Pupuk Bersubsidi", "UMKM Naik Kelas",
    "Pengelolaan Sampah", "Keselamatan Lalu Lintas", "Perpustakaan Keliling", "Beasiswa Pelajar",
    "Kesiapsiagaan Bencana", "Perizinan Berusaha", "Ketahanan Pangan", "Keluarga Berencana",
)
AREA_TITLES = (
    "Kerja Bakti Warga Bersihkan Saluran Air di {place}",
    "Betonisasi Jalan Desa {place} Tahap {n} Rampung",
    "Kegiatan Posyandu Balita dan Lansia Bulan Ini",
    "Musyawarah Desa Penetapan RKPDes Tahun 2026",
    "Penyaluran BLT Dana Desa kepada {n} Keluarga Penerima Manfaat",
    "Pembangunan Talud dan Drainase di Dusun {place}",
    "Rapat Koordinasi Pemerintah Desa dengan BPD",
    "Pelantikan Perangkat Desa {place}",
    "Senam Sehat Bersama Ibu-Ibu PKK",
    "Gotong Royong Perbaikan Rumah Tidak Layak Huni",
    "Pembagian Bibit Tanaman Produktif untuk Warga",
    "Sosialisasi Pencegahan Demam Berdarah",
    "Pengajian Rutin Malam Jumat di Masjid {place}",
    "Laporan Realisasi APBDes Semester I",
    # Typographic quotes and dashes: they survive only if the page's charset is read right.
    "Gerakan “Jumat Bersih” di {place}",
    "Posyandu Remaja – Cegah Stunting Sejak Dini",
)
EVENT_TITLES = {
    "hut-ri": (
        "Upacara Peringatan HUT ke-80 Kemerdekaan RI di {place}",
        "Lomba Agustusan Meriahkan HUT RI di {place}",
        "Karnaval Budaya HUT Kemerdekaan RI",
        "Pemasangan Umbul-Umbul Sambut 17 Agustus",
    ),
    "hut-blora": (
        "Upacara Hari Jadi ke-276 Kabupaten Blora",
        "Kirab Budaya Hari Jadi Blora Padati Alun-Alun",
        "Ziarah Makam Bupati Terdahulu Jelang Hari Jadi Blora",
        "Blora Expo 2025 Meriahkan Hari Jadi Kabupaten",
    ),
    "musrenbang": (
        "Musrenbang Desa {place} Bahas Usulan Pembangunan 2026",
        "Musrenbang Kecamatan {place} Tetapkan Prioritas Pembangunan",
    ),
    "ramadan": (
        "Safari Ramadan di Masjid {place}",
        "Pembagian Takjil Gratis untuk Pengguna Jalan",
        "Pasar Murah Jelang Idul Fitri di {place}",
    ),
}
# Posts the screening must flag for human review: flexing luxury, rude words. They belong to
# the simulation on purpose; screening decides, the simulator only provides the cases.
FLAGGED_TITLES = (
    "Liburan Keluarga Pejabat ke Eropa Naik Jet Pribadi",
    "Unboxing Tas Hermes dan Jam Rolex Koleksi Ibu Kepala",
    "Warga yang Protes Jalan Rusak Dasar Goblok, Tidak Tahu Aturan",
    "Dasar Tolol! Komentar Admin Membalas Kritik Warga",
)
# Scraped text is data: this one must come out of the dashboard as text, never as markup.
HOSTILE_TITLE = "<img src=x onerror=alert(1)> Pengumuman Penting"


def title_for(rng: random.Random, unit_kind: str, place: str, event: str | None) -> str:
    if event and event in EVENT_TITLES and rng.random() < 0.6:
        template = rng.choice(EVENT_TITLES[event])
    elif unit_kind == "pimpinan":
        template = rng.choice(LEADER_TITLES)
    elif unit_kind == "opd":
        template = rng.choice(OPD_TITLES)
    else:
        template = rng.choice(AREA_TITLES)
    return template.format(place=place, n=rng.randint(2, 120), topic=rng.choice(OPD_TOPICS))


# --- The calendar ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    name: str
    start: date
    end: date  # inclusive
    boost: float
    kinds: tuple[str, ...]


def events_for(year: int) -> tuple[Event, ...]:
    """Moments that bring bursts of posts. Ramadan dates are those of 1446 H (2025)."""
    every = ("pimpinan", "opd", "kecamatan", "desa", "kelurahan")
    return (
        Event("musrenbang", date(year, 1, 13), date(year, 2, 21), 1.6, ("kecamatan", "desa", "kelurahan")),
        Event("ramadan", date(year, 3, 1), date(year, 3, 30), 1.3, ("pimpinan", "opd", "kecamatan")),
        Event("hut-ri", date(year, 8, 10), date(year, 8, 20), 2.2, every),
        Event("hut-blora", date(year, 12, 4), date(year, 12, 14), 2.0, ("pimpinan", "opd", "kecamatan")),
    )


def event_on(day: date, kind: str, events: tuple[Event, ...]) -> Event | None:
    for event in events:
        if event.start <= day <= event.end and kind in event.kinds:
            return event
    return None


# Saturday and Sunday: government offices are closed, posting drops.
WEEKDAY_FACTOR = (1.15, 1.15, 1.15, 1.1, 1.0, 0.5, 0.35)

# Hours of day (WIB) with their weights: morning activities, afternoon reports, evening posts
# by admins at home. 23:xx exists on purpose: it crosses the UTC day boundary.
HOUR_WEIGHTS = {6: 2, 7: 6, 8: 9, 9: 10, 10: 10, 11: 8, 12: 4, 13: 7, 14: 8, 15: 7, 16: 5,
                17: 3, 18: 2, 19: 4, 20: 4, 21: 3, 22: 1, 23: 1}


def time_of_day(rng: random.Random) -> time:
    hours = list(HOUR_WEIGHTS)
    hour = rng.choices(hours, weights=[HOUR_WEIGHTS[h] for h in hours])[0]
    return time(hour, rng.randint(0, 59), rng.randint(0, 59))


@dataclass(frozen=True)
class Rhythm:
    """How often a channel posts: a weekly mean, and the part of the year it is alive."""

    per_week: float
    # Dormant channels stop; late starters begin mid-year. Inclusive local days.
    first_day: date | None = None
    last_day: date | None = None


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small daily means used here."""
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def posting_days(rng: random.Random, rhythm: Rhythm, kind: str, start: date, end: date,
                 events: tuple[Event, ...]) -> list[tuple[date, int, Event | None]]:
    """(day, number of posts, event) for every day in [start, end] with at least one post."""
    days = []
    day = start
    while day <= end:
        alive = (rhythm.first_day is None or day >= rhythm.first_day) and (
            rhythm.last_day is None or day <= rhythm.last_day)
        if alive:
            event = event_on(day, kind, events)
            mean = rhythm.per_week / 7 * WEEKDAY_FACTOR[day.weekday()] * (event.boost if event else 1.0)
            count = poisson(rng, mean)
            if count:
                days.append((day, count, event))
        day += timedelta(days=1)
    return days


def slugify(title: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in title)
    return "-".join(part for part in kept.split("-") if part)[:80] or "artikel"
