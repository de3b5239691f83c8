"""Screening results as the store keeps them, and as pages, exports and metrics read them back.

posts.flags holds the raised flags (`pamer;pembangunan`); posts.flag_terms holds, as JSON, for
each raised flag its matched terms and the explanation lines:
`{"pamer": {"terms": ["rumah + elit"], "why": ["Properti mewah: rumah + elit"]}}`. Rows written
before explanations existed hold `{"pamer": ["rolex"]}` and still read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pandas as pd

from pantau.labels import FLAG_LABELS
from pantau.models import Post
from pantau.screening.lexicon import lexicons
from pantau.screening.scoring import screen


def post_text(title: str | None, excerpt: str | None) -> str:
    """What is screened of a post: its title (or caption) and its text excerpt, as two sentences."""
    return "\n".join(part for part in (title or "", excerpt or "") if part)


def flags_for_posts(posts: Iterable[Post]) -> list[tuple[str, str, str, dict]]:
    """(source_id, external_id, flags, flag_terms) for each post, ready for Store.set_flags."""
    lex = lexicons()
    out = []
    for post in posts:
        result = screen(post_text(post.title, post.excerpt), lex)
        out.append((post.source_id, post.external_id, result.flags_str, result.stored))
    return out


def parse_flags(value: str | None) -> tuple[str, ...]:
    """posts.flags ('pamer;pembangunan') -> ('pamer', 'pembangunan')."""
    if not value or not isinstance(value, str):
        return ()
    return tuple(f for f in (p.strip().lower() for p in value.split(";")) if f)


def _stored(value: str | None) -> dict:
    if not value or not isinstance(value, str):
        return {}
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def parse_terms(value: str | None) -> dict[str, list[str]]:
    """posts.flag_terms (JSON) -> {flag: [terms]}; an unreadable value reads as no terms."""
    out = {}
    for flag, entry in _stored(value).items():
        terms = entry.get("terms", []) if isinstance(entry, dict) else entry
        if isinstance(terms, list):
            out[str(flag)] = [str(t) for t in terms]
    return out


def parse_reasons(value: str | None) -> dict[str, list[str]]:
    """posts.flag_terms (JSON) -> {flag: [explanation lines]}; older rows explain by their terms."""
    out = {}
    for flag, entry in _stored(value).items():
        lines = entry.get("why") if isinstance(entry, dict) else None
        if not isinstance(lines, list):
            lines = parse_terms(json.dumps({flag: entry})).get(str(flag), [])
        out[str(flag)] = [str(line) for line in lines]
    return out


def reasons_text(flags: str | None, flag_terms: str | None) -> str:
    """One cell for exports: 'pamer: Properti mewah: rumah + elit | bahasa: ...' in flag order."""
    reasons = parse_reasons(flag_terms)
    parts = []
    for flag in parse_flags(flags):
        lines = reasons.get(flag)
        if lines:
            parts.append(f"{flag}: " + "; ".join(lines))
    return " | ".join(parts)


def flag_label(flag: str) -> str:
    return FLAG_LABELS.get(flag, flag)


def has_flag(flags_series: pd.Series, flag: str) -> pd.Series:
    """Boolean mask of the posts whose posts.flags carries `flag` (for the public topic filter)."""
    if not re.fullmatch(r"[a-z_]+", flag):
        raise ValueError(f"not a flag name: {flag!r}")
    return flags_series.fillna("").astype(str).str.contains(rf"(?:^|;){flag}(?:;|$)", regex=True)

