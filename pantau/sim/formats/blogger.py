"""Blogger feeds (SOURCES.md section 3): `/feeds/posts/default` and `/feeds/posts/summary`.

`alt=json` (openSearch$totalResults/startIndex/itemsPerPage, entry ids
`tag:blogger.com,1999:blog-B.post-P`), the Atom default, `?alt=rss`. `max-results` (default 25,
capped at 150), `start-index` (1-based), `published-min`/`published-max` (RFC 3339). Times
carry the blog's zone: a blog that never set one is on Pacific time, -07:00 or -08:00.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pantau.sim.formats import Reply, Request, esc, html_reply, json_reply, newest, not_found, rfc822, xml_reply
from pantau.sim.world import Channel, SimPost

BLOG_ZONE = ZoneInfo("America/Los_Angeles")
DEFAULT_RESULTS = 25
MAX_RESULTS = 150


def respond(channel: Channel, req: Request) -> Reply | None:
    if req.path.rstrip("/") in ("/feeds/posts/default", "/feeds/posts/summary"):
        return feed(channel, req)
    if req.path == "/":
        return home(channel, req)
    if req.path.endswith(".html"):
        return post_page(channel, req)
    return None


def blog_time(when: datetime) -> str:
    """Blogger's timestamps: milliseconds and the blog's own offset, e.g. 2025-09-09T23:30:00.000-07:00."""
    return when.astimezone(BLOG_ZONE).isoformat(timespec="milliseconds")


def post_url(req: Request, post: SimPost, channel: Channel) -> str:
    """Blogger's permalink: month and the title's slug cut at 40 characters, unique within the
    blog. A later post of the month with the same cut slug gets "_NN" (Blogger's two digits are
    its own; the sim counts), as on a village blog posting "Kerja bakti" every week."""
    local = post.published.astimezone(BLOG_ZONE)
    month, cut = f"{local:%Y/%m}", post.slug[:40]
    earlier = sum(1 for p in channel.posts if p.published < post.published and p.slug[:40] == cut
                  and f"{p.published.astimezone(BLOG_ZONE):%Y/%m}" == month)
    return f"{req.base}/{month}/{cut}{f'_{earlier:02d}' if earlier else ''}.html"


def parse_rfc3339(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=BLOG_ZONE)


def feed(channel: Channel, req: Request) -> Reply:
    posts = channel.visible(req.now)
    for name, keep in (("published-min", lambda p, m: p.published >= m),
                       ("published-max", lambda p, m: p.published < m)):
        value = req.arg(name)
        if value:
            moment = parse_rfc3339(value)
            if moment is None:
                return Reply(400, f"Invalid {name} value: {value}".encode(), "text/plain; charset=UTF-8")
            posts = [p for p in posts if keep(p, moment)]
    start = req.int_arg("start-index", 1)
    size = req.int_arg("max-results", DEFAULT_RESULTS)
    if start is None or start < 1 or size is None or size < 0:
        return Reply(400, b"Invalid start-index or max-results", "text/plain; charset=UTF-8")
    size = min(size, MAX_RESULTS)
    chunk = posts[start - 1: start - 1 + size]
    blog = f"tag:blogger.com,1999:blog-{channel.handle}"
    alt = req.arg("alt", "atom")
    summary = req.path.rstrip("/").endswith("summary")
    if alt == "json":
        return json_reply(json_feed(channel, req, blog, chunk, len(posts), start, size, summary),
                          content_type="application/json; charset=UTF-8", last_modified=newest(chunk))
    if alt == "rss":
        return rss_feed(channel, req, chunk)
    return atom_feed(channel, req, blog, chunk, len(posts), start, size)


def json_entry(req: Request, blog: str, post: SimPost, summary: bool, channel: Channel) -> dict:
    body_key = "summary" if summary else "content"
    return {
        "id": {"$t": f"{blog}.post-{post.external_id}"},
        "published": {"$t": blog_time(post.published)},
        "updated": {"$t": blog_time(post.published)},
        "category": [{"scheme": "http://www.blogger.com/atom/ns#", "term": "Berita Desa"}],
        "title": {"type": "text", "$t": post.title},
        body_key: {"type": "html", "$t": f"<p>{esc(post.title)}</p>"},
        "link": [
            {"rel": "replies", "type": "application/atom+xml",
             "href": f"{req.base}/feeds/{post.external_id}/comments/default", "title": "Posting Komentar"},
            {"rel": "edit", "type": "application/atom+xml",
             "href": f"https://www.blogger.com/feeds/{blog.rsplit('-', 1)[1]}/posts/default/{post.external_id}"},
            {"rel": "alternate", "type": "text/html", "href": post_url(req, post, channel), "title": post.title},
        ],
        "author": [{"name": {"$t": "Admin Desa"}, "email": {"$t": "noreply@blogger.com"}}],
        "thr$total": {"$t": str(post.comments)},
    }


def json_feed(channel: Channel, req: Request, blog: str, chunk: list[SimPost], total: int, start: int,
              size: int, summary: bool) -> dict:
    feed = {
        "xmlns": "http://www.w3.org/2005/Atom",
        "xmlns$openSearch": "http://a9.com/-/spec/opensearchrss/1.0/",
        "xmlns$blogger": "http://schemas.google.com/blogger/2008",
        "xmlns$georss": "http://www.georss.org/georss",
        "xmlns$gd": "http://schemas.google.com/g/2005",
        "xmlns$thr": "http://purl.org/syndication/thread/1.0",
        "id": {"$t": blog},
        "updated": {"$t": blog_time(newest(channel.visible(req.now)) or req.now)},
        "title": {"type": "text", "$t": f"Blog {channel.unit_id}"},
        "link": [{"rel": "alternate", "type": "text/html", "href": f"{req.base}/"}],
        "author": [{"name": {"$t": "Admin Desa"}}],
        "generator": {"version": "7.00", "uri": "http://www.blogger.com", "$t": "Blogger"},
        "openSearch$totalResults": {"$t": str(total)},
        "openSearch$startIndex": {"$t": str(start)},
        "openSearch$itemsPerPage": {"$t": str(size)},
    }
    if chunk:  # Blogger leaves the key out of an empty page
        feed["entry"] = [json_entry(req, blog, p, summary, channel) for p in chunk]
    return {"version": "1.0", "encoding": "UTF-8", "feed": feed}


def atom_feed(channel: Channel, req: Request, blog: str, chunk: list[SimPost], total: int, start: int,
              size: int) -> Reply:
    entries = "".join(
        f"<entry><id>{blog}.post-{p.external_id}</id><published>{blog_time(p.published)}</published>"
        f"<updated>{blog_time(p.published)}</updated><title type='text'>{esc(p.title)}</title>"
        f"<content type='html'>{esc(p.title)}</content>"
        f"<link rel='alternate' type='text/html' href='{esc(post_url(req, p, channel))}' title='{esc(p.title)}'/>"
        f"<author><name>Admin Desa</name></author><thr:total>{p.comments}</thr:total></entry>" for p in chunk)
    document = (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
        "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:thr='http://purl.org/syndication/thread/1.0'>"
        f"<id>{blog}</id><updated>{blog_time(req.now)}</updated><title type='text'>Blog {esc(channel.unit_id)}</title>"
        f"<link rel='alternate' type='text/html' href='{req.base}/'/>"
        f"<openSearch:totalResults>{total}</openSearch:totalResults><openSearch:startIndex>{start}"
        f"</openSearch:startIndex><openSearch:itemsPerPage>{size}</openSearch:itemsPerPage>{entries}</feed>")
    return xml_reply(document, "application/atom+xml; charset=UTF-8", newest(chunk))


def rss_feed(channel: Channel, req: Request, chunk: list[SimPost]) -> Reply:
    items = "".join(
        f"<item><guid isPermaLink='false'>tag:blogger.com,1999:blog-{channel.handle}.post-{p.external_id}</guid>"
        f"<pubDate>{rfc822(p.published.astimezone(BLOG_ZONE))}</pubDate><title>{esc(p.title)}</title>"
        f"<link>{esc(post_url(req, p, channel))}</link></item>" for p in chunk)
    document = ("<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
                f"<title>Blog {esc(channel.unit_id)}</title><link>{req.base}/</link>{items}</channel></rss>")
    return xml_reply(document, "application/rss+xml; charset=UTF-8", newest(chunk))


def home(channel: Channel, req: Request) -> Reply:
    posts = channel.visible(req.now)[:10]
    links = "".join(f"<h3 class='post-title'><a href='{esc(post_url(req, p, channel))}'>{esc(p.title)}</a></h3>"
                    for p in posts)
    return html_reply("<!DOCTYPE html><html><head><meta charset='UTF-8'/><title>Blog Desa</title>"
                      f"<link rel='alternate' type='application/atom+xml' href='{req.base}/feeds/posts/default'/>"
                      f"<meta content='blogger' name='generator'/></head><body>{links}</body></html>")


def post_page(channel: Channel, req: Request) -> Reply:
    for post in channel.visible(req.now):
        if post_url(req, post, channel).endswith(req.path):
            return html_reply(f"<!DOCTYPE html><html><head><title>{esc(post.title)}</title></head>"
                              f"<body><h3 class='post-title'>{esc(post.title)}</h3></body></html>")
    return not_found()
