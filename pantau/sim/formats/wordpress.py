"""WordPress as Indonesian OPD sites run it (SOURCES.md section 1).

- Discovery: every front-end page sends `Link: <root>; rel="https://api.w.org/"` and the same
  `<link>` in the head; the root is `/wp-json/` with pretty permalinks, `/?rest_route=/` without.
- REST `wp/v2/posts`: `page`, `per_page` (1..100), `after`/`before` (full date-time only: a bare
  date is refused with 400 rest_invalid_param), `order`, `_fields`; `X-WP-Total`,
  `X-WP-TotalPages` and a `Link: rel="next"` header; a page past the end is 400
  rest_post_invalid_page_number; `date` is site-local without offset, `date_gmt` UTC.
- `/feed/` RSS2 (`?paged=N`), pubDate in GMT with a literal +0000, guid `?p=ID`.
- Variants: "Disable WP REST API" (401 rest_login_required, no Link header), a WAF answering
  /wp-json with a 200 HTML page, a site whose only readable listing is `/page/N/` HTML.
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from pantau.sim.formats import Reply, Request, esc, html_reply, json_reply, newest, not_found, rfc822, xml_reply
from pantau.sim.world import Channel, SimPost

REST_OK = ("wp-rest", "wp-plain", "wp-waf")
FEED_PAGE = 10
HTML_PAGE = 10
# WordPress's rest_parse_date: a full date-time, optional fraction and offset.
REST_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$")
PAGED = re.compile(r"^/page/(\d+)/?$")
PRETTY = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([^/]+)/?$")


def respond(channel: Channel, req: Request) -> Reply | None:
    rest_route = req.arg("rest_route")
    if rest_route is not None:
        return rest(channel, req, rest_route, via_query=True)
    if req.path.startswith("/wp-json"):
        if channel.variant == "wp-plain":
            return not_found()  # no rewrite rules: /wp-json is not routed
        return rest(channel, req, req.path[len("/wp-json"):] or "/", via_query=False)
    if req.path in ("/feed", "/feed/"):
        # Without rewrite rules only ?feed=rss2 reaches the feed.
        return not_found() if channel.variant == "wp-plain" else feed(channel, req)
    if req.arg("feed") in ("rss2", "rss"):
        return feed(channel, req)
    if req.path == "/" and req.arg("p"):
        return single(channel, req, req.arg("p"))
    if match := PRETTY.match(req.path):
        return single(channel, req, None, match.group(4))
    page = None
    if req.path == "/":
        page = req.int_arg("paged", 1)
    elif match := PAGED.match(req.path):
        page = int(match.group(1))
    if page is not None:
        return home(channel, req, page or 1)
    return None


# --- discovery and HTML ----------------------------------------------------------------------

def api_root(channel: Channel, req: Request) -> str | None:
    if channel.variant in ("wp-rest", "wp-waf"):
        return f"{req.base}/wp-json/"
    if channel.variant == "wp-plain":
        return f"{req.base}/?rest_route=/"
    return None  # the "Disable WP REST API" plugin removes the discovery link


def permalink(channel: Channel, req: Request, post: SimPost, zone) -> str:
    if channel.variant == "wp-plain":
        return f"{req.base}/?p={post.number}"
    local = post.published.astimezone(zone)
    return f"{req.base}/{local:%Y/%m/%d}/{post.slug}/"


def rendered_title(title: str) -> str:
    """title.rendered as WordPress gives it: texturized entities, markup left as the admin typed."""
    return (title.replace("&", "&#038;").replace("\u2013", "&#8211;")
            .replace("\u201c", "&#8220;").replace("\u201d", "&#8221;"))


def page_shell(channel: Channel, req: Request, title: str, body: str) -> Reply:
    root = api_root(channel, req)
    head_links = []
    headers = []
    if root:
        head_links.append(f'<link rel="https://api.w.org/" href="{esc(root)}" />')
        headers.append(("Link", f'<{root}>; rel="https://api.w.org/"'))
    if channel.variant != "wp-html":
        head_links.append(f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{req.base}/feed/" />')
    document = (
        "<!DOCTYPE html>\n<html lang=\"id-ID\"><head><meta charset=\"UTF-8\" />"
        f"<title>{esc(title)}</title>\n<meta name=\"generator\" content=\"WordPress 6.8.1\" />\n"
        + "\n".join(head_links) + f"\n</head><body class=\"home blog\">{body}</body></html>"
    )
    return html_reply(document, headers=headers, last_modified=newest(channel.visible(req.now)))


def home(channel: Channel, req: Request, page: int) -> Reply:
    posts = channel.visible(req.now)
    pages = max(1, math.ceil(len(posts) / HTML_PAGE))
    if page > pages:
        return not_found()
    zone = req.world.zone
    articles = []
    for post in posts[(page - 1) * HTML_PAGE: page * HTML_PAGE]:
        local = post.published.astimezone(zone)
        articles.append(
            f'<article id="post-{post.number}" class="post-{post.number} post type-post status-publish">'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{esc(permalink(channel, req, post, zone))}"'
            f' rel="bookmark">{esc(post.title)}</a></h2><div class="entry-meta"><span class="posted-on">'
            f'<time class="entry-date published" datetime="{local.isoformat()}">{local:%d/%m/%Y}</time>'
            '</span></div></header></article>')
    nav = ""
    if page < pages:
        nxt = f"{req.base}/?paged={page + 1}" if channel.variant == "wp-plain" else f"{req.base}/page/{page + 1}/"
        nav = f'<nav class="navigation pagination"><a class="next page-numbers" href="{nxt}">Berikutnya</a></nav>'
    return page_shell(channel, req, channel.unit_id, "<main>" + "".join(articles) + nav + "</main>")


def single(channel: Channel, req: Request, number: str | None, slug: str | None = None) -> Reply:
    for post in channel.visible(req.now):
        if (number and str(post.number) == number) or (slug and post.slug == slug):
            local = post.published.astimezone(req.world.zone)
            body = (f'<article><h1 class="entry-title">{esc(post.title)}</h1>'
                    f'<meta property="article:published_time" content="{local.isoformat()}" />'
                    f'<time class="entry-date published" datetime="{local.isoformat()}"></time>'
                    '<div class="entry-content"><p>Isi berita.</p></div></article>')
            return page_shell(channel, req, post.title, body)
    return not_found()


# --- REST ------------------------------------------------------------------------------------

def rest_error(code: str, message: str, status: int, extra: dict | None = None) -> Reply:
    data = {"status": status, **(extra or {})}
    return json_reply({"code": code, "message": message, "data": data}, status=status)


def rest(channel: Channel, req: Request, route: str, via_query: bool) -> Reply:
    if channel.variant in ("wp-locked", "wp-html"):
        return rest_error("rest_login_required", "REST API restricted to authenticated users.", 401)
    if channel.variant == "wp-waf":
        # A host firewall in front of the site: 200, but an HTML challenge page, not JSON.
        return html_reply("<!DOCTYPE html><html><head><title>Access Denied - Website Firewall</title></head>"
                          "<body><h1>Access Denied</h1><p>Request blocked by security policy.</p></body></html>")
    route = route.rstrip("/") or "/"
    if route == "/":
        return json_reply({"name": channel.unit_id, "url": req.base, "namespaces": ["oembed/1.0", "wp/v2"],
                           "routes": {"/wp/v2/posts": {"methods": ["GET"]}}})
    if route != "/wp/v2/posts":
        return rest_error("rest_no_route", "No route was found matching the URL and request method.", 404)
    return posts_endpoint(channel, req, via_query)


def parse_rest_date(value: str, zone) -> datetime | None:
    if not REST_DATE.match(value):
        return None
    text = value.replace("Z", "+00:00").replace("z", "+00:00").replace(" ", "T")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)  # compared with post_date, the site-local column
    return moment.astimezone(UTC)


def posts_endpoint(channel: Channel, req: Request, via_query: bool) -> Reply:
    zone = req.world.zone
    page = req.int_arg("page", 1)
    per_page = req.int_arg("per_page", 10)
    if page is None or page < 1:
        return rest_error("rest_invalid_param", "Invalid parameter(s): page", 400,
                          {"params": {"page": "page must be greater than or equal to 1"}})
    if per_page is None or not 1 <= per_page <= 100:
        return rest_error("rest_invalid_param", "Invalid parameter(s): per_page", 400,
                          {"params": {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}})
    posts = channel.visible(req.now)
    for name in ("after", "before", "modified_after", "modified_before"):
        value = req.arg(name)
        if value is None:
            continue
        moment = parse_rest_date(value, zone)
        if moment is None:
            return rest_error("rest_invalid_param", f"Invalid parameter(s): {name}", 400,
                              {"params": {name: "Invalid date."}, "details": {name: {
                                  "code": "rest_invalid_date", "message": "Invalid date.", "data": None}}})
        if name in ("after", "modified_after"):
            posts = [p for p in posts if p.published > moment]  # date_query 'after' is exclusive
        else:
            posts = [p for p in posts if p.published < moment]
    if req.arg("order", "desc") == "asc":
        posts = list(reversed(posts))
    total = len(posts)
    pages = math.ceil(total / per_page)
    if page > max(pages, 1) or (total == 0 and page > 1):
        return rest_error("rest_post_invalid_page_number",
                          "The page number requested is larger than the number of pages available.", 400)
    chunk = posts[(page - 1) * per_page: page * per_page]
    fields = [f for f in (req.arg("_fields") or "").split(",") if f]
    items = [post_json(channel, req, p, zone, fields) for p in chunk]
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
    links = []
    base_query = {k: v[0] for k, v in req.query.items() if k != "page"}
    for rel, target in (("prev", page - 1), ("next", page + 1)):
        if 1 <= target <= pages:
            query = urlencode({**base_query, "page": target})
            url = f"{req.base}/?{query}" if via_query else f"{req.base}/wp-json/wp/v2/posts?{query}"
            links.append(f'<{url}>; rel="{rel}"')
    if links:
        headers.append(("Link", ", ".join(links)))
    headers.append(("Allow", "GET"))
    return json_reply(items, headers=headers, last_modified=newest(chunk))


def post_json(channel: Channel, req: Request, post: SimPost, zone, fields: list[str]) -> dict:
    local = post.published.astimezone(zone).replace(tzinfo=None)
    gmt = post.published.astimezone(UTC).replace(tzinfo=None)
    root = api_root(channel, req) or f"{req.base}/wp-json/"
    data = {
        "id": post.number,
        "date": local.isoformat(),
        "date_gmt": gmt.isoformat(),
        "guid": {"rendered": f"{req.base}/?p={post.number}"},
        "modified": local.isoformat(),
        "modified_gmt": gmt.isoformat(),
        "slug": post.slug,
        "status": "publish",
        "type": "post",
        "link": permalink(channel, req, post, zone),
        "title": {"rendered": rendered_title(post.title)},
        "content": {"rendered": "<p>Isi berita.</p>\n", "protected": False},
        "excerpt": {"rendered": f"<p>{html.escape(post.title)} [&hellip;]</p>\n", "protected": False},
        "author": 1,
        "featured_media": 0,
        "comment_status": "open",
        "categories": [1],
        "tags": [],
        "_links": {"self": [{"href": f"{root}wp/v2/posts/{post.number}"}],
                   "replies": [{"embeddable": True, "href": f"{root}wp/v2/comments?post={post.number}"}]},
    }
    if fields:
        return {k: v for k, v in data.items() if k in fields}
    return data


# --- RSS -------------------------------------------------------------------------------------

def feed(channel: Channel, req: Request) -> Reply:
    if channel.variant == "wp-html":
        return not_found()  # feeds switched off by a "disable feeds" plugin
    posts = channel.visible(req.now)
    page = req.int_arg("paged", 1) or 1
    chunk = posts[(page - 1) * FEED_PAGE: page * FEED_PAGE]
    if page > 1 and not chunk:
        return not_found()
    zone = req.world.zone
    items = []
    for post in chunk:
        link = permalink(channel, req, post, zone)
        items.append(
            f"<item><title>{esc(post.title)}</title><link>{esc(link)}</link>"
            f"<comments>{esc(link)}#respond</comments>"
            f"<dc:creator><![CDATA[admin]]></dc:creator>"
            f"<pubDate>{rfc822(post.published.astimezone(UTC))}</pubDate>"
            f"<category><![CDATA[Berita]]></category>"
            f'<guid isPermaLink="false">{req.base}/?p={post.number}</guid>'
            f"<description><![CDATA[{post.title} [&#8230;]]]></description>"
            f"<slash:comments>{post.comments}</slash:comments></item>")
    last = rfc822(chunk[0].published.astimezone(UTC)) if chunk else rfc822(req.now.astimezone(UTC))
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
        f"<channel><title>{esc(channel.unit_id)}</title>"
        f'<atom:link href="{req.base}/feed/" rel="self" type="application/rss+xml" />'
        f"<link>{req.base}</link><description>Situs resmi</description><lastBuildDate>{last}</lastBuildDate>"
        "<language>id</language><sy:updatePeriod>hourly</sy:updatePeriod><generator>https://wordpress.org/?v=6.8.1"
        "</generator>" + "".join(items) + "</channel></rss>")
    return xml_reply(document, "application/rss+xml; charset=UTF-8", newest(chunk))
