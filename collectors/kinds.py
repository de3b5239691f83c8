"""The explicit list of collector kinds: registry `collector` value -> collect function.

Listed by hand (as datasette lists its default plugins) so what exists is plain to see.
"""

from __future__ import annotations

from collectors import feed, html_listing, opensid, youtube
from collectors.base import Collect

COLLECTORS: dict[str, Collect] = {
    "feed": feed.collect,
    "opensid": opensid.collect,
    "youtube": youtube.collect,
    "html_listing": html_listing.collect,
}
