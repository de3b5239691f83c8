"""The explicit list of collector kinds: registry `collector` value -> collect function.

Listed by hand (as datasette lists its default plugins) so what exists is plain to see.
"""

from __future__ import annotations

from collectors import blogger, feed, html_listing, opensid, wordpress, youtube
from collectors.base import Collect

COLLECTORS: dict[str, Collect] = {
    "wordpress": wordpress.collect,
    "feed": feed.collect,
    "blogger": blogger.collect,
    "opensid": opensid.collect,
    "youtube": youtube.collect,
    "html_listing": html_listing.collect,
}
