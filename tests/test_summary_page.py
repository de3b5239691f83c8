"""The static summary page: the same numbers as Ringkasan's last complete week, every text escaped."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from pantau import calendar
from pantau.commands.common import open_store
from pantau.config import Config
from pantau.registry import load_registry
from pantau.summary_page import render, week_table
from tests.seed import seeded_store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seeded_store(tmp_path_factory.mktemp("summary"))


@pytest.fixture(scope="module")
def week(seeded):
    registry = load_registry(seeded.registry_dir)
    store = open_store(Config(db_url=seeded.url, registry_dir=seeded.registry_dir))
    try:
        table, start, end = week_table(store, registry, seeded.today)
    finally:
        store.dispose()
    return registry, table, start, end


class Rows(HTMLParser):
    """The leaderboard's rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_body = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.rows.append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def test_summary_shows_the_last_complete_week_as_ringkasan_counts_it(seeded, week):
    registry, table, start, end = week
    assert start == calendar.last_complete_week(seeded.today).date()
    page = render(table, registry, start, end, datetime(2025, 9, 24, 6, 0))
    rows = Rows()
    rows.feed(page)
    board = table[table["kind"].isin(("opd", "kecamatan"))]
    assert len(rows.rows) == len(board)
    by_name = board.set_index("name")
    for _, name, _, _, days, posts, status in rows.rows:
        assert int(days) == by_name.loc[name, "active_days"]
        assert int(posts) == by_name.loc[name, "posts"]
        assert status == by_name.loc[name, "status"]
    opd = table[table["kind"] == "opd"]
    assert f"OPD mengimbangi<b>{int(opd['keeps_pace'].sum())} dari {len(opd)}</b>" in page
    assert "<script" not in page


def test_names_are_escaped(week):
    registry, table, start, end = week
    hostile = table.copy()
    hostile.attrs = table.attrs
    first = hostile.index[hostile["kind"] == "opd"][0]
    hostile.loc[first, "name"] = '<img src=x onerror=alert(1)> & "Dinas"'
    page = render(hostile, registry, start, end, datetime(2025, 9, 24, 6, 0))
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp;" in page
    assert re.search(r"<svg [^>]*class=\"pantau-chart\"", page)
