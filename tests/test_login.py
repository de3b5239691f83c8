"""Internal mode behind a login: accounts and their passwords, failed logins slowed down (and
remembered across a restart), the roles, a camat's kecamatan, the refusal to start without a
login, and the `pantau users` command."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pantau.accounts import (
    ACCOUNT_FREE_FAILURES,
    CLIENT_FREE_FAILURES,
    FIRST_WAIT,
    LONGEST_WAIT,
    AccountBook,
    AccountError,
    accounts,
    wait_after,
)
from pantau.cli import main
from pantau.store import Store
from tests.login_support import ADMIN, CAMAT, PENINJAU, add_accounts, sign_in
from tests.seed import seeded_store
from tests.test_browser import free_port
from tests.test_pages import DASHBOARD

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 9, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def book(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'accounts.db'}")
    book = AccountBook(store.engine)
    book.add("budi", "Budi Santoso", "peninjau", password="kata-sandi-budi-1")
    yield book
    store.dispose()


# -- accounts and passwords -------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_only(book):
    with book.engine.connect() as conn:
        stored = conn.execute(accounts.select()).first().password_hash
    assert stored.startswith("$argon2id$") and "kata-sandi-budi-1" not in stored
    assert book.login("budi", "kata-sandi-budi-1", "10.0.0.1", T0).account.name == "Budi Santoso"
    assert book.login("BUDI ", "kata-sandi-budi-1", "10.0.0.1", T0).ok  # names are not case-sensitive
    assert not book.login("budi", "kata-sandi-budi-2", "10.0.0.1", T0).ok


@pytest.mark.parametrize("kwargs, message", [
    ({"username": "x"}, "is not a username"),
    ({"username": "Budi Santoso"}, "is not a username"),
    ({"role": "camat"}, "role must be one of"),
    ({"password": "pendek"}, "at least 10 characters"),
    ({"password": " spasi-di-depan"}, "must not start or end with a space"),
    ({"name": " "}, "needs a name"),
    ({"username": "budi"}, "exists already"),
])
def test_bad_accounts_are_refused_with_the_reason(book, kwargs, message):
    args = {"username": "ani", "name": "Ani", "role": "peninjau", "password": "kata-sandi-ani-1", **kwargs}
    with pytest.raises(AccountError, match=message):
        book.add(args["username"], args["name"], args["role"], password=args["password"])


def test_a_disabled_account_cannot_sign_in(book):
    book.set_active("budi", False)
    assert not book.login("budi", "kata-sandi-budi-1", "10.0.0.1", T0).ok
    book.set_active("budi", True)
    assert book.login("budi", "kata-sandi-budi-1", "10.0.0.1", T0).ok


def test_an_identity_provider_account_has_no_password_to_guess(book):
    book.add("camat.cepu@blorakab.go.id", "Camat Cepu", "peninjau", "kec-cepu")
    assert not book.login("camat.cepu@blorakab.go.id", "", "10.0.0.1", T0).ok
    assert book.usable() == (True, True)


# -- failed logins slowed down ------------------------------------------------------------------


def test_waits_double_after_the_free_failures_up_to_a_ceiling():
    assert [wait_after(n, 5) for n in (0, 4)] == [timedelta(0), timedelta(0)]
    assert [wait_after(n, 5) for n in (5, 6, 7)] == [FIRST_WAIT, 2 * FIRST_WAIT, 4 * FIRST_WAIT]
    assert wait_after(60, 5) == LONGEST_WAIT


def test_an_account_under_attack_waits_even_for_the_right_password(book):
    for i in range(ACCOUNT_FREE_FAILURES):
        assert book.login("budi", f"tebakan-{i}-xxxx", f"10.0.0.{i}", T0).wait == timedelta(0)
    refused = book.login("budi", "kata-sandi-budi-1", "10.0.0.99", T0 + timedelta(seconds=1))
    assert not refused.ok and refused.wait > timedelta(0)  # not even checked
    later = book.login("budi", "kata-sandi-budi-1", "10.0.0.99", T0 + FIRST_WAIT + timedelta(seconds=1))
    assert later.ok
    assert book.failures("account", "budi") == 0  # a success clears the account's count


def test_one_client_guessing_many_names_is_slowed_down(book):
    for i in range(CLIENT_FREE_FAILURES):
        book.login(f"nama{i}", "tebakan-xxxxxx", "203.0.113.9", T0)
    assert book.login("budi", "kata-sandi-budi-1", "203.0.113.9", T0 + timedelta(seconds=1)).wait > timedelta(0)
    assert book.login("budi", "kata-sandi-budi-1", "198.51.100.7", T0 + timedelta(seconds=1)).ok


def test_the_counts_survive_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    first = AccountBook.open(url)
    first.add("budi", "Budi", "peninjau", password="kata-sandi-budi-1")
    for _ in range(ACCOUNT_FREE_FAILURES):
        first.login("budi", "salah-salah-salah", "10.0.0.1", T0)
    first.dispose()
    again = AccountBook.open(url)  # a new process: nothing in memory
    try:
        assert again.login("budi", "kata-sandi-budi-1", "10.0.0.2", T0 + timedelta(seconds=5)).wait > timedelta(0)
    finally:
        again.dispose()


def test_counts_are_forgotten_a_day_after_the_last_failure(book):
    for _ in range(ACCOUNT_FREE_FAILURES + 3):
        book.login("budi", "salah-salah-salah", "10.0.0.1", T0)
    assert book.login("budi", "kata-sandi-budi-1", "10.0.0.1", T0 + timedelta(days=1, minutes=1)).ok


# -- pantau users ------------------------------------------------------------------------------


def run_users(capsys, monkeypatch, db: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", *args, "--db", db])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_users_command_adds_lists_disables(tmp_path, capsys, monkeypatch):
    db = f"sqlite:///{tmp_path / 'u.db'}"
    code, out, _ = run_users(capsys, monkeypatch, db, "add", "budi", "--name", "Budi Santoso", "--password-stdin",
                             stdin="kata-sandi-budi-1\n")
    assert (code, out) == (0, "added budi (peninjau)\n")
    code, out, _ = run_users(capsys, monkeypatch, db, "add", "camat.cepu@blorakab.go.id", "--name", "Camat Cepu",
                             "--role", "admin", "--kecamatan", "kec-cepu", "--no-password")
    assert code == 0 and "identity provider only" in out
    assert run_users(capsys, monkeypatch, db, "disable", "budi")[:2] == (0, "budi disabled\n")
    code, out, _ = run_users(capsys, monkeypatch, db, "list")
    assert out.splitlines() == [
        "username\tname\trole\tkecamatan\tlogin\tactive",
        "budi\tBudi Santoso\tpeninjau\t-\tpassword\tno",
        "camat.cepu@blorakab.go.id\tCamat Cepu\tadmin\tkec-cepu\tidentity provider\tyes"]
    assert "kata-sandi" not in out


@pytest.mark.parametrize("args, stdin, message", [
    (("add", "ani", "--name", "Ani", "--password-stdin"), "pendek\n", "at least 10 characters"),
    (("add", "ani", "--name", "Ani", "--kecamatan", "opd-dinkes", "--no-password"), "", "is not a kecamatan"),
    (("disable", "siapa"), "", "no account 'siapa'"),
])
def test_users_command_errors_are_clear(tmp_path, capsys, monkeypatch, args, stdin, message):
    code, _, err = run_users(capsys, monkeypatch, f"sqlite:///{tmp_path / 'u.db'}", *args, stdin=stdin)
    assert code == 1 and message in err


# -- the dashboard ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    seeded = seeded_store(tmp_path_factory.mktemp("login"))
    add_accounts(seeded.url)
    return seeded


@pytest.fixture
def internal(seeded, monkeypatch):
    monkeypatch.setenv("PANTAU_DB", seeded.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", seeded.today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "internal")
    monkeypatch.delenv("PANTAU_INTERNAL_NO_LOGIN", raising=False)
    return monkeypatch


def dashboard() -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_anonymous_visitor_has_no_internal_page_and_no_error_details(internal, seeded):
    at = dashboard()
    for path in ("views/review.py", "views/kesehatan.py", "views/ekspor.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)
    at.switch_page("views/unit.py").run()
    at.selectbox(key="unit-pilih").select(seeded.broken_unit).run()
    assert "Galat terakhir" not in at.dataframe[-1].value.columns  # error details need a login


def test_a_peninjau_reviews_but_cannot_open_admin_pages(internal):
    at = sign_in(dashboard(), PENINJAU)
    at.switch_page("views/review.py").run()
    assert not at.exception and [t.value for t in at.title] == ["Tinjauan Konten"]
    for path in ("views/kesehatan.py", "views/ekspor.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)


def test_a_wrong_password_leaves_the_visitor_outside(internal):
    at = sign_in(dashboard(), PENINJAU, password="bukan-sandinya-1")
    assert any("salah" in w.value for w in at.warning)
    with pytest.raises(ValueError):
        at.switch_page("views/review.py")


def test_a_camat_sees_only_the_units_of_their_kecamatan(internal, seeded):
    at = sign_in(dashboard(), CAMAT)
    at.switch_page("views/kesehatan.py").run()
    assert not at.exception
    mine = {u.name for u in seeded.registry.units if "kec-cepu" in (u.unit_id, u.parent_id)}
    shown = set(at.dataframe[0].value["Unit"])
    assert shown and shown <= mine
    at.switch_page("views/ekspor.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["unit_id"]) <= {u.unit_id for u in seeded.registry.units if "kec-cepu" in (u.unit_id, u.parent_id)}
    at.switch_page("views/unit.py").run()
    at.selectbox(key="unit-pilih").select(seeded.broken_unit).run()  # an OPD: outside the camat's kecamatan
    assert "Galat terakhir" not in at.dataframe[-1].value.columns


def test_an_admin_opens_every_internal_page(internal):
    at = sign_in(dashboard(), ADMIN)
    for path, title in (("views/review.py", "Tinjauan Konten"), ("views/kesehatan.py", "Kesehatan Sumber"),
                        ("views/ekspor.py", "Ekspor")):
        at.switch_page(path).run()
        assert not at.exception and [t.value for t in at.title] == [title]


def test_internal_mode_without_any_login_refuses_and_says_how(tmp_path, monkeypatch, seeded):
    monkeypatch.setenv("PANTAU_DB", f"sqlite:///{tmp_path / 'no-accounts.db'}")
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_MODE", "internal")
    monkeypatch.delenv("PANTAU_INTERNAL_NO_LOGIN", raising=False)
    at = dashboard()
    assert any("menolak berjalan tanpa login" in e.value and "pantau users add" in e.value for e in at.error)
    # Nothing but the message: no page ran, no table, no figure, no login form.
    assert not at.title and not at.dataframe and not at.metric and not at.text_input


def test_no_login_mode_opens_internal_pages_with_a_warning_on_every_page(tmp_path, monkeypatch, seeded):
    monkeypatch.setenv("PANTAU_DB", seeded.url)
    monkeypatch.setenv("PANTAU_REGISTRY", str(seeded.registry_dir))
    monkeypatch.setenv("PANTAU_TODAY", seeded.today.isoformat())
    monkeypatch.setenv("PANTAU_MODE", "internal")
    monkeypatch.setenv("PANTAU_INTERNAL_NO_LOGIN", "1")
    at = dashboard()
    for path in ("views/ringkasan.py", "views/review.py", "views/ekspor.py"):
        at.switch_page(path).run()
        assert not at.exception
        assert any("tanpa login" in w.value for w in at.warning), path


def test_the_server_refuses_to_start_internal_mode_without_a_login(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PANTAU_MODE": "internal",
           "PANTAU_DB": f"sqlite:///{tmp_path / 'none.db'}", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "streamlit", "run", "server.py", "--server.headless", "true",
                             "--server.port", str(free_port()), "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "internal mode needs a login" in result.stderr and "pantau users add" in result.stderr


def test_identity_providers_are_read_from_the_auth_section(monkeypatch):
    from views import auth

    section = {"redirect_uri": "https://pantau.example/oauth2callback", "cookie_secret": "x" * 32,
               "client_id": "id", "client_secret": "s", "server_metadata_url": "https://idp.example/.well-known",
               "microsoft": {"client_id": "id", "client_secret": "s", "server_metadata_url": "https://m.example"},
               "half": {"client_id": "id"}}
    monkeypatch.setattr(auth, "_secrets_auth", lambda: section)
    assert auth.oidc_providers() == [None, "microsoft"]
    monkeypatch.setattr(auth, "_secrets_auth", lambda: {**section, "cookie_secret": ""})
    assert auth.oidc_providers() == []


def test_an_identity_provider_login_maps_to_its_account(book, monkeypatch):
    from views import auth

    book.add("camat.cepu@blorakab.go.id", "Camat Cepu", "peninjau", "kec-cepu")
    claims = {"is_logged_in": True, "email": "Camat.Cepu@BloraKab.go.id", "email_verified": True}
    monkeypatch.setattr(auth, "_user_claim", claims.get)
    viewer = auth._oidc_viewer(book)
    assert (viewer.username, viewer.name, viewer.role, viewer.kecamatan, viewer.via) == (
        "camat.cepu@blorakab.go.id", "Camat Cepu", "peninjau", "kec-cepu", "oidc")
    book.set_active("camat.cepu@blorakab.go.id", False)
    assert auth._oidc_viewer(book) is None
