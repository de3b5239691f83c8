"""Accounts for the dashboard tests, and signing in through the real login form with AppTest."""

from __future__ import annotations

from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

from pantau.accounts import AccountBook, AccountError
from pantau.store import Store


@dataclass(frozen=True)
class TestAccount:
    username: str
    name: str
    role: str
    password: str
    kecamatan: str = ""


ADMIN = TestAccount("admin-uji", "Admin Uji", "admin", "kata-sandi-admin-01")
PENINJAU = TestAccount("peninjau-uji", "Sri Peninjau", "peninjau", "kata-sandi-peninjau-01")
CAMAT = TestAccount("camat-cepu", "Camat Cepu", "admin", "kata-sandi-camat-01", "kec-cepu")
ALL = (ADMIN, PENINJAU, CAMAT)


def add_accounts(db_url: str, accounts=ALL) -> None:
    store = Store(db_url)
    try:
        book = AccountBook(store.engine)
        for a in accounts:
            try:
                book.add(a.username, a.name, a.role, a.kecamatan, a.password)
            except AccountError:
                pass  # added by an earlier test on the same database
    finally:
        store.dispose()


def sign_in(at: AppTest, account: TestAccount, password: str | None = None) -> AppTest:
    """Open Masuk, fill the form and submit it, as a person would."""
    at.switch_page("views/masuk.py").run()
    at.text_input(key="masuk-nama").input(account.username)
    at.text_input(key="masuk-sandi").input(account.password if password is None else password)
    next(b for b in at.button if b.label == "Masuk").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at
