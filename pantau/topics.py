"""What a unit's posts are about, by screening's topic flags: the Unit page's "Isi publikasi".

Each post counts once however many topics it carries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pantau.labels import TOPICS, WORK_TOPICS
from pantau.screening import parse_flags


@dataclass(frozen=True)
class TopicShares:
    """How a set of posts divides by topic, each post counted once however many topics it has."""

    posts: int  # every post
    tagged: int  # posts with at least one topic
    work: int  # tagged posts with at least one work topic

    @property
    def work_share(self) -> float:
        """Share of topic-tagged posts that report work; NaN when none is tagged."""
        return self.work / self.tagged if self.tagged else float("nan")

    @property
    def ceremony_only_share(self) -> float:
        """Share of topic-tagged posts whose only topic is seremonial; NaN when none is tagged."""
        return (self.tagged - self.work) / self.tagged if self.tagged else float("nan")


def topic_shares(flags_series: Iterable[str | None]) -> TopicShares:
    """Posts, topic-tagged posts and work posts among the posts' flags (posts.flags values).

    Shown on the Unit page as "% melaporkan kerja" (work_share) and "% seremonial saja".
    """
    posts = tagged = work = 0
    for value in flags_series:
        posts += 1
        flags = set(parse_flags(value))
        if not flags & set(TOPICS):
            continue
        tagged += 1
        if flags & set(WORK_TOPICS):
            work += 1
    return TopicShares(posts, tagged, work)


def work_share(flags_series: Iterable[str | None]) -> float:
    """Share of topic-tagged posts that report work: the Unit page's "% melaporkan kerja".

    Over the posts carrying at least one topic (pembangunan, layanan, kesehatan, pendidikan or
    seremonial), the share carrying at least one *work* topic (any topic but seremonial). A post
    tagged both (the inauguration of a bridge) counts as work, and a post with two work topics
    counts once; a post with no topic at all (a greeting without "selamat hari", a harvest report)
    is left out of both counts, because screening cannot say what it is. NaN when no post carries
    a topic: 'no data' is not 0 %.
    """
    return topic_shares(flags_series).work_share
