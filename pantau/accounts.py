"""Reviewer accounts for internal mode, and the slowing down of failed logins.

Accounts live in the database, in two tables of their own (`accounts`, `login_failures`),
created on first use. Why a table and not a file:

- the dashboard and the `pantau` command already share one configured database (`PANTAU_DB`),
  so `pantau users add` on the server reaches the dashboard without a second path to configure,
  copy or keep readable by both;
- the failed-login counters must survive a restart and be shared by every dashboard process
  (and every machine, with PostgreSQL), with updates that do not lose a count: a database row
  gives that, a file would need locks that do not reach across machines;
- a review mark names the account that gave it, in the same database, and the database's
  backups carry both.

Passwords are hashed with Argon2id (argon2-cffi, its default parameters), never stored or
logged. An account without a password signs in only through the identity provider
(st.login, OpenID Connect): its username is the e-mail address the provider vouches for.

Failed logins are slowed down per account and per client address: after a few free failures,
each further attempt must wait, the wait doubling up to a ceiling; a success clears the
account's count; counts are forgotten a day after their last failure. While a wait runs, the
password is not even checked, so guessing gains nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

ROLES = ("peninjau", "admin")
ROLE_LABELS = {"peninjau": "Peninjau", "admin": "Admin"}
MIN_PASSWORD_LENGTH = 10
# An e-mail address (OpenID Connect accounts) or a short name: lowercase letters, digits, . _ - @ +
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@+-]{1,99}$")

# Free failures before the waits begin, per account and per client address (several people can
# share one address behind an office NAT or the reverse proxy, so the client's is higher).
ACCOUNT_FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)

metadata = MetaData()

accounts = Table(
    "accounts", metadata,
    Column("username", String(100), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("kecamatan", String(100), nullable=False, default=""),  # '' = every unit
    Column("password_hash", String(300)),  # None: signs in only through the identity provider
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

login_failures = Table(
    "login_failures", metadata,
    Column("scope", String(20), primary_key=True),  # 'account' or 'client'
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so a wrong name costs what a wrong password does."""
    return _hasher.hash("pantau-no-such-account")


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: str
    kecamatan: str = ""
    active: bool = True
    has_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    wait: timedelta = timedelta(0)  # > 0: refused without checking, try again after this

    @property
    def ok(self) -> bool:
        return self.account is not None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def wait_after(failures: int, free: int) -> timedelta:
    """How long the next attempt must wait after `failures` failures, `free` of them free."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 20), LONGEST_WAIT)


def _now() -> datetime:
    return datetime.now(UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _account(row) -> Account:
    return Account(row.username, row.name, row.role, row.kecamatan or "", bool(row.active),
                   row.password_hash is not None)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password != password.strip():
        raise AccountError("a password must not start or end with a space")


class AccountBook:
    """The accounts table and the failure counters of one database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        metadata.create_all(engine, checkfirst=True)

    @classmethod
    def open(cls, db_url: str) -> AccountBook:
        """A book on its own engine (the command line, the server's start-up check); dispose() it."""
        from pantau.store import make_engine

        return cls(make_engine(db_url))

    def dispose(self) -> None:
        self.engine.dispose()

    # -- accounts ---------------------------------------------------------------------------

    def add(self, username: str, name: str, role: str, kecamatan: str = "", password: str | None = None) -> Account:
        username = normalise_username(username)
        if not USERNAME.match(username):
            raise AccountError(f"{username!r} is not a username: 2-100 characters, "
                               "lowercase letters, digits, . _ - @ +")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if not name.strip():
            raise AccountError("an account needs a name (shown beside its review marks)")
        if password is not None:
            check_password(password)
        now = _naive(_now())
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(accounts).values(
                    username=username, name=name.strip(), role=role, kecamatan=kecamatan,
                    password_hash=_hasher.hash(password) if password is not None else None,
                    active=True, created_at=now, updated_at=now))
        except IntegrityError:
            raise AccountError(f"an account {username!r} exists already") from None
        return self.get(username)  # type: ignore[return-value]

    def get(self, username: str) -> Account | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == normalise_username(username))).first()
        return _account(row) if row else None

    def all(self) -> list[Account]:
        with self.engine.connect() as conn:
            return [_account(r) for r in conn.execute(select(accounts).order_by(accounts.c.username))]

    def _change(self, username: str, **values) -> Account:
        username = normalise_username(username)
        with self.engine.begin() as conn:
            changed = conn.execute(update(accounts).where(accounts.c.username == username)
                                   .values(updated_at=_naive(_now()), **values)).rowcount
        if not changed:
            raise AccountError(f"no account {username!r}")
        return self.get(username)  # type: ignore[return-value]

    def set_active(self, username: str, active: bool) -> Account:
        return self._change(username, active=active)

    def set_password(self, username: str, password: str) -> Account:
        check_password(password)
        account = self._change(username, password_hash=_hasher.hash(password))
        with self.engine.begin() as conn:  # a new password starts with a clean slate
            conn.execute(delete(login_failures).where(login_failures.c.scope == "account",
                                                      login_failures.c.key == account.username))
        return account

    def usable(self) -> tuple[bool, bool]:
        """(any active account, any active account with a password)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(accounts.c.password_hash).where(accounts.c.active.is_(True))).all()
        return bool(rows), any(r.password_hash is not None for r in rows)

    # -- signing in -------------------------------------------------------------------------

    def login(self, username: str, password: str, client: str, now: datetime | None = None) -> LoginResult:
        """Check a password, slowed down per account and per client; never says which part failed."""
        now = now or _now()
        username = normalise_username(username)[:100]
        client = (client or "unknown")[:300]
        keys = (("account", username, ACCOUNT_FREE_FAILURES), ("client", client, CLIENT_FREE_FAILURES))
        wait = max(self._wait(scope, key, free, now) for scope, key, free in keys)
        if wait > timedelta(0):
            return LoginResult(None, wait)
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.username == username)).first()
        stored = row.password_hash if row is not None and row.active and row.password_hash else None
        if self._verify(stored or _dummy_hash(), password) and stored:
            self._forget("account", username)
            if _hasher.check_needs_rehash(stored):
                self._change(username, password_hash=_hasher.hash(password))
            return LoginResult(_account(row))
        for scope, key, _free in keys:
            self._count_failure(scope, key, now)
        return LoginResult(None)

    @staticmethod
    def _verify(stored: str, password: str) -> bool:
        try:
            return _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _wait(self, scope: str, key: str, free: int, now: datetime) -> timedelta:
        with self.engine.connect() as conn:
            row = conn.execute(select(login_failures).where(login_failures.c.scope == scope,
                                                            login_failures.c.key == key)).first()
        if row is None:
            return timedelta(0)
        last = row.last_failure_at.replace(tzinfo=UTC)
        if now - last > FORGET_AFTER:
            return timedelta(0)
        return max(timedelta(0), last + wait_after(row.failures, free) - now)

    def _count_failure(self, scope: str, key: str, now: datetime) -> None:
        where = (login_failures.c.scope == scope, login_failures.c.key == key)
        for _ in range(3):
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(select(login_failures).where(*where)).first()
                    if row is None:
                        conn.execute(insert(login_failures).values(scope=scope, key=key, failures=1,
                                                                   last_failure_at=_naive(now)))
                    else:
                        stale = now - row.last_failure_at.replace(tzinfo=UTC) > FORGET_AFTER
                        conn.execute(update(login_failures).where(*where).values(
                            failures=1 if stale else login_failures.c.failures + 1, last_failure_at=_naive(now)))
                return
            except IntegrityError:
                continue  # another process counted the first failure at the same moment: count on theirs

    def _forget(self, scope: str, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_failures).where(login_failures.c.scope == scope, login_failures.c.key == key))

    def failures(self, scope: str, key: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(login_failures.c.failures).where(
                login_failures.c.scope == scope, login_failures.c.key == key)).scalar()
        return int(value or 0)
