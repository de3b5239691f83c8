"""How a post's text is read before matching: folded, split into sentences and words, disguises undone.

Matching works on tokens, never on raw substrings, so "asu" does not fire inside "Asusila" or
"asuhan". Tokens are compared by their *skeleton* (every run of a repeated letter collapsed to
one), so "anjiiing" and "goblokkk" match "anjing" and "goblok".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


def collapse_long_runs(word: str) -> str:
    """Runs of three or more letters are emphasis ('asuuu'), two may be spelling ('cangkemmu')."""
    return _LONG_RUNS.sub(r"\1", word)


def fold(text: str) -> str:
    """Unicode compatibility form, accents removed (fancy fonts and 'é' become plain letters)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def plain_words(text: str) -> list[str]:
    """Lowercase words of a lexicon entry; '*' (any word) and '#' (any number) stay words of their own."""
    return re.findall(r"[a-z0-9]+|[*#]", fold(text).lower())


@dataclass
class Token:
    word: str  # lowercase letters and digits, as written
    disguised: bool = False  # found through leetspeak, masking or spacing
    skeleton: str = field(init=False)  # compared with the lexicons' skeletons

    def __post_init__(self) -> None:
        self.skeleton = _RUNS.sub(r"\1", self.word)


def _hashtag_words(raw: str) -> str:
    return _CAMEL.sub(" ", raw[1:]) if raw.startswith("#") else raw


def _read_raw_token(raw: str, maskable: Sequence[str]) -> list[Token]:
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
        unmasked = _unmask(core, maskable)
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


def _unmask(core: str, maskable: Sequence[str]) -> str | None:
    """'anj*ng' -> 'anjing' when exactly one bahasa word fits the mask."""
    letters = sum(c.isalpha() for c in core)
    if letters < 2 or core.count("*") > letters or not re.fullmatch(r"[a-z*]+", core):
        return None
    pattern = re.compile("".join("[a-z]+" if c == "*" else re.escape(c) for c in skeleton(core)))
    fits = [word for word in maskable if pattern.fullmatch(word)]
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


def read_tokens(text: str, variants: Mapping[str, tuple[str, ...]], maskable: Sequence[str]) -> list[Token | None]:
    """Normalised tokens of a text; None marks a sentence boundary that phrases never cross.

    `variants` maps the skeleton of a spelling variant to its canonical words; `maskable` lists
    the words a mask such as "anj*ng" may stand for.
    """
    text = fold(_URL.sub(" ", text or ""))
    tokens: list[Token | None] = []
    for sentence in _BOUNDARY.split(text):
        for raw in sentence.split():
            for token in _read_raw_token(raw, maskable):
                canonical = variants.get(token.skeleton)
                if canonical:
                    tokens.extend(Token(c, token.disguised) for c in canonical)
                else:
                    tokens.append(token)
        if tokens and tokens[-1] is not None:
            tokens.append(None)
    return _join_spaced_letters(tokens)
