"""Quality of screening on a labelled set of realistic captions (tests/labelled_captions.csv).

The set holds 250+ captions of the kind Blora's OPD, kecamatan and desa accounts publish -
ordinary reports, greetings, and the tricky ones (vehicle handovers, tourism promotion, Mobil Siaga
Desa, mandated visits abroad, Javanese, place names and literal uses of insult words, disguised
insults, polite criticism) - each with gold labels for pamer, bahasa and the topics.

Splits, in the order they were written:
- heldout: written before any lexicon existed. Its author then wrote the lexicons, so it is not
  independent of them, but the lexicons were never adjusted to its misses.
- tune:    written next; the lexicons were adjusted to its misses (first look, untuned:
           pamer P 0.80 R 0.40, bahasa P 1.00 R 0.85).
- blind:   written after that tuning, looked at once (first look: pamer P 1.00 R 0.29,
           bahasa P 1.00 R 0.86), then tuned on as well.
- fresh:   written after all tuning and never tuned on: the honest estimate for unseen posts
           (pamer P 1.00 R 0.50, bahasa P 1.00 R 0.71 when written). Keep it untouched; add new
           tuning material as a new split instead.
- tune2:   68 captions written on 2026-12-04 to widen the lexicons without looking at `fresh`
           (other brands and trips, Javanese insults, threats, more public services). First look,
           untuned: pamer P 1.00 R 0.12, bahasa P 1.00 R 0.00 (written to fall outside the lists);
           the lexicons were then tuned on its misses. `fresh`, never looked at, measures whether
           that widening generalises.
- tune3:   60 captions written on 2026-12-04 for issue 15, before any change to the rules, about
           half positives (15 pamer, 15 bahasa): luxury described rather than named (wagyu, a
           house "di kawasan elit", a ballroom birthday, a private pinisi, golf at a country club),
           warnings against flexing, public facilities, dismissive idioms, Javanese. First look,
           untuned: pamer P 0.80 R 0.53, bahasa P 1.00 R 0.40. The concept classes, context rules
           and idioms were then tuned on its misses (and on no other split).
- fresh2:  67 captions written at the same time as tune3, before any change to the rules, and
           NEVER tuned on (17 pamer, 16 bahasa; new brands, places and phrasing). First look with
           the rules of the day: pamer P 0.75 R 0.53, bahasa P 0.88 R 0.44. Measured once after the
           tune3 tuning, untouched: pamer P 1.00 R 0.82 (14 of 17), bahasa P 1.00 R 0.75 (12 of 16)
           - issue 15 asks bahasa recall >= 0.85 there, which is NOT met. Its rows are pinned by a
           checksum (test_fresh2_is_untouched): relabelling or editing them after seeing results
           would make these figures meaningless. Add new material as a new split instead.

- tune4:   80 captions written on 2026-12-05 for issue 15's bahasa recall, before any change to
           the rules, about half positives (20 pamer, 22 bahasa, 38 hard negatives): Indonesian
           slang insults and their disguises (g0bl0k, tolooool, b*doh), dismissive idioms ("emang
           gue pikirin", "urusin aja dirimu", "siapa lu"), Javanese rude words and -mu forms,
           threats to critics, sarcasm; luxury described in new ways; and literal uses of the same
           words (babi hutan, anjing pelacak, gatal-gatal, senam otak, baju bodo, "awas jalan
           licin"). First look, untuned: pamer P 0.92 R 0.60, bahasa P 1.00 R 0.41. The rules were
           then tuned on its misses and on phrasings invented beside it (not added as rows):
           insults said of a person (a word addressed with "-mu", animal vocatives), threats aimed
           at someone, mocking praise, dismissive idioms, Javanese retorts. After: pamer P 1.00
           R 1.00, bahasa P 1.00 R 1.00 (tuned on, so these say only that the rules cover it).
           fresh2 and fresh were not tuned on, but their aggregate figures were printed after
           each change (never their rows): fresh2 bahasa R 0.75 -> 0.94 (15 of 16), fresh bahasa
           R 0.86 -> 1.00, pamer unchanged (0.82, 0.83), precision 1.00 throughout. Two rules were
           dropped after they cost precision on `tune` ("ra mutu blas" is criticism there;
           dropping it also cleared one false flag on `fresh`) and recall on `tune2` ("sekolah" as a
           public-facility word in "libur sekolah", which had also cost one `fresh2` caption),
           so those two splits are no longer quite blind: the helper-written split measured once
           after this work is the honest estimate.
- fresh3:  70 captions (k001-k070; 21 pamer, 21 bahasa, 20 hard negatives) written on 2026-12-05
           by a helper that had not read the rules, the lexicons, these tests or any earlier
           caption, at the same time as tune4 and in another worktree, so the tune4 tuning never
           saw it: the one independent held-out measurement. First look with the rules before
           tune4: pamer P 0.93 R 0.67, bahasa P 0.85 R 0.52. Measured ONCE after the tune4
           tuning, untouched: pamer P 0.94 R 0.71 (15 of 21, 1 false flag), bahasa P 0.88 R 0.67
           (14 of 21, 2 false flags). Issue 15's targets (pamer P 0.9 R 0.8, bahasa P 0.9
           R 0.85) are NOT met on captions truly unseen; the lead did not look at its misses.
           Pinned by a checksum like fresh2. Then tuned on after its one measurement (round 2,
           below): its rows were read and the rules changed for its misses, so its figures now
           (pamer P 1.00 R 1.00, bahasa P 1.00 R 1.00) say only that the rules cover it. Its rows
           were not edited or relabelled (the checksum still holds); no label was found wrong.
- tune5:   80 captions (r001-r080; 22 pamer, 21 bahasa, 37 hard negatives) written on 2026-12-05
           for round 2 of issue 15, before any rule change of that round, by the helper that then
           tuned on fresh3: new brands, resorts, cars, watches, jets, cruises and luxury foods;
           insult slang, Javanese register, sarcasm, threats to critics, dismissive retorts; and
           hard negatives (warnings and bans, anti-bullying posts quoting insults, public
           facilities, pets and livestock, replies that note complaints, schedules moved). First
           look, untuned: pamer P 1.00 R 0.77, bahasa P 0.50 R 0.10. After round 2: pamer
           P 1.00 R 1.00, bahasa P 1.00 R 1.00 (tuned on). Three topic labels were corrected after
           the first run (r064 layanan, r066 seremonial, r071 kesehatan); no flag label changed.
           Round 2 fixed mechanisms rather than single words where it could: critics told to
           leave or to shut up (class `usir_kritik`), threats that note names or promise a
           pick-up (`ancaman_orang`, window 3, with service replies and law enforcement as
           contexts), professions and comments called fake, paid or tacky (`hinaan_orang`),
           anti-bullying posts acting on every sentence, pets named in Javanese, a renovation
           counted as public work only beside a public building, parties described by how they
           are celebrated, price boasts, shopping sprees. Phrasings invented beside tune5 (not
           added as rows) are the unit tests of tests/test_screening.py. `fresh2` and `fresh`
           rows were not looked at; their aggregate figures were printed while tuning:
           fresh2 pamer R 0.82 -> 0.94, everything else on them unchanged. The split another
           helper writes after this round, measured once, is the honest estimate.
- fresh4:  70 captions (m001-m070; 20 pamer, 20 bahasa, 21 hard negatives) written on 2026-12-05
           by a second helper that had read neither the rules, the lexicons, these tests nor any
           earlier caption, at the same time as round 2 and in another worktree (round 2 never
           saw it). Measured ONCE, untouched, with three generations of the rules:
             rules at the start of the day (3d87946): pamer P 1.00 R 0.45, bahasa P 0.78 R 0.35
             after round 1 (tune4):                   pamer P 1.00 R 0.45, bahasa P 0.85 R 0.55
             after round 2 (fresh3, tune5):           pamer P 1.00 R 0.65, bahasa P 0.93 R 0.70
           (pamer 13 of 20, no false flag; bahasa 14 of 20, 1 false flag). Each round lifts recall
           on unseen phrasing, but issue 15's recall targets (pamer 0.8, bahasa 0.85) are NOT met
           on it; precision is. Pinned by a checksum; the lead did not look at its misses. Then
           tuned on after its one measurement (round 3, below): its rows were read and the
           mechanisms behind its misses fixed, so its figures now (pamer P 1.00 R 1.00, bahasa
           P 1.00 R 1.00) say only that the rules cover it. Its rows were not edited or
           relabelled (the checksum still holds); no flag label was found wrong.
- tune6:   80 captions (s001-s080; 21 pamer, 21 bahasa, 38 hard negatives) written on 2026-12-05
           for round 3 of issue 15, before any rule change of that round and before fresh4's
           misses were read, by the helper that then tuned on both: luxury described rather than
           named (bills and prices, "akhirnya kebeli", first class and VIP seats, members-only
           lounges, healing trips, a shopping haul, kids' parties, a car's comforts); mocked
           complaints, demeaned groups, sarcasm, Javanese ngoko, threats; and hard negatives
           sharing their words (a religious "haul", "akhirnya kebeli" for a village's sewing
           machines, VIP wards and tickets sold for charity, public bills, warnings, bullying
           campaigns quoting insults, "sekolah dulu yang bener" from the Bupati, a lost dog).
           First look, untuned: pamer P 0.93 R 0.67, bahasa P 0.90 R 0.43. After round 3: pamer
           P 1.00 R 0.95 (20 of 21), bahasa P 1.00 R 0.95 (20 of 21) (tuned on). Three topic
           labels were corrected after the first run, to follow the set's convention (s045 and
           s079, festivals, and s063, a Monday upacara, are `seremonial`); no flag label changed.
           Round 3 fixed mechanisms: `#` in an entry is any number, so a bill with its amount is
           a class of its own (`tagihan`: "struk ... tembus 14 juta"), with public bills (PDAM,
           PBB, pajak) as context; an `unless` phrase may hold words before its context ("kok
           dikatain korupsi" answers an accusation); "jangan" aimed at critics ("jangan cuma
           bacot", "orang miskin jangan norak") is a retort, not a prohibition; more prohibition
           frames ("diminta tidak", "agar tidak"); classes `ejek_keluhan` (complaints mocked:
           "yang komplain ... mbok ya mikir", "cuma bisa ngeluh ya pindah saja sana") and
           `hinaan_kelompok` (groups demeaned: "petani kok mentalnya pengemis"); threats that
           say the critic is known; a lost dog is a dog; `seremonial_context.csv`: gifts, spouses,
           one's children, parties and shopping make a birthday or a "haul" a family affair, not
           a ceremony (seremonial precision on the whole set 0.74 -> 0.95, recall 0.88 -> 0.83:
           four private parties of older splits are labelled `seremonial`, against the set's
           convention elsewhere). Phrasings invented beside tune6 and fresh4, many written after
           the rules to probe them, are the unit tests of tests/test_screening.py. fresh2 and
           fresh were not tuned on: unchanged (fresh2 pamer R 0.94, bahasa R 0.94; fresh pamer
           R 0.83, bahasa R 1.00), precision 1.00. The splits other helpers write after this
           round, measured once, are the honest estimate.
- tune7:   120 captions (g001-g120; 14 pamer, 14 bahasa, 92 negatives) written on 2026-12-05 for
           the statistical model beside the rules (pantau/screening/model.py), by a helper that
           read neither the rules nor any caption: warm or neutral posts that address people
           ("kalian luar biasa"), instructions ("yang belum ... silakan"), hoax and crime reports,
           literal animal words, ordinary or official hotels, holidays, dining and cars - the
           cues the first model took for rudeness or flexing - and positives in the same words.
           A sampled split (mostly negatives). Trained on; it gave the model counterexamples.
- fresh5, fresh6: 80 captions each (d001-d080: 25 pamer, 26 bahasa, 33 negatives; e001-e080: 27
           pamer, 26 bahasa, 31 negatives; 30 and 24 hard negatives), written on 2026-12-05 by two
           more helpers, each alone, who had read neither the rules, the lexicons, these tests
           nor any other caption, at the same time as round 3 and the model, in other worktrees:
           neither round 3, nor tune7's author, nor the model's training ever saw them (the
           trainer leaves them out: scripts/train_screening_model.py NEVER_TRAINED). Measured
           ONCE, after the design of the model and its thresholds was fixed, with three
           generations (P / R):
                                           fresh5 pamer  bahasa       fresh6 pamer  bahasa
             rules, start of day (c977658)  0.94 0.60   0.95 0.69      1.00 0.78   0.93 0.50
             rules after round 3            0.94 0.68   0.95 0.73      1.00 0.81   0.93 0.54
             round 3 rules + the model      0.96 0.92   0.96 0.96      1.00 0.81   0.96 0.85
           The last row, pooled over the 160 captions (52 pamer, 52 bahasa positives): pamer
           P 0.98 R 0.87 (45 of 52, 1 false flag), bahasa P 0.96 R 0.90 (47 of 52, 2 false
           flags): issue 15's targets (pamer P 0.9 R 0.8, bahasa P 0.9 R 0.85) are met on
           captions never tuned on. Split by author, fresh6's bahasa recall is 22 of 26 = 0.846,
           one caption short of 0.85. Pinned by checksums; NEVER tune or train on them: write a
           new split for the next round.
- fresh7:  80 captions (a001-a080; 26 pamer, 25 bahasa, 27 hard negatives) written on 2026-12-05
           by a fourth helper who read no rule and no caption, AFTER the model shipped, and
           measured once: rules alone pamer P 1.00 R 0.73, bahasa P 1.00 R 0.60; rules + model
           pamer P 0.92 R 0.85 (2 false flags), bahasa P 1.00 R 0.80 (20 of 25: below 0.85).
           Pooled with fresh5 and fresh6 (240 captions, 78 pamer, 77 bahasa positives): pamer
           P 0.96 R 0.86, bahasa P 0.97 R 0.87 - the issue's targets held pooled, not on every
           split by itself. Never tuned or trained on.

The statistical model was also measured once on fresh4 before round 3 tuned on it, trained without
fresh4 and before tune6/tune7 existed, in its first form (one threshold, no `alone`): rules P 1.00
R 0.65 / P 0.93 R 0.70 -> with the model pamer P 1.00 R 0.85, bahasa P 0.91 R 1.00. Its
leave-one-split-out figures (the model alone, trained on every other split) are printed by
`python scripts/train_screening_model.py`.

The issue-15 engine also lifted the older never-tuned `fresh` split without looking at it:
pamer recall 0.67 -> 0.83, bahasa recall 0.71 -> 0.86, precision unchanged at 1.00.

Run `pytest -s tests/test_screening_quality.py` to see the figures.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from pantau.screening import REVIEW_FLAGS, TOPICS, screen

LABELLED = Path(__file__).resolve().parent / "labelled_captions.csv"
SPLITS = ("heldout", "tune", "blind", "fresh", "tune2", "tune3", "fresh2", "tune4", "fresh3", "tune5", "fresh4",
          "tune6", "tune7", "fresh5", "fresh6", "fresh7")

# Floors, and why:
# - Precision first. A review flag points a human at a unit's post as possible flexing or rudeness;
#   a false flag costs a reviewer's time and, worse, the trust of the unit flagged. On the whole set
#   precision must stay >= 0.9 for pamer and bahasa, and >= 0.8 on the never-tuned `fresh` split.
# - Recall on the whole set >= 0.8: the lexicons must keep covering the phrasing they were built on
#   (brands, trips, the insults the issue names and their disguises). A drop means a rule broke.
# - Recall on `fresh` >= 0.5: the measured value there (pamer 0.67, bahasa 0.71 on 6-7 positives,
#   after the tune2 widening; 0.50 and 0.71 before it) minus about one caption. A word list cannot foresee new brands or new insults - that is why the page is a
#   pointer for humans, and why this floor guards against regressions rather than promising more.
# - Topics feed the public filter: precision >= 0.8 on the sampled splits (0.75 on all), so "pembangunan" shows
#   development posts; their recall is printed, not held.
# - fresh2 (never tuned on): issue 15's targets (pamer P 0.9, R 0.8; bahasa P 0.9, R 0.85). The
#   split-wide 0.7 is what bahasa recall reached before tune4 (0.75) minus one caption.
# - tune3 (tuned on): 0.9 each, the lexicons must keep covering what they were tuned on.
# - tune4 (tuned on): what it reached (1.00 each), rounded down: 1.0.
# - fresh3 (independent until its one measurement, then tuned on in round 2): 0.9 each, like
#   tune3; its measured-once figures (pamer P 0.94 R 0.71, bahasa P 0.88 R 0.67) are in the docstring.
# - tune5 (tuned on, round 2): what it reached (1.00 each), written as 0.9: brittle floors cost later work.
# - fresh4 (independent until its one measurement, then tuned on in round 3): 0.9 each, like
#   fresh3; its measured-once figures (pamer P 1.00 R 0.65, bahasa P 0.93 R 0.70) are in the docstring.
# - tune6 (tuned on, round 3): what it reached (pamer P 1.00 R 0.95, bahasa P 1.00 R 0.95), rounded
#   down: 0.9.
# - tune7 (trained on, mostly negatives): what it reached (pamer P 1.00 R 0.93, bahasa 1.00/1.00),
#   rounded down: 0.9.
# - fresh5, fresh6 (independent, measured once, never tuned or trained on): what they reached,
#   rounded down (fresh5 0.9 each; fresh6 pamer R 0.8, bahasa R 0.84): regression guards.
# - fresh2 bahasa recall: 0.85, issue 15's target, reached after the tune4 widening (0.94).
FLOORS = {
    "all": {"precision": 0.9, "recall": 0.8},
    "fresh": {"precision": 0.8, "recall": 0.5},
    "tune3": {"precision": 0.9, "recall": 0.9},
    "fresh2": {"precision": 0.9, "recall": 0.7},
    "tune4": {"precision": 1.0, "recall": 1.0},
    "fresh3": {"precision": 0.9, "recall": 0.9},
    "tune5": {"precision": 0.9, "recall": 0.9},
    "fresh4": {"precision": 0.9, "recall": 0.9},
    "tune6": {"precision": 0.9, "recall": 0.9},
    "tune7": {"precision": 0.9, "recall": 0.9},
    "fresh5": {"precision": 0.9, "recall": 0.9},
    "fresh6": {"precision": 0.9, "recall": 0.8},
    "fresh7": {"precision": 0.9, "recall": 0.8},
}
FLAG_FLOORS = {("fresh2", "pamer"): {"precision": 0.9, "recall": 0.8},
               ("fresh2", "bahasa"): {"precision": 0.9, "recall": 0.85},
               ("fresh6", "bahasa"): {"precision": 0.9, "recall": 0.84}}
# Splits written about half positive on purpose (issue 15); the others sample ordinary posts.
BALANCED_SPLITS = ("tune3", "fresh2", "tune4", "fresh3", "tune5", "fresh4", "tune6", "fresh5", "fresh6", "fresh7")
# sha256 of fresh2's rows (id, text, pamer, bahasa, topics) as written before any tuning.
FRESH2_SHA256 = "d30b072014afd9714ff1aa28891963adf577a2d066c3fb7aacd1a09812c3a9c7"
# sha256 of fresh3's rows as its author committed them (8d004ea), before any measurement.
FRESH3_SHA256 = "0f4736659544dca5e5a1ee8538a4cc76a56a08836540c92b65bc16d10f43d82e"
# sha256 of fresh4's rows as its author committed them (be16a6e), before any measurement.
FRESH4_SHA256 = "a459a27a05f377089f9f998ae752dd1cdf535b4c26b5df282e63fdbf6b16972d"
# sha256 of fresh5's and fresh6's rows as their authors committed them (d7591cf, 482e2e4).
FRESH5_SHA256 = "22dafcf4330bfa907b97ab70c278b10c5d3c188f467a970d9ab872b7adabf485"
FRESH6_SHA256 = "76c8ac84450e9a76aff783881389c9c3eab6c1de772b4eb4d053e2380b83e9a5"
# sha256 of fresh7's rows as its author committed them (f1571cc), written after the model shipped.
FRESH7_SHA256 = "6aa5456170a2f9263af3e1b925e7bf18907d1904133a2a205231ff482f19c631"
# The splits nothing was tuned or trained on; pooled, they hold issue 15's targets.
NEVER_TUNED = ("fresh5", "fresh6", "fresh7")
ISSUE_15_TARGETS = {"pamer": {"precision": 0.9, "recall": 0.8}, "bahasa": {"precision": 0.9, "recall": 0.85}}
# Topic precision: >= 0.8 on the sampled splits, whose mix of posts is the feed's, and on the whole
# set. The balanced splits are packed with private parties and syukuran, which `seremonial` took
# for ceremonies (0.79, then 0.74 with tune6) until round 3's family-celebration context (0.95);
# the lowest topic on the whole set is now pembangunan (0.82).
TOPIC_PRECISION_FLOOR = {"sampled": 0.8, "all": 0.8}


@dataclass(frozen=True)
class Caption:
    id: str
    split: str
    text: str
    gold: frozenset[str]


@dataclass(frozen=True)
class Figures:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def load_captions() -> list[Caption]:
    captions = []
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            gold = set()
            for flag in REVIEW_FLAGS:
                assert row[flag] in ("0", "1"), f"{LABELLED}:{number}:{flag}: expected 0 or 1"
                if row[flag] == "1":
                    gold.add(flag)
            topics = {t for t in row["topics"].split(";") if t}
            assert topics <= set(TOPICS), f"{LABELLED}:{number}:topics: unknown {topics - set(TOPICS)}"
            assert row["split"] in SPLITS, f"{LABELLED}:{number}:split: unknown {row['split']!r}"
            captions.append(Caption(row["id"], row["split"], row["text"], frozenset(gold | topics)))
    return captions


CAPTIONS = load_captions()
PREDICTED = {c.id: set(screen(c.text).flags) for c in CAPTIONS}


def figures(flag: str, split: str = "all") -> Figures:
    """Figures of a flag on one split, on "all", or on "never-tuned" (the pooled NEVER_TUNED splits)."""
    counts: Counter[str] = Counter()
    for caption in CAPTIONS:
        if split == "never-tuned" and caption.split not in NEVER_TUNED:
            continue
        if split not in ("all", "never-tuned") and caption.split != split:
            continue
        predicted, gold = flag in PREDICTED[caption.id], flag in caption.gold
        counts["tp"] += predicted and gold
        counts["fp"] += predicted and not gold
        counts["fn"] += gold and not predicted
    return Figures(counts["tp"], counts["fp"], counts["fn"])


def test_labelled_set_is_big_and_varied():
    assert len(CAPTIONS) >= 150
    assert len({c.id for c in CAPTIONS}) == len(CAPTIONS)
    assert len({c.text for c in CAPTIONS}) == len(CAPTIONS)
    for flag in (*REVIEW_FLAGS, *TOPICS):
        assert sum(flag in c.gold for c in CAPTIONS) >= 15, flag
    # Most captions are ordinary: a set made of positives would say nothing about false flags.
    sampled = [c for c in CAPTIONS if c.split not in BALANCED_SPLITS]
    assert sum(not (c.gold & set(REVIEW_FLAGS)) for c in sampled) >= 0.7 * len(sampled)
    for split in BALANCED_SPLITS:
        captions = [c for c in CAPTIONS if c.split == split]
        assert len(captions) >= 60, split
        positives = sum(bool(c.gold & set(REVIEW_FLAGS)) for c in captions)
        assert 0.4 * len(captions) <= positives <= 0.65 * len(captions), split


@pytest.mark.parametrize(("split", "expected"), [("fresh2", FRESH2_SHA256), ("fresh3", FRESH3_SHA256),
                                                   ("fresh4", FRESH4_SHA256), ("fresh5", FRESH5_SHA256),
                                                   ("fresh6", FRESH6_SHA256), ("fresh7", FRESH7_SHA256)])
def test_held_out_splits_are_untouched(split, expected):
    digest = hashlib.sha256()
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] == split:
                fields = (row["id"], row["text"], row["pamer"], row["bahasa"], row["topics"])
                digest.update("\x1f".join(fields).encode() + b"\n")
    assert digest.hexdigest() == expected


def test_report_figures():
    lines = ["", f"screening quality on {len(CAPTIONS)} labelled captions"]
    for flag in (*REVIEW_FLAGS, *TOPICS):
        for split in ("all", *SPLITS, "never-tuned"):
            f = figures(flag, split)
            n = sum(1 for c in CAPTIONS if split in ("all", c.split) or (split == "never-tuned" and c.split in NEVER_TUNED))
            lines.append(f"{flag:12s} {split:8s} n={n:3d} tp={f.tp:2d} fp={f.fp:2d} fn={f.fn:2d} "
                         f"precision={f.precision:.2f} recall={f.recall:.2f}")
    print("\n".join(lines))
    assert figures("pamer").tp > 0 and figures("bahasa").tp > 0


@pytest.mark.parametrize("flag", REVIEW_FLAGS)
@pytest.mark.parametrize("split", sorted(FLOORS))
def test_review_flags_hold_their_floor(flag, split):
    f = figures(flag, split)
    floor = FLAG_FLOORS.get((split, flag), FLOORS[split])
    assert f.precision >= floor["precision"], f"{flag} precision on {split}: {f.precision:.2f} ({f})"
    assert f.recall >= floor["recall"], f"{flag} recall on {split}: {f.recall:.2f} ({f})"


@pytest.mark.parametrize("flag", REVIEW_FLAGS)
def test_issue_15_targets_on_the_never_tuned_captions(flag):
    f = figures(flag, "never-tuned")
    assert f.tp + f.fn >= 50, "the pooled never-tuned splits hold at least 50 positives of each flag"
    assert f.precision >= ISSUE_15_TARGETS[flag]["precision"], f"{flag} precision {f.precision:.2f} ({f})"
    assert f.recall >= ISSUE_15_TARGETS[flag]["recall"], f"{flag} recall {f.recall:.2f} ({f})"


@pytest.mark.parametrize("topic", TOPICS)
def test_topics_precision_floor(topic):
    f = figures(topic)
    assert f.precision >= TOPIC_PRECISION_FLOOR["all"], f"{topic} precision {f.precision:.2f} ({f})"
    sampled = [figures(topic, split) for split in SPLITS if split not in BALANCED_SPLITS]
    tp, fp = sum(s.tp for s in sampled), sum(s.fp for s in sampled)
    precision = tp / (tp + fp) if tp + fp else 1.0
    assert precision >= TOPIC_PRECISION_FLOOR["sampled"], f"{topic} precision on sampled splits {precision:.2f}"
