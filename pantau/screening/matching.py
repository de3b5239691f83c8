"""Finding a lexicon's entries in a tokenised text: every occurrence, with where it lies.

An entry is found by its first word (its skeleton), or, for a one-word `stem` entry, by any root
of the text's words; a phrase's last word may match by root when the entry is `stem`, and "*" in
an entry matches any one word of the same sentence, "#" any number ("tembus # juta" finds "tembus 14
juta": a price is evidence whatever its figure). An `ending` entry ("mu") matches any word
addressed with that clitic ("jarimu", "komentarmu", "cangkemmu"; not "tamu" nor "bertemu").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pantau.screening.morphology import addressed, stems
from pantau.screening.text import Token

NUMBER = "#"  # in an entry: any number written in digits


@dataclass(frozen=True)
class Occurrence:
    item: object  # a Term, Context or Concept
    start: int  # token positions [start, end)
    end: int
    sentence: int
    disguised: bool


@dataclass(frozen=True)
class Index:
    """Entries by their first word, and one-word stem entries by stem: one pass per text."""

    by_first: dict[str, tuple]
    by_stem: dict[str, tuple]
    by_ending: dict[str, tuple] = field(default_factory=dict)  # "mu": any word addressed with it

    @classmethod
    def build(cls, items: Iterable) -> Index:
        by_first: dict[str, list] = {}
        by_stem: dict[str, list] = {}
        by_ending: dict[str, list] = {}
        for item in items:
            if item.mode == "ending":
                by_ending.setdefault(item.tokens[0], []).append(item)
            elif item.mode == "stem" and len(item.tokens) == 1:
                by_stem.setdefault(item.tokens[0], []).append(item)
            else:
                by_first.setdefault(item.tokens[0], []).append(item)
        return cls({k: tuple(v) for k, v in by_first.items()}, {k: tuple(v) for k, v in by_stem.items()},
                   {k: tuple(v) for k, v in by_ending.items()})


class Document:
    """A tokenised text with its words' roots worked out once, on demand."""

    def __init__(self, tokens: list[Token | None], clitics: tuple[str, ...]):
        self.tokens = tokens
        self.clitics = clitics
        self.sentence_of: list[int] = []
        sentence = 0
        for token in tokens:
            self.sentence_of.append(sentence)
            if token is None:
                sentence += 1
        self._stems: dict[int, frozenset[str]] = {}

    def stems_at(self, i: int) -> frozenset[str]:
        found = self._stems.get(i)
        if found is None:
            found = self._stems[i] = stems(self.tokens[i].word, self.clitics)
        return found

    def _phrase_at(self, i: int, item) -> bool | None:
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
            if words[j] == NUMBER:
                if not token.skeleton.isdigit():
                    return None
            elif words[j] != "*" and token.skeleton != words[j] and not (
                item.mode == "stem" and j == last and words[j] in self.stems_at(i + j)
            ):
                return None
            disguised = disguised or token.disguised
        return disguised

    def occurrences(self, index: Index) -> list[Occurrence]:
        """Every occurrence of every indexed entry, in text order."""
        found: list[Occurrence] = []
        for i, token in enumerate(self.tokens):
            if token is None:
                continue
            sentence = self.sentence_of[i]
            firsts = index.by_first.get(token.skeleton, ())
            if token.skeleton.isdigit():
                firsts = firsts + index.by_first.get(NUMBER, ())
            for item in firsts:
                disguised = self._phrase_at(i, item)
                if disguised is not None:
                    found.append(Occurrence(item, i, i + len(item.tokens), sentence, disguised))
            if index.by_stem:
                seen = set()
                for stem in self.stems_at(i):
                    for item in index.by_stem.get(stem, ()):
                        if id(item) not in seen:
                            seen.add(id(item))
                            found.append(Occurrence(item, i, i + 1, sentence, token.disguised))
            for ending, items in index.by_ending.items():
                if addressed(token.word, ending):
                    found.extend(Occurrence(item, i, i + 1, sentence, token.disguised) for item in items)
        return found
