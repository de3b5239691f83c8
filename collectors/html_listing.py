"""Generic HTML listings (Joomla, custom CMS): a list page read with CSS selectors.

Source options (registry `options` JSON):
  preset     a ready set of the options below for a CMS many units share (pantau/presets.py,
             data/listing_presets.csv), e.g. "blorakab"; options written beside it win
  item       selector of one listed post (required)
  link       selector of the post's link inside the item (required; "" when the item is the <a>)
  date       selector of its date inside the item; absent or "page" when the listing shows no
             date: each new item's date is then read from its own page (collectors/article_date.py)
  title      selector of its title inside the item (optional; default: the link's text)
  next       selector of the next-page link (optional; without it only the first page is read)
  date_attr  read the date from this attribute of the date element, e.g. "datetime" (optional)
  max_pages  cap on pages followed (optional, default 50)
  empty      selector of what the site shows on a listing with no posts yet (optional), e.g.
             "div.alert-empty"; empty_text the text it shows instead ("Belum ada artikel")

Pages are followed by their next link until a page reaches items older than `since`, there is
no next link, or the cap. Dates go through collectors.dates (Indonesian forms, relative forms
anchored at ctx.now). An item whose date cannot be read is an item error, never dated today;
a page whose items all lack a readable date is a ParseError (the selectors are wrong). A first
page without any item is a ParseError too (a changed layout must not pass silently), unless it
shows the source's `empty` / `empty_text` marker: then the listing is empty, 0 posts, no error
(a new village site that has published nothing yet).
The external id is the link's URL within the site (pantau.models.page_key): a site that moves keeps
its posts.

Dated from the article page, an item costs a request, so only new items are read: the listing
is newest first, and the walk stops at the first item the store already holds (a re-run with
nothing new costs the listing page alone). An article that answers 404 or has no readable date
is an item error and the walk goes on; one that cannot be fetched (timeouts, 5xx after the
retries) stops the walk there, as a failed listing page does: older items wait for a coverage
gap, newer ones are kept. Pages known to carry no date are remembered in the source state and
not fetched again (still reported), so an undated newest article does not cost a request a run.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from collectors.article_date import page_date
from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import FetchError, HttpStatusError, NotCollectable, ParseError, RobotsDisallowed
from pantau import presets
from pantau.models import Post, page_key

log = logging.getLogger(__name__)

MAX_PAGES = 50
REQUIRED_OPTIONS = ("item", "link")
# Source state: article pages that showed no date, not fetched again (bounded, oldest dropped).
STATE_UNDATED = "undated_pages"
MAX_UNDATED = 200
# An article answering these is gone or forbidden: an item error, not a failed walk.
GONE_STATUSES = frozenset({401, 403, 404, 410, 451})
# Article pages fetched at once: the HTTP layer's per-host limit (more would only queue), and
# at most one fetched in vain when the walk stops at an article older than `since`.
ARTICLES_AT_ONCE = 2


def dated_by_page(options: dict) -> bool:
    """Whether a listing's items are dated from their own pages (no date selector)."""
    return str(options.get("date") or "page").strip().lower() == "page"


def collect(ctx: CollectContext) -> CollectResult:
    try:
        options = presets.resolve(ctx.source.options or {})
    except KeyError as exc:
        raise NotCollectable(f"unknown html_listing preset {exc}") from exc
    missing = [name for name in REQUIRED_OPTIONS if name not in options]
    if missing:
        raise NotCollectable(f"html_listing needs the CSS selector option(s) {', '.join(missing)}")
    max_pages = int(options.get("max_pages", MAX_PAGES))
    now = ctx.now or datetime.now(UTC)
    result = CollectResult(route="html")
    seen_ids: set[str] = set()
    visited: set[str] = set()
    url = ctx.source.address
    for page_no in range(1, max_pages + 1):
        visited.add(url)
        try:
            response = ctx.http.get(url)
        except FetchError as exc:
            if page_no == 1:
                raise
            # Keep what the earlier pages gave; the gap is reported, not hidden.
            result.notes.append(f"page {page_no} failed ({exc.kind}): {exc}; paging stopped")
            result.truncated = True
            break
        soup = BeautifulSoup(response.text, "lxml")
        page_url = _base_url(soup, response.url)
        items = soup.select(options["item"])
        if not items:
            if page_no == 1 and shows_empty_marker(soup, options):
                result.notes.append("the listing shows its empty marker: no posts yet")
                break
            if page_no == 1:
                raise ParseError(f"no element matches the item selector {options['item']!r} on {response.url}")
            break
        page_errors: list[str] = []
        if dated_by_page(options):
            walk = _ArticleWalk(ctx, result, now, seen_ids)
            posts, dated, reached_older = walk.read(items, page_url, options, page_errors)
        else:
            posts, dated, reached_older = _read_items(ctx, items, page_url, options, now, page_errors)
        result.item_errors.extend(page_errors)
        if dated == 0 and (not dated_by_page(options) or len(page_errors) == len(items)):
            message = f"none of the {len(items)} items on page {page_no} has a readable date ({page_errors[0]})"
            if page_no == 1:
                raise ParseError(message)
            result.notes.append(message + "; paging stopped")
            result.truncated = True
            break
        for post in posts:
            if post.external_id not in seen_ids:
                seen_ids.add(post.external_id)
                result.posts.append(post)
        if reached_older:
            break
        next_url = _next_page(soup, options.get("next"), page_url)
        if next_url is None or next_url in visited:
            break
        url = next_url
    else:
        result.truncated = True
        result.notes.append(f"stopped after {max_pages} pages")
    return result


def shows_empty_marker(soup: BeautifulSoup, options: dict) -> bool:
    """Whether a page shows the source's marker of a listing without posts: an element matching
    `empty`, or `empty_text` in the page's visible text (case and spacing ignored)."""
    selector = str(options.get("empty") or "").strip()
    if selector and soup.select_one(selector) is not None:
        return True
    wanted = " ".join(str(options.get("empty_text") or "").split()).casefold()
    return bool(wanted) and wanted in " ".join(soup.get_text(" ").split()).casefold()


def _base_url(soup: BeautifulSoup, url: str) -> str:
    """Links resolve against <base href> when the page sets one (Joomla does), as in a browser."""
    base = soup.find("base", href=True)
    return urljoin(url, base["href"].strip()) if base else url


def _read_items(ctx: CollectContext, items: list[Tag], page_url: str, options: dict, now: datetime,
                errors: list[str]) -> tuple[list[Post], int, bool]:
    """Posts of one page since `since`, how many items had a readable date, and whether one was older."""
    posts, dated, reached_older = [], 0, False
    for item in items:
        url, link = _item_link(item, options, page_url)
        if url is None:
            errors.append(f"item without a link on {page_url}")
            continue
        raw_date = _date_text(item, options)
        if not raw_date:
            errors.append(f"no date found for {url}")
            continue
        try:
            parsed = parse_date(raw_date, ctx.zone, now)
        except DateParseError as exc:
            errors.append(f"{exc} for {url}")
            continue
        dated += 1
        if not on_or_after(parsed.when, parsed.date_only, ctx.since, ctx.zone):
            reached_older = True
            continue
        posts.append(Post(source_id=ctx.source.source_id, external_id=page_key(url, ctx.source.address), url=url,
                          title=_item_title(item, link, options),
                          published_at=parsed.when, date_only=parsed.date_only))
    return posts, dated, reached_older


def _item_link(item: Tag, options: dict, page_url: str) -> tuple[str | None, Tag | None]:
    link = item.select_one(options["link"]) if options["link"] else item
    href = link.get("href") if link is not None else None
    if not href:
        return None, link
    return urldefrag(urljoin(page_url, href.strip())).url, link


def _item_title(item: Tag, link: Tag, options: dict) -> str:
    title_el = item.select_one(options["title"]) if options.get("title") else link
    return " ".join((title_el or link).get_text(" ", strip=True).split())


class _ArticleWalk:
    """One listing page's items dated from their own pages, newest first, new items only."""

    def __init__(self, ctx: CollectContext, result: CollectResult, now: datetime, seen_ids: set[str]):
        self.ctx, self.result, self.now, self.seen_ids = ctx, result, now, seen_ids
        self.undated: list[str] = list(ctx.state.get(STATE_UNDATED) or [])

    def read(self, items: list[Tag], page_url: str, options: dict,
             errors: list[str]) -> tuple[list[Post], int, bool]:
        """(posts, items with a readable date, whether the walk must stop here)."""
        links = [(item, *_item_link(item, options, page_url)) for item in items]
        key = {url: page_key(url, self.ctx.source.address) for _, url, _ in links if url}
        stored = self.ctx.stored(list(key.values()))
        wanted: list[tuple[Tag, str, Tag]] = []
        stored_at: datetime | None = None
        for item, url, link in links:
            if url is None:
                errors.append(f"item without a link on {page_url}")
            elif key[url] in stored:
                # Everything below is older and was read before: the walk ends here.
                stored_at = stored[key[url]]
                break
            elif url in self.undated:
                errors.append(f"no publication date on the article page (as before) for {url}")
            elif key[url] not in self.seen_ids:
                wanted.append((item, url, link))
        posts: list[Post] = []
        dated = 0
        with ThreadPoolExecutor(max_workers=ARTICLES_AT_ONCE, thread_name_prefix="article") as pool:
            for start in range(0, len(wanted), ARTICLES_AT_ONCE):
                chunk = wanted[start:start + ARTICLES_AT_ONCE]
                for (item, url, link), answer in zip(chunk, pool.map(self._fetch, [u for _, u, _ in chunk]),
                                                     strict=True):
                    if isinstance(answer, FetchError):
                        gone = isinstance(answer, RobotsDisallowed) or \
                            (isinstance(answer, HttpStatusError) and answer.status in GONE_STATUSES)
                        if not gone:
                            return self._stop(posts, dated, answer)
                        errors.append(f"article page {answer} for {url}")
                        continue
                    title = _item_title(item, link, options)
                    try:
                        found = page_date(answer.text, self.ctx.zone, self.now, title)
                    except DateParseError as exc:
                        errors.append(f"{exc} for {url}")
                        self._remember_undated(url)
                        continue
                    dated += 1
                    parsed = found.parsed
                    if not on_or_after(parsed.when, parsed.date_only, self.ctx.since, self.ctx.zone):
                        return posts, dated, True
                    posts.append(Post(source_id=self.ctx.source.source_id, external_id=key[url], url=url,
                                      title=title, published_at=parsed.when,
                                      date_only=parsed.date_only))
        if stored_at is not None:
            self.result.listed_after = stored_at
            return posts, dated + 1, True
        return posts, dated, False

    def _fetch(self, url: str):
        try:
            return self.ctx.http.get(url)
        except FetchError as exc:
            return exc

    def _stop(self, posts: list[Post], dated: int, exc: FetchError) -> tuple[list[Post], int, bool]:
        self.result.notes.append(f"article page failed ({exc.kind}): {exc}; older items not read")
        self.result.truncated = True
        return posts, max(dated, 1), True

    def _remember_undated(self, url: str) -> None:
        self.undated = [*self.undated, url][-MAX_UNDATED:]
        self.ctx.state[STATE_UNDATED] = self.undated


def _date_text(item: Tag, options: dict) -> str:
    element = item.select_one(options["date"]) if options["date"] else item
    if element is None:
        return ""
    attribute = options.get("date_attr")
    if attribute:
        value = element.get(attribute)
        if value:
            return str(value).strip()
    return element.get_text(" ", strip=True)


def _next_page(soup: BeautifulSoup, selector: str | None, page_url: str) -> str | None:
    if not selector:
        return None
    element = soup.select_one(selector)
    if element is None:
        return None
    if element.name != "a":
        element = element.find("a", href=True) or element
    href = element.get("href")
    if not href or href.strip().startswith(("#", "javascript:")):
        return None
    return urldefrag(urljoin(page_url, href.strip())).url
