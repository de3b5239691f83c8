"""The explicit list of collector kinds: registry `collector` value -> collect function.

Listed by hand (as datasette lists its default plugins) so what exists is plain to see.
"""

from __future__ import annotations

from collectors import facebook, feed, instagram, tiktok
from collectors.base import Collect

COLLECTORS: dict[str, Collect] = {
    "feed": feed.collect,
    "instagram": instagram.collect,
    "facebook": facebook.collect,
    "tiktok": tiktok.collect,
}
