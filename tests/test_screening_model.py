"""The statistical model beside the screening rules (pantau/screening/model.py).

Held here: scoring in plain Python gives scikit-learn's probabilities; the shipped files are what
training on the labelled captions gives (so nobody ships a model trained on the held-out splits or
edited by hand); how the model's verdict combines with the rules (a lower threshold beside the
rules' evidence, a higher one alone, a context rule outranks it); every flag it raises explains
itself; malformed model files name FILE:ROW:COLUMN.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

from pantau.config import DATA_DIR
from pantau.screening import LexiconError, load_lexicons, screen, tokenize
from pantau.screening.model import FEATURES_FILE, FLAGS_FILE

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("train_screening_model", ROOT / "scripts" / "train_screening_model.py")
training = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(training)


def _lexicons_without_model(tmp_path: Path) -> Path:
    folder = tmp_path / "lexicons"
    shutil.copytree(DATA_DIR / "lexicons", folder, ignore=shutil.ignore_patterns("model_*"))
    return folder


def _write_model(folder: Path, flags: list[tuple[str, float, float, float]], features: list[tuple[str, float, float]]):
    """A hand-made model: (flag, intercept, threshold, alone) and (feature, idf, pamer weight)."""
    with (folder / FLAGS_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["flag", "intercept", "threshold", "alone"])
        writer.writerows(flags)
    with (folder / FEATURES_FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["feature", "idf", "pamer"])
        writer.writerows(features)


def test_plain_python_scoring_gives_scikit_learns_probabilities(tmp_path):
    rows = training.read_captions()
    texts = [row["text"] for row in rows]
    labels = {flag: np.array([row[flag] == "1" for row in rows]) for flag in ("pamer", "bahasa")}
    vectorizer, models = training.fit(texts[::2], {flag: y[::2] for flag, y in labels.items()})
    folder = _lexicons_without_model(tmp_path)
    training.write(folder, vectorizer, models, {"pamer": 0.5, "bahasa": 0.5})
    model = load_lexicons(folder).model
    assert model is not None and set(model.flags) == {"pamer", "bahasa"}
    held_out = texts[1::2]
    expected = {flag: m.predict_proba(vectorizer.transform(held_out))[:, 1] for flag, m in models.items()}
    for index, text in enumerate(held_out):
        verdicts = model.verdicts(tokenize(text, training.RULES))
        for flag in models:
            # The files keep six significant digits: the probabilities agree to about 1e-4.
            assert verdicts[flag].probability == pytest.approx(expected[flag][index], abs=2e-3), (flag, text)


def test_shipped_model_is_what_training_on_the_captions_gives(capsys):
    assert training.main(["--check"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "shipped model matches the captions" in out
    # It never learnt from the splits that measure the screening on unseen captions.
    with training.LABELLED.open(encoding="utf-8", newline="") as handle:
        splits = {row["split"] for row in csv.DictReader(handle)}
    assert set(training.NEVER_TRAINED) <= splits
    assert not {row["split"] for row in training.read_captions()} & set(training.NEVER_TRAINED)


def test_the_shipped_model_reads_beside_the_rules():
    lex = load_lexicons()
    assert lex.model is not None and set(lex.model.flags) == {"pamer", "bahasa"}
    result = screen("Rapat koordinasi penanganan stunting di aula kecamatan")
    assert set(result.probabilities) == {"pamer", "bahasa"}
    assert all(0 <= p < 0.5 for p in result.probabilities.values())


@pytest.fixture
def kopi_model(tmp_path):
    """A model that reads only 'kopi' (probability 0.62 on the word alone), and a pamer rule
    'kopi' too weak (0.5) to raise the flag by itself."""
    folder = _lexicons_without_model(tmp_path)
    with (folder / "pamer.csv").open("a", encoding="utf-8") as handle:
        handle.write("kopi luwak,0.5,word\n")
    _write_model(folder, [("pamer", -9.5, 0.5, 0.8)], [("w:kopi", 1.0, 10.0)])
    return load_lexicons(folder)


def test_the_model_needs_less_beside_the_rules_evidence_than_alone(kopi_model):
    alone = screen("Ngopi pagi: kopi tubruk", kopi_model)
    assert alone.probabilities["pamer"] == pytest.approx(0.6225, abs=1e-3)
    assert "pamer" not in alone.flags  # 0.62 < 0.8 with no listed word
    beside = screen("Kopi luwak pagi ini", kopi_model)
    assert beside.scores["pamer"] == 0.5 and "pamer" in beside.flags  # 0.62 >= 0.5 beside "kopi luwak"
    lines = beside.explanations["pamer"].lines()
    assert lines[0].endswith("kopi luwak") and lines[1].startswith("model statistik: peluang 0.62 (ambang 0.50)")
    assert "kopi" in lines[1]


def test_a_flag_the_model_raises_alone_explains_itself(tmp_path):
    folder = _lexicons_without_model(tmp_path)
    _write_model(folder, [("pamer", -5.0, 0.5, 0.6)], [("w:kopi", 1.0, 10.0), ("w:pagi", 1.0, -1.0)])
    result = screen("Kopi pagi", load_lexicons(folder))  # logit -5 + (10 - 1) / sqrt(2): 0.80
    assert result.probabilities["pamer"] == pytest.approx(0.796, abs=1e-3)
    assert "pamer" in result.flags and result.scores["pamer"] == 0.0
    assert result.terms["pamer"] == ["kopi"]  # "pagi" pushed the other way: not named
    assert result.stored["pamer"]["why"] == [
        f"model statistik: peluang {result.probabilities['pamer']:.2f} (ambang 0.60); kata paling berpengaruh: kopi"]


def test_a_context_rule_outranks_the_model(tmp_path):
    folder = _lexicons_without_model(tmp_path)
    _write_model(folder, [("pamer", 5.0, 0.5, 0.5)], [("w:mobil", 1.0, 1.0)])  # raises everything
    lex = load_lexicons(folder)
    assert "pamer" in screen("Kerja bakti di balai desa", lex).flags
    warned = screen("Bupati menegaskan ASN dilarang memamerkan mobil mewah di media sosial", lex)
    assert "pamer" not in warned.flags
    assert warned.explanations["pamer"].lines()[-1].endswith("[tidak dipakai: aturan konteks berlaku]")


def test_a_folder_without_a_model_is_screened_by_the_rules_alone(tmp_path):
    lex = load_lexicons(_lexicons_without_model(tmp_path))
    assert lex.model is None
    result = screen("Makan malam wagyu di rooftop", lex)
    assert result.probabilities == {} and "pamer" in result.flags
    assert not any(line.startswith("model") for line in result.explanations["pamer"].lines())


@pytest.mark.parametrize(("flags_rows", "feature_rows", "header", "message"), [
    ([("pamer", "x", "0.5", "0.8")], [("w:a", "1", "1")], None, rf"{FLAGS_FILE}:2:intercept: expected a number"),
    ([("pamer", "0", "1.5", "0.8")], [("w:a", "1", "1")], None, rf"{FLAGS_FILE}:2:threshold: a probability"),
    ([("pamer", "0", "0.5", "0")], [("w:a", "1", "1")], None, rf"{FLAGS_FILE}:2:alone: a probability"),
    ([("pembangunan", "0", "0.5", "0.8")], [("w:a", "1", "1")], None, rf"{FLAGS_FILE}:2:flag: 'pembangunan' is not a review"),
    ([("pamer", "0", "0.5", "0.8")], [("w:a", "1", "1"), ("w:b", "nan", "1")], None, rf"{FEATURES_FILE}:3:idf"),
    ([("pamer", "0", "0.5", "0.8")], [("w:a", "1", "1")], ["feature", "idf", "bahasa"], rf"{FEATURES_FILE}:1:pamer"),
])
def test_malformed_model_files_name_file_row_column(tmp_path, flags_rows, feature_rows, header, message):
    folder = _lexicons_without_model(tmp_path)
    with (folder / FLAGS_FILE).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["flag", "intercept", "threshold", "alone"], *flags_rows])
    with (folder / FEATURES_FILE).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header or ["feature", "idf", "pamer"], *feature_rows])
    with pytest.raises(LexiconError, match=message):
        load_lexicons(folder)


def test_one_model_file_without_the_other_is_an_error(tmp_path):
    folder = _lexicons_without_model(tmp_path)
    _write_model(folder, [("pamer", 0.0, 0.5, 0.8)], [("w:a", 1.0, 1.0)])
    (folder / FEATURES_FILE).unlink()
    with pytest.raises(LexiconError, match=rf"{FEATURES_FILE}:1: missing"):
        load_lexicons(folder)


def test_pantau_screen_counts_the_flags_the_model_raised(tmp_path, capsys):
    from datetime import UTC, datetime

    from pantau.cli import main
    from pantau.ingest import save_posts
    from pantau.models import Post
    from pantau.store import Store

    url = f"sqlite:///{tmp_path / 'p.db'}"
    store = Store(url)
    when = datetime(2025, 9, 10, 7, 30, tzinfo=UTC)
    save_posts(store, "dinas-x", "instagram", [
        Post("ig-x", "1", "https://ig.example/1", "Weekend di Singapura, nonton konser dan belanja sepuasnya", when),
        Post("ig-x", "2", "https://ig.example/2", "Unboxing tas Hermes dan jam Rolex", when),
    ])
    store.dispose()
    assert main(["screen", "--db", url, "--dry-run"]) == 0
    assert "pamer: 2 (Kemungkinan pamer kemewahan, 1 of them by the model)" in capsys.readouterr().out
