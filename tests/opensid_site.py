"""An OpenSID village served from pytest-httpserver, in the shapes its releases serve.

The entries are tests/fixtures/opensid_premium/entries.json: articles, but also a static page,
an agenda item, a finance report and a disabled article, as the `artikel` table holds them.
The markup is ours, modelled on OpenSID's routes and on tema palanta's views:

- the feed (`index.php/feed`, `feed.xml`, `feed`): newest 50 enabled articles, RFC 822 pubDate;
- `internal_api/arsip` (JSON:API, `page[size]`, `page[number]`, `sort=-tgl_upload`), by GET or
  by POST; attributes `url_slug` (zero-padded Y/m/d), `judul`, `tgl_upload` ("d-m-Y H:i:s"),
  `tgl_upload_local` (tgl_indo), `hit`, `tipe`;
- `/arsip` of a premium theme (an empty `<tbody>` filled by DataTables), or the free theme's
  table (`arsip/N` by 20, "Diposting tanggal : 7 Oktober 2022", static pages and agenda
  included, article links without leading zeros);
- each entry's own page, its category printed in the meta block ("statis", "agenda"...);
- `sitemap.xml` with every entry (disabled and static ones too) and its `<lastmod>` day.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "opensid_premium"
WIB = ZoneInfo("Asia/Jakarta")
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]
ENTRIES = json.loads((FIXTURES / "entries.json").read_text())
HTML_PAGE = 20


def uploaded(entry: dict) -> datetime:
    return datetime.fromisoformat(entry["uploaded"])


def is_article(entry: dict) -> bool:
    return entry["tipe"] == "dinamis" and entry["enabled"]


def articles() -> list[dict]:
    return [e for e in ENTRIES if is_article(e)]


def identity(entry: dict) -> str:
    when = uploaded(entry)
    return f"/artikel/{when.year}/{when.month}/{when.day}/{entry['slug']}"


def tgl_indo(when: datetime) -> str:
    return f"{when.day} {BULAN[when.month - 1]} {when.year}"


@dataclass
class Village:
    """Which routes answer, and how; every request is logged by the server itself."""

    prefix: str = ""  # "" (URL rewriting) or "index.php/"
    feed: str = "ok"  # ok | 500 | 404
    json_method: str | None = "get"  # get | post | None (no JSON archive)
    premium: bool = True  # /arsip is the empty DataTables table
    zero_padded: bool = True  # the JSON's url_slug pads month and day (Carbon format Y/m/d)
    sitemap: bool = True
    # Entries (by slug) the JSON archive leaves out, as the anjungan_artikel category filter does.
    hidden_from_json: set[str] = field(default_factory=set)
    base: str = ""

    def link(self, entry: dict, padded: bool) -> str:
        when = uploaded(entry)
        day = f"{when:%Y/%m/%d}" if padded else f"{when.year}/{when.month}/{when.day}"
        return f"{self.base}{self.prefix}artikel/{day}/{entry['slug']}"

    # -- routes -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path.lstrip("/")
        if self.prefix:
            if not path.startswith(self.prefix):
                return not_found()
            path = path[len(self.prefix):]
        elif path.startswith("index.php/"):
            path = path[len("index.php/"):]  # CodeIgniter answers index.php/ routes on every install
        if path in ("feed", "feed.xml"):
            reply = self.feed_reply()
            # A cache in front of the site validates the feed: conditional GETs get 304.
            reply.add_etag()
            return reply.make_conditional(request)
        if path == "internal_api/arsip":
            return self.json_reply(request)
        if match := re.fullmatch(r"arsip(?:/(\d+))?", path):
            return self.archive_reply(int(match.group(1) or 1))
        if path == "sitemap.xml" and self.sitemap:
            return self.sitemap_reply()
        if match := re.fullmatch(r"artikel/(\d{4})/(\d{1,2})/(\d{1,2})/([^/]+)", path):
            return self.entry_reply(match.group(4))
        return not_found()

    def feed_reply(self) -> Response:
        if self.feed != "ok":
            return Response("error", status=int(self.feed))
        items = "".join(
            f"<item><title>{escape(e['title'])}</title><link>{self.link(e, False)}</link>"
            f"<guid>{self.link(e, False)}</guid><pubDate>{format_datetime(uploaded(e))}</pubDate></item>"
            for e in articles()[:50])
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Desa Karangjati</title>'
                f"<link>{self.base}</link><description>Situs desa</description>{items}</channel></rss>")
        return Response(body, content_type="text/xml; charset=UTF-8")

    def json_reply(self, request: Request) -> Response:
        if self.json_method is None or request.method.lower() != self.json_method:
            return Response("Not Found", status=404 if self.json_method is None else 405)
        args = parse_qs(request.get_data(as_text=True)) if request.method == "POST" else \
            {k: request.args.getlist(k) for k in request.args}
        size = int(args.get("page[size]", ["10"])[0])
        number = int(args.get("page[number]", ["1"])[0])
        shown = [e for e in ENTRIES if e["enabled"] and e["slug"] not in self.hidden_from_json]
        chunk = shown[(number - 1) * size: number * size]
        data = [{"type": "artikel", "id": str(e["id"]), "attributes": {
            "id": e["id"], "judul": e["title"], "tipe": e["tipe"], "hit": e["views"], "enabled": 1,
            "tgl_upload": f"{uploaded(e):%d-%m-%Y %H:%M:%S}", "tgl_upload_local": tgl_indo(uploaded(e)),
            "url_slug": self.link(e, self.zero_padded), "author": {"nama": "Operator Desa"}}} for e in chunk]
        payload = {"data": data, "meta": {"pagination": {
            "total": len(shown), "count": len(chunk), "per_page": size, "current_page": number,
            "total_pages": max(1, math.ceil(len(shown) / size))}}}
        return Response(json.dumps(payload), content_type="application/json")

    def archive_reply(self, number: int) -> Response:
        if self.premium:
            body = ('<table id="arsip-artikel" class="table table-striped"><thead><tr><th>No</th>'
                    "<th>Tanggal Artikel</th><th>Judul Artikel</th><th>Dibaca</th></tr></thead><tbody>\n"
                    "</tbody></table><script>$('#arsip-artikel').DataTable({serverSide: true, ajax: {url: '"
                    f"{self.base}{self.prefix}internal_api/arsip'" + "}});</script>")
            return page("Arsip Konten", body)
        shown = [e for e in ENTRIES if e["enabled"]]
        pages = max(1, math.ceil(len(shown) / HTML_PAGE))
        rows = "".join(
            f'<tr><td>{(number - 1) * HTML_PAGE + i + 1}</td><td><a href="{self.link(e, False)}">'
            f"<h3>{escape(e['title'])}</h3></a>Diposting tanggal : {tgl_indo(uploaded(e))}<br/>"
            f"Oleh : Operator Desa</td><td>{e['views']} dibaca</td></tr>"
            for i, e in enumerate(shown[(number - 1) * HTML_PAGE: number * HTML_PAGE]))
        body = (f'<div class="arsip"><table class="table table-striped"><tbody>{rows}</tbody></table>'
                f"<div>Halaman {number} dari {pages}</div></div>")
        return page("Arsip Konten", body)

    def sitemap_reply(self) -> Response:
        urls = "".join(f"<url><loc>{self.link(e, False)}</loc><lastmod>{uploaded(e):%Y-%m-%d}</lastmod></url>"
                       for e in ENTRIES)
        body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}</loc></url>{urls}</urlset>")
        return Response(body, content_type="application/xml")

    def entry_reply(self, slug: str) -> Response:
        entry = next((e for e in ENTRIES if e["slug"] == slug and e["enabled"]), None)
        if entry is None:
            return not_found()
        kategori = "Berita Desa" if entry["tipe"] == "dinamis" else entry["tipe"]
        when = uploaded(entry)
        agenda = ('<table class="table"><tr><td>Tanggal & Jam</td><td>:</td><td>besok</td></tr>'
                  "<tr><td>Lokasi</td><td>:</td><td>Balai Desa</td></tr><tr><td>Koordinator</td><td>:</td>"
                  "<td>Kasi Pemerintahan</td></tr></table>") if entry["tipe"] == "agenda" else ""
        body = (f'<div class="artike-page"><div class="bigmeta"><div class="artikel-meta"><div class="meta-item">'
                f'<i class="fa fa-edit"></i><p>{kategori}</p></div></div></div><h1>{escape(entry["title"])}</h1>'
                f'<div class="artikel-meta"><div class="meta-item"><i class="fa fa-calendar"></i>'
                f"<p>{tgl_indo(when)} {when:%H:%M:%S}</p></div></div>{agenda}<p>Isi.</p></div>")
        return page(entry["title"], body)


def page(title: str, body: str) -> Response:
    html = (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><main>{body}</main><footer>OpenSID</footer></body></html>")
    return Response(html, content_type="text/html; charset=UTF-8")


def not_found() -> Response:
    return Response("<h1>404 Page Not Found</h1>", status=404, content_type="text/html")


def serve(httpserver, village: Village) -> str:
    """Route every request to `village`; returns the address a clerk would register."""
    village.base = httpserver.url_for("/")
    httpserver.expect_request(re.compile(r"^/.*"), method="__ALL").respond_with_handler(village.handle)
    return village.base + village.prefix
