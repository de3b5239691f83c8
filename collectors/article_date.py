"""The publication date of an article, read from the article's own page.

Some listings show no date at all (blorakab.go.id's news index: a title, a summary and "Read
more"), so the date has to come from each article's page. The rules run in order, surest
first, and the first that yields a plausible date wins:

1. structured metadata: `article:published_time` (Open Graph), JSON-LD `datePublished`,
   `itemprop="datePublished"` (microdata), Dublin Core (`DC.date.issued`, `dcterms.created`...),
   then a `<time datetime>` inside the article (after the microdata: a bare <time> may be a
   sidebar item's);
2. the page's visible date, in any form collectors/dates.py reads, time of day included when
   shown ("Rabu, 10 September 2025 14:30 WIB");
3. a date in the text just after the title, as the regency's own CMS writes it:
   "BLORA - (29/6/2020) Bupati Blora ...";
4. htmldate (markup only, no free-text search), and only when its day is also written on the
   page in a form rule 2 or 3 would read: htmldate drops the time of day and may guess a date
   from a year alone ("4 Ags 2025" became 2025-01-01), so it only finds, never decides.

A structured date without a time of day takes the time from the visible date of the same day
when the page shows one. A page with no readable date raises DateParseError: the item is
reported, never dated today. A date later than now (a clock in the future, an event date) is not
a publication date and the next rule is tried.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from collectors.dates import DateParseError, ParsedDate, find_dates, parse_date, search_date

log = logging.getLogger(__name__)

# Open Graph article dates; `name=` instead of `property=` is a common theme mistake.
OPEN_GRAPH_PUBLISHED = ("article:published_time", "og:article:published_time", "og:published_time")
# Dublin Core, most specific first (DC-HTML and the older DC.* forms, any case).
DUBLIN_CORE = ("dcterms.issued", "dc.date.issued", "dcterms.created", "dc.date.created", "dc.date", "dcterms.date")
# JSON-LD types whose datePublished is the article's (a WebPage's may be the site's launch).
ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle", "report",
                           "analysisnewsarticle", "socialmediaposting"})
# Where an article's own content sits, surest first; a page without any of these is read whole.
MAIN_SCOPES: tuple[dict, ...] = ({"name": "article"}, {"name": "main"}, {"attrs": {"role": "main"}},
                                 {"attrs": {"itemprop": "articleBody"}}, {"class_": "post"}, {"class_": "entry"},
                                 {"id": "content"}, {"class_": "content"})
# Page furniture whose dates are not the article's: menus, sidebars ("Berita Terbaru" with their
# own dates), footers, and the top bar of many government sites that prints today's date.
NOISE_TAGS = frozenset({"script", "style", "noscript", "nav", "aside", "footer", "form"})
NOISE_WORDS = frozenset({"sidebar", "widget", "related", "terkait", "recent", "comments", "top-bar", "topbar"})
# Class or id words of the element holding a visible date on Indonesian CMS themes.
DATE_HINTS = re.compile(r"date|tanggal|tgl|time|waktu|publish|posted|diterbitkan|meta|byline|info|calendar",
                        re.IGNORECASE)
CALENDAR_ICON = re.compile(r"calendar|clock", re.IGNORECASE)
# A visible date sits in a short element; a long one is prose.
MAX_DATE_TEXT = 160
# How much text after the title may hold "(29/6/2020)".
NEAR_TITLE_CHARS = 400
# A clock a little ahead of ours is not a future date.
CLOCK_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class PageDate:
    parsed: ParsedDate
    rule: str  # which rule found it: open_graph, json_ld, microdata, dublin_core, time, visible, text, htmldate


class _Page:
    """The parsed page and the views the rules share."""

    def __init__(self, html: str, zone: ZoneInfo, now: datetime, title: str = ""):
        self.html, self.zone, self.now = html, zone, now
        self.title = _words(title)
        self.soup = BeautifulSoup(html, "lxml")
        # JSON-LD blocks sit in <head> or anywhere in <body>: read them before the furniture
        # (scripts included) is stripped.
        self.json_ld = [(s.string or s.get_text() or "").strip() for s in self.soup.find_all(
            "script", attrs={"type": re.compile(r"ld\+json", re.IGNORECASE)})]

    @cached_property
    def scope(self) -> Tag:
        # Stripping the furniture costs as much as parsing: only rules past the metadata need it.
        return _main_scope(self.soup)

    def plausible(self, parsed: ParsedDate) -> bool:
        return parsed.when <= self.now + CLOCK_SLACK

    def parse(self, text: str | None) -> ParsedDate | None:
        if not text or not text.strip():
            return None
        try:
            parsed = parse_date(text, self.zone, self.now)
        except DateParseError:
            return None
        return parsed if self.plausible(parsed) else None


def _main_scope(soup: BeautifulSoup) -> Tag:
    body = soup.body or soup
    # (find_all with plain tests: CSS selectors through soupsieve cost more than the parse.)
    noise = [tag for tag in body.find_all(True)
             if tag.name in NOISE_TAGS or NOISE_WORDS.intersection([*tag.get("class", []), tag.get("id") or ""])]
    for tag in noise:
        if not tag.decomposed:
            tag.decompose()
    # A <header> outside the article is the site's banner (often with today's date); inside it,
    # the article's own heading and date.
    for header in body.find_all("header"):
        if not header.decomposed and header.find_parent(["article", "main"]) is None and header.find("h1") is None:
            header.decompose()
    for query in MAIN_SCOPES:
        found = body.find(query.get("name"), attrs=query.get("attrs", {}),
                          **{k: v for k, v in query.items() if k in ("class_", "id")})
        if found is not None and found.get_text(strip=True):
            return found
    return body


# --- Rules: page -> ParsedDate | None, in order -----------------------------------------------

def from_open_graph(page: _Page) -> ParsedDate | None:
    for tag in page.soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        if key in OPEN_GRAPH_PUBLISHED and (parsed := page.parse(tag.get("content"))):
            return parsed
    return None


def _json_ld_dates(node, inside_article: bool = False) -> Iterator[tuple[bool, str]]:
    if isinstance(node, list):
        for item in node:
            yield from _json_ld_dates(item, inside_article)
    elif isinstance(node, dict):
        kinds = node.get("@type") or []
        kinds = [kinds] if isinstance(kinds, str) else kinds
        is_article = inside_article or any(str(k).lower() in ARTICLE_TYPES for k in kinds)
        value = node.get("datePublished")
        if isinstance(value, str):
            yield is_article, value
        for key, child in node.items():
            if key != "datePublished" and isinstance(child, list | dict):
                yield from _json_ld_dates(child, is_article and key != "publisher")


def from_json_ld(page: _Page) -> ParsedDate | None:
    found: list[tuple[bool, str]] = []
    for text in page.json_ld:
        try:
            found.extend(_json_ld_dates(json.loads(text)))
        except ValueError:
            log.debug("unreadable JSON-LD block skipped")
    # An Article's date first; a WebPage's only when no article says.
    for _, value in sorted(found, key=lambda pair: not pair[0]):
        if parsed := page.parse(value):
            return parsed
    return None


def from_microdata(page: _Page) -> ParsedDate | None:
    for tag in page.soup.find_all(attrs={"itemprop": re.compile(r"\bdatePublished\b", re.IGNORECASE)}):
        for value in (tag.get("content"), tag.get("datetime"), tag.get_text(" ", strip=True)):
            if parsed := page.parse(value):
                return parsed
    return None


def from_dublin_core(page: _Page) -> ParsedDate | None:
    metas = {(t.get("name") or t.get("property") or "").strip().lower(): t.get("content")
             for t in reversed(page.soup.find_all("meta"))}
    for key in DUBLIN_CORE:
        if parsed := page.parse(metas.get(key)):
            return parsed
    return None


def from_time_element(page: _Page) -> ParsedDate | None:
    for tag in page.scope.find_all("time"):
        for value in (tag.get("datetime"), tag.get_text(" ", strip=True)):
            if parsed := page.parse(value):
                return parsed
    return None


def from_visible_date(page: _Page) -> ParsedDate | None:
    # An element holding a calendar or clock icon ("<i class='fa fa-calendar'></i> 29 Juni 2020").
    with_icon = {id(icon.parent) for icon in page.scope.find_all("i", class_=CALENDAR_ICON)}
    for tag in page.scope.find_all(True):
        words = " ".join([*tag.get("class", []), tag.get("id") or ""])
        if not (id(tag) in with_icon or (words.strip() and DATE_HINTS.search(words))):
            continue
        text = " ".join(tag.get_text(" ", strip=True).split())
        if 6 <= len(text) <= MAX_DATE_TEXT and (parsed := page.parse(text)):
            return parsed
    return None


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _title_element(page: _Page) -> Tag | None:
    """The article's heading: the one reading as the listing's title, else the first <h1> (a
    site's logo may be an <h1> too, hence the title first), else the first <h2>/<h3>."""
    headings = page.scope.find_all(["h1", "h2", "h3", "h4"])
    if page.title:
        for heading in headings:
            if _words(heading.get_text(" ", strip=True)) == page.title:
                return heading
    return page.scope.find("h1") or page.soup.find("h1") or (headings[0] if headings else None)


def from_text_near_title(page: _Page) -> ParsedDate | None:
    title = _title_element(page)
    strings = title.find_all_next(string=True) if title is not None else page.scope.find_all(string=True)
    text = ""
    for piece in strings:
        if piece.parent is not None and piece.parent.name in ("script", "style"):
            continue
        text += " " + piece.strip()
        if len(text) >= NEAR_TITLE_CHARS:
            break
    parsed = search_date(text[:NEAR_TITLE_CHARS], page.zone)
    return parsed if parsed is not None and page.plausible(parsed) else None


def from_htmldate(page: _Page) -> ParsedDate | None:
    try:
        from htmldate import find_date  # imported on demand: only pages the rules above missed need it
    except ImportError:
        return None
    try:
        day = find_date(page.html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d",
                        max_date=(page.now + CLOCK_SLACK).strftime("%Y-%m-%d"))
    except Exception as exc:  # noqa: BLE001 - a library failure on one page is "no date", not a crash
        log.debug("htmldate failed: %s", exc)
        return None
    if not day:
        return None
    written = _days_written(page)
    return written.get(day)


def _days_written(page: _Page) -> dict[str, ParsedDate]:
    """Every day written on the page (text and attribute values) in a form our rules read."""
    days: dict[str, ParsedDate] = {}
    texts = [page.soup.get_text(" ", strip=True)]
    texts += [str(v) for tag in page.soup.find_all(True) for k, v in tag.attrs.items()
              if k in ("content", "datetime", "title", "value") and isinstance(v, str)]
    for text in texts:
        for parsed in _all_dates(text, page):
            days.setdefault(parsed.when.astimezone(page.zone).strftime("%Y-%m-%d"), parsed)
    return days


def _all_dates(text: str, page: _Page) -> Iterator[ParsedDate]:
    if len(text) <= MAX_DATE_TEXT and (parsed := page.parse(text)):
        yield parsed
    yield from find_dates(text, page.zone)


STRUCTURED: tuple[tuple[str, Callable[[_Page], ParsedDate | None]], ...] = (
    ("open_graph", from_open_graph),
    ("json_ld", from_json_ld),
    ("microdata", from_microdata),
    ("dublin_core", from_dublin_core),
    ("time", from_time_element),
)
RULES = (*STRUCTURED, ("visible", from_visible_date), ("text", from_text_near_title), ("htmldate", from_htmldate))


def page_date(html: str, zone: ZoneInfo, now: datetime, title: str = "") -> PageDate:
    """The article's publication date; DateParseError when the page shows none. `title` (the
    listing's) tells the article's heading from a site's logo heading."""
    page = _Page(html, zone, now, title)
    for name, rule in RULES:
        parsed = rule(page)
        if parsed is None:
            continue
        if parsed.date_only and name in dict(STRUCTURED):
            # "2025-09-10" in the metadata, "Rabu, 10 September 2025 14:30 WIB" on the page.
            visible = from_visible_date(page)
            if visible is not None and not visible.date_only and \
                    visible.when.astimezone(zone).date() == parsed.when.astimezone(zone).date():
                return PageDate(visible, name + "+visible")
        return PageDate(parsed, name)
    raise DateParseError("no publication date on the article page")
