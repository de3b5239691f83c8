"""OpenSID article pages and the sitemap: what an entry is, and what no route reached.

The HTML archive (`/arsip/N`) and the sitemap list every enabled entry of the `artikel` table:
articles, but also static pages (`tipe` statis, category 999), agenda items (1000) and finance
reports (1001), all under the same `/artikel/Y/M/D/slug` URLs. Only the entry's own page tells
them apart: the themes print the entry's category (`kategori`, which is the `tipe` for
non-articles: "statis", "agenda", "keuangan") in the meta block, and an agenda item carries its
"Tanggal & Jam / Lokasi / Koordinator" table. A page that answers 404 is a disabled entry.

The sitemap (`/sitemap.xml`, `<url><loc>…/artikel/Y/M/D/slug</loc><lastmod>Y-m-d</lastmod>`)
lists disabled and scheduled entries too, so it is a coverage check only: an entry it dates in
the collection window that no route reached is read once on its own page; an article there is
counted (its page confirms it), anything else is remembered as not an article, and what cannot
be read is a coverage gap.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from lxml import etree

from collectors.base import CollectContext
from collectors.dates import DateParseError, parse_date
from collectors.errors import FetchError, HttpStatusError, ParseError
from collectors.feed import OPENSID_ARTICLE, opensid_date, opensid_id
from pantau.models import Post

log = logging.getLogger(__name__)

# Labels the themes print for an entry that is not an article (the `kategori` accessor returns
# the tipe for them; older themes print the category's name).
NOT_ARTICLE_LABELS = {"statis": "statis", "halaman statis": "statis", "agenda": "agenda",
                      "keuangan": "keuangan"}
# Where themes print the category and the date: palanta's .bigmeta/.artikel-meta, natra's
# .post_commentbox/.meta_date, and breadcrumbs.
CATEGORY_SELECTORS = (".bigmeta p", ".artikel-meta .fa-edit + p", ".breadcrumb li", ".kategori", ".catg_titile")
DATE_SELECTORS = (".artikel-meta .fa-calendar + p", ".meta_date", "time", ".post-date")
AGENDA_ROWS = ("lokasi", "koordinator")
# Page reads a run spends on sitemap entries no route reached; the rest wait for the next run.
MAX_PAGE_READS = 30
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SPACE = re.compile(r"\s+")


@dataclass
class EntryPage:
    kind: str  # artikel | statis | agenda | keuangan | gone
    post: Post | None = None


def read_entry(ctx: CollectContext, url: str) -> EntryPage:
    """What the entry at `url` is; its post when it is an article. FetchError when unreadable."""
    try:
        response = ctx.http.get(url)
    except HttpStatusError as exc:
        if exc.status in (404, 410):
            return EntryPage("gone")
        raise
    soup = BeautifulSoup(response.text, "lxml")
    kind = entry_kind(soup)
    if kind != "artikel":
        return EntryPage(kind)
    return EntryPage(kind, _page_post(ctx, response.url or url, soup))


def entry_kind(soup: BeautifulSoup) -> str:
    for selector in CATEGORY_SELECTORS:
        for node in soup.select(selector):
            label = SPACE.sub(" ", node.get_text(" ", strip=True)).strip().lower()
            if label in NOT_ARTICLE_LABELS:
                return NOT_ARTICLE_LABELS[label]
    for table in soup.find_all("table"):
        cells = {SPACE.sub(" ", td.get_text(" ", strip=True)).lower() for td in table.find_all("td")}
        if all(name in cells for name in AGENDA_ROWS):
            return "agenda"
    return "artikel"


def _page_post(ctx: CollectContext, url: str, soup: BeautifulSoup) -> Post | None:
    match = OPENSID_ARTICLE.search(urlsplit(url).path)
    if match is None:
        return None
    when, date_only = None, True
    for selector in DATE_SELECTORS:
        node = soup.select_one(selector)
        text = node.get("datetime") or node.get_text(" ", strip=True) if node else ""
        if text:
            try:
                parsed = parse_date(str(text), ctx.zone, ctx.now)
                when, date_only = parsed.when, parsed.date_only
                break
            except DateParseError:
                continue
    day = opensid_date(url, ctx.zone)
    if when is None or (day is not None and when.astimezone(ctx.zone).date() != day.date()):
        # The URL carries the upload day (buat_slug): a page date that disagrees is not this entry's.
        when, date_only = day, True
    if when is None:
        return None
    heading = soup.find("h1") or soup.find(["h2", "h3", "h4"])
    title = " ".join(heading.get_text(" ", strip=True).split()) if heading else ""
    return Post(source_id=ctx.source.source_id, external_id=opensid_id(match), url=url, title=title,
                published_at=when.astimezone(UTC), date_only=date_only)


# --- sitemap ---------------------------------------------------------------------------------

@dataclass
class SitemapEntry:
    external_id: str
    url: str
    day: date


def read_sitemap(ctx: CollectContext, site: str) -> list[SitemapEntry]:
    response = ctx.http.get(site + "sitemap.xml")
    try:
        root = etree.fromstring(response.content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"sitemap.xml unreadable: {exc}") from exc
    entries = []
    for node in root.iter(f"{SITEMAP_NS}url", "url"):
        loc = (node.findtext(f"{SITEMAP_NS}loc") or node.findtext("loc") or "").strip()
        match = OPENSID_ARTICLE.search(urlsplit(loc).path)
        if match is None:
            continue
        lastmod = (node.findtext(f"{SITEMAP_NS}lastmod") or node.findtext("lastmod") or "").strip()
        try:
            day = date.fromisoformat(lastmod[:10])
        except ValueError:
            when = opensid_date(loc, ctx.zone)
            if when is None:
                continue
            day = when.date()
        entries.append(SitemapEntry(opensid_id(match), loc, day))
    return entries


@dataclass
class CoverageCheck:
    confirmed: list[Post] = field(default_factory=list)
    # Local days of sitemap entries that could not be confirmed or ruled out this run.
    unresolved: list[date] = field(default_factory=list)
    not_articles: dict[str, str] = field(default_factory=dict)
    reads: int = 0


def check_coverage(ctx: CollectContext, entries: list[SitemapEntry], reached: set[str],
                   known_kinds: dict[str, str]) -> CoverageCheck:
    """Sitemap entries dated in [since, now] that no route reached: read each page once."""
    now = (ctx.now or datetime.now(UTC)).astimezone(ctx.zone).date()
    first = ctx.since.astimezone(ctx.zone).date()
    check = CoverageCheck()
    missing = [e for e in entries if first <= e.day <= now and e.external_id not in reached
               and e.external_id not in known_kinds]
    for entry in sorted(missing, key=lambda e: e.day, reverse=True):
        if check.reads >= MAX_PAGE_READS:
            check.unresolved.append(entry.day)
            continue
        check.reads += 1
        try:
            page = read_entry(ctx, entry.url)
        except FetchError as exc:
            log.info("sitemap entry %s unreadable: %s", entry.url, exc)
            check.unresolved.append(entry.day)
            continue
        if page.kind == "artikel" and page.post is not None:
            check.confirmed.append(page.post)
        elif page.kind == "artikel":
            check.unresolved.append(entry.day)
        else:
            check.not_articles[entry.external_id] = page.kind
    return check


def gap_windows(days: list[date], ctx: CollectContext) -> list[tuple[datetime, datetime]]:
    """Runs of consecutive unresolved local days, as [start, end) instants in UTC."""
    windows: list[tuple[datetime, datetime]] = []
    for day in sorted(set(days)):
        start = datetime.combine(day, time(0), tzinfo=ctx.zone).astimezone(UTC)
        end = start + timedelta(days=1)
        if windows and windows[-1][1] >= start:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows
