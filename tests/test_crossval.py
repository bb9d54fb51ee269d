"""Grouped cross-validation: folds keep time blocks whole, purge straddling windows, score out of fold."""

import numpy as np
import pandas as pd
import pytest

from seisclass.learn.crossval import cross_validate, fold_of_windows, tune_decision_weights
from seisclass.learn.forest import apply_decision_weights
from seisclass.learn.metrics import interval_metrics
from seisclass.schema import to_timestamps

pytestmark = pytest.mark.unit
CLASSES = ["quiet", "event"]


def test_windows_of_one_block_share_a_fold_and_straddlers_are_purged():
    starts = np.arange(0, 1000, 5.0)
    labels = np.where((starts // 100) % 3 == 0, "event", "quiet").astype(object)
    labels[::17] = "unlabeled"
    folds = fold_of_windows(starts, starts + 10, labels, CLASSES, block_s=100.0, k=3, seed=1)
    first, last = starts // 100, (starts + 10 - 1e-6) // 100
    fold_of_block = {}
    for b, f in zip(first[folds >= 0], folds[folds >= 0], strict=True):
        assert fold_of_block.setdefault(b, f) == f  # one fold per block
    crossing = np.array([last[i] in fold_of_block and fold_of_block.get(first[i]) != fold_of_block[last[i]]
                         for i in range(len(starts))])
    assert crossing.any() and (folds[crossing] == -1).all()  # windows across two folds are purged
    assert (folds[labels == "unlabeled"] == -1).all()
    assert set(folds[folds >= 0]) == {0, 1, 2}


def test_interval_vote_is_the_mean_probability_of_its_windows():
    predictions = pd.DataFrame({
        "interval": ["a", "a", "a", "b", "b", ""], "label": ["event", "event", "event", "quiet", "quiet", "quiet"],
        "p_quiet": [0.9, 0.2, 0.2, 0.6, 0.3, 1.0], "p_event": [0.1, 0.8, 0.8, 0.4, 0.7, 0.0],
    })
    metrics, table = interval_metrics(predictions, CLASSES)
    assert list(table["predicted"]) == ["event", "event"]  # a: mean 0.57 event; b: mean 0.55 event
    assert list(table["n_windows"]) == [3, 2]
    assert metrics["per_class"]["event"]["recall"] == 1.0 and metrics["per_class"]["quiet"]["recall"] == 0.0
    assert metrics["balanced_accuracy"] == pytest.approx(0.5)


def _threshold(x):
    """A 'model' that calls a window an event when its feature exceeds 0.5."""
    p = (x[:, 0] > 0.5).astype(float)
    return np.column_stack([1 - p, p])


def test_cross_validation_scores_every_unpurged_window_once_out_of_fold():
    rng = np.random.default_rng(0)
    starts = np.arange(0, 3000, 5.0)
    event = (starts // 100) % 4 == 0
    table = pd.DataFrame({
        "network": "XX", "station": "A", "location": "", "channel": "HH?",
        "start": to_timestamps(starts), "end": to_timestamps(starts + 10), "snr": 0.0,
        "label": np.where(event, "event", "quiet"), "interval": (starts // 100).astype(int).astype(str),
        "x": np.where(event, 0.8, 0.2) + rng.normal(0, 0.01, len(starts)),
    })
    summary, predictions = cross_validate(table, ["x"], CLASSES, lambda x, y: _threshold, 100.0, 5, seed=3)
    assert predictions.duplicated(["start"]).sum() == 0
    assert len(predictions) + summary["purged_windows"] == len(table)
    assert summary["balanced_accuracy"] == 1.0 and summary["per_interval"]["balanced_accuracy"] == 1.0
    assert sum(summary["windows_per_fold"]) == len(predictions)


def test_decision_weights_raise_an_under_predicted_class_without_sacrificing_another():
    """Events get p_event 0.35 (quiet 0.65): argmax misses them all; a weight in (1.86, 4) recovers them."""
    n = 40
    event = np.arange(n) % 4 == 0
    predictions = pd.DataFrame({"interval": [str(i) for i in range(n)],
                                "label": np.where(event, "event", "quiet"),
                                "p_quiet": np.where(event, 0.65, 0.8), "p_event": np.where(event, 0.35, 0.2)})
    weights = tune_decision_weights(predictions, CLASSES)
    assert weights["quiet"] == 1.0 and 0.65 / 0.35 < weights["event"] < 4.0  # 0.35 w > 0.65, 0.2 w < 0.8
    scaled = apply_decision_weights(predictions[["p_quiet", "p_event"]].to_numpy(), CLASSES, weights)
    assert np.allclose(scaled.sum(axis=1), 1.0)
    assert ((scaled[:, 1] > scaled[:, 0]) == event).all()
