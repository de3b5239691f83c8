"""Screening: flags on posts that point a human to a second look, never a verdict.

Two kinds of flags are raised from a post's title, caption and excerpt:

- review flags (`pamer`: possible display of luxury; `bahasa`: impolite or aggressive language),
  shown on the internal Tinjauan Konten page with the terms that raised them;
- topics (`pembangunan`, `layanan`, `kesehatan`, `pendidikan`, `seremonial`), used by the public
  filter ("posts about development in my area") and by `work_share`.

Every rule is data: the word lists, their weights, the context terms that lower a score, the
spelling variants and the affixes live in editable CSV files under `data/lexicons/` (documented in
`data/lexicons/README.md`). This module only normalises text and adds weights up.

Matching works on tokens, never on raw substrings, so "asu" does not fire inside "Asusila" or
"asuhan". Tokens are compared by their *skeleton* (every run of a repeated letter collapsed to
one), so "anjiiing" and "goblokkk" match "anjing" and "goblok".
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pantau.config import DATA_DIR
from pantau.labels import (  # noqa: F401  (screening's callers import the flags from here too)
    FLAG_LABELS,
    REVIEW_FLAG_LABELS,
    REVIEW_FLAGS,
    REVIEW_MARKS,
    TOPIC_LABELS,
    TOPICS,
    WORK_TOPICS,
)
from pantau.models import Post

log = logging.getLogger(__name__)

LEXICON_DIR = DATA_DIR / "lexicons"

# A match found through a disguised spelling ("4njing", "anj*ng", "b.a.n.g.s.a.t") adds this to the
# term's weight: someone who hides a word knows what it means, so literal-use contexts matter less.
OBFUSCATION_BONUS = 0.5

MATCH_MODES = ("word", "stem")


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names FILE:ROW:COLUMN."""


# ---------------------------------------------------------------------------------------------
# Lexicon files


@dataclass(frozen=True)
class Term:
    text: str  # as written in the file, shown to reviewers
    tokens: tuple[str, ...]  # skeletons of its words
    weight: float
    mode: str  # "word": the token itself; "stem": also the token with affixes removed


@dataclass(frozen=True)
class Context:
    text: str
    tokens: tuple[str, ...]
    weight: float  # subtracted
    applies_to: frozenset[str]  # term texts it lowers; empty = the flag's whole score


@dataclass(frozen=True)
class FlagRules:
    flag: str
    group: str  # review | topic
    label: str
    threshold: float
    terms: tuple[Term, ...]
    contexts: tuple[Context, ...]
    term_index: _Index = field(compare=False, repr=False)
    context_index: _Index = field(compare=False, repr=False)


@dataclass(frozen=True)
class Affixes:
    prefixes: tuple[tuple[str, str], ...]  # (prefix, letter restored before a vowel, or "")
    suffixes: tuple[str, ...]


@dataclass(frozen=True)
class Lexicons:
    flags: tuple[FlagRules, ...]
    variants: dict[str, tuple[str, ...]]  # skeleton of a spelling variant -> canonical skeletons
    affixes: Affixes
    maskable: tuple[str, ...]  # single-word `bahasa` terms, to read "anj*ng" against

    def rules(self, flag: str) -> FlagRules:
        for rules in self.flags:
            if rules.flag == flag:
                return rules
        raise KeyError(flag)


def _rows(path: Path, required: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of a CSV lexicon as (row number, dict); '#' lines are comments, header is row 1."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1)]
    data = [(n, line) for n, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not data:
        raise LexiconError(f"{path}:1: empty file, expected a header {','.join(required)}")
    header_no, header_line = data[0]
    header = [h.strip() for h in next(csv.reader([header_line]))]
    missing = [c for c in required if c not in header]
    if missing:
        raise LexiconError(f"{path}:{header_no}: missing column(s) {', '.join(missing)}")
    for number, line in data[1:]:
        values = next(csv.reader([line]))
        if len(values) > len(header):
            raise LexiconError(f"{path}:{number}: {len(values)} cells, the header has {len(header)}")
        row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        yield number, row


def _weight(path: Path, number: int, column: str, value: str, default: float | None = None) -> float:
    if not value and default is not None:
        return default
    try:
        weight = float(value.replace(",", "."))
    except ValueError:
        raise LexiconError(f"{path}:{number}:{column}: expected a number, got {value!r}") from None
    if not math.isfinite(weight) or weight < 0:
        raise LexiconError(f"{path}:{number}:{column}: expected a number >= 0, got {value!r}")
    return weight


def _term_tokens(text: str) -> tuple[str, ...]:
    return tuple(skeleton(t) for t in _plain_words(text))


def _read_terms(path: Path) -> tuple[Term, ...]:
    terms: dict[str, Term] = {}
    for number, row in _rows(path, ("term", "weight")):
        text = row["term"].lower()
        if not text:
            raise LexiconError(f"{path}:{number}:term: empty term")
        tokens = _term_tokens(text)
        if not tokens:
            raise LexiconError(f"{path}:{number}:term: {row['term']!r} has no letters")
        mode = (row.get("match") or "word").lower()
        if mode not in MATCH_MODES:
            raise LexiconError(f"{path}:{number}:match: expected one of {', '.join(MATCH_MODES)}, got {mode!r}")
        if text in terms:
            raise LexiconError(f"{path}:{number}:term: {text!r} is listed twice")
        terms[text] = Term(text, tokens, _weight(path, number, "weight", row["weight"]), mode)
    return tuple(terms.values())


def _read_contexts(path: Path, terms: Sequence[Term]) -> tuple[Context, ...]:
    if not path.exists():
        return ()
    known = {t.text for t in terms}
    contexts = []
    for number, row in _rows(path, ("term", "weight")):
        text = row["term"].lower()
        tokens = _term_tokens(text)
        if not tokens:
            raise LexiconError(f"{path}:{number}:term: empty term")
        targets = frozenset(t.strip().lower() for t in row.get("applies_to", "").split(";") if t.strip())
        unknown = sorted(targets - known)
        if unknown:
            raise LexiconError(f"{path}:{number}:applies_to: {', '.join(unknown)} not in {path.name.split('_')[0]}.csv")
        contexts.append(Context(text, tokens, _weight(path, number, "weight", row["weight"]), targets))
    return tuple(contexts)


def load_lexicons(directory: Path = LEXICON_DIR) -> Lexicons:
    """Read and validate every lexicon file of a folder."""
    directory = Path(directory)
    flags_path = directory / "flags.csv"
    flag_rules = []
    for number, row in _rows(flags_path, ("flag", "group", "label", "threshold")):
        flag = row["flag"].lower()
        if not re.fullmatch(r"[a-z_]+", flag):
            raise LexiconError(f"{flags_path}:{number}:flag: expected lowercase letters, got {row['flag']!r}")
        if row["group"] not in ("review", "topic"):
            raise LexiconError(f"{flags_path}:{number}:group: expected review or topic, got {row['group']!r}")
        terms_path = directory / f"{flag}.csv"
        if not terms_path.exists():
            raise LexiconError(f"{flags_path}:{number}:flag: no word list {terms_path.name} for {flag!r}")
        terms = _read_terms(terms_path)
        contexts = _read_contexts(directory / f"{flag}_context.csv", terms)
        threshold = _weight(flags_path, number, "threshold", row["threshold"])
        if threshold <= 0:
            raise LexiconError(f"{flags_path}:{number}:threshold: must be above 0")
        flag_rules.append(FlagRules(flag, row["group"], row["label"] or FLAG_LABELS.get(flag, flag),
                                    threshold, terms, contexts, _Index.build(terms), _Index.build(contexts)))

    variants: dict[str, tuple[str, ...]] = {}
    variants_path = directory / "normalisation.csv"
    for number, row in _rows(variants_path, ("variant", "canonical")):
        variant = [skeleton(t) for t in _plain_words(row["variant"].lower())]
        canonical = _term_tokens(row["canonical"].lower())
        if len(variant) != 1 or not canonical:
            raise LexiconError(f"{variants_path}:{number}:variant: expected one word and a canonical form")
        variants[variant[0]] = canonical

    prefixes, suffixes = [], []
    affix_path = directory / "affixes.csv"
    for number, row in _rows(affix_path, ("kind", "affix")):
        affix = row["affix"].lower()
        if not affix.isalpha():
            raise LexiconError(f"{affix_path}:{number}:affix: expected letters, got {row['affix']!r}")
        if row["kind"] == "prefix":
            prefixes.append((affix, row.get("restore", "").lower()))
        elif row["kind"] == "suffix":
            suffixes.append(affix)
        else:
            raise LexiconError(f"{affix_path}:{number}:kind: expected prefix or suffix, got {row['kind']!r}")
    # Longest first, so "peng" is tried before "pe".
    prefixes.sort(key=lambda p: -len(p[0]))
    suffixes.sort(key=len, reverse=True)

    maskable: tuple[str, ...] = ()
    for rules in flag_rules:
        if rules.flag == "bahasa":
            maskable = tuple(sorted({t.tokens[0] for t in rules.terms if len(t.tokens) == 1}))
    return Lexicons(tuple(flag_rules), variants, Affixes(tuple(prefixes), tuple(suffixes)), maskable)


@lru_cache(maxsize=4)
def lexicons(directory: str | None = None) -> Lexicons:
    """The lexicons, read once per process (call `lexicons.cache_clear()` after editing files)."""
    return load_lexicons(Path(directory) if directory else LEXICON_DIR)


# ---------------------------------------------------------------------------------------------
# Normalisation

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Sentence ends: phrases never match across them.
_BOUNDARY = re.compile(r"[.!?;:\n\r]+(?:\s|$)|\n")
_LEET_DIGITS = str.maketrans({"4": "a", "1": "i", "0": "o", "3": "e", "5": "s", "7": "t"})
_LEET_SYMBOLS = str.maketrans({"@": "a", "$": "s", "!": "i", "|": "i"})
_DOTTED = re.compile(r"^(?:[a-z][.\-_]){2,}[a-z]$")  # b.a.n.g.s.a.t, a-n-j-i-n-g
_RUNS = re.compile(r"(.)\1+")
_EDGE_PUNCTUATION = "\"'()[]{}<>,.;:?!~`^&%=+/\\-_"
_LEET_SYMBOL_INSIDE = re.compile(r"(?<=[a-z0-9])[@$!|](?=[a-z0-9*])")
_DOTS = re.compile(r"[.\-_]")
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"\d{2,}")
_LONG_RUNS = re.compile(r"(.)\1{2,}")


def skeleton(word: str) -> str:
    """A word with every run of a repeated character collapsed: 'mantulll' -> 'mantul'."""
    return _RUNS.sub(r"\1", word)


def _collapse_long_runs(word: str) -> str:
    """Runs of three or more letters are emphasis ('asuuu'), two may be spelling ('cangkemmu')."""
    return _LONG_RUNS.sub(r"\1", word)


def _fold(text: str) -> str:
    """Unicode compatibility form, accents removed (fancy fonts and 'é' become plain letters)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _plain_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _fold(text).lower())


@dataclass
class Token:
    word: str  # lowercase letters and digits, as written (affixes are removed from this form)
    disguised: bool = False  # found through leetspeak, masking or spacing
    skeleton: str = field(init=False)  # compared with the lexicons' skeletons

    def __post_init__(self) -> None:
        self.skeleton = _RUNS.sub(r"\1", self.word)


def _hashtag_words(raw: str) -> str:
    return _CAMEL.sub(" ", raw[1:]) if raw.startswith("#") else raw


def _read_raw_token(raw: str, lex: Lexicons) -> list[Token]:
    """One whitespace-separated chunk (already folded) -> tokens, undoing the usual disguises."""
    raw = _hashtag_words(raw).lower()
    if raw.startswith("@"):  # a mention, not leetspeak
        raw = raw[1:]
    core = raw.strip(_EDGE_PUNCTUATION)
    if not core:
        return []
    symbol_disguise = False
    # Symbols standing for letters, only between letters or digits ("b@ngsat", "anj!ng", "a$u").
    inner = _LEET_SYMBOL_INSIDE.sub(lambda m: m.group().translate(_LEET_SYMBOLS), core)
    if inner != core:
        symbol_disguise, core = True, inner
    if "*" in core:
        unmasked = _unmask(core, lex)
        if unmasked:
            return [Token(unmasked, True)]
    if _DOTTED.match(core):
        return [Token(_DOTS.sub("", core), True)]
    tokens = []
    for part in _WORD.findall(core):
        disguised = symbol_disguise
        # "covid19", "hut80", "17an" are not disguises: a number is two digits or more in a row,
        # a disguise swaps single letters ("4njing", "b4ngsat", "t0l0l").
        if not part.isalpha() and not part.isdigit() and not _NUMBER.search(part):
            part, disguised = part.translate(_LEET_DIGITS), True
        tokens.append(Token(part, disguised))
    return tokens


def _unmask(core: str, lex: Lexicons) -> str | None:
    """'anj*ng' -> 'anjing' when exactly one bahasa word fits the mask."""
    letters = sum(c.isalpha() for c in core)
    if letters < 2 or core.count("*") > letters or not re.fullmatch(r"[a-z*]+", core):
        return None
    pattern = re.compile("".join("[a-z]+" if c == "*" else re.escape(c) for c in skeleton(core)))
    fits = [word for word in lex.maskable if pattern.fullmatch(word)]
    return fits[0] if len(fits) == 1 else None


def _join_spaced_letters(tokens: list[Token | None]) -> list[Token | None]:
    """'a n j i n g' -> 'anjing': three or more single letters in a row are one disguised word."""
    out: list[Token | None] = []
    run: list[Token] = []

    def flush() -> None:
        if len(run) >= 3:
            out.append(Token("".join(t.word for t in run), True))
        else:
            out.extend(run)
        run.clear()

    for token in tokens:
        if token is not None and len(token.skeleton) == 1 and token.skeleton.isalpha():
            run.append(token)
            continue
        flush()
        out.append(token)
    flush()
    return out


def tokenize(text: str, lex: Lexicons | None = None) -> list[Token | None]:
    """Normalised tokens of a text; None marks a sentence boundary that phrases never cross."""
    lex = lex or lexicons()
    text = _fold(_URL.sub(" ", text or ""))
    tokens: list[Token | None] = []
    for sentence in _BOUNDARY.split(text):
        for raw in sentence.split():
            for token in _read_raw_token(raw, lex):
                canonical = lex.variants.get(token.skeleton)
                if canonical:
                    tokens.extend(Token(c, token.disguised) for c in canonical)
                else:
                    tokens.append(token)
        if tokens and tokens[-1] is not None:
            tokens.append(None)
    return _join_spaced_letters(tokens)


def stems(word: str, affixes: Affixes) -> set[str]:
    """The word and the forms left after removing Indonesian affixes (di-, ke-, peng-, -nya, -kan...).

    Over-generates on purpose: a candidate counts only when it equals a listed `stem` term.
    Nasal prefixes may have swallowed a first letter (pem+p, pen+t, peng+k, peny+s): `restore` puts it back.
    """
    found = {word}
    frontier = {word}
    for _ in range(2):  # at most two layers each side: di-per-baik-i, pe-nye-lenggara-an-nya
        nxt = set()
        for w in frontier:
            for suffix in affixes.suffixes:
                if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                    nxt.add(w[: -len(suffix)])
            for prefix, restore in affixes.prefixes:
                if w.startswith(prefix) and len(w) - len(prefix) >= 3:
                    rest = w[len(prefix):]
                    nxt.add(rest)
                    if restore and rest[0] in "aiueo":
                        nxt.add(restore + rest)
        nxt -= found
        found |= nxt
        frontier = nxt
    return {skeleton(w) for w in found}


# ---------------------------------------------------------------------------------------------
# Scoring


@dataclass(frozen=True)
class Screening:
    """The flags raised on one text, the terms that raised them and every flag's score."""

    flags: tuple[str, ...]
    terms: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    # Context terms found per flag (they lowered its score); shown to reviewers beside the terms.
    contexts: dict[str, list[str]] = field(default_factory=dict)

    @property
    def flags_str(self) -> str:
        return ";".join(self.flags)


@dataclass(frozen=True)
class _Index:
    """A flag's terms by their first word, and its one-word stem terms by stem: one pass per text."""

    by_first: dict[str, tuple[Term | Context, ...]]
    by_stem: dict[str, tuple[Term, ...]]

    @classmethod
    def build(cls, items: Iterable[Term | Context]) -> _Index:
        by_first: dict[str, list] = {}
        by_stem: dict[str, list] = {}
        for item in items:
            if getattr(item, "mode", "word") == "stem" and len(item.tokens) == 1:
                by_stem.setdefault(item.tokens[0], []).append(item)
            else:
                by_first.setdefault(item.tokens[0], []).append(item)
        return cls({k: tuple(v) for k, v in by_first.items()}, {k: tuple(v) for k, v in by_stem.items()})


@lru_cache(maxsize=200_000)
def _stems_of(word: str, affixes: Affixes) -> frozenset[str]:
    return frozenset(stems(_collapse_long_runs(word), affixes))


class _Text:
    """A tokenised text with its words' stems worked out once, on demand."""

    def __init__(self, tokens: list[Token | None], affixes: Affixes):
        self.tokens = tokens
        self.affixes = affixes
        self._stems: dict[int, frozenset[str]] = {}

    def stems_at(self, i: int) -> frozenset[str]:
        found = self._stems.get(i)
        if found is None:
            found = self._stems[i] = _stems_of(self.tokens[i].word, self.affixes)
        return found

    def phrase_at(self, i: int, item: Term | Context) -> bool | None:
        """Whether `item` (whose first word matched at i) occurs there: None, or its disguise."""
        words = item.tokens
        last = len(words) - 1
        disguised = self.tokens[i].disguised
        for j in range(1, len(words)):
            if i + j >= len(self.tokens):
                return None
            token = self.tokens[i + j]
            if token is None:
                return None
            if token.skeleton != words[j] and not (
                getattr(item, "mode", "word") == "stem" and j == last and words[j] in self.stems_at(i + j)
            ):
                return None
            disguised = disguised or token.disguised
        return disguised

    def occurrences(self, index: _Index) -> dict[str, tuple[int, bool, Term | Context]]:
        """First (position, disguised, item) of every indexed item found in the text, by its text."""
        found: dict[str, tuple[int, bool, Term | Context]] = {}
        for i, token in enumerate(self.tokens):
            if token is None:
                continue
            for item in index.by_first.get(token.skeleton, ()):
                if item.text not in found:
                    disguised = self.phrase_at(i, item)
                    if disguised is not None:
                        found[item.text] = (i, disguised, item)
            if index.by_stem:
                for stem in self.stems_at(i):
                    for item in index.by_stem.get(stem, ()):
                        found.setdefault(item.text, (i, token.disguised, item))
        return found


def _score(rules: FlagRules, doc: _Text) -> tuple[float, list[str], list[str]]:
    spans: dict[str, tuple[int, int, float, bool]] = {}
    for start, disguised, term in doc.occurrences(rules.term_index).values():
        weight = term.weight + (OBFUSCATION_BONUS if disguised else 0.0)
        spans[term.text] = (start, start + len(term.tokens), weight, term.mode == "stem")
    if not spans:
        return 0.0, [], []
    # Words count once: "harley" inside a matched "harley davidson", or the stem "bangun" on the
    # same word as "pembangunan", are the same evidence. Keep the longest span, then the heaviest,
    # then the exact word over the stem (the reviewer sees the word as written).
    ranked = sorted(spans.items(), key=lambda kv: (kv[1][0] - kv[1][1], -kv[1][2], kv[1][3], kv[0]))
    matched: dict[str, float] = {}
    kept: list[tuple[int, int]] = []
    for text, (start, end, weight, _stem) in ranked:
        if any(s <= start and end <= e for s, e in kept):
            continue
        kept.append((start, end))
        matched[text] = weight
    context_found = doc.occurrences(rules.context_index)
    found_contexts = [c for c in rules.contexts if c.text in context_found]
    contributions = dict(matched)
    general = 0.0
    for context in found_contexts:
        if context.applies_to:
            for text in context.applies_to & contributions.keys():
                contributions[text] = max(0.0, contributions[text] - context.weight)
        else:
            general += context.weight
    score = max(0.0, sum(contributions.values()) - general)
    return round(score, 3), sorted(matched), sorted(c.text for c in found_contexts)


def screen(text: str, lex: Lexicons | None = None) -> Screening:
    """Flags for one text (a post's title, caption and excerpt joined)."""
    lex = lex or lexicons()
    tokenized = _Text(tokenize(text, lex), lex.affixes)
    flags, terms, scores, contexts = [], {}, {}, {}
    for rules in lex.flags:
        score, matched, found_contexts = _score(rules, tokenized)
        scores[rules.flag] = score
        if found_contexts:
            contexts[rules.flag] = found_contexts
        if matched and score >= rules.threshold:
            flags.append(rules.flag)
            terms[rules.flag] = matched
    return Screening(tuple(flags), terms, scores, contexts)


def post_text(title: str | None, excerpt: str | None) -> str:
    """What is screened of a post: its title (or caption) and its text excerpt, as two sentences."""
    return "\n".join(part for part in (title or "", excerpt or "") if part)


def flags_for_posts(posts: Iterable[Post]) -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """(source_id, external_id, flags, matched terms) for each post, ready for Store.set_flags."""
    lex = lexicons()
    out = []
    for post in posts:
        result = screen(post_text(post.title, post.excerpt), lex)
        out.append((post.source_id, post.external_id, result.flags_str, result.terms))
    return out


def parse_flags(value: str | None) -> tuple[str, ...]:
    """posts.flags ('pamer;pembangunan') -> ('pamer', 'pembangunan')."""
    if not value or not isinstance(value, str):
        return ()
    return tuple(f for f in (p.strip().lower() for p in value.split(";")) if f)


def parse_terms(value: str | None) -> dict[str, list[str]]:
    """posts.flag_terms (JSON) -> {flag: [terms]}; an unreadable value reads as no terms."""
    if not value:
        return {}
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return {str(k): [str(t) for t in v] for k, v in data.items()} if isinstance(data, dict) else {}


def has_flag(flags_series: pd.Series, flag: str) -> pd.Series:
    """Boolean mask of the posts whose posts.flags carries `flag` (for the public topic filter)."""
    if not re.fullmatch(r"[a-z_]+", flag):
        raise ValueError(f"not a flag name: {flag!r}")
    return flags_series.fillna("").astype(str).str.contains(rf"(?:^|;){flag}(?:;|$)", regex=True)


def work_share(flags_series: Iterable[str | None]) -> float:
    """Share of topic-tagged posts that report work.

    Over the posts carrying at least one topic (pembangunan, layanan, kesehatan, pendidikan or
    seremonial), the share carrying at least one *work* topic (any topic but seremonial). A post
    tagged both (the inauguration of a bridge) counts as work; a post with no topic at all (a
    greeting without "selamat hari", a harvest report) is left out of both counts, because
    screening cannot say what it is. NaN when no post carries a topic: 'no data' is not 0 %.
    """
    work = tagged = 0
    for value in flags_series:
        flags = set(parse_flags(value))
        if not flags & set(TOPICS):
            continue
        tagged += 1
        if flags & set(WORK_TOPICS):
            work += 1
    return work / tagged if tagged else float("nan")
