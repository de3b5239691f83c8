"""Screening: flags on posts that point a human to a second look, never a verdict.

Two kinds of flags are raised from a post's title, caption and excerpt:

- review flags (`pamer`: possible display of luxury; `bahasa`: impolite or aggressive language),
  shown on the internal Tinjauan Konten page with the explanation of each (class, words, context);
- topics (`pembangunan`, `layanan`, `kesehatan`, `pendidikan`, `seremonial`), used by the public
  filter ("posts about development in my area") and by the Unit page's topic shares (pantau.topics).

Every rule is data under `data/lexicons/` (documented in its README.md), and so is the statistical
model that reads beside the rules (learnt from the labelled captions by
scripts/train_screening_model.py). The modules, one job each (flag names and labels live in
pantau.labels): `errors` (the one error of malformed files), `lexicon` (reading the files), `text`
(normalisation), `morphology` (stemming), `matching` (finding entries in a text), `model` (the
model's features and verdicts), `scoring` (hits, context rules, the model's part, explanation),
`stored` (the stored form and what reads it back).
"""

from pantau.labels import (
    FLAG_LABELS,
    REVIEW_FLAG_LABELS,
    REVIEW_FLAGS,
    REVIEW_MARKS,
    TOPIC_LABELS,
    TOPICS,
    WORK_TOPICS,
)
from pantau.screening.lexicon import LEXICON_DIR, LexiconError, Lexicons, lexicons, load_lexicons
from pantau.screening.morphology import stems
from pantau.screening.scoring import OBFUSCATION_BONUS, Explanation, Hit, Screening, screen, tokenize
from pantau.screening.stored import (
    flags_for_posts,
    has_flag,
    parse_flags,
    parse_reasons,
    parse_terms,
    post_text,
    reasons_text,
)
from pantau.screening.text import skeleton

__all__ = [
    "FLAG_LABELS", "LEXICON_DIR", "OBFUSCATION_BONUS", "REVIEW_FLAGS", "REVIEW_FLAG_LABELS", "REVIEW_MARKS",
    "TOPICS", "TOPIC_LABELS", "WORK_TOPICS", "Explanation", "Hit", "LexiconError", "Lexicons", "Screening",
    "flags_for_posts", "has_flag", "lexicons", "load_lexicons", "parse_flags", "parse_reasons", "parse_terms",
    "post_text", "reasons_text", "screen", "skeleton", "stems", "tokenize",
]
