"""Pantau dashboard: the router only. Each page is a module of views/ with a render() function.

Run with `streamlit run dashboard.py`. PANTAU_MODE=internal adds the internal pages; public
mode never registers them, so their URLs do not exist there. In internal mode an internal page
is registered only for a signed-in viewer whose role may open it: for anyone else its URL
shows the login (anonymous) or a refusal (a peninjau on an admin page), never the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from pantau.config import Config, reference_date
from pantau.registry import RegistryError


@dataclass(frozen=True)
class PageSpec:
    path: str  # relative to this file; the module exposes render()
    title: str
    icon: str
    internal_only: bool = False
    default: bool = False
    roles: tuple[str, ...] = ()  # who may open an internal page

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
    PageSpec("views/review.py", "Tinjauan Konten", ":material/flag:", internal_only=True,
             roles=("peninjau", "admin")),
    PageSpec("views/kesehatan.py", "Kesehatan Sumber", ":material/monitor_heart:", internal_only=True,
             roles=("admin",)),
    PageSpec("views/ekspor.py", "Ekspor", ":material/download:", internal_only=True, roles=("admin",)),
)


LOGIN_PAGE = "views/masuk.py"
DENIED_PAGE = "views/ditolak.py"


def visible_pages(mode: str, role: str | None = None, province: bool = False) -> list[PageSpec]:
    """The pages a visitor of this mode with this role (None: not signed in) may open; the
    Provinsi page only for a registry spanning several regencies."""
    return [page for page in PAGES
            if (not page.internal_only or (mode == "internal" and role is not None and role in page.roles))
            and (province or not page.province_only)]


def is_province(registry) -> bool:
    """Leaders of more than one regency (their codes differ): the Provinsi page applies."""
    return len({u.code[:5] for u in registry.units if u.kind == "pimpinan" and u.code}) > 1


def internal_navigation(config: Config) -> list:
    """Internal mode's extra pages for this visitor: the internal pages their role may open, and
    in the place of every other internal page a hidden stand-in at the same URL (the login for
    an anonymous visitor, a refusal for a peninjau on an admin page), so opening that URL shows
    no flagged post, source error or export."""
    from views import auth

    viewer = auth.current_viewer(config)
    auth.sidebar(viewer)
    allowed = {p.path for p in visible_pages(config.mode, viewer.role if viewer else None)}
    stand_in = LOGIN_PAGE if viewer is None else DENIED_PAGE
    pages = []
    if viewer is None:
        pages.append(st.Page(LOGIN_PAGE, title="Masuk", icon=":material/login:", url_path="masuk"))
    for spec in PAGES:
        if not spec.internal_only:
            continue
        if spec.path in allowed:
            pages.append(st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path))
        else:
            pages.append(st.Page(stand_in, title=spec.title, icon=spec.icon, url_path=spec.url_path,
                                 visibility="hidden"))
    return pages


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
        reference_date(registry.settings.timezone)
    except ValueError as exc:  # a mistyped PANTAU_TODAY
        st.error(str(exc))
        st.stop()
    st.sidebar.markdown(f"**Pantau** · {registry.settings.regency_name or 'pemerintah daerah'}")
    pages = [st.Page(p.path, title=p.title, icon=p.icon, default=p.default, url_path=p.url_path)
             for p in visible_pages("public", province=is_province(registry))]
    if config.mode == "internal":
        from views import auth

        st.sidebar.caption("Mode internal")
        if not auth.login_setup(config).ready:
            st.error(auth.HOW_TO_LOGIN, icon=":material/lock:")
            st.stop()
        pages += internal_navigation(config)
    st.navigation(pages).run()


if __name__ == "__main__":
    run()
