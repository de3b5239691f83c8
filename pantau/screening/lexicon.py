"""Reading the lexicon files of data/lexicons/ (documented in its README.md) into rules.

Every rule screening applies is data a clerk can edit in a spreadsheet: the flags, their terms
and weights, the concept classes (objects and the modifiers that make them luxury), the context
rules that lower or turn off a match, spelling variants and clitics. A malformed file stops with
FILE:ROW:COLUMN and nothing is screened.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pantau.config import DATA_DIR
from pantau.labels import FLAG_LABELS
from pantau.screening.errors import LexiconError
from pantau.screening.matching import Index
from pantau.screening.model import Model, read_model
from pantau.screening.text import plain_words, skeleton

LEXICON_DIR = DATA_DIR / "lexicons"

MATCH_MODES = ("word", "stem", "ending")
# Where a context term acts: on the whole post, on the matches of its own sentence, or only on a
# match that shares a word with it ("sekolah dasar" against "dasar *").
SCOPES = ("post", "sentence", "overlap")
ROLES = ("object", "modifier")
ORDERS = ("any", "object first")
ANY_CLASS = "*"  # a modifier that qualifies the objects of every class


@dataclass(frozen=True)
class Term:
    text: str  # as written in the file, shown to reviewers
    tokens: tuple[str, ...]  # skeletons of its words; "*" is any one word
    weight: float
    mode: str  # "word": the words themselves; "stem": the last word also by its root; "ending": see matching
    cls: str = ""  # concept class (pamer: kendaraan, properti...); "" = the flag's own


@dataclass(frozen=True)
class Context:
    text: str
    tokens: tuple[str, ...]
    weight: float  # subtracted
    applies_to: frozenset[str]  # term texts (or "class:NAME") it lowers; empty = every match
    mode: str = "word"
    rule: str = "konteks"  # the name shown to reviewers: larangan, fasilitas umum, harfiah...
    scope: str = "post"
    # Phrases holding the context's words that mean it is not this context: "jangan ditanya" (of a
    # price) is a boast, not a prohibition; "dikatain korupsi" answers an accusation.
    unless: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Concept:
    """A word of a concept class: an object ("rumah", "kapal") or a modifier ("elit", "pribadi")."""

    text: str
    tokens: tuple[str, ...]
    mode: str
    cls: str
    role: str


@dataclass(frozen=True)
class ConceptClass:
    name: str
    label: str  # Indonesian, shown to reviewers
    weight: float  # what an object with a modifier near it adds to the score
    window: int  # at most this many words between the object and its modifier
    # "any": the modifier on either side; "object first": only after its object ("kamu kebo" is an
    # insult, "sapi kamu" is someone's cow).
    order: str = "any"


@dataclass(frozen=True)
class FlagRules:
    flag: str
    group: str  # review | topic
    label: str
    threshold: float
    terms: tuple[Term, ...]
    contexts: tuple[Context, ...]
    concepts: tuple[Concept, ...] = ()
    classes: dict[str, ConceptClass] = field(default_factory=dict, compare=False)
    # Review flags that withdraw this topic when raised: a rude reply that mentions a road is not
    # a report of development work (flags.csv's optional `yields_to`).
    yields_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Indexes are built once per loaded lexicon: screening a year of posts reuses them.
        object.__setattr__(self, "term_index", Index.build(self.terms))
        object.__setattr__(self, "context_index", Index.build(self.contexts))
        object.__setattr__(self, "concept_index", Index.build(self.concepts))

    def class_label(self, cls: str) -> str:
        found = self.classes.get(cls)
        return found.label if found else (cls or self.label)


@dataclass(frozen=True)
class Lexicons:
    flags: tuple[FlagRules, ...]
    variants: dict[str, tuple[str, ...]]  # skeleton of a spelling variant -> canonical skeletons
    clitics: tuple[str, ...]  # endings cut off words the stemmer does not know
    maskable: tuple[str, ...]  # single-word `bahasa` terms and modifiers, to read "anj*ng" against
    model: Model | None = None  # the statistical second reader of the review flags (screening.model)

    def rules(self, flag: str) -> FlagRules:
        for rules in self.flags:
            if rules.flag == flag:
                return rules
        raise KeyError(flag)


def rows(path: Path, required: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
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


def _choice(path: Path, number: int, column: str, value: str, allowed: Sequence[str]) -> str:
    value = (value or allowed[0]).lower()
    if value not in allowed:
        raise LexiconError(f"{path}:{number}:{column}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def _mode(path: Path, number: int, value: str, tokens: tuple[str, ...]) -> str:
    mode = _choice(path, number, "match", value, MATCH_MODES)
    if mode == "ending" and len(tokens) != 1:
        raise LexiconError(f"{path}:{number}:match: an ending is one word (a clitic such as mu)")
    return mode


def _tokens(path: Path, number: int, column: str, text: str) -> tuple[str, ...]:
    tokens = tuple(skeleton(t) for t in plain_words(text))
    if not tokens or all(t == "*" for t in tokens):
        raise LexiconError(f"{path}:{number}:{column}: {text!r} has no letters")
    if tokens[0] == "*":
        raise LexiconError(f"{path}:{number}:{column}: {text!r} may not start with the wildcard *")
    if all(t == "#" for t in tokens):
        raise LexiconError(f"{path}:{number}:{column}: {text!r} needs a word beside the number #")
    return tokens


def _read_terms(path: Path, classes: dict[str, ConceptClass]) -> tuple[Term, ...]:
    terms: dict[str, Term] = {}
    for number, row in rows(path, ("term", "weight")):
        text = row["term"].lower()
        if not text:
            raise LexiconError(f"{path}:{number}:term: empty term")
        tokens = _tokens(path, number, "term", text)
        mode = _mode(path, number, row.get("match", ""), tokens)
        cls = row.get("class", "").lower()
        if cls and cls not in classes:
            raise LexiconError(f"{path}:{number}:class: {cls!r} is not a class of classes.csv")
        if text in terms:
            raise LexiconError(f"{path}:{number}:term: {text!r} is listed twice")
        terms[text] = Term(text, tokens, _weight(path, number, "weight", row["weight"]), mode, cls)
    return tuple(terms.values())


def _read_contexts(path: Path, terms: Sequence[Term], classes: dict[str, ConceptClass]) -> tuple[Context, ...]:
    if not path.exists():
        return ()
    known = {t.text for t in terms} | {f"class:{c}" for c in classes}
    contexts = []
    for number, row in rows(path, ("term", "weight")):
        text = row["term"].lower()
        tokens = _tokens(path, number, "term", text)
        targets = frozenset(t.strip().lower() for t in row.get("applies_to", "").split(";") if t.strip())
        unknown = sorted(targets - known)
        if unknown:
            raise LexiconError(f"{path}:{number}:applies_to: {', '.join(unknown)} not in "
                               f"{path.name.split('_')[0]}.csv (nor a class:NAME of classes.csv)")
        unless = tuple(_tokens(path, number, "unless", u) for u in row.get("unless", "").split(";") if u.strip())
        for phrase in unless:
            # An exception is read around the context's own words ("dikatain korupsi", "jangan ditanya").
            if not any(phrase[k: k + len(tokens)] == tokens for k in range(len(phrase))):
                raise LexiconError(f"{path}:{number}:unless: {' '.join(phrase)!r} does not contain {text!r}")
        contexts.append(Context(
            text, tokens, _weight(path, number, "weight", row["weight"]), targets,
            _mode(path, number, row.get("match", ""), tokens),
            row.get("rule", "") or "konteks",
            _choice(path, number, "scope", row.get("scope", ""), SCOPES),
            unless,
        ))
    return tuple(contexts)


def _read_classes(path: Path) -> dict[str, dict[str, ConceptClass]]:
    """classes.csv: flag -> class name -> class."""
    out: dict[str, dict[str, ConceptClass]] = {}
    if not path.exists():
        return out
    for number, row in rows(path, ("flag", "class", "label")):
        name = row["class"].lower()
        if not re.fullmatch(r"[a-z_]+", name):
            raise LexiconError(f"{path}:{number}:class: expected lowercase letters, got {row['class']!r}")
        window = _weight(path, number, "window", row.get("window", ""), 4)
        out.setdefault(row["flag"].lower(), {})[name] = ConceptClass(
            name, row["label"] or name, _weight(path, number, "weight", row.get("weight", ""), 1.0), int(window),
            _choice(path, number, "order", row.get("order", ""), ORDERS))
    return out


def _read_concepts(path: Path, classes: dict[str, ConceptClass]) -> tuple[Concept, ...]:
    if not path.exists():
        return ()
    concepts = []
    for number, row in rows(path, ("class", "role", "term")):
        cls = row["class"].lower()
        if cls != ANY_CLASS and cls not in classes:
            raise LexiconError(f"{path}:{number}:class: {cls!r} is not a class of classes.csv (or *)")
        role = _choice(path, number, "role", row["role"], ROLES)
        if role == "object" and cls == ANY_CLASS:
            raise LexiconError(f"{path}:{number}:class: an object belongs to one class, not *")
        text = row["term"].lower()
        tokens = _tokens(path, number, "term", text)
        concepts.append(Concept(text, tokens, _mode(path, number, row.get("match", ""), tokens), cls, role))
    return tuple(concepts)


def load_lexicons(directory: Path | str = LEXICON_DIR, with_model: bool = True) -> Lexicons:
    """Read and validate every lexicon file of a folder (and its model, unless `with_model` is False)."""
    directory = Path(directory)
    flags_path = directory / "flags.csv"
    all_classes = _read_classes(directory / "classes.csv")
    flag_rules, yields = [], []
    for number, row in rows(flags_path, ("flag", "group", "label", "threshold")):
        flag = row["flag"].lower()
        if not re.fullmatch(r"[a-z_]+", flag):
            raise LexiconError(f"{flags_path}:{number}:flag: expected lowercase letters, got {row['flag']!r}")
        if row["group"] not in ("review", "topic"):
            raise LexiconError(f"{flags_path}:{number}:group: expected review or topic, got {row['group']!r}")
        terms_path = directory / f"{flag}.csv"
        if not terms_path.exists():
            raise LexiconError(f"{flags_path}:{number}:flag: no word list {terms_path.name} for {flag!r}")
        classes = all_classes.get(flag, {})
        terms = _read_terms(terms_path, classes)
        contexts = _read_contexts(directory / f"{flag}_context.csv", terms, classes)
        concepts = _read_concepts(directory / f"{flag}_concepts.csv", classes)
        threshold = _weight(flags_path, number, "threshold", row["threshold"])
        if threshold <= 0:
            raise LexiconError(f"{flags_path}:{number}:threshold: must be above 0")
        yields_to = tuple(name.strip().lower() for name in row.get("yields_to", "").split(";") if name.strip())
        flag_rules.append(FlagRules(flag, row["group"], row["label"] or FLAG_LABELS.get(flag, flag),
                                    threshold, terms, contexts, concepts, classes, yields_to))
        yields.append((number, flag, yields_to))
    review_flags = [rules.flag for rules in flag_rules if rules.group == "review"]
    for number, flag, yields_to in yields:
        for name in yields_to:
            if name not in review_flags or name == flag:
                raise LexiconError(f"{flags_path}:{number}:yields_to: {name!r} is not another review flag")

    variants: dict[str, tuple[str, ...]] = {}
    variants_path = directory / "normalisation.csv"
    for number, row in rows(variants_path, ("variant", "canonical")):
        variant = [skeleton(t) for t in plain_words(row["variant"].lower())]
        canonical = tuple(skeleton(t) for t in plain_words(row["canonical"].lower()))
        if len(variant) != 1 or not canonical:
            raise LexiconError(f"{variants_path}:{number}:variant: expected one word and a canonical form")
        variants[variant[0]] = canonical

    clitics = []
    clitics_path = directory / "clitics.csv"
    if clitics_path.exists():
        for number, row in rows(clitics_path, ("clitic",)):
            clitic = row["clitic"].lower()
            if not clitic.isalpha():
                raise LexiconError(f"{clitics_path}:{number}:clitic: expected letters, got {row['clitic']!r}")
            clitics.append(clitic)

    maskable: tuple[str, ...] = ()
    for rules in flag_rules:
        if rules.flag == "bahasa":
            # Terms and the words that insult when said of people ("l*bay" is "lebay").
            words = [t.tokens for t in rules.terms] + [c.tokens for c in rules.concepts if c.role == "modifier"]
            maskable = tuple(sorted({w[0] for w in words if len(w) == 1}))
    model = read_model(directory, review_flags) if with_model else None
    return Lexicons(tuple(flag_rules), variants, tuple(sorted(set(clitics), key=len, reverse=True)), maskable, model)


@lru_cache(maxsize=4)
def lexicons(directory: str | None = None) -> Lexicons:
    """The lexicons, read once per process (call `lexicons.cache_clear()` after editing files)."""
    return load_lexicons(Path(directory) if directory else LEXICON_DIR)
