"""Listings that show no date: the date is on each article's own page only.

- `listing-nodate`, a kecamatan's custom CMS (`/berita`, `?hal=N`, 10 a page): title, summary and
  "Selengkapnya" per item. Its article pages (`/berita/baca/{id}/{slug}`) date themselves in
  turn each way real sites do: Open Graph `article:published_time`, JSON-LD only, a visible
  "Rabu, 10 September 2025 14:30 WIB", an English `<time>`, microdata, Dublin Core (a day only),
  and only in the text, "BLORA - (29/6/2020) ...". Every article page also carries a header
  printing today's date and a sidebar of other news with their dates, which are not its date.
- `blorakab`, the regency's own CMS (CodeIgniter): `/index.php/public/berita/index/{offset}`,
  9 a page, offset paging with CodeIgniter's `rel="next"` link nested in the theme's own
  `<a class="next" href="#">` (so only `a[rel=next]` leads on); title, an intro of the text and
  "Read more" per item, no date. The detail page (`/index.php/public/berita/detail/{id}/{slug}`)
  prints the day with its name, no time, and repeats it in the text as "(29/6/2020)".
Both are read by `html_listing` without a date selector (the second through the `blorakab` preset).
"""

from __future__ import annotations

import math

from pantau.sim.formats import Reply, Request, esc, html_reply, newest, not_found
from pantau.sim.formats.pages import DAYS, EMPTY_LISTING, MONTHS
from pantau.sim.world import Channel, SimPost

NODATE_SELECTORS = {"item": "div.daftar-berita div.berita", "title": "h3.judul a", "link": "h3.judul a",
                    "next": "ul.pagination a.next", "empty": "p.kosong"}
NODATE_PAGE = 10
BLORAKAB_PAGE = 9
BLORAKAB_LISTING = "/index.php/public/berita/index"
BLORAKAB_DETAIL = "/index.php/public/berita/detail/"
# The ways the no-date site's article pages carry their date, in turn by post number.
DATE_STYLES = ("open_graph", "json_ld", "visible", "time_en", "microdata", "dublin_core", "text")
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
SIDEBAR = ('<aside class="sidebar"><h4>Berita Populer</h4><ul><li><a href="/">Rapat Minggon</a> '
           '<span class="date">14/07/2025</span></li></ul></aside>')


def nodate_path(post: SimPost) -> str:
    return f"/berita/baca/{post.number}/{post.slug}"


def blorakab_path(post: SimPost) -> str:
    return f"{BLORAKAB_DETAIL}{post.number}/{post.slug}"


def respond_nodate(channel: Channel, req: Request) -> Reply | None:
    if req.path.rstrip("/") in ("/berita", ""):
        return nodate_listing(channel, req, req.int_arg("hal", 1) or 1)
    if req.path.startswith("/berita/baca/"):
        post = _post_at(channel, req, req.path.rstrip("/"))
        return nodate_article(post, req) if post else not_found()
    return None


def nodate_listing(channel: Channel, req: Request, page: int) -> Reply:
    posts = channel.visible(req.now)
    pages = max(1, math.ceil(len(posts) / NODATE_PAGE))
    if page > pages:
        return not_found()
    items = "".join(
        f'<div class="berita"><h3 class="judul"><a href="{nodate_path(p)}">{esc(p.title)}</a></h3>'
        f'<p class="ringkasan">{esc(_intro(p))}</p>'
        f'<a class="selengkapnya" href="{nodate_path(p)}">Selengkapnya &raquo;</a></div>'
        for p in posts[(page - 1) * NODATE_PAGE: page * NODATE_PAGE]) or EMPTY_LISTING
    nav = f'<li><a class="next" href="/berita?hal={page + 1}">Berikutnya &raquo;</a></li>' if page < pages else ""
    return _document(f"Berita - Halaman {page}", "",
                     f'<h2>Berita</h2><div class="daftar-berita">{items}</div><ul class="pagination">{nav}</ul>',
                     req, newest(posts))


def nodate_article(post: SimPost, req: Request) -> Reply:
    local = post.local(req.world.zone)
    style = DATE_STYLES[post.number % len(DATE_STYLES)]
    head, marker, lead = "", "", f"{esc(_place(post))} - {esc(_intro(post))}"
    if style == "open_graph":
        head = f'<meta property="article:published_time" content="{local.isoformat()}">'
    elif style == "json_ld":
        head = ('<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
                f'"headline":"{esc(post.title)}","datePublished":"{local.isoformat()}"}}</script>')
    elif style == "visible":
        marker = (f'<div class="post-meta">Admin | {DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} '
                  f'{local.year} {local:%H:%M} WIB | Dilihat {post.views} kali</div>')
    elif style == "time_en":
        hour = local.hour % 12 or 12
        marker = (f'<p class="byline">Posted on <time class="entry-date">{EN_DAYS[local.weekday()]}, '
                  f'{EN_MONTHS[local.month - 1]} {local.day}, {local.year} at {hour}:{local:%M} '
                  f'{"pm" if local.hour >= 12 else "am"}</time></p>')
    elif style == "microdata":
        marker = (f'<span itemprop="datePublished" content="{local.isoformat()}">'
                  f'{local.day} {MONTHS[local.month - 1]} {local.year}</span>')
    elif style == "dublin_core":
        head = f'<meta name="DC.date.issued" content="{local:%Y-%m-%d}">'
    else:
        lead = f"{esc(_place(post)).upper()} - ({local.day}/{local.month}/{local.year}) {esc(_intro(post))}"
    body = (f'<div class="detail-berita"><h1 class="judul">{esc(post.title)}</h1>{marker}'
            f'<div class="isi"><p>{lead}</p></div></div>')
    return _document(post.title, head, body, req, None)


def respond_blorakab(channel: Channel, req: Request) -> Reply | None:
    path = req.path.rstrip("/")
    if path in ("", "/index.php", BLORAKAB_LISTING, "/index.php/public/berita"):
        return blorakab_listing(channel, req, 0)
    if path.startswith(BLORAKAB_LISTING + "/"):
        offset = path[len(BLORAKAB_LISTING) + 1:]
        return blorakab_listing(channel, req, int(offset)) if offset.isdigit() else not_found()
    if path.startswith(BLORAKAB_DETAIL):
        post = _post_at(channel, req, path, blorakab_path)
        return blorakab_article(post, req) if post else not_found()
    return None


def blorakab_listing(channel: Channel, req: Request, offset: int) -> Reply:
    posts = channel.visible(req.now)
    if offset % BLORAKAB_PAGE or (offset and offset >= len(posts)):
        return not_found()
    items = "".join(
        f'<div class="item-berita"><h4 class="judul-berita"><a href="{req.base}{blorakab_path(p)}">{esc(p.title)}'
        f'</a></h4><p>{esc(_intro(p))}...</p><a class="btn btn-primary btn-sm" href="{req.base}{blorakab_path(p)}">'
        "Read more</a></div>"
        for p in posts[offset: offset + BLORAKAB_PAGE])
    nav = ""
    if offset + BLORAKAB_PAGE < len(posts):
        # CodeIgniter's link inside the theme's own <a class="next" href="#">: nested anchors.
        nav = (f'<li><a class="next" href="#"><i class="fa fa-angle-right"></i><a href="{req.base}'
               f'{BLORAKAB_LISTING}/{offset + BLORAKAB_PAGE}" rel="next">Next</a></a></li>')
    body = (f'<div class="berita-list">{items}</div><ul class="pagination">'
            f'<li class="is-active-pagination"><a href="">{offset // BLORAKAB_PAGE + 1}</a></li>{nav}</ul>')
    return _document("Berita | Pemerintah Kabupaten Blora", "", body, req, newest(posts))


def blorakab_article(post: SimPost, req: Request) -> Reply:
    local = post.local(req.world.zone)
    day = f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
    body = (f'<div class="detail"><h3 class="title">{esc(post.title)}</h3>'
            f'<div class="tanggal-berita"><i class="fa fa-calendar"></i> {day}</div>'
            f'<div class="isi-berita"><p>BLORA - ({local.day}/{local.month}/{local.year}) {esc(_intro(post))}</p>'
            "</div></div>")
    return _document(f"{post.title} | Pemerintah Kabupaten Blora", "", body, req, None)


def _post_at(channel: Channel, req: Request, path: str, path_of=nodate_path) -> SimPost | None:
    for post in channel.visible(req.now):
        if path_of(post) == path:
            return post
    return None


def _intro(post: SimPost) -> str:
    return f"{post.title}. Kegiatan ini diikuti perangkat dan warga setempat"


def _place(post: SimPost) -> str:
    return "Blora"


def _document(title: str, head: str, body: str, req: Request, last_modified) -> Reply:
    local = req.now.astimezone(req.world.zone)
    today = f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year}"
    return html_reply(
        f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{esc(title)}</title>{head}</head>'
        f'<body><header class="site-header"><div class="top-bar">{today}</div>'
        f'<nav><a href="/">Beranda</a></nav></header><div class="container"><div class="col-md-8">{body}</div>'
        f"{SIDEBAR}</div><footer>&copy; {local.year} Pemerintah Kabupaten Blora</footer></body></html>",
        last_modified=last_modified)
