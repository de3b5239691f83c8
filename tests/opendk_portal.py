"""An OpenDK kecamatan portal served from pytest-httpserver (our markup, after OpenDK's routes).

- `/api/frontend/v1/artikel`: JSON:API with `page[number]`, `page[size]` (at most 100), `sort`
  (`-created_at` on the first API releases, `-tanggal_terbit` on later ones: an unknown sort is a
  400, as Spatie QueryBuilder answers), `status` 0 for drafts, `created_at` ISO in UTC,
  `X-RateLimit-*` headers and, when asked to, one 429 with Retry-After;
- `/api/frontend/v1/desa`: each village's `nama`, `kode_desa`, `website`;
- older portals (no API): the home page's list of `berita/{slug}` links without dates, Laravel's
  `?page=N` links, and each post's page with its day ("07 Oct 2022").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from werkzeug import Request, Response

WIB_OFFSET = timedelta(hours=7)
TOPICS = ("Rakor Camat dan Kades", "Pelantikan Perangkat Desa", "Monev Dana Desa", "Apel Siaga Bencana",
          "Musrenbang Kecamatan", "Pembinaan PKK Kecamatan", "Bimtek Siskeudes")
DESA = (("33.16.01.2001", "Bangkleyan", "https://bangkleyan.desa.example/"),
        ("33.16.01.2002", "Gempol", ""),
        ("33.16.01.2003", "Kepoh", "http://kepoh.desa.example/index.php/"),
        ("33.16.01.2099", "Sukamaju", "https://sukamaju.desa.example/"))


def posts(count: int = 130) -> list[dict]:
    """Newest first; every ninth a draft."""
    start = datetime(2025, 1, 3, 1, 30, tzinfo=UTC)
    rows = []
    for k in range(count):
        title = f"{TOPICS[k % len(TOPICS)]} {k + 1}"
        rows.append({"id": 900 + k, "judul": title, "slug": title.lower().replace(" ", "-"),
                     "created_at": start + timedelta(hours=53 * k), "status": 0 if k % 9 == 4 else 1})
    rows.reverse()
    return rows


@dataclass
class Portal:
    api: bool = True
    sort_column: str = "tanggal_terbit"  # created_at on the first API releases
    rate_limited_once: bool = False
    rows: list[dict] = field(default_factory=posts)
    base: str = ""

    def published(self) -> list[dict]:
        return [r for r in self.rows if r["status"] == 1]

    def handle(self, request: Request) -> Response:
        path = request.path
        if path == "/api/frontend/v1/artikel" and self.api:
            return self.artikel(request)
        if path == "/api/frontend/v1/desa" and self.api:
            return self.desa(request)
        if path == "/" or path == "":
            return self.home(int(request.args.get("page", "1")))
        if match := re.fullmatch(r"/berita/([^/]+)", path):
            return self.berita(match.group(1))
        return Response("Not Found", status=404)

    def artikel(self, request: Request) -> Response:
        if self.rate_limited_once:
            self.rate_limited_once = False
            return Response('{"message":"Too Many Attempts."}', status=429, content_type="application/json",
                            headers={"Retry-After": "1", "X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "0"})
        sort = request.args.get("sort", f"-{self.sort_column}")
        if sort.lstrip("-") not in (self.sort_column, "updated_at", "judul", "id"):
            return Response(json.dumps({"message": f"Requested sort(s) `{sort.lstrip('-')}` is not allowed."}),
                            status=400, content_type="application/json")
        size = min(int(request.args.get("page[size]", "15")), 100)
        number = int(request.args.get("page[number]", "1"))
        chunk = self.rows[(number - 1) * size: number * size]
        attributes = []
        for r in chunk:
            item = {"id_kategori": 1, "slug": r["slug"], "judul": r["judul"], "kategori_id": None,
                    "gambar": "/storage/artikel/x.jpg", "isi": "<p>Isi</p>", "status": r["status"],
                    "created_at": r["created_at"].strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                    "updated_at": (r["created_at"] + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")}
            if self.sort_column == "tanggal_terbit":
                item["tanggal_terbit"] = item["created_at"]
            attributes.append({"type": None, "id": str(r["id"]), "attributes": item})
        payload = {"data": attributes, "meta": {"pagination": {
            "total": len(self.rows), "count": len(chunk), "per_page": size, "current_page": number,
            "total_pages": max(1, math.ceil(len(self.rows) / size))}}}
        return Response(json.dumps(payload), content_type="application/json",
                        headers={"X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "118"})

    def desa(self, request: Request) -> Response:
        data = [{"type": "desa", "id": str(i + 1), "attributes": {
            "desa_id": code, "kode_desa": code, "nama": name, "sebutan_desa": "desa", "nama_lengkap": f"Desa {name}",
            "website": site, "website_url_feed": {"desa_id": code, "nama": f"Desa {name}", "website": f"{site}index.php/feed"}}}
            for i, (code, name, site) in enumerate(DESA)]
        payload = {"data": data, "meta": {"pagination": {"total": len(data), "count": len(data), "per_page": 30,
                                                         "current_page": 1, "total_pages": 1}}}
        return Response(json.dumps(payload), content_type="application/json")

    def home(self, number: int) -> Response:
        shown = self.published()
        pages = max(1, math.ceil(len(shown) / 10))
        items = "".join(
            f'<div class="post"><h5><b><a href="berita/{r["slug"]}">{escape(r["judul"])}</a></b></h5>'
            f'<p>Ringkasan...</p><a href="berita/{r["slug"]}" class="btn">Selengkapnya</a></div>'
            for r in shown[(number - 1) * 10: number * 10])
        links = "".join(f'<li><a href="{self.base}?page={i}">{i}</a></li>' for i in range(1, pages + 1))
        body = (f'<div id="kecamatan"><strong>Berita Kecamatan</strong>{items}<ul class="pagination">{links}</ul></div>'
                '<div id="desa"><a href="berita-desa">Berita Desa</a></div>')
        return Response(f"<html><body>{body}<footer>OpenDK</footer></body></html>", content_type="text/html")

    def berita(self, slug: str) -> Response:
        row = next((r for r in self.published() if r["slug"] == slug), None)
        if row is None:
            return Response("Not Found", status=404)
        body = (f'<div class="box"><h4><b>{escape(row["judul"])}</b></h4><p><i class="fa fa-calendar"></i>&ensp;'
                f'{(row["created_at"] + WIB_OFFSET):%d %b %Y}&ensp;|&ensp;<i class="fa fa-user"></i>&ensp;Admin</p></div>')
        return Response(f"<html><body>{body}</body></html>", content_type="text/html")


def serve(httpserver, portal: Portal) -> str:
    portal.base = httpserver.url_for("/")
    httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(portal.handle)
    return portal.base
