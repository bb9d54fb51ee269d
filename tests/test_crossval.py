"""Grouped cross-validation: folds keep time blocks whole, purge straddling windows, score out of fold."""

import numpy as np
import pandas as pd
import pytest

from seisclass.core.vocabulary import to_timestamps
from seisclass.learn.crossval import (
    cross_validate,
    cross_validated_weights,
    fold_of_windows,
    tune_decision_weights,
)
from seisclass.learn.forest import apply_decision_weights
from seisclass.learn.metrics import interval_metrics

pytestmark = pytest.mark.unit
CLASSES = ["quiet", "event"]


def _blocks_table(seed=0, n_blocks=40):
    """Windows every 5 s (10 s long) over ``n_blocks`` 100-s blocks; events in 8 blocks, some windows unlabelled."""
    rng = np.random.default_rng(seed)
    starts = np.arange(0, n_blocks * 100, 5.0)
    event_blocks = rng.choice(n_blocks, 8, replace=False)
    labels = np.where(np.isin(starts // 100, event_blocks), "event", "quiet").astype(object)
    labels[rng.uniform(size=len(starts)) < 0.2] = "quiet"  # blocks of both classes
    labels[::17] = "unlabeled"
    return starts, labels


def _fold_of_block(starts, folds):
    """{block: fold} of the scored windows; fails if one block's windows are in two folds."""
    fold_of_block = {}
    for b, f in zip(starts[folds >= 0] // 100, folds[folds >= 0], strict=True):
        assert fold_of_block.setdefault(b, f) == f  # one fold per block
    return fold_of_block


def test_windows_of_one_block_share_a_fold_and_straddlers_are_purged():
    starts, labels = _blocks_table()
    folds = fold_of_windows(starts, starts + 10, labels, CLASSES, block_s=100.0, k=3, seed=1)
    fold_of_block = _fold_of_block(starts, folds)
    first, last = starts // 100, (starts + 10 - 1e-6) // 100
    crossing = np.array([last[i] in fold_of_block and fold_of_block.get(first[i]) != fold_of_block[last[i]]
                         for i in range(len(starts))])
    labelled = labels != "unlabeled"
    assert crossing.any() and (folds[crossing] == -1).all()  # windows across two folds are purged
    np.testing.assert_array_equal(folds[labelled] == -1, crossing[labelled])  # and only those
    assert ((last != first) & ~crossing & labelled & (folds >= 0)).any()  # a straddler inside one fold stays
    assert (folds[~labelled] == -1).all()
    assert set(folds[folds >= 0]) == {0, 1, 2}


@pytest.mark.parametrize("seed", range(5))
def test_every_class_reaches_every_fold_and_the_folds_are_balanced(seed):
    """Events are in 8 blocks, 5 folds: each fold gets event windows; windows per fold are near n / 5."""
    starts, labels = _blocks_table(seed)
    folds = fold_of_windows(starts, starts + 10, labels, CLASSES, block_s=100.0, k=5, seed=seed)
    _fold_of_block(starts, folds)
    for c in CLASSES:
        assert set(folds[(labels == c) & (folds >= 0)]) == {0, 1, 2, 3, 4}, c
    sizes = np.bincount(folds[folds >= 0], minlength=5)
    assert sizes.min() > 0.6 * sizes.mean()


def test_folds_are_reproducible_with_the_seed():
    starts, labels = _blocks_table()
    first = fold_of_windows(starts, starts + 10, labels, CLASSES, block_s=100.0, k=5, seed=3)
    np.testing.assert_array_equal(first, fold_of_windows(starts, starts + 10, labels, CLASSES, 100.0, 5, 3))
    other = fold_of_windows(starts, starts + 10, labels, CLASSES, block_s=100.0, k=5, seed=4)
    assert not np.array_equal(first, other)  # another seed deals the blocks otherwise


def test_fewer_blocks_than_folds_or_no_labels():
    starts = np.arange(0, 300, 5.0)  # three blocks, five folds: one block per fold, two folds empty
    labels = np.where(starts < 100, "event", "quiet").astype(object)
    folds = fold_of_windows(starts, starts + 5, labels, CLASSES, block_s=100.0, k=5, seed=0)
    assert len(set(folds.tolist())) == 3 and folds.min() >= 0 and folds.max() < 5
    assert len(_fold_of_block(starts, folds)) == 3
    unlabelled = np.full(len(starts), "unlabeled", dtype=object)
    assert (fold_of_windows(starts, starts + 5, unlabelled, CLASSES, 100.0, 5, 0) == -1).all()


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
    domain = summary["domain"]  # one station like its training folds: never flagged, scores near 0
    assert domain["stations"] == 1 and domain["flagged_stations"] == 0 and domain["windows"] == len(predictions)
    assert (predictions["domain_score"] >= 0).all() and (predictions["domain_score"] > 1).mean() < 0.05


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


def _two_class_intervals() -> pd.DataFrame:
    """Events at p_event 0.30 (4) and 0.45 (4); quiet intervals at 0.20 (8) and 0.35 (2).

    Event weight 1.25-1.5 finds the 0.45 events and keeps every quiet one (recalls 1.0 / 0.5);
    weight 3 finds every event but calls the 0.35 quiet intervals events (0.8 / 1.0).
    """
    p_event = np.array([0.30] * 4 + [0.45] * 4 + [0.20] * 8 + [0.35] * 2)
    label = np.array(["event"] * 8 + ["quiet"] * 10, dtype=object)
    return pd.DataFrame({"interval": [str(i) for i in range(len(label))], "label": label,
                         "p_quiet": 1 - p_event, "p_event": p_event})


def test_decision_weights_meet_recall_targets_instead_of_equal_recalls():
    predictions = _two_class_intervals()
    assert tune_decision_weights(predictions, CLASSES)["event"] == 3.0  # smallest recall 0.8 (else 0.5)
    targets = {"quiet": 0.95, "event": 0.4}  # margins at 1.25: 0.05 / 0.1; at 3: -0.15 / 0.6
    assert tune_decision_weights(predictions, CLASSES, targets)["event"] == 1.25


def test_decision_weights_are_scored_on_the_windows_of_each_interval():
    """Two windows per interval: the interval decides on their mean weighted probability."""
    predictions = _two_class_intervals()
    doubled = pd.concat([predictions, predictions.assign(interval=predictions["interval"])], ignore_index=True)
    outside = doubled.iloc[:3].assign(interval="", label="event", p_quiet=1.0, p_event=0.0)  # not in any interval
    assert tune_decision_weights(pd.concat([doubled, outside]), CLASSES)["event"] == 3.0


def test_cross_validated_weights_never_use_a_folds_own_labels():
    keys = {"network": "XX", "station": "A", "location": "", "channel": "HHZ", "start": to_timestamps(0.0),
            "end": to_timestamps(10.0)}
    predictions = pd.concat([_two_class_intervals().assign(fold=f, interval=lambda t, f=f: f"{f}-" + t["interval"],
                                                           **keys) for f in range(3)], ignore_index=True)
    summary, weighted = cross_validated_weights(predictions, CLASSES)
    assert [w["event"] for w in summary["weights_per_fold"]] == [3.0, 3.0, 3.0]
    assert summary["per_interval"]["per_class"]["quiet"]["recall"] == pytest.approx(0.8)
    assert summary["per_interval"]["per_class"]["event"]["recall"] == 1.0
    assert sorted(weighted["fold"].unique()) == [0, 1, 2]
    shifted = predictions.copy()  # fold 0 alone would now choose 1.25 (its events all at 0.45); its own
    shifted.loc[(shifted["fold"] == 0) & (shifted["p_event"] == 0.30), "p_event"] = 0.45  # choice must not see it
    shifted["p_quiet"] = 1 - shifted["p_event"]
    assert tune_decision_weights(shifted[shifted["fold"] == 0], CLASSES)["event"] == 1.25
    again, _ = cross_validated_weights(shifted, CLASSES)
    assert again["weights_per_fold"][0] == summary["weights_per_fold"][0]
