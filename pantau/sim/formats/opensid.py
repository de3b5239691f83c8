"""OpenSID village sites (SOURCES.md section 2), theme "natra".

- `/feed.xml`: the 50 newest articles, pubDate as PHP DATE_RSS in the server zone (+0700),
  link and guid `/artikel/{thn}/{bln}/{hri}/{slug}` with unpadded month and day.
- The old broken feed (variant "opensid-old"): `<item>`s after `</channel>`, no pubDate, links
  `first/artikel/{id}`, the 20 newest by id.
- `/arsip/{p}` (also `/first/arsip/{p}` and behind `index.php/`): the archive table, No. |
  Tanggal Artikel (tgl_indo, "10 September 2025") | Judul Artikel | Penulis | Dibaca, with the
  "Halaman p dari n" pagination block.
"""

from __future__ import annotations

import math
import re

from pantau.sim.formats import Reply, Request, esc, html_reply, newest, not_found, rfc822, xml_reply
from pantau.sim.world import Channel, SimPost

FEED_LIMIT = 50
OLD_FEED_LIMIT = 20
ARCHIVE_PAGE = 20
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
ARSIP = re.compile(r"^/(?:first/)?arsip(?:/(\d+))?/?$")
ARTIKEL = re.compile(r"^/(?:first/)?artikel/(\d{4})/(\d{1,2})/(\d{1,2})/([^/]+)/?$")


def respond(channel: Channel, req: Request) -> Reply | None:
    path = req.path.removeprefix("/index.php")
    if path == "/feed.xml":
        return old_feed(channel, req) if channel.variant == "opensid-old" else feed(channel, req)
    if match := ARSIP.match(path):
        return archive(channel, req, int(match.group(1) or 1))
    if match := ARTIKEL.match(path):
        return article(channel, req, match.group(4))
    if path in ("/", "") or path.startswith("/index"):
        return archive(channel, req, 1, title="Beranda")
    return None


def article_path(post: SimPost) -> str:
    return post.external_id  # /artikel/2025/9/10/slug: the identity the collectors store


def tgl_indo(post: SimPost, zone) -> str:
    local = post.published.astimezone(zone)
    return f"{local.day:02d} {MONTHS[local.month - 1]} {local.year}"


def village_name(channel: Channel, req: Request) -> str:
    for unit in req.world.units:
        if unit.unit_id == channel.unit_id:
            return unit.name
    return channel.unit_id


def feed(channel: Channel, req: Request) -> Reply:
    posts = channel.visible(req.now)[:FEED_LIMIT]
    zone = req.world.zone
    items = []
    for post in posts:
        link = f"{req.base}{article_path(post)}"
        items.append(
            f"<item><title>{esc(post.title)}</title><link>{esc(link)}</link><guid>{esc(link)}</guid>"
            f"<pubDate>{rfc822(post.published.astimezone(zone))}</pubDate>"
            "<category><![CDATA[Berita Desa]]></category>"
            f"<description><![CDATA[<img src=\"{req.base}/desa/upload/artikel/kecil_{post.number}.jpg\"/> "
            f"{post.title} [...]]]></description>"
            f"<content:encoded><![CDATA[<p>{post.title}</p>]]></content:encoded>"
            "<dc:creator>Administrator</dc:creator></item>")
    name = village_name(channel, req)
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{esc(name)}</title><link>{req.base}/</link>"
        f'<atom:link href="{req.base}/feed" rel="self" type="application/rss+xml" />'
        f"<description>Situs Web {esc(name)} Kab. Blora Prov. Jawa Tengah</description>"
        "<dc:language>id</dc:language>" + "".join(items) + "</channel></rss>")
    return xml_reply(document, "text/xml; charset=UTF-8", newest(posts))


def old_feed(channel: Channel, req: Request) -> Reply:
    """The pre-2017 view: items outside the channel, no dates. feedparser sees nothing usable."""
    posts = sorted(channel.visible(req.now), key=lambda p: p.number, reverse=True)[:OLD_FEED_LIMIT]
    items = "".join(
        f"<item><title>{esc(p.title)}</title><link>{req.base}/first/artikel/{p.number}</link>"
        f"<description>{esc(p.title)}</description></item>" for p in posts)
    document = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>{esc(village_name(channel, req))}</title><link>{req.base}</link>"
                "<description>Website Desa</description></channel>" + items + "</rss>")
    return xml_reply(document, "text/xml; charset=UTF-8", newest(posts))


def archive(channel: Channel, req: Request, page: int, title: str = "Arsip Artikel") -> Reply:
    posts = channel.visible(req.now)
    zone = req.world.zone
    pages = max(1, math.ceil(len(posts) / ARCHIVE_PAGE))
    start = (page - 1) * ARCHIVE_PAGE
    rows = []
    for number, post in enumerate(posts[start: start + ARCHIVE_PAGE], start=start + 1):
        rows.append(
            f"<tr><td class=\"text-center\">{number}</td><td>{tgl_indo(post, zone)}</td>"
            f"<td><a href=\"{req.base}{article_path(post)}\">{esc(post.title)}</a></td>"
            f"<td>Administrator</td><td class=\"text-center\">{post.views}</td></tr>")
    active = ' class="active"'
    links = "".join(
        f'<li{active if i == page else ""}><a href="{req.base}/first/arsip/{i}">{i}</a></li>'
        for i in range(1, pages + 1))
    if page < pages:
        links += f'<li><a href="{req.base}/first/arsip/{page + 1}">Selanjutnya</a></li>'
    body = (
        '<div class="single_page_area"><h2 class="post_titile">Arsip Konten Situs Web</h2>'
        '<table class="table table-striped"><thead><tr><th>No.</th><th>Tanggal Artikel</th>'
        "<th>Judul Artikel</th><th>Penulis</th><th>Dibaca</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></div>"
        f'<div class="pagination_area"><div>Halaman {page} dari {pages}</div><ul class="pagination">{links}</ul></div>')
    return html_reply(page_html(channel, req, title, body), last_modified=newest(posts))


def article(channel: Channel, req: Request, slug: str) -> Reply:
    for post in channel.visible(req.now):
        if post.slug == slug:
            local = post.published.astimezone(req.world.zone)
            stamp = f"{tgl_indo(post, req.world.zone)} {local:%H:%M:%S}"
            body = (f'<h4 class="catg_titile">{esc(post.title)}</h4><div class="post_commentbox">'
                    f'<span class="meta_date">{stamp} <i class="fa fa-user"></i>Administrator '
                    f'<i class="fa fa-eye"></i>{post.views} Dibaca</span></div><p>Isi artikel.</p>')
            return html_reply(page_html(channel, req, post.title, body))
    return not_found()


def page_html(channel: Channel, req: Request, title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)} - {esc(village_name(channel, req))}</title>"
            f'<link rel="alternate" type="application/rss+xml" href="{req.base}/feed.xml"></head>'
            f"<body><div class=\"container\">{body}</div></body></html>")
