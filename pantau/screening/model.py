"""A second reader beside the rules: a linear model over a post's words and letter groups.

The rules (lexicons, concept classes, context rules) catch what their lists name; phrasing they
have never met slips past them. This model was learnt from the labelled captions
(tests/labelled_captions.csv) by `scripts/train_screening_model.py`: TF-IDF over word stems,
word pairs and the letter groups (2 to 5 letters) inside each word, then a logistic regression
per review flag. Letter groups are what let it recognise a word it never saw whole ("wagyu" beside
"waygu", "kampungan" beside "kampung", a Javanese "-mu" ending).

It is shipped as data (data/lexicons/model_features.csv: every feature's IDF and weight per flag;
data/lexicons/model_flags.csv: intercept and the probability that raises a flag), and scored here
in plain Python so that running Pantau needs no machine-learning library. A flag it raises keeps
an explanation like every rule: the probability, the threshold and the words that weighed most.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from pantau.screening.errors import LexiconError
from pantau.screening.text import Token

FEATURES_FILE = "model_features.csv"
FLAGS_FILE = "model_flags.csv"
LETTER_GROUPS = (2, 5)  # shortest and longest letter group inside a word, padded with spaces
SHOWN_WORDS = 4  # words named in an explanation


def features(tokens: Sequence[Token | None]) -> list[tuple[str, tuple[int, ...]]]:
    """Every feature of a tokenised text with the word positions it comes from.

    `w:` a word, `p:` two words in a row within a sentence, `c:` a letter group of a word
    (" ka", "mpun", "an "), the way scikit-learn's `char_wb` analyser cuts them.
    """
    out: list[tuple[str, tuple[int, ...]]] = []
    previous: int | None = None
    words = [t.skeleton if t is not None else None for t in tokens]
    for position, word in enumerate(words):
        if word is None:
            previous = None
            continue
        out.append((f"w:{word}", (position,)))
        if previous is not None:
            out.append((f"p:{words[previous]} {word}", (previous, position)))
        previous = position
        padded = f" {word} "
        for n in range(LETTER_GROUPS[0], LETTER_GROUPS[1] + 1):
            if n > len(padded):
                break
            out.extend((f"c:{padded[i:i + n]}", (position,)) for i in range(len(padded) - n + 1))
    return out


def feature_names(tokens: Sequence[Token | None]) -> list[str]:
    """The features alone: what training counts (scikit-learn's `analyzer`)."""
    return [name for name, _ in features(tokens)]


@dataclass(frozen=True)
class Verdict:
    """What the model says of one text for one flag."""

    flag: str
    probability: float
    threshold: float  # raises the flag beside some evidence of the rules
    alone: float  # raises it when the rules found nothing
    words: tuple[tuple[str, float], ...]  # the words that pushed towards the flag, heaviest first

    def raises(self, with_evidence: bool) -> bool:
        return self.probability >= (self.threshold if with_evidence else self.alone)

    def line(self, with_evidence: bool) -> str:
        """The Indonesian explanation line reviewers see."""
        named = ", ".join(word for word, _ in self.words) or "-"
        threshold = self.threshold if with_evidence else self.alone
        return (f"model statistik: peluang {self.probability:.2f} (ambang {threshold:.2f}); "
                f"kata paling berpengaruh: {named}")


@dataclass(frozen=True)
class Model:
    idf: dict[str, float]
    weights: dict[str, dict[str, float]]  # flag -> feature -> weight
    intercepts: dict[str, float]
    thresholds: dict[str, float]
    alone: dict[str, float]

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(self.intercepts)

    def vector(self, tokens: Sequence[Token | None]) -> tuple[dict[str, float], dict[str, list[tuple[int, ...]]]]:
        """TF-IDF as scikit-learn computes it (sublinear tf, l2 norm), and where each feature was seen."""
        where: dict[str, list[tuple[int, ...]]] = defaultdict(list)
        for name, positions in features(tokens):
            if name in self.idf:
                where[name].append(positions)
        values = {name: (1.0 + math.log(len(seen))) * self.idf[name] for name, seen in where.items()}
        norm = math.sqrt(sum(v * v for v in values.values()))
        return ({name: v / norm for name, v in values.items()} if norm else {}), where

    def verdicts(self, tokens: Sequence[Token | None]) -> dict[str, Verdict]:
        """The model's verdict on a tokenised text for each of its flags."""
        values, where = self.vector(tokens)
        return {flag: self._verdict(flag, tokens, values, where) for flag in self.flags}

    def _verdict(self, flag: str, tokens: Sequence[Token | None], values: dict[str, float],
                 where: dict[str, list[tuple[int, ...]]]) -> Verdict:
        weights = self.weights[flag]
        logit = self.intercepts[flag] + sum(weights.get(name, 0.0) * v for name, v in values.items())
        probability = 1.0 / (1.0 + math.exp(-logit)) if logit > -700 else 0.0
        # A feature's share goes to the words it came from, split evenly: "kampungan" gets its
        # letter groups' weight, a word pair half to each of its words.
        per_word: Counter[str] = Counter()
        for name, value in values.items():
            share = weights.get(name, 0.0) * value / len(where[name])
            for positions in where[name]:
                for position in positions:
                    token = tokens[position]
                    if token is not None:
                        per_word[token.word] += share / len(positions)
        pushing = tuple((word, round(w, 3)) for word, w in per_word.most_common() if w > 0)[:SHOWN_WORDS]
        return Verdict(flag, round(probability, 4), self.thresholds[flag], self.alone[flag], pushing)


def _float(path: Path, row: int, column: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise LexiconError(f"{path}:{row}:{column}: expected a number, got {value!r}")
    return number


def read_model(folder: Path, review_flags: Collection[str]) -> Model | None:
    """The model of a lexicon folder, or None when it has none (the rules then work alone)."""
    flags_path, features_path = folder / FLAGS_FILE, folder / FEATURES_FILE
    if not flags_path.exists() and not features_path.exists():
        return None
    for path in (flags_path, features_path):
        if not path.exists():
            raise LexiconError(f"{path}:1: missing: {FLAGS_FILE} and {FEATURES_FILE} come together")
    intercepts, thresholds, alone = {}, {}, {}
    with flags_path.open(encoding="utf-8", newline="") as handle:
        for row, record in enumerate(csv.DictReader(handle), start=2):
            flag = record.get("flag") or ""
            if flag not in review_flags:
                raise LexiconError(f"{flags_path}:{row}:flag: {flag!r} is not a review flag of flags.csv")
            intercepts[flag] = _float(flags_path, row, "intercept", record.get("intercept") or "")
            for column, into in (("threshold", thresholds), ("alone", alone)):
                into[flag] = _float(flags_path, row, column, record.get(column) or "")
                if not 0 < into[flag] <= 1:
                    raise LexiconError(f"{flags_path}:{row}:{column}: a probability in (0, 1], got {into[flag]}")
    idf: dict[str, float] = {}
    weights: dict[str, dict[str, float]] = {flag: {} for flag in intercepts}
    with features_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [flag for flag in intercepts if flag not in (reader.fieldnames or ())]
        if missing:
            raise LexiconError(f"{features_path}:1:{missing[0]}: column missing for a flag of {FLAGS_FILE}")
        for row, record in enumerate(reader, start=2):
            name = record["feature"]
            idf[name] = _float(features_path, row, "idf", record.get("idf") or "")
            for flag in intercepts:
                weight = _float(features_path, row, flag, record.get(flag) or "")
                if weight:
                    weights[flag][name] = weight
    return Model(idf, weights, intercepts, thresholds, alone)
