"""Indonesian word forms: a word and the roots it may come from.

Standard Indonesian goes through PySastrawi, a dictionary-based stemmer (Nazief-Adriani with its
own list of 30 000 root words, shipped inside the package, so it works offline): "pembangunan",
"dibangunkan" and "bangunan" give "bangun", "menghindari" gives "hindar", "ditegaskan" gives
"tegas". It leaves a word alone when no root in its dictionary fits, which is right for brands and
place names and wrong for Javanese and chat spelling ("cangkemmu", "ndasmu", "raine"): for those,
the clitics of data/lexicons/clitics.csv are cut off as well. Candidates over-generate on purpose:
a candidate counts only when it equals a listed `stem` term.

Stemming is the slow part of screening (about a millisecond for a word the dictionary does not
know), and a year of posts repeats the same few thousand words, so every word is stemmed once per
process.
"""

from __future__ import annotations

from functools import lru_cache

from pantau.screening.text import collapse_long_runs, skeleton


@lru_cache(maxsize=1)
def _stemmer():
    # Imported here: reading the dictionary takes a tenth of a second, and pages that only read
    # stored flags never need it.
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def root(word: str) -> str:
    """The dictionary root of an Indonesian word, or the word itself when none fits."""
    if not word.isalpha() or len(word) < 4:
        return word
    return _stemmer().stem(word) or word


def _known(word: str) -> bool:
    return _stemmer().delegatedStemmer.dictionary.contains(word)


@lru_cache(maxsize=200_000)
def addressed(word: str, ending: str) -> bool:
    """Whether `word` is another word with a possessive clitic on it ("jarimu", "komentarmu",
    "cangkemmu"): it ends with `ending`, is no dictionary word itself ("tamu", "ilmu", "jamu" are),
    and what is left is a root, has the same root ("kelakuanmu"), or is a word the dictionary does
    not know at all (Javanese "cangkemmu"); "bertemu" (root "temu") is none of these."""
    word = collapse_long_runs(word)
    base = word[: -len(ending)]
    if not word.isalpha() or not word.endswith(ending) or len(base) < 3 or _known(word):
        return False
    return _known(base) or root(base) == root(word) or root(word) == word


@lru_cache(maxsize=200_000)
def stems(word: str, clitics: tuple[str, ...] = ()) -> frozenset[str]:
    """Skeletons of the word, its root, and the word with one Javanese or chat clitic cut off."""
    word = collapse_long_runs(word)
    found = {word, root(word)}
    for clitic in clitics:
        if word.endswith(clitic) and len(word) - len(clitic) >= 3:
            found.add(word[: -len(clitic)])
            # "cangkemu" is "cangkemmu" written with one m: the clitic took the root's last letter
            found.add(word[: -len(clitic)] + clitic[0])
    return frozenset(skeleton(w) for w in found)
