"""End to end: the tiny demo workflow produces the output contract and a report that renders."""

import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, snakemake

from seisclass.core.vocabulary import KEY_COLUMNS, SPLITS
from seisclass.data.dataset import feature_columns
from seisclass.learn.loading import load_classifier

pytestmark = pytest.mark.workflow

CLASSES = ["silence", "tourists", "earthquake"]


def test_features_parquet_contract(tiny_run):
    table = pd.read_parquet(tiny_run / "results/features/features.parquet")
    assert list(table.columns[:10]) == [*KEY_COLUMNS, "label", "interval", "snr", "split"]
    features = feature_columns(table)
    assert len(features) >= 90
    assert all(table[c].dtype.kind == "f" for c in features)
    assert np.isfinite(table[features].to_numpy()).all()
    assert set(table["label"]) <= {*CLASSES, "unlabeled"}
    assert set(table["split"]) <= {*SPLITS, "purged", "none"}
    # one hour of 10-s windows every 5 s
    assert len(table) == pytest.approx(719, abs=2)
    for c in CLASSES:
        for side in ("train", "test"):
            assert ((table["label"] == c) & (table["split"] == side)).any(), (c, side)


def test_no_window_overlaps_a_window_of_another_split(tiny_run):
    table = pd.read_parquet(tiny_run / "results/features/features.parquet")
    used = table[table["split"].isin(SPLITS)].sort_values("start")
    starts, ends, side = used["start"].to_numpy(), used["end"].to_numpy(), used["split"].to_numpy()
    for lag in range(1, 3):
        overlap = starts[lag:] < ends[:-lag]
        assert np.all(side[lag:][overlap] == side[:-lag][overlap])


def test_metrics_and_model_contract(tiny_run):
    metrics = json.loads((tiny_run / "results/metrics/rf.json").read_text())
    for key in ("accuracy", "balanced_accuracy", "f1_macro", "jaccard_macro", "per_class", "confusion_matrix"):
        assert key in metrics
    assert set(metrics["per_class"]) == set(CLASSES)
    assert metrics["confusion_matrix"]["labels"] == CLASSES
    table = pd.read_parquet(tiny_run / "results/features/features.parquet")
    test = table[table["split"] == "test"]
    assert np.sum(metrics["confusion_matrix"]["matrix"]) == len(test)
    assert metrics["balanced_accuracy"] > 0.6  # the tiny demo is learnable, far above chance (1/3)

    model = load_classifier(tiny_run / "results/models/rf.skops")
    assert model.classes_ == CLASSES and model.metadata["training_data"]["stations"] == ["XX.TINY"]
    proba = model.predict_proba(test)
    predicted = np.array(CLASSES)[proba.argmax(axis=1)]
    assert np.mean(predicted == test["label"].to_numpy()) == pytest.approx(metrics["accuracy"])


def test_plots_are_real_images(tiny_run):
    for name in ("rf_confusion.png", "rf_recall_snr.png", "class_examples.png", "features_by_class.png",
                 "rf_precision_recall.png", "rf_misclassified.png"):
        path = tiny_run / "results/plots" / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000


def report_categories() -> set[str]:
    """Every report category declared by the workflow's rules."""
    text = "".join(p.read_text() for p in (REPO / "workflow/rules").glob("*.smk"))
    return set(re.findall(r'(?<!sub)category="([^"]+)"', text))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run")
def test_report_renders_in_headless_chromium(tiny_run, tmp_path):
    snakemake(tiny_run, "--report", "report.html")
    report = tiny_run / "report.html"
    html = report.read_text()
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000", "--dump-dom",
         report.as_uri()],
        capture_output=True, text=True, timeout=180,
    ).stdout
    assert "Snakemake" in dom and "Results" in dom
    text = re.sub(r"<[^>]+>", " ", dom[dom.find("<body"):])
    assert "classified into" in text  # the workflow description rendered from workflow.rst
    # the landing page opens on the results: the reading, the headline figure and links to every section
    landing = dom[dom.find("prose"):]
    assert "balanced accuracy of" in text and "It finds" in text and "its weakest class" in text
    assert re.search(r'<img[^>]+src="data:image/png;base64,', landing)
    assert "javascript:app.showCategory(&#39;3.%20Random%20forest&#39;)" in dom or \
        "javascript:app.showCategory('3.%20Random%20forest')" in dom
    categories = report_categories()
    assert {"1. Data", "2. Features", "3. Random forest"} <= categories
    missing = [c for c in categories if c not in text]
    assert not missing, f"report sections not rendered: {missing}"
    for name in ("rf_confusion.png", "class_examples.png", "rf.json", "class_counts.tsv", "rf_precision_recall.png",
                 "rf_misclassified.png"):
        assert name in html  # embedded results

