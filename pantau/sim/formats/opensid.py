"""OpenSID village sites (SOURCES.md section 2), theme "natra".

- `/feed.xml`: the 50 newest articles, pubDate as PHP DATE_RSS in the server zone (+0700),
  link and guid `/artikel/{thn}/{bln}/{hri}/{slug}` with unpadded month and day.
- The old broken feed (variant "opensid-old"): `<item>`s after `</channel>`, no pubDate, links
  `first/artikel/{id}`, the 20 newest by id.
- `/arsip/{p}` (also `/first/arsip/{p}` and behind `index.php/`): the archive table, No. |
  Tanggal Artikel (tgl_indo, "10 September 2025") | Judul Artikel | Penulis | Dibaca, with the
  "Halaman p dari n" pagination block. It lists the site's static page and agenda item too
  (entries of the `artikel` table that are not posts: never in the truth).
- The feed answers under `/feed.xml`, `/feed` and `/index.php/feed` alike.
- Variant "opensid-premium" (tema palanta and kin): `/arsip` is an empty DataTables table; the
  archive is `/internal_api/arsip` (JSON:API, `page[size]`, `page[number]`, `sort=-tgl_upload`,
  attributes `url_slug` zero-padded, `judul`, `tgl_upload` "d-m-Y H:i:s", `tgl_upload_local`,
  `hit`, `tipe`), answering GET on some sites and POST only on others; the feed answers 500 on
  some (premium 22.06) and 404 on others (24.01).
- Variant "opensid-idx": no URL rewriting, so only `/index.php/...` routes answer and every link
  carries `index.php/`.
- `/sitemap.xml` on every variant: every entry with its `<lastmod>` day.
- Each entry's page prints its category ("statis", "agenda" for entries that are not posts).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from pantau.sim.formats import Reply, Request, esc, html_reply, json_reply, newest, not_found, rfc822, xml_reply
from pantau.sim.world import Channel, SimPost, stable_int

FEED_LIMIT = 50
OLD_FEED_LIMIT = 20
ARCHIVE_PAGE = 20
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
ARSIP = re.compile(r"^/(?:first/)?arsip(?:/(\d+))?/?$")
ARTIKEL = re.compile(r"^/(?:first/)?artikel/(\d{4})/(\d{1,2})/(\d{1,2})/([^/]+)/?$")


def respond(channel: Channel, req: Request) -> Reply | None:
    path = req.path
    if channel.variant == "opensid-idx":
        if not path.startswith("/index.php/"):
            return None  # no URL rewriting: only index.php/ routes exist
    path = path.removeprefix("/index.php")
    if path in ("/feed.xml", "/feed"):
        status = premium_profile(channel)[0] if channel.variant == "opensid-premium" else 200
        if status != 200:
            return html_reply("<html><body><h1>A PHP Error was encountered</h1></body></html>", status=status)
        return old_feed(channel, req) if channel.variant == "opensid-old" else feed(channel, req)
    if path == "/internal_api/arsip" and channel.variant == "opensid-premium":
        return json_archive(channel, req)
    if path == "/sitemap.xml":
        return sitemap(channel, req)
    if match := ARSIP.match(path):
        if channel.variant == "opensid-premium":
            return premium_archive(channel, req)
        return archive(channel, req, int(match.group(1) or 1))
    if match := ARTIKEL.match(path):
        return article(channel, req, "/".join(str(int(g)) for g in match.groups()[:3]), match.group(4))
    if path in ("/", "") or path.startswith("/index"):
        if channel.variant == "opensid-premium":
            return premium_archive(channel, req, title="Beranda")
        return archive(channel, req, 1, title="Beranda")
    return None


def article_path(post: SimPost) -> str:
    return post.external_id  # /artikel/2025/9/10/slug: the identity the collectors store


def premium_profile(channel: Channel) -> tuple[int, str]:
    """(feed status, JSON archive method) of a premium site: a third each with a working feed,
    the 22.06 feed (500) and the 24.01 feed (404); GET or POST in turn."""
    key = stable_int(channel.source_id, "premium", digits=6)
    return (200, 500, 404)[key % 3], ("get", "post")[(key // 3) % 2]


def prefix(channel: Channel) -> str:
    return "/index.php" if channel.variant == "opensid-idx" else ""


@dataclass(frozen=True)
class Entry:
    """A row of the `artikel` table: a post, or a static page / agenda item (never a post)."""

    slug: str
    title: str
    published: datetime
    tipe: str  # dinamis | statis | agenda
    views: int
    post: SimPost | None = None


def extras(channel: Channel, req: Request) -> list[Entry]:
    """The site's static page and one agenda item, early in the simulated year."""
    zone = req.world.zone
    first = req.world.first_day
    page_day = datetime.combine(first + timedelta(days=9), time(8, 0), zone).astimezone(UTC)
    agenda_day = datetime.combine(first + timedelta(days=120), time(9, 30), zone).astimezone(UTC)
    rows = [Entry("profil-desa", "Profil Desa", page_day, "statis", 321),
            Entry("agenda-musyawarah-desa", "Agenda Musyawarah Desa", agenda_day, "agenda", 45)]
    return [e for e in rows if e.published <= req.now]


def entries(channel: Channel, req: Request) -> list[Entry]:
    """Every enabled entry, newest first, as the archive and the sitemap list them."""
    rows = [Entry(p.slug, p.title, p.published, "dinamis", p.views, p) for p in channel.visible(req.now)]
    rows.extend(extras(channel, req))
    rows.sort(key=lambda e: e.published, reverse=True)
    return rows


def entry_path(entry: Entry, zone, padded: bool = False) -> str:
    local = entry.published.astimezone(zone)
    day = f"{local:%Y/%m/%d}" if padded else f"{local.year}/{local.month}/{local.day}"
    return f"/artikel/{day}/{entry.slug}"


def tgl_indo(post: SimPost | Entry, zone) -> str:
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
        link = f"{req.base}{prefix(channel)}{article_path(post)}"
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
    rows_all = entries(channel, req)
    zone = req.world.zone
    base = req.base + prefix(channel)
    pages = max(1, math.ceil(len(rows_all) / ARCHIVE_PAGE))
    start = (page - 1) * ARCHIVE_PAGE
    rows = []
    for number, entry in enumerate(rows_all[start: start + ARCHIVE_PAGE], start=start + 1):
        rows.append(
            f"<tr><td class=\"text-center\">{number}</td><td>{tgl_indo(entry, zone)}</td>"
            f"<td><a href=\"{base}{entry_path(entry, zone)}\">{esc(entry.title)}</a></td>"
            f"<td>Administrator</td><td class=\"text-center\">{entry.views}</td></tr>")
    active = ' class="active"'
    links = "".join(
        f'<li{active if i == page else ""}><a href="{base}/first/arsip/{i}">{i}</a></li>'
        for i in range(1, pages + 1))
    if page < pages:
        links += f'<li><a href="{base}/first/arsip/{page + 1}">Selanjutnya</a></li>'
    body = (
        '<div class="single_page_area"><h2 class="post_titile">Arsip Konten Situs Web</h2>'
        '<table class="table table-striped"><thead><tr><th>No.</th><th>Tanggal Artikel</th>'
        "<th>Judul Artikel</th><th>Penulis</th><th>Dibaca</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table></div>"
        f'<div class="pagination_area"><div>Halaman {page} dari {pages}</div><ul class="pagination">{links}</ul></div>')
    return html_reply(page_html(channel, req, title, body), last_modified=newest(channel.visible(req.now)))


def premium_archive(channel: Channel, req: Request, title: str = "Arsip Konten") -> Reply:
    """Tema palanta's /arsip: the table ships empty; DataTables fills it from the JSON archive."""
    method = premium_profile(channel)[1]
    body = ('<table id="arsip-artikel" class="table table-striped"><thead><tr><th>No</th><th>Tanggal</th>'
            "<th>Judul</th><th>Dibaca</th></tr></thead><tbody>\n</tbody></table>"
            f"<script>$('#arsip-artikel').DataTable({{serverSide: true, ajax: {{url: "
            f"'{req.base}/internal_api/arsip', method: '{method}'}}}});</script>")
    return html_reply(page_html(channel, req, title, body))


def json_archive(channel: Channel, req: Request) -> Reply:
    method = premium_profile(channel)[1]
    if req.method.lower() != method:
        return html_reply("<h1>405 Method Not Allowed</h1>", status=405)
    size = req.int_arg("page[size]", 10) or 10
    number = req.int_arg("page[number]", 1) or 1
    zone = req.world.zone
    rows_all = entries(channel, req)
    chunk = rows_all[(number - 1) * size: number * size]
    data = []
    for entry in chunk:
        local = entry.published.astimezone(zone)
        data.append({"type": "artikel", "id": str(stable_int(channel.source_id, entry.slug, digits=5)),
                     "attributes": {"judul": entry.title, "tipe": entry.tipe, "hit": entry.views, "enabled": 1,
                                    "tgl_upload": f"{local:%d-%m-%Y %H:%M:%S}",
                                    "tgl_upload_local": tgl_indo(entry, zone),
                                    "url_slug": f"{req.base}{entry_path(entry, zone, padded=True)}",
                                    "author": {"nama": "Administrator"}}})
    payload = {"data": data, "meta": {"pagination": {
        "total": len(rows_all), "count": len(chunk), "per_page": size, "current_page": number,
        "total_pages": max(1, math.ceil(len(rows_all) / size))}}}
    return json_reply(payload)


def sitemap(channel: Channel, req: Request) -> Reply:
    zone = req.world.zone
    base = req.base + prefix(channel)
    urls = "".join(f"<url><loc>{base}{entry_path(e, zone)}</loc><lastmod>{e.published.astimezone(zone):%Y-%m-%d}"
                   "</lastmod></url>" for e in entries(channel, req))
    return xml_reply('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                     f"<url><loc>{base}/</loc></url>{urls}</urlset>", "application/xml; charset=UTF-8")


def article(channel: Channel, req: Request, day: str, slug: str) -> Reply:
    """The entry at /artikel/Y/M/D/slug: a slug is unique only within its day."""
    for entry in entries(channel, req):
        if entry.slug == slug and entry_path(entry, req.world.zone) == f"/artikel/{day}/{slug}":
            local = entry.published.astimezone(req.world.zone)
            stamp = f"{tgl_indo(entry, req.world.zone)} {local:%H:%M:%S}"
            kategori = "Berita Desa" if entry.tipe == "dinamis" else entry.tipe
            body = (f'<ul class="breadcrumb"><li>Beranda</li><li>{esc(kategori)}</li></ul>'
                    f'<h4 class="catg_titile">{esc(entry.title)}</h4><div class="post_commentbox">'
                    f'<span class="meta_date">{stamp} <i class="fa fa-user"></i>Administrator '
                    f'<i class="fa fa-eye"></i>{entry.views} Dibaca</span></div><p>Isi artikel.</p>')
            return html_reply(page_html(channel, req, entry.title, body))
    return not_found()


def page_html(channel: Channel, req: Request, title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)} - {esc(village_name(channel, req))}</title>"
            f'<link rel="alternate" type="application/rss+xml" href="{req.base}{prefix(channel)}/feed.xml"></head>'
            f"<body><div class=\"container\">{body}</div></body></html>")
