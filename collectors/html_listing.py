"""Generic HTML listings (Joomla, custom CMS): a list page read with CSS selectors.

Source options (registry `options` JSON):
  item       selector of one listed post (required)
  link       selector of the post's link inside the item (required; "" when the item is the <a>)
  date       selector of its date inside the item (required)
  title      selector of its title inside the item (optional; default: the link's text)
  next       selector of the next-page link (optional; without it only the first page is read)
  date_attr  read the date from this attribute of the date element, e.g. "datetime" (optional)
  max_pages  cap on pages followed (optional, default 50)

Pages are followed by their next link until a page reaches items older than `since`, there is
no next link, or the cap. Dates go through collectors.dates (Indonesian forms, relative forms
anchored at ctx.now). An item whose date cannot be read is an item error, never dated today;
a page whose items all lack a readable date is a ParseError (the selectors are wrong).
The external id is the link's absolute URL.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from collectors.base import CollectContext, CollectResult
from collectors.dates import DateParseError, on_or_after, parse_date
from collectors.errors import FetchError, NotCollectable, ParseError
from pantau.models import Post

log = logging.getLogger(__name__)

MAX_PAGES = 50
REQUIRED_OPTIONS = ("item", "link", "date")


def collect(ctx: CollectContext) -> CollectResult:
    options = ctx.source.options or {}
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
            if page_no == 1:
                raise ParseError(f"no element matches the item selector {options['item']!r} on {response.url}")
            break
        page_errors: list[str] = []
        posts, dated, reached_older = _read_items(ctx, items, page_url, options, now, page_errors)
        result.item_errors.extend(page_errors)
        if dated == 0:
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


def _base_url(soup: BeautifulSoup, url: str) -> str:
    """Links resolve against <base href> when the page sets one (Joomla does), as in a browser."""
    base = soup.find("base", href=True)
    return urljoin(url, base["href"].strip()) if base else url


def _read_items(ctx: CollectContext, items: list[Tag], page_url: str, options: dict, now: datetime,
                errors: list[str]) -> tuple[list[Post], int, bool]:
    """Posts of one page since `since`, how many items had a readable date, and whether one was older."""
    posts, dated, reached_older = [], 0, False
    for item in items:
        link = item.select_one(options["link"]) if options["link"] else item
        href = link.get("href") if link is not None else None
        if not href:
            errors.append(f"item without a link on {page_url}")
            continue
        url = urldefrag(urljoin(page_url, href.strip())).url
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
        title_el = item.select_one(options["title"]) if options.get("title") else link
        title = " ".join((title_el or link).get_text(" ", strip=True).split())
        posts.append(Post(source_id=ctx.source.source_id, external_id=url, url=url, title=title,
                          published_at=parsed.when, date_only=parsed.date_only))
    return posts, dated, reached_older


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
