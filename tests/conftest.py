"""Shared fixtures: a fresh store on SQLite, and on PostgreSQL when a server is configured."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from pantau.store import Store

PG_URL = os.environ.get("PANTAU_TEST_PG_URL")


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield store
    store.dispose()


def _pg_store():
    """A store in a throwaway PostgreSQL database (dropped afterwards)."""
    if not PG_URL:
        if os.environ.get("PANTAU_REQUIRE_PG"):
            pytest.fail("PANTAU_REQUIRE_PG is set but PANTAU_TEST_PG_URL is not")
        pytest.skip("no PostgreSQL server configured (PANTAU_TEST_PG_URL)")
    name = f"pantau_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = PG_URL.rpartition("/")
    store = Store(f"{base}/{name}")
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_store():
    yield from _pg_store()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'pantau.db'}")
        yield s
        s.dispose()
    else:
        yield from _pg_store()
