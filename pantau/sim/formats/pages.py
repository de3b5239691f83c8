"""Plain web pages: a kecamatan's custom-CMS news listing, its newest-10 RSS, a TikTok profile.

- Listing (`/berita`, `?page=N`): one `<article class="item-berita">` per post, the date as
  Indonesian text in one of the forms these sites print ("Rabu, 10 September 2025",
  "10 Agu 2025", "10/09/2025 14.30 WIB"), a relative "next" link. One site serves windows-1252
  bytes with no charset in Content-Type, declared only by its <meta>.
- RSS (`/rss.xml`): the newest 10 items only, pubDate +0700; no paging, no archive.
- TikTok profile (`{web}/@user`): `__UNIVERSAL_DATA_FOR_REHYDRATION__` JSON with
  `userInfo.stats.videoCount`, which grows as the simulated clock moves.
"""

from __future__ import annotations

import json
import math

from pantau.sim.formats import Reply, Request, esc, html_reply, newest, not_found, rfc822, xml_reply
from pantau.sim.world import Channel, SimPost

LISTING_SELECTORS = {"item": "article.item-berita", "title": "h3.judul a", "link": "h3.judul a",
                     "date": "span.tanggal", "next": "a.next", "empty": "p.kosong"}
# What a listing without posts shows (a site that has published nothing yet), the `empty` marker.
EMPTY_LISTING = '<p class="kosong">Belum ada berita.</p>'
LISTING_PAGE = 10
FEED_LIMIT = 10
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
TIKTOK_PREFIX = "/tiktok"
# Videos a TikTok account had before the simulated year began.
TIKTOK_EARLIER = 37


def indonesian_date(post: SimPost, zone, style: int) -> str:
    local = post.published.astimezone(zone)
    if style == 0:
        return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
    if style == 1:
        return f"{local.day} {SHORT_MONTHS[local.month - 1]} {local.year}"
    return f"{local:%d/%m/%Y %H.%M} WIB"


def respond_listing(channel: Channel, req: Request, cp1252: bool) -> Reply | None:
    if req.path.rstrip("/") == "/berita":
        page = req.int_arg("page", 1) or 1
        return listing(channel, req, page, cp1252)
    if req.path.startswith("/berita/"):
        return article(channel, req, cp1252)
    if req.path == "/":
        return listing(channel, req, 1, cp1252)
    return None


def listing(channel: Channel, req: Request, page: int, cp1252: bool) -> Reply:
    posts = channel.visible(req.now)
    pages = max(1, math.ceil(len(posts) / LISTING_PAGE))
    if page > pages:
        return not_found("Halaman tidak ditemukan")
    style = channel.host_index % 3
    items = "".join(
        f'<article class="item-berita"><h3 class="judul"><a href="{p.external_id}">{esc(p.title)}</a></h3>'
        f'<div class="meta"><span class="tanggal">{indonesian_date(p, req.world.zone, style)}</span>'
        f' | Dilihat {p.views} kali</div></article>'
        for p in posts[(page - 1) * LISTING_PAGE: page * LISTING_PAGE]) or EMPTY_LISTING
    nav = f'<a class="next" href="/berita?page={page + 1}">Berikutnya &raquo;</a>' if page < pages else ""
    return page_reply(f"Berita - Halaman {page}", f'<div class="daftar-berita">{items}</div>'
                      f'<div class="paging">{nav}</div>', cp1252, newest(posts))


def article(channel: Channel, req: Request, cp1252: bool) -> Reply:
    for post in channel.visible(req.now):
        if post.external_id == req.path.rstrip("/"):
            return page_reply(post.title, f"<h1>{esc(post.title)}</h1><span class='tanggal'>"
                              f"{indonesian_date(post, req.world.zone, 0)}</span>", cp1252, None)
    return not_found()


def page_reply(title: str, body: str, cp1252: bool, last_modified) -> Reply:
    charset = "windows-1252" if cp1252 else "UTF-8"
    document = (f'<!DOCTYPE html><html lang="id"><head><meta http-equiv="Content-Type" '
                f'content="text/html; charset={charset}"><title>{esc(title)}</title></head>'
                f"<body>{body}</body></html>")
    if cp1252:
        # An old PHP host: bytes in windows-1252, no charset in the header, only the <meta> says so.
        return Reply(200, document.encode("cp1252", errors="xmlcharrefreplace"), "text/html", [], "html",
                     last_modified)
    return html_reply(document, last_modified=last_modified)


def respond_feed(channel: Channel, req: Request) -> Reply | None:
    if req.path not in ("/rss.xml", "/rss"):
        if req.path.startswith("/warta/") or req.path == "/":
            return html_reply(f"<!DOCTYPE html><html><head><title>Warta</title><link rel='alternate' "
                              f"type='application/rss+xml' href='{req.base}/rss.xml'></head><body></body></html>")
        return None
    posts = channel.visible(req.now)[:FEED_LIMIT]
    zone = req.world.zone
    items = "".join(
        f"<item><title>{esc(p.title)}</title><link>{req.base}{p.external_id}</link>"
        f'<guid isPermaLink="true">{req.base}{p.external_id}</guid>'
        f"<pubDate>{rfc822(p.published.astimezone(zone))}</pubDate></item>" for p in posts)
    document = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>Warta {esc(channel.unit_id)}</title><link>{req.base}/</link>"
                f"<description>Berita terbaru</description>{items}</channel></rss>")
    return xml_reply(document, "application/rss+xml; charset=UTF-8", newest(posts))


def respond_tiktok(channel: Channel, req: Request) -> Reply | None:
    path = req.path[len(TIKTOK_PREFIX):].rstrip("/")
    if path != f"/@{channel.handle}":
        return None
    count = TIKTOK_EARLIER + len(channel.visible(req.now))
    data = {"__DEFAULT_SCOPE__": {"webapp.user-detail": {"userInfo": {
        "user": {"id": str(6800000000000000000 + channel.host_index), "uniqueId": channel.handle,
                 "nickname": channel.unit_id, "verified": False, "privateAccount": False},
        "stats": {"followerCount": 850 + count * 11, "followingCount": 12, "heartCount": count * 240,
                  "videoCount": count, "diggCount": 0}}, "statusCode": 0}}}
    script = json.dumps(data, separators=(",", ":"))
    return html_reply('<!DOCTYPE html><html lang="id-ID"><head><title>TikTok</title></head><body>'
                      f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{script}</script>'
                      "</body></html>")


def respond_missing(channel: Channel, req: Request) -> Reply:
    return not_found()
