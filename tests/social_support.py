"""Shared by the social collector tests: a real CollectContext against a local HTTP server."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from collectors.base import CollectContext
from collectors.http import HttpClient, HttpPolicy
from pantau.models import Source
from tests.fixture_server import LOOPBACK

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WIB = ZoneInfo("Asia/Jakarta")


def fixture_json(kind: str, name: str) -> dict:
    return json.loads((FIXTURES / kind / name).read_text(encoding="utf-8"))


def fixture_text(kind: str, name: str) -> str:
    return (FIXTURES / kind / name).read_text(encoding="utf-8")


def make_ctx(source: Source, since: datetime, credentials: dict | None = None, state: dict | None = None,
             now: datetime | None = None) -> CollectContext:
    client = HttpClient(HttpPolicy(private_networks=LOOPBACK, max_retries=0, backoff=0.01, connect_timeout=2, read_timeout=5))
    return CollectContext(source=source, since=since, http=client.for_source(source.source_id), zone=WIB,
                          state=state if state is not None else {}, credentials=credentials or {}, now=now)
