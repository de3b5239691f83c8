"""OpenDK kecamatan portals (variant "opendk"): the public JSON:API under /api/frontend/v1/.

- `artikel`: JSON:API pages (`page[number]`, `page[size]` capped at 100), newest first by `sort`;
  half the portals are the first API release (sorts `created_at`, `updated_at`, `judul`, `id`:
  `-tanggal_terbit` answers 400 as Spatie QueryBuilder does), the others a later one with
  `tanggal_terbit`. `created_at` is ISO 8601 in UTC with microseconds; `X-RateLimit-*` headers.
- `desa`: the kecamatan's villages from the registry (`kode_desa`, `nama`), each with the
  simulated website of its village when it has one.
- `/berita/{slug}`: the post's page; `/`: the portal's home page ("OpenDK" in the footer).
"""

from __future__ import annotations

import math
import re

from pantau.sim.formats import Reply, Request, esc, html_reply, json_reply, not_found
from pantau.sim.world import Channel, stable_int

API = "/api/frontend/v1/"
BERITA = re.compile(r"^/berita/([^/]+)/?$")
RATE_HEADERS = [("X-RateLimit-Limit", "120"), ("X-RateLimit-Remaining", "119")]


def sort_column(channel: Channel) -> str:
    return ("created_at", "tanggal_terbit")[stable_int(channel.source_id, "opendk", digits=6) % 2]


def respond(channel: Channel, req: Request) -> Reply | None:
    if req.path == API + "artikel":
        return artikel(channel, req)
    if req.path == API + "desa":
        return desa(channel, req)
    if match := BERITA.match(req.path):
        return berita(channel, req, match.group(1))
    if req.path in ("/", ""):
        return home(channel, req)
    return None


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def artikel(channel: Channel, req: Request) -> Reply:
    column = sort_column(channel)
    sort = req.arg("sort", f"-{column}") or f"-{column}"
    if sort.lstrip("-") not in (column, "updated_at", "judul", "id"):
        return json_reply({"message": f"Requested sort(s) `{sort.lstrip('-')}` is not allowed. "
                                      f"Allowed sort(s) are `{column}, updated_at, judul, id`."}, status=400)
    size = min(req.int_arg("page[size]", 15) or 15, 100)
    number = req.int_arg("page[number]", 1) or 1
    posts = channel.visible(req.now)  # newest first
    chunk = posts[(number - 1) * size: number * size]
    data = []
    for post in chunk:
        attributes = {"id_kategori": 1, "slug": post.slug, "judul": post.title, "kategori_id": None,
                      "gambar": f"/storage/artikel/{post.number}.jpg", "isi": f"<p>{esc(post.title)}</p>",
                      "status": 1, "created_at": _stamp(post.published), "updated_at": _stamp(post.published)}
        if column == "tanggal_terbit":
            attributes["tanggal_terbit"] = _stamp(post.published)
        data.append({"type": None, "id": str(post.number), "attributes": attributes})
    payload = {"data": data, "meta": {"pagination": {
        "total": len(posts), "count": len(chunk), "per_page": size, "current_page": number,
        "total_pages": max(1, math.ceil(len(posts) / size))}},
        "links": {"self": f"{req.base}{API}artikel?page[number]={number}"}}
    return json_reply(payload, headers=RATE_HEADERS)


def desa(channel: Channel, req: Request) -> Reply:
    world = req.world
    websites = {h.unit_id: h.base + "/" for h in world.hosts
                if any(c.variant.startswith("opensid") for c in h.channels)}
    villages = [u for u in world.units if u.parent_id == channel.unit_id]
    data = [{"type": "desa", "id": str(i + 1), "attributes": {
        "desa_id": u.code, "kode_desa": u.code, "nama": u.name.split(" ", 1)[-1], "sebutan_desa": u.kind,
        "nama_lengkap": u.name, "website": websites.get(u.unit_id, ""),
        "website_url_feed": {"desa_id": u.code, "nama": u.name,
                             "website": websites.get(u.unit_id, "") + "index.php/feed"}}}
        for i, u in enumerate(villages)]
    return json_reply({"data": data, "meta": {"pagination": {"total": len(data), "count": len(data),
                                                             "per_page": 100, "current_page": 1, "total_pages": 1}}},
                      headers=RATE_HEADERS)


def berita(channel: Channel, req: Request, slug: str) -> Reply:
    for post in channel.visible(req.now):
        if post.slug == slug:
            local = post.published.astimezone(req.world.zone)
            return html_reply(f"<html><body><div class=\"box\"><h4><b>{esc(post.title)}</b></h4><p>"
                              f"<i class=\"fa fa-calendar\"></i>&ensp;{local:%d %b %Y}</p></div></body></html>")
    return not_found()


def home(channel: Channel, req: Request) -> Reply:
    items = "".join(f'<h5><a href="berita/{p.slug}">{esc(p.title)}</a></h5>' for p in channel.visible(req.now)[:10])
    return html_reply(f"<html><body><div id=\"kecamatan\">{items}</div><a href=\"berita-desa\">Berita Desa</a>"
                      "<footer>OpenDK</footer></body></html>")
