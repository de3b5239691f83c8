"""Tentang Data: how every number is computed, how fresh the data is, and what is not collected."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pantau import metrics
from pantau.labels import PLATFORM_LABELS
from views import data
from views.common import fmt_date, fmt_moment, fmt_pace, header
from views.sources import sources_frame

DEFINITIONS = """
**Waktu.** Semua waktu disimpan dalam UTC dan ditampilkan dalam zona waktu daerah ({zone}). Satu minggu
adalah minggu ISO: Senin pukul 00.00 sampai Minggu pukul 23.59.59 waktu setempat (misalnya 2025-W37).
Batas periode adalah tanggal lokal dan inklusif.

**Publikasi.** Satu unggahan di satu kanal resmi sebuah unit (artikel situs web, unggahan Instagram, video
YouTube, dan sebagainya). Dihitung menurut waktu terbitnya, bukan waktu suntingnya. Unggahan yang kemudian
dihapus di sumbernya tetap dihitung, supaya angka minggu lalu tidak berubah diam-diam.

**Hari aktif.** Tanggal lokal ketika unit menerbitkan sedikitnya satu publikasi. Tiga publikasi di hari yang
sama tetap satu hari aktif.

**Rujukan pimpinan.** Rata-rata hari aktif Bupati dan Wakil Bupati dalam periode yang sama. Pimpinan yang
tidak menerbitkan apa pun dihitung 0 hari.

**Indeks Imbang.** Hari aktif unit dibagi rujukan pimpinan. Jika rujukan pimpinan 0, indeks tidak terdefinisi
dan ditampilkan sebagai "—". Unit **mengimbangi** pimpinan bila indeksnya sedikitnya {threshold}.

**Target.** Jumlah publikasi minimum per minggu menurut jenis unit: {targets}. Pimpinan tidak punya target.
Satu minggu **memenuhi target** bila jumlah publikasinya sedikitnya sama dengan target.

**Minggu beruntun.** Jumlah minggu berturut-turut, berakhir pada minggu lengkap terakhir, yang memenuhi target
(dihitung paling jauh {lookback} minggu ke belakang).

**Status** pada suatu tanggal rujukan, diperiksa berurutan:
1. **tanpa data**: unit tidak punya sumber aktif, atau tidak satu pun sumbernya berhasil dikumpulkan dalam
   3 hari sebelum tanggal itu (impor manual dihitung berhasil pada hari impornya). Unit yang pengumpulnya rusak
   tidak pernah disebut dorman.
2. **aktif**: publikasi terakhir 0–7 hari sebelumnya;
3. **kurang aktif**: 8–30 hari;
4. **dorman**: 31 hari atau lebih, atau belum pernah mempublikasikan apa pun.

Status minggu yang sudah lewat diambil pada hari Minggu minggu itu, dengan catatan pengumpulan sampai hari itu.

**Rekap kecamatan.** Publikasi kantor kecamatan sendiri, ditambah desa/kelurahannya: berapa yang aktif
(sedikitnya satu publikasi dalam periode), median publikasi per desa/kelurahan, dan cakupan (bagian
desa/kelurahan yang punya sedikitnya satu sumber aktif terdaftar).

**TikTok.** TikTok tidak menampilkan tanggal per video. Pantau hanya mencatat pertambahan jumlah video
di profil antara dua pengumpulan. Aktivitas ini ditampilkan di halaman Unit, tetapi **tidak dihitung**
dalam publikasi, hari aktif, Indeks Imbang, target, minggu beruntun maupun status.

**Topik.** Penanda topik (pembangunan, layanan, kesehatan, pendidikan, seremonial) dipasang otomatis dari
daftar kata kunci untuk membantu mencari; penanda itu bukan penilaian atas unit.
"""


def render() -> None:
    ctx = data.context()
    header("Tentang Data", ctx, "Cara setiap angka dihitung, seberapa baru datanya, dan kanal yang tidak dikumpulkan.")
    settings = ctx.registry.settings
    targets = ", ".join(f"{kind} {value}" for kind, value in settings.targets.items())
    st.markdown(DEFINITIONS.format(zone=settings.timezone, threshold=fmt_pace(settings.pace_threshold),
                                   targets=targets, lookback=metrics.STREAK_LOOKBACK_WEEKS))

    st.markdown("### Kebaruan data")
    fresh = data.freshness(ctx.db)
    st.markdown(
        f"- Publikasi tersimpan: **{fresh.posts:,}**\n".replace(",", ".")
        + f"- Publikasi terbaru: **{fmt_moment(fresh.newest_post, ctx.zone)}**\n"
        + f"- Pengumpulan berhasil terakhir: **{fmt_moment(fresh.newest_success, ctx.zone)}**\n"
        + f"- Tanggal rujukan (\"hari ini\") semua angka: **{fmt_date(pd.Timestamp(ctx.today))}**")
    if fresh.posts == 0:
        st.info("Belum ada data: belum ada publikasi yang terkumpul.")

    st.markdown("### Kanal yang tidak dikumpulkan")
    frame = sources_frame(ctx)
    skipped = frame[frame["reason"] != ""]
    if skipped.empty:
        st.write("Semua kanal terdaftar sedang dikumpulkan.")
    else:
        summary = skipped.groupby("reason").size().rename("jumlah kanal").reset_index()
        st.dataframe(summary.rename(columns={"reason": "Alasan"}), hide_index=True, width="stretch")
        st.dataframe(pd.DataFrame({
            "Unit": skipped["unit_name"],
            "Kanal": skipped["platform"].map(PLATFORM_LABELS).fillna(skipped["platform"]),
            "Alasan": skipped["reason"],
        }), hide_index=True, width="stretch")
    failing = frame[(frame["reason"] == "") & (frame["failing_streak"] > 0)]
    st.markdown(f"**{len(failing)} kanal** gagal dikumpulkan pada percobaan terakhirnya (misalnya situs tidak "
                "menjawab); unit yang semua kanalnya gagal 3 hari berturut-turut berstatus *tanpa data*.")
    no_source = [u.name for u in ctx.registry.units
                 if u.unit_id not in set(metrics.post_sources(frame)["unit_id"])]
    st.markdown(f"**{len(no_source)} unit** belum punya sumber publikasi aktif; statusnya selalu *tanpa data*.")
    st.caption("Daftar wilayah (kecamatan, desa, kelurahan) berasal dari paket idn-area-data (lisensi ODbL).")


if __name__ == "__main__":
    render()
