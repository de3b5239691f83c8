"""Who is looking at internal mode: the login, the session, the role and the kecamatan scope.

Two ways in, checked in this order:

1. Streamlit's own login (`st.login` / `st.user`, OpenID Connect) when `.streamlit/secrets.toml`
   has an `[auth]` section: the identity provider vouches for an e-mail address, and that address
   must be an active account (`pantau users add EMAIL --no-password ...`) for a role.
2. The built-in login: a username and password checked against `pantau.accounts` (Argon2id),
   failed attempts slowed down per account and per client address. The session lives in
   Streamlit's server-side session state and ends after `PANTAU_SESSION_IDLE_MINUTES` (default
   30) without a click, or `PANTAU_SESSION_HOURS` (default 12) after the login, whichever first.

Every run re-reads the account, so a disabled account or a changed role takes effect at the
next click. `PANTAU_INTERNAL_NO_LOGIN=1` (a closed network) lets everyone in as an admin named
"tanpa login", and every page says so.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import streamlit as st

from pantau.accounts import ROLE_LABELS, AccountBook
from pantau.config import Config

log = logging.getLogger(__name__)

SESSION_KEY = "pantau_session"
NOTICE_KEY = "pantau_login_notice"
NO_LOGIN_ENV = "PANTAU_INTERNAL_NO_LOGIN"
REVIEW_ROLES = ("peninjau", "admin")
ADMIN_ROLES = ("admin",)
OIDC_KEYS = ("client_id", "client_secret", "server_metadata_url")
NO_LOGIN_NAME = "tanpa login"


@dataclass(frozen=True)
class Viewer:
    """The person behind this session, as far as internal pages are concerned."""

    username: str
    name: str
    role: str
    kecamatan: str = ""  # '' = every unit
    via: str = "password"  # password | oidc | none

    @property
    def label(self) -> str:
        return f"{self.name} ({self.username})" if self.via != "none" else NO_LOGIN_NAME

    def may(self, roles: tuple[str, ...]) -> bool:
        return self.role in roles


def no_login() -> bool:
    return os.environ.get(NO_LOGIN_ENV, "").strip().lower() in ("1", "true", "yes")


def idle_limit() -> timedelta:
    return timedelta(minutes=float(os.environ.get("PANTAU_SESSION_IDLE_MINUTES") or 30))


def session_limit() -> timedelta:
    return timedelta(hours=float(os.environ.get("PANTAU_SESSION_HOURS") or 12))


# -- what is configured -----------------------------------------------------------------------


def _secrets_auth() -> dict:
    """The [auth] section of secrets.toml, or {} (no file, no section)."""
    from streamlit.runtime.secrets import secrets_singleton

    try:
        if not secrets_singleton.load_if_toml_exists():
            return {}
        section = secrets_singleton.get("auth")
    except Exception:  # an unreadable secrets file: reported as "not configured"
        log.warning("could not read the [auth] section of secrets.toml")
        return {}
    return section.to_dict() if hasattr(section, "to_dict") else dict(section or {})


def oidc_providers() -> list[str | None]:
    """The identity providers of secrets.toml's [auth]: None for the default one, else the
    names of its [auth.NAME] sections; [] when st.login is not configured."""
    section = _secrets_auth()
    if not section.get("redirect_uri") or not section.get("cookie_secret"):
        return []
    providers: list[str | None] = []
    if all(section.get(k) for k in OIDC_KEYS):
        providers.append(None)
    providers += [name for name, value in section.items()
                  if isinstance(value, dict) and all(value.get(k) for k in OIDC_KEYS)]
    return providers


@st.cache_resource(show_spinner=False)
def account_book(db_url: str) -> AccountBook:
    from views import data

    return AccountBook(data.get_store(db_url).engine)


@dataclass(frozen=True)
class LoginSetup:
    providers: tuple[str | None, ...]
    accounts: bool
    passwords: bool

    @property
    def ready(self) -> bool:
        return no_login() or (self.accounts and (self.passwords or bool(self.providers)))


def login_setup(config: Config, book: AccountBook | None = None) -> LoginSetup:
    book = book or account_book(config.db_url)
    accounts, passwords = book.usable()
    return LoginSetup(tuple(oidc_providers()), accounts, passwords)


HOW_TO_LOGIN = (
    "Mode internal menolak berjalan tanpa login. Siapkan salah satu:\n\n"
    "1. **Akun bawaan** (kata sandi): `pantau users add NAMA --name \"Nama Lengkap\" --role admin` "
    "(peran `peninjau` atau `admin`, `--kecamatan KODE` untuk camat), dengan `--db` yang sama "
    "dengan dasbor.\n"
    "2. **Login penyedia identitas** (Google Workspace, Microsoft, Keycloak): bagian `[auth]` di "
    "`.streamlit/secrets.toml` (`redirect_uri`, `cookie_secret`, `client_id`, `client_secret`, "
    "`server_metadata_url`), lalu `pantau users add EMAIL --name ... --no-password` untuk setiap "
    "orang yang boleh masuk.\n\n"
    "Hanya di jaringan tertutup: `PANTAU_INTERNAL_NO_LOGIN=1` membuka halaman internal tanpa login "
    "(setiap halaman akan memperingatkannya)."
)


def startup_problem(config: Config) -> str | None:
    """Why internal mode must not start (in English, for the server log), or None."""
    if config.mode != "internal" or no_login():
        return None
    book = AccountBook.open(config.db_url)
    try:
        setup = login_setup(config, book)
    finally:
        book.dispose()
    if setup.ready:
        return None
    if setup.accounts:
        return ("internal mode has only identity-provider accounts but no [auth] section in .streamlit/secrets.toml; "
                "configure st.login or give an account a password (pantau users password NAME)")
    return ("internal mode needs a login: add an account (pantau users add NAME --name \"...\" --role admin), "
            "or configure st.login in .streamlit/secrets.toml and add the e-mail addresses with --no-password; "
            f"{NO_LOGIN_ENV}=1 opens it without login on a closed network")


# -- the current viewer -----------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _user_claim(name: str):
    try:
        return st.user.get(name)
    except Exception:  # st.user outside a session or without [auth]
        return None


def _password_viewer(book: AccountBook) -> Viewer | None:
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return None
    now = _now()
    if now - session["seen"] > idle_limit() or now - session["started"] > session_limit():
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = "Sesi Anda berakhir. Silakan masuk lagi."
        return None
    account = book.get(session["username"])
    if account is None or not account.active or not account.has_password:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[NOTICE_KEY] = "Akun ini tidak aktif lagi."
        return None
    session["seen"] = now
    return Viewer(account.username, account.name, account.role, account.kecamatan, "password")


def _oidc_viewer(book: AccountBook) -> Viewer | None:
    if not _user_claim("is_logged_in"):
        return None
    email = str(_user_claim("email") or "").strip().lower()
    if not email or _user_claim("email_verified") is False:
        st.session_state[NOTICE_KEY] = "Penyedia identitas tidak memberikan alamat email yang terverifikasi."
        return None
    account = book.get(email)
    if account is None or not account.active:
        st.session_state[NOTICE_KEY] = (f"Akun {email} belum terdaftar sebagai peninjau, atau tidak aktif. "
                                        "Minta admin mendaftarkannya.")
        return None
    return Viewer(account.username, account.name, account.role, account.kecamatan, "oidc")


def current_viewer(config: Config) -> Viewer | None:
    """The signed-in viewer of internal mode, or None (anonymous, expired, disabled)."""
    if config.mode != "internal":
        return None
    if no_login():
        return Viewer("tanpa-login", NO_LOGIN_NAME, "admin", "", "none")
    book = account_book(config.db_url)
    return _password_viewer(book) or _oidc_viewer(book)


def scope_units(viewer: Viewer | None, registry) -> set[str] | None:
    """The unit ids a viewer's internal pages show: a kecamatan's own office and its villages,
    or None (every unit)."""
    if viewer is None or not viewer.kecamatan:
        return None
    return {u.unit_id for u in registry.units if viewer.kecamatan in (u.unit_id, u.parent_id)}


def client_address() -> str:
    """The client's address for slowing down failed logins. Behind a reverse proxy every client
    has the proxy's address unless PANTAU_TRUST_PROXY=1 lets the last X-Forwarded-For hop speak."""
    if os.environ.get("PANTAU_TRUST_PROXY", "").strip() in ("1", "true", "yes"):
        forwarded = st.context.headers.get("X-Forwarded-For", "")
        if isinstance(forwarded, str) and forwarded.strip():
            return forwarded.split(",")[-1].strip()
    address = st.context.ip_address
    # None on loopback (Streamlit hides it there), and not a string under AppTest.
    return address if isinstance(address, str) and address else "local"


# -- pages ------------------------------------------------------------------------------------


def _sign_in(book: AccountBook, username: str, password: str) -> None:
    result = book.login(username, password, client_address())
    if result.ok:
        now = _now()
        st.session_state[SESSION_KEY] = {"username": result.account.username, "started": now, "seen": now}
        st.session_state.pop(NOTICE_KEY, None)
        log.info("login of %s", result.account.username)
        return
    if result.wait > timedelta(0):
        seconds = int(result.wait.total_seconds()) + 1
        st.session_state[NOTICE_KEY] = f"Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik."
    else:
        st.session_state[NOTICE_KEY] = "Nama pengguna atau kata sandi salah."
    log.warning("failed login for %r from %s", username[:100], client_address())


def login_page() -> None:
    """The login form (and the identity provider's buttons): what an anonymous visitor sees of
    internal mode, whichever internal page URL they opened."""
    config = Config.resolve()
    st.title("Masuk")
    st.caption("Halaman internal Pantau (tinjauan konten, kesehatan sumber, ekspor) hanya untuk peninjau "
               "yang terdaftar.")
    if notice := st.session_state.get(NOTICE_KEY):
        st.warning(notice)
    setup = login_setup(config)
    for provider in setup.providers:
        label = "Masuk dengan akun instansi" if provider is None else f"Masuk dengan {provider}"
        st.button(label, key=f"masuk-oidc-{provider or 'default'}", on_click=st.login,
                  args=(provider,) if provider else (), type="primary")
    if setup.passwords:
        with st.form("masuk", clear_on_submit=True):
            username = st.text_input("Nama pengguna", key="masuk-nama", max_chars=100)
            password = st.text_input("Kata sandi", type="password", key="masuk-sandi", max_chars=200)
            if st.form_submit_button("Masuk"):
                _sign_in(account_book(config.db_url), username, password)
                st.rerun()


def denied_page() -> None:
    st.title("Akses ditolak")
    st.error("Halaman ini hanya untuk admin. Akun Anda berperan peninjau.")


def sidebar(viewer: Viewer | None) -> None:
    """Who is signed in, and the way out; or the warning of a login-less internal mode."""
    if no_login():
        st.sidebar.warning("Mode internal **tanpa login** (PANTAU_INTERNAL_NO_LOGIN): siapa pun yang dapat "
                           "membuka alamat ini dapat memberi tanda tinjauan dan melihat galat sumber.")
        return
    if viewer is None:
        return
    scope = f" · kecamatan {viewer.kecamatan}" if viewer.kecamatan else ""
    st.sidebar.caption(f"Masuk sebagai **{viewer.name}** ({ROLE_LABELS.get(viewer.role, viewer.role)}{scope})")
    if st.sidebar.button("Keluar", key="keluar"):
        st.session_state.pop(SESSION_KEY, None)
        if viewer.via == "oidc":
            st.logout()
        st.rerun()
