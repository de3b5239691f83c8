"""The explicit list of collector kinds: registry `collector` value -> collect function.

Listed by hand (as datasette lists its default plugins) so what exists is plain to see.
"""

from __future__ import annotations

from collectors import (
    blogger,
    facebook,
    feed,
    html_listing,
    instagram,
    opendk,
    opensid,
    tiktok,
    wordpress,
    youtube,
)
from collectors.base import Collect

COLLECTORS: dict[str, Collect] = {
    "wordpress": wordpress.collect,
    "feed": feed.collect,
    "blogger": blogger.collect,
    "opensid": opensid.collect,
    "opendk": opendk.collect,
    "youtube": youtube.collect,
    "html_listing": html_listing.collect,
    "instagram": instagram.collect,
    "facebook": facebook.collect,
    "tiktok": tiktok.collect,
}
