"""Scoring a text against each flag's rules, keeping the explanation of every flag raised.

A flag's evidence is a list of *hits*: a listed term ("rolex", "makan tuh"), or a concept pair,
an object of a class near one of its modifiers ("rumah" ... "elit", "kapal" ... "pribadi").
Context rules then lower hits (a prohibition frame in the same sentence, a public facility that
shares the words, a literal use anywhere in the post), and the flag is raised when what is left
reaches its threshold. The explanation names each hit's class, its words and the context rules
that acted on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pantau.screening.lexicon import ANY_CLASS, Context, FlagRules, Lexicons, lexicons
from pantau.screening.matching import Document, Occurrence
from pantau.screening.model import Verdict
from pantau.screening.text import Token, read_tokens

# A match found through a disguised spelling ("4njing", "anj*ng", "b.a.n.g.s.a.t") adds this to the
# term's weight: someone who hides a word knows what it means, so literal-use contexts matter less.
OBFUSCATION_BONUS = 0.5


@dataclass(frozen=True)
class Hit:
    """One piece of evidence for a flag, after the context rules acted on it."""

    key: str  # counts once per post: a term's text, or "class:NAME" for a concept pair
    text: str  # shown: "rolex", "rumah + elit"
    cls: str
    label: str  # the class's Indonesian label
    weight: float
    contribution: float  # weight left after the context rules
    contexts: tuple[tuple[str, str], ...] = ()  # (rule, context words) that lowered it


@dataclass(frozen=True)
class Explanation:
    flag: str
    label: str
    score: float
    threshold: float
    hits: tuple[Hit, ...]
    general: tuple[tuple[str, str], ...] = ()  # (rule, words) subtracted from the whole score
    model: Verdict | None = None  # the statistical model's reading, when it has this flag

    @property
    def context_acted(self) -> bool:
        return bool(self.general) or any(hit.contexts for hit in self.hits)

    @property
    def raised_by_model(self) -> bool:
        """The model's part: its probability reaches the threshold that fits the rules' evidence
        (lower beside a listed word or pair, higher alone), and no context rule acted, since a
        warning against flexing, a public facility or a literal use outranks the model."""
        return self.model is not None and self.model.raises(bool(self.hits)) and not self.context_acted

    def lines(self) -> list[str]:
        """Indonesian lines for reviewers: class: words, and the context rules that acted."""
        out = []
        for hit in self.hits:
            line = f"{hit.label}: {hit.text}"
            if hit.contexts:
                rules = ", ".join(f"{rule} ({words})" for rule, words in hit.contexts)
                state = "dimatikan" if hit.contribution == 0 else "dikurangi"
                line += f" [{state} oleh {rules}]"
            out.append(line)
        for rule, words in self.general:
            out.append(f"konteks {rule}: {words} (mengurangi skor)")
        # The model's line when it would raise the flag: as the reason, as a second opinion beside
        # the rules, or held back by a context rule.
        if self.model is not None and self.model.raises(bool(self.hits)):
            held = " [tidak dipakai: aturan konteks berlaku]" if self.context_acted else ""
            out.append(self.model.line(bool(self.hits)) + held)
        return out


@dataclass(frozen=True)
class Screening:
    """The flags raised on one text, the terms that raised them and every flag's score."""

    flags: tuple[str, ...]
    terms: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    # Context terms found per flag (they lowered its score); shown to reviewers beside the terms.
    contexts: dict[str, list[str]] = field(default_factory=dict)
    # Why: every flag with evidence, raised or not.
    explanations: dict[str, Explanation] = field(default_factory=dict)
    # The statistical model's probability per review flag it reads (screening.model).
    probabilities: dict[str, float] = field(default_factory=dict)

    @property
    def flags_str(self) -> str:
        return ";".join(self.flags)

    @property
    def stored(self) -> dict[str, dict[str, list[str]]]:
        """What posts.flag_terms keeps of the raised flags: their terms and the explanation lines."""
        return {flag: {"terms": self.terms[flag], "why": self.explanations[flag].lines()} for flag in self.flags}


@dataclass
class _Candidate:
    key: str
    text: str
    cls: str
    weight: float
    positions: frozenset[int]  # the words it uses
    span: tuple[int, int]
    sentence: int
    kind: int  # 0 term, 1 concept pair: a term covering the same words wins
    stem: bool


def _candidates(rules: FlagRules, doc: Document) -> list[_Candidate]:
    out = []
    for occ in doc.occurrences(rules.term_index):
        term = occ.item
        weight = term.weight + (OBFUSCATION_BONUS if occ.disguised else 0.0)
        # A wildcard ("dasar *", "tembus # juta") shows the words it met and claims only its own words, so
        # "dasar goblok" counts "goblok" as evidence of its own.
        wild = "*" in term.tokens or "#" in term.tokens
        text = " ".join(doc.tokens[p].word for p in range(occ.start, occ.end)) if wild else term.text
        used = frozenset(occ.start + j for j, word in enumerate(term.tokens) if word != "*")
        out.append(_Candidate(term.text, text, term.cls, weight, used, (occ.start, occ.end), occ.sentence, 0,
                              term.mode == "stem"))
    if rules.concepts:
        found = doc.occurrences(rules.concept_index)
        objects = [o for o in found if o.item.role == "object"]
        modifiers = [o for o in found if o.item.role == "modifier"]
        for obj in objects:
            cls = rules.classes[obj.item.cls]
            for mod in modifiers:
                if mod.sentence != obj.sentence or mod.item.cls not in (cls.name, ANY_CLASS):
                    continue
                if mod.start < obj.end and obj.start < mod.end:
                    continue  # the same words cannot be both the thing and its qualifier
                if cls.order == "object first" and mod.start < obj.end:
                    continue
                gap = mod.start - obj.end if mod.start >= obj.end else obj.start - mod.end
                if gap > cls.window:
                    continue
                used = frozenset(range(obj.start, obj.end)) | frozenset(range(mod.start, mod.end))
                first, second = (obj, mod) if obj.start < mod.start else (mod, obj)
                out.append(_Candidate(f"class:{cls.name}", f"{_shown(doc, first)} + {_shown(doc, second)}", cls.name,
                                      cls.weight, used, (min(used), max(used) + 1), obj.sentence, 1, False))
    return out


def _shown(doc: Document, occ: Occurrence) -> str:
    """What reviewers see of a concept: its entry, or the words it met for an ending ("mu") or an
    entry with a wildcard or a number ("# juta" shows "14 juta")."""
    if occ.item.mode == "ending" or "*" in occ.item.tokens or "#" in occ.item.tokens:
        return " ".join(doc.tokens[p].word for p in range(occ.start, occ.end))
    return occ.item.text


def _applies(context: Context, candidate: _Candidate, occ: Occurrence) -> bool:
    if context.applies_to and candidate.key not in context.applies_to and candidate.text not in context.applies_to \
            and f"class:{candidate.cls}" not in context.applies_to:
        return False
    if context.scope == "sentence":
        return occ.sentence == candidate.sentence
    if context.scope == "overlap":
        return any(occ.start <= p < occ.end for p in candidate.positions)
    return bool(context.applies_to)  # scope post with applies_to: the named terms, anywhere


def _excepted(doc: Document, occ: Occurrence) -> bool:
    """Whether one of the context's `unless` phrases is found around it: a phrase holds the
    context's words ("jangan ditanya" after "jangan", "dikatain korupsi" before "korupsi")."""
    context = occ.item.tokens
    for phrase in occ.item.unless:
        for k in range(len(phrase) - len(context) + 1):
            if phrase[k: k + len(context)] != context or occ.start - k < 0:
                continue
            start = occ.start - k
            words = [t.skeleton if t is not None else None for t in doc.tokens[start: start + len(phrase)]]
            if tuple(words) == phrase:
                return True
    return False


def _score(rules: FlagRules, doc: Document) -> Explanation | None:
    candidates = _candidates(rules, doc)
    if not candidates:
        return None
    # Words count once: "harley" inside a matched "harley davidson", the stem "bangun" on the same
    # word as "pembangunan", or "mewah" inside the pair "mobil + mewah" are the same evidence. Keep
    # the widest, then the heaviest, then a listed term over a pair, the word over the stem.
    candidates.sort(key=lambda c: (-len(c.positions), -c.weight, c.kind, c.stem, c.span, c.text))
    kept: list[_Candidate] = []
    for candidate in candidates:
        if any(candidate.positions <= k.positions for k in kept):
            continue
        kept.append(candidate)
    context_occurrences = [o for o in doc.occurrences(rules.context_index) if not _excepted(doc, o)]
    general: dict[str, tuple[str, float]] = {}
    for occ in context_occurrences:
        context = occ.item
        if context.scope == "post" and not context.applies_to:
            general.setdefault(context.text, (context.rule, context.weight))
    best: dict[str, Hit] = {}
    for candidate in kept:
        acting: dict[str, Context] = {}
        for occ in context_occurrences:
            if _applies(occ.item, candidate, occ):
                acting.setdefault(occ.item.text, occ.item)
        contribution = max(0.0, candidate.weight - sum(c.weight for c in acting.values()))
        hit = Hit(candidate.key, candidate.text, candidate.cls, rules.class_label(candidate.cls),
                  round(candidate.weight, 3), round(contribution, 3), tuple((c.rule, c.text) for c in acting.values()))
        if candidate.key not in best or hit.contribution > best[candidate.key].contribution:
            best[candidate.key] = hit
    hits = tuple(sorted(best.values(), key=lambda h: (-h.contribution, h.text)))
    score = max(0.0, sum(h.contribution for h in hits) - sum(w for _, w in general.values()))
    return Explanation(rules.flag, rules.label, round(score, 3), rules.threshold, hits,
                       tuple((rule, text) for text, (rule, _) in general.items()))


def tokenize(text: str, lex: Lexicons | None = None) -> list[Token | None]:
    """Normalised tokens of a text; None marks a sentence boundary that phrases never cross."""
    lex = lex or lexicons()
    return read_tokens(text, lex.variants, lex.maskable)


def screen(text: str, lex: Lexicons | None = None) -> Screening:
    """Flags for one text (a post's title, caption and excerpt joined).

    A review flag is raised when its rules' score reaches the threshold, or by the model
    (`Explanation.raised_by_model`).
    """
    lex = lex or lexicons()
    tokens = tokenize(text, lex)
    doc = Document(tokens, lex.clitics)
    verdicts = lex.model.verdicts(tokens) if lex.model is not None else {}
    flags, terms, scores, contexts, explanations = [], {}, {}, {}, {}
    for rules in lex.flags:
        explanation = _score(rules, doc)
        verdict = verdicts.get(rules.flag)
        scores[rules.flag] = explanation.score if explanation is not None else 0.0
        if verdict is not None and (explanation is not None or verdict.raises(False)):
            explanation = replace(explanation, model=verdict) if explanation is not None else \
                Explanation(rules.flag, rules.label, 0.0, rules.threshold, (), model=verdict)
        if explanation is None:
            continue
        explanations[rules.flag] = explanation
        acted = sorted({text for h in explanation.hits for _, text in h.contexts} | {t for _, t in explanation.general})
        if acted:
            contexts[rules.flag] = acted
        if explanation.score >= rules.threshold:
            flags.append(rules.flag)
            terms[rules.flag] = sorted(h.text for h in explanation.hits)
        elif explanation.raised_by_model:
            flags.append(rules.flag)
            terms[rules.flag] = [word for word, _ in explanation.model.words]
    withdrawn = {rules.flag for rules in lex.flags if set(rules.yields_to) & set(flags)}
    flags = [flag for flag in flags if flag not in withdrawn]
    terms = {flag: found for flag, found in terms.items() if flag not in withdrawn}
    probabilities = {flag: verdict.probability for flag, verdict in verdicts.items()}
    return Screening(tuple(flags), terms, scores, contexts, explanations, probabilities)
