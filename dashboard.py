"""Pantau dashboard: the router only. Each page is a module of views/ with a render() function.

Run with `streamlit run dashboard.py`. PANTAU_MODE=internal adds the internal pages; public
mode never registers them, so their URLs do not exist there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from pantau.config import Config
from pantau.registry import RegistryError


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to this file; the module exposes render()
    title: str
    icon: str
    internal_only: bool = False
    default: bool = False
    # Only for a registry spanning several regencies (a province).
    province_only: bool = False

    @property
    def url_path(self) -> str:
        return Path(self.path).stem


# The explicit list of pages, in menu order. Internal pages appear only with PANTAU_MODE=internal.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("views/ringkasan.py", "Ringkasan", ":material/leaderboard:", default=True),
    PageSpec("views/provinsi.py", "Provinsi", ":material/public:", province_only=True),
    PageSpec("views/kecamatan.py", "Kecamatan", ":material/map:"),
    PageSpec("views/unit.py", "Unit", ":material/account_balance:"),
    PageSpec("views/terbaru.py", "Publikasi Terbaru", ":material/newspaper:"),
    PageSpec("views/tentang.py", "Tentang Data", ":material/info:"),
    PageSpec("views/review.py", "Tinjauan Konten", ":material/flag:", internal_only=True),
    PageSpec("views/kesehatan.py", "Kesehatan Sumber", ":material/monitor_heart:", internal_only=True),
    PageSpec("views/ekspor.py", "Ekspor", ":material/download:", internal_only=True),
)


def visible_pages(mode: str, province: bool = False) -> list[PageSpec]:
    return [page for page in PAGES if (mode == "internal" or not page.internal_only)
            and (province or not page.province_only)]


def is_province(registry) -> bool:
    """Leaders of more than one regency (their codes differ): the Provinsi page applies."""
    return len({u.code[:5] for u in registry.units if u.kind == "pimpinan" and u.code}) > 1


def run() -> None:
    from views import data  # here, so importing the page list does not set up the caches

    # A Material icon, not an emoji: an emoji favicon makes Streamlit compile its emoji catalogue
    # (a regex of thousands of alternatives, 0.2-0.4 s) on the first page a process serves.
    st.set_page_config(page_title="Pantau", page_icon=":material/leaderboard:", layout="wide")
    config = Config.resolve()
    try:
        registry = data.get_registry(str(config.registry_dir))
    except RegistryError as exc:
        st.error(f"Registri tidak valid ({len(exc.problems)} masalah). Perbaiki berkas CSV-nya:")
        st.text(str(exc))
        st.stop()
    try:
        data.reference_date(registry.settings.timezone)
    except ValueError as exc:  # a mistyped PANTAU_TODAY
        st.error(str(exc))
        st.stop()
    st.sidebar.markdown(f"**Pantau** · {registry.settings.regency_name or 'pemerintah daerah'}")
    if config.mode == "internal":
        st.sidebar.caption("Mode internal")
    pages = [st.Page(p.path, title=p.title, icon=p.icon, default=p.default, url_path=p.url_path)
             for p in visible_pages(config.mode, is_province(registry))]
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
