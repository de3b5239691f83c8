"""What a unit's website runs on, its feed, and the social accounts it links.

`discover(http, url)` fetches one page through collectors/http.py and reads it with
BeautifulSoup. Platform signs, cheapest and surest first:
- WordPress: the `https://api.w.org/` link (in the HTML or the `Link` header), a WordPress
  generator, `/wp-content/` or `/wp-includes/` assets.
- OpenSID: an "OpenSID" generator or footer, a `/feed.xml` alternate link, or article links
  shaped `/artikel/Y/M/D/slug`.
- Blogger: a `blogger` generator, or a blogspot host.
- a CMS with a ready `html_listing` preset (pantau/presets.py): its listing path and selectors.
- OpenDK (a kecamatan portal): an "OpenDK" generator or footer, or its `berita-desa` page; its
  public API `/api/frontend/v1/desa` then lists the villages and their websites.
An OpenSID site's URL form is told from its own links: `/index.php/artikel/...` means the
install has no URL rewriting, and every route lives under `/index.php/`.
Social links are profile links only: share intents (facebook.com/sharer, twitter.com/intent,
…) and single posts (instagram.com/p/…, youtube.com/watch…) are not accounts. Nothing is
invented: a Facebook page linked by name gets no numeric id, and its row stays inactive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup

from collectors.errors import FetchError
from collectors.http import SourceHttp
from pantau.presets import PresetMatch, match_page
from pantau.redaction import redact_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml")
OPENSID_ARTICLE = re.compile(r"/artikel/\d{4}/\d{1,2}/\d{1,2}/[^/?#]+")
IG_RESERVED = {"p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct", "about", "legal",
               "developer", "share", "web", "s"}
FB_RESERVED = {"sharer", "sharer.php", "share", "share.php", "dialog", "plugins", "tr", "login", "login.php",
               "groups", "events", "watch", "photo.php", "photo", "photos", "permalink.php", "story.php",
               "hashtag", "l.php", "policies", "policy.php", "help", "privacy", "home.php", "pages",
               "people", "profile.php", "reel", "marketplace", "gaming", "business", "ads", "legal"}
X_RESERVED = {"intent", "share", "home", "search", "hashtag", "i", "login", "signup", "explore", "settings",
              "tos", "privacy", "messages", "notifications", "compose"}
YT_RESERVED = {"watch", "embed", "shorts", "playlist", "results", "feed", "redirect", "live", "post", "t",
               "about", "premium", "kids", "gaming", "music"}
CHANNEL_ID = re.compile(r"^UC[\w-]{22}$")
USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
X_NAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
HANDLE = re.compile(r"^@[\w.-]{2,30}$")
FB_ID_NOTE = "needs PANTAU_FB_TOKEN; check that this id is the unit's Page"
YT_CUSTOM_NOTE = "a /c/ or /user/ URL: replace it with the channel's @handle or /channel/UC… URL"


@dataclass(frozen=True)
class Account:
    platform: str  # instagram | facebook | youtube | tiktok | x
    address: str  # as the registry wants it; "" when it cannot be read from the link
    link: str  # the link as found
    note: str = ""  # what a person must check
    # Whether the row can be collected as soon as it is pasted (no token, address known).
    ready: bool = True


@dataclass(frozen=True)
class Village:
    """A village an OpenDK portal lists, with the website it gives (possibly empty)."""

    code: str
    name: str
    website: str


@dataclass
class Discovery:
    url: str
    platform: str = "other"  # wordpress | opensid | opendk | blogger | other
    evidence: list[str] = field(default_factory=list)
    feed: str = ""
    root: str = ""
    accounts: list[Account] = field(default_factory=list)
    # A ready html_listing preset the page matches (data/listing_presets.csv), and its listing.
    preset: PresetMatch | None = None
    # OpenSID only: "index.php" (no URL rewriting: routes under /index.php/) or "rewrite".
    form: str = ""
    # OpenDK only: the villages its API lists.
    villages: list[Village] = field(default_factory=list)
    villages_error: str = ""


DESA_API = "api/frontend/v1/desa"
MAX_DESA_PAGES = 20


def discover(http: SourceHttp, url: str) -> Discovery:
    response = http.get(url)
    found = read_page(response.url or url, response.text, dict(response.headers))
    if found.platform == "opendk":
        try:
            found.villages = opendk_villages(http, found.root)
        except (FetchError, ValueError) as exc:
            found.villages_error = f"{DESA_API} unreadable: {exc}"
    return found


def opendk_villages(http: SourceHttp, root: str) -> list[Village]:
    """Every village of an OpenDK portal's public API, page by page."""
    villages: list[Village] = []
    for number in range(1, MAX_DESA_PAGES + 1):
        payload = http.get(root + DESA_API, params={"page[number]": number, "page[size]": 100},
                           headers={"Accept": "application/json"}).json()
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise ValueError("answer without a data list")
        for entry in data:
            attributes = entry.get("attributes") if isinstance(entry, dict) else None
            if not isinstance(attributes, dict):
                continue
            website = str(attributes.get("website") or "").strip()
            villages.append(Village(code=str(attributes.get("kode_desa") or attributes.get("desa_id") or "").strip(),
                                    name=str(attributes.get("nama") or "").strip(),
                                    website=website if website.startswith(("http://", "https://")) else ""))
        pagination = (payload.get("meta") or {}).get("pagination") or {}
        if not data or number >= int(pagination.get("total_pages") or 1):
            break
    return villages


def read_page(url: str, html: str, headers: dict[str, str] | None = None) -> Discovery:
    soup = BeautifulSoup(html, "lxml")
    found = Discovery(url=redact_url(url))
    found.platform, found.evidence = platform_of(url, html, soup, headers or {})
    found.feed = feed_of(url, soup)
    found.root = site_root(url, soup)
    if found.platform == "other":
        found.preset = match_page(url, soup)
    if found.platform == "opensid":
        found.form = opensid_form(url, soup)
        if found.form == "index.php":
            found.root += "index.php/"
    seen: set[tuple[str, str]] = set()
    for anchor in soup.find_all("a", href=True):
        account = account_of(urljoin(url, anchor["href"].strip()))
        if account and (account.platform, account.address or account.link) not in seen:
            seen.add((account.platform, account.address or account.link))
            found.accounts.append(account)
    return found


def site_root(url: str, soup: BeautifulSoup | None = None) -> str:
    """The site's root: where its WordPress REST API lives when it says so, else scheme://host/."""
    if soup is not None:
        for x in soup.find_all("link", href=True):
            if "https://api.w.org/" in (x.get("rel") or []):
                href = urljoin(url, x["href"])
                if "/wp-json" in href:
                    return href.split("/wp-json", 1)[0] + "/"
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def opensid_form(url: str, soup: BeautifulSoup) -> str:
    """"index.php" when the site's own article links (or the URL given) carry /index.php/."""
    links = [urljoin(url, a["href"]) for a in soup.find_all("a", href=True) if OPENSID_ARTICLE.search(a["href"])]
    if "/index.php/" in urlsplit(url).path or any("/index.php/artikel/" in link for link in links):
        return "index.php"
    return "rewrite"


def platform_of(url: str, html: str, soup: BeautifulSoup, headers: dict[str, str]) -> tuple[str, list[str]]:
    generator = " ".join(m.get("content", "") for m in soup.find_all("meta", attrs={"name": "generator"})).lower()
    link_header = " ".join(v for k, v in headers.items() if k.lower() == "link")
    api_links = [x for x in soup.find_all("link", href=True) if "https://api.w.org/" in (x.get("rel") or [])]
    wordpress = []
    if api_links:
        wordpress.append("api.w.org link")
    if "api.w.org" in link_header:
        wordpress.append("api.w.org Link header")
    if "wordpress" in generator:
        wordpress.append("WordPress generator")
    if "/wp-content/" in html or "/wp-includes/" in html:
        wordpress.append("wp-content assets")
    if wordpress:
        return "wordpress", wordpress
    opendk = []
    if "opendk" in generator:
        opendk.append("OpenDK generator")
    paths = [urlsplit(urljoin(url, a["href"])).path.rstrip("/") for a in soup.find_all("a", href=True)]
    if any(path.endswith("/berita-desa") for path in paths):
        opendk.append("berita-desa page")
    if re.search(r"\bOpenDK\b", soup.get_text(" ")):
        opendk.append("OpenDK named on the page")
    if opendk:
        return "opendk", opendk
    opensid = []
    if "opensid" in generator:
        opensid.append("OpenSID generator")
    if any(urlsplit(x.get("href", "")).path.endswith("/feed.xml") for x in soup.find_all("link", href=True)):
        opensid.append("feed.xml link")
    if any(OPENSID_ARTICLE.search(a["href"]) for a in soup.find_all("a", href=True)):
        opensid.append("/artikel/Y/M/D/ links")
    if re.search(r"\bOpenSID\b", soup.get_text(" ")):
        opensid.append("OpenSID named on the page")
    if opensid:
        return "opensid", opensid
    host = (urlsplit(url).hostname or "").lower()
    if "blogger" in generator or host.endswith(".blogspot.com") or ".blogspot." in host:
        return "blogger", ["blogger generator" if "blogger" in generator else "blogspot host"]
    return "other", []


def feed_of(url: str, soup: BeautifulSoup) -> str:
    """The site's main feed: the first RSS/Atom alternate that is not a comments feed."""
    feeds = [
        urljoin(url, x["href"]) for x in soup.find_all("link", href=True)
        if "alternate" in (x.get("rel") or []) and (x.get("type") or "").lower() in FEED_TYPES
    ]
    main = [f for f in feeds if "comment" not in f.lower()]
    return (main or feeds or [""])[0]


def account_of(link: str) -> Account | None:
    """The account a link points to, or None for share intents, single posts and other pages."""
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.").removeprefix("web.")
    segments = [s for s in parts.path.split("/") if s]
    if host in ("instagram.com", "instagr.am"):
        if len(segments) >= 1 and segments[0].lower() not in IG_RESERVED and USERNAME.match(segments[0]):
            name = segments[0]
            return Account("instagram", name, f"https://www.instagram.com/{name}/",
                           "needs PANTAU_IG_TOKEN and PANTAU_IG_USER_ID; the account must be Business/Creator",
                           ready=False)
        return None
    if host in ("facebook.com", "fb.com"):
        return _facebook(parts, segments)
    if host in ("youtube.com",):
        return _youtube(segments)
    if host == "tiktok.com":
        if segments and segments[0].startswith("@") and len(segments[0]) > 1:
            return Account("tiktok", f"https://www.tiktok.com/{segments[0]}", link)
        return None
    if host in ("twitter.com", "x.com"):
        if len(segments) >= 1 and segments[0].lower() not in X_RESERVED and X_NAME.match(segments[0]) \
                and (len(segments) == 1 or segments[1] not in ("status", "statuses")):
            return Account("x", f"https://x.com/{segments[0]}", link, "X has no collector: registered, not collected",
                           ready=False)
        return None
    return None


def _facebook(parts, segments: list[str]) -> Account | None:
    if not segments:
        return None
    first = segments[0].lower()
    link = f"https://www.facebook.com/{'/'.join(segments)}"
    if first == "profile.php":
        ident = (parse_qs(parts.query).get("id") or [""])[0]
        if ident.isdigit():
            return Account("facebook", ident, f"https://www.facebook.com/profile.php?id={ident}",
                           FB_ID_NOTE, ready=False)
        return None
    if first in ("pages", "people") and len(segments) >= 3 and segments[2].isdigit():
        return Account("facebook", segments[2], link, FB_ID_NOTE, ready=False)
    if first in FB_RESERVED or not re.fullmatch(r"[A-Za-z0-9.\-]{2,80}", segments[0]):
        return None
    if segments[0].isdigit():
        return Account("facebook", segments[0], link, FB_ID_NOTE, ready=False)
    return Account("facebook", "", f"https://www.facebook.com/{segments[0]}",
                   f"find the numeric Page id of https://www.facebook.com/{segments[0]} "
                   "(Page > About > Page transparency) and put it in address", ready=False)


def _youtube(segments: list[str]) -> Account | None:
    if not segments:
        return None
    first = segments[0]
    if HANDLE.match(first):
        return Account("youtube", f"https://www.youtube.com/{first}", f"https://www.youtube.com/{first}")
    if first == "channel" and len(segments) >= 2 and CHANNEL_ID.match(segments[1]):
        url = f"https://www.youtube.com/channel/{segments[1]}"
        return Account("youtube", url, url)
    if first in ("c", "user") and len(segments) >= 2:
        url = f"https://www.youtube.com/{first}/{segments[1]}"
        return Account("youtube", url, url, YT_CUSTOM_NOTE, ready=False)
    return None
