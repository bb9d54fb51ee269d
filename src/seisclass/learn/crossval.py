"""Grouped cross-validation: how a model transfers to events it has never seen.

Windows are grouped by the absolute time block of the split
(:func:`seisclass.data.split.block_index`, ``split.block_s``): all windows of
one event, at every station, share a block, so a fold never sees another
part of a test event. Blocks are dealt to ``k`` folds by scikit-learn's
:class:`~sklearn.model_selection.StratifiedGroupKFold` (groups: the blocks;
shuffled with the seed), which balances every class's windows over the folds
(greedily: a class found in at least ``k`` blocks normally reaches every fold). A window whose end
lies in a block of another fold is *purged* from that round (neither trained on
nor scored), so windows that overlap in time never land on both sides.

Scores are pooled over the folds, per window and per labelled interval
(:func:`seisclass.learn.metrics.interval_metrics`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from seisclass.core.vocabulary import epoch_seconds, probability_columns
from seisclass.data.split import block_index
from seisclass.learn.domain import (
    STATION_THRESHOLD,
    describe_domain,
    domain_counts,
    domain_scores,
    domain_summary,
    station_domain,
)
from seisclass.learn.metrics import evaluate_windows

log = logging.getLogger(__name__)


def fold_of_windows(starts_s: np.ndarray, ends_s: np.ndarray, labels: np.ndarray, classes: list[str],
                    block_s: float, k: int, seed: int, unlabelled: bool = False) -> np.ndarray:
    """Fold (0..k-1) of each labelled window, -1 for unlabelled or purged windows.

    ``starts_s``/``ends_s`` are epoch seconds; a window belongs to the time
    block (``block_s`` seconds) of its start, and is purged when its end lies in
    a block of another fold. Folds are dealt by the labelled windows; with
    ``unlabelled``, an unlabelled window inside one fold's blocks gets that fold
    too (it is predicted with that fold, never trained on).
    """
    labels = np.asarray(labels, dtype=object)
    first = block_index(starts_s, block_s)
    last = block_index(np.asarray(ends_s, float) - 1e-6, block_s)
    labelled = np.isin(labels, classes)
    fold_by_block = deal_blocks(first[labelled], labels[labelled], k, seed)
    first_fold = np.array([fold_by_block.get(b, -1) for b in first.tolist()])
    last_fold = np.array([fold_by_block.get(b, f) for b, f in zip(last.tolist(), first_fold.tolist(), strict=True)])
    usable = (labelled | unlabelled) & (first_fold == last_fold)
    return np.where(usable, first_fold, -1)


def deal_blocks(blocks: np.ndarray, labels: np.ndarray, k: int, seed: int) -> dict[int, int]:
    """Fold of each time block, from its labelled windows' ``blocks`` and ``labels`` (one entry per window).

    :class:`~sklearn.model_selection.StratifiedGroupKFold` with ``k`` splits
    (fewer when there are fewer blocks, or fewer windows in the largest class),
    shuffled with ``seed``: whole blocks, each class's windows spread evenly.
    """
    unique, counts = np.unique(blocks), np.unique(labels, return_counts=True)[1]
    n_splits = min(k, len(unique), int(counts.max(initial=0)))
    if n_splits < 2:
        return dict.fromkeys(unique.tolist(), 0)
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    fold_by_block: dict[int, int] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)  # a class with fewer windows than folds
        for fold, (_, test) in enumerate(splitter.split(blocks, labels, groups=blocks)):
            fold_by_block.update(dict.fromkeys(np.unique(blocks[test]).tolist(), fold))
    for warning in caught:
        log.info("cross-validation folds: %s", warning.message)
    return fold_by_block


def cross_validate(table: pd.DataFrame, feature_names: list[str], classes: list[str],
                   fit: Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]], block_s: float,
                   k: int, seed: int, calibration: str = "none",
                   max_training_windows: int | None = None) -> tuple[dict, pd.DataFrame]:
    """Grouped ``k``-fold cross-validation of ``fit(features, labels) -> predict``.

    ``predict(features)`` returns class probabilities with columns in ``classes`` order.

    ``table`` is the assembled dataset (keys, label, interval, features). Each
    fold's model also predicts the fold's unlabelled windows (for event-level
    evaluation; they never enter a score or a training set). Returns
    ``(summary, predictions)``: pooled per-window metrics of the labelled windows
    with ``per_interval`` metrics inside, the fold sizes, ``calibrated`` (the same
    metrics and the calibration errors after a ``calibration`` fitted on the other
    folds, :func:`seisclass.learn.calibration.calibrate_out_of_fold`), and the
    out-of-fold predictions of every predicted window (``label`` ``unlabeled``
    for the unlabelled ones). A fold of more than ``max_training_windows`` training
    windows is fitted on the class-stratified sample of
    :func:`seisclass.data.sampling.bounded_sample` (drawn with ``seed``, the sample
    ``train_random_forest`` would draw), taken before its features are copied.
    """
    from seisclass.data.sampling import bounded_sample
    from seisclass.learn.calibration import calibrate_out_of_fold, calibration_errors

    labels = table["label"].to_numpy(dtype=object)
    folds = fold_of_windows(epoch_seconds(table["start"]), epoch_seconds(table["end"]), labels, classes, block_s,
                            k, seed, unlabelled=True)
    labelled = np.isin(labels, classes)
    parts, domain_parts = [], []
    for fold in range(k):
        train, test = (folds >= 0) & labelled & (folds != fold), folds == fold
        if not (test & labelled).any() or not train.any():
            continue
        rows = np.flatnonzero(train)
        sample = bounded_sample(labels[rows], max_training_windows, seed)
        rows = rows if sample is None else rows[sample]
        fitted = table.loc[table.index[rows], feature_names]
        predict = fit(fitted.to_numpy(), labels[rows])
        proba = predict(table.loc[test, feature_names].to_numpy())
        _, predictions = evaluate_windows(table.loc[test], proba, classes)
        predictions["fold"] = fold
        domain = describe_domain(fitted, seed)  # what this fold's model was trained on (its sample, if bounded)
        del fitted
        predictions["domain_score"] = domain_scores(table.loc[test], domain)
        domain_parts.append(domain_counts(table.loc[test], domain, predictions["domain_score"].to_numpy()))
        parts.append(predictions)
        log.info("fold %d: %d training, %d test windows (%d labelled)", fold, int(train.sum()), int(test.sum()),
                 int((test & labelled).sum()))
    predictions = pd.concat(parts, ignore_index=True)
    scored = predictions[predictions["label"].isin(classes)]
    columns = probability_columns(classes)
    summary, _ = evaluate_windows(scored, scored[columns].to_numpy(), classes)
    summary["calibration_error"] = calibration_errors(scored[columns].to_numpy(), scored["label"], classes)
    summary["folds"] = k
    summary["block_s"] = block_s
    summary["windows_per_fold"] = scored.groupby("fold").size().astype(int).tolist()
    summary["purged_windows"] = int(((folds < 0) & labelled).sum())
    summary["unlabelled_windows_predicted"] = int(len(predictions) - len(scored))
    summary["domain"] = domain_summary(station_domain(domain_parts, domain), scored, STATION_THRESHOLD)
    if calibration != "none":
        calibrated, fits = calibrate_out_of_fold(scored, classes, calibration)
        summary["calibrated"], _ = evaluate_windows(calibrated, calibrated[columns].to_numpy(), classes)
        summary["calibrated"]["method"] = calibration
        summary["calibrated"]["calibration_error"] = calibration_errors(calibrated[columns].to_numpy(),
                                                                        calibrated["label"], classes)
        summary["calibrated"]["fits_per_fold"] = fits
    return summary, predictions


WEIGHT_GRID = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0)


def tune_decision_weights(predictions: pd.DataFrame, classes: list[str], recall_targets: dict | None = None,
                          grid: tuple[float, ...] = WEIGHT_GRID) -> dict[str, float]:
    """One weight per class for the probabilities, chosen on out-of-fold ``predictions``.

    Coordinate ascent (two passes over the classes, the first class fixed at
    1) over ``grid``, maximising the worst margin ``min_c(recall_c -
    target_c)`` of the decisions per interval (the mean of its windows'
    weighted probabilities, as the model applies them; per window when
    there are no intervals), then the balanced accuracy. Without
    ``recall_targets`` ({class: recall}, absent classes 0) this is the
    smallest per-class recall: no class is sacrificed for another. Ties keep
    the weight closest to 1. Returns ``{class: weight}``.
    """
    from seisclass.learn.forest import apply_decision_weights
    from seisclass.learn.metrics import classification_metrics

    proba, codes, truth = _decision_data(predictions, classes)
    names = np.array(classes, dtype=object)
    targets = np.array([float((recall_targets or {}).get(c, 0.0)) for c in classes])
    n_windows = np.bincount(codes, minlength=len(truth)).astype(float)

    def score(w: np.ndarray) -> tuple[float, float]:
        scaled = apply_decision_weights(proba, classes, dict(zip(classes, w, strict=True)))
        means = np.stack([np.bincount(codes, scaled[:, j], len(truth)) for j in range(len(classes))], axis=1)
        m = classification_metrics(truth, names[(means / n_windows[:, None]).argmax(axis=1)], classes)
        recalls = np.array([m["per_class"][c]["recall"] for c in classes])
        return float(np.min(recalls - targets)), m["balanced_accuracy"]

    weights = np.ones(len(classes))
    best = score(weights)
    for _ in range(2):
        for j in range(1, len(classes)):
            for value in sorted(grid, key=lambda v: abs(np.log(v))):
                trial = weights.copy()
                trial[j] = value
                s = score(trial)
                if s[0] > best[0] + 1e-12 or (abs(s[0] - best[0]) <= 1e-12 and s[1] > best[1] + 1e-12):
                    best, weights = s, trial
    log.info("decision weights %s: worst recall margin %.3f, balanced accuracy %.3f",
             {c: float(w) for c, w in zip(classes, weights, strict=True)}, *best)
    return {c: float(w) for c, w in zip(classes, weights, strict=True)}


def _decision_data(predictions: pd.DataFrame, classes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Window probabilities, the index of each window's decision unit and each unit's label.

    Units are the labelled intervals when ``predictions`` has them (windows
    outside every interval are left out), else the windows themselves; a
    unit's decision is the mean of its windows' probabilities, as in
    :func:`seisclass.learn.metrics.interval_predictions`.
    """
    proba = predictions[probability_columns(classes)].to_numpy(float)
    labels = predictions["label"].to_numpy(dtype=object)
    if "interval" not in predictions.columns or (predictions["interval"].astype(str) == "").all():
        return proba, np.arange(len(labels)), labels
    interval = predictions["interval"].astype(str).to_numpy()
    inside = interval != ""
    _, first, codes = np.unique(interval[inside], return_index=True, return_inverse=True)
    return proba[inside], codes, labels[inside][first]


def cross_validated_weights(predictions: pd.DataFrame, classes: list[str],
                            recall_targets: dict | None = None) -> tuple[dict, pd.DataFrame]:
    """Score decision weights without letting a fold's labels choose its own weights.

    For each fold of the out-of-fold ``predictions`` (column ``fold``), the
    weights are tuned (:func:`tune_decision_weights`) on the other folds
    only and applied to this one. Returns ``(summary, weighted
    predictions)``: pooled metrics per window with ``per_interval`` inside,
    and ``weights_per_fold``.
    """
    from seisclass.learn.forest import apply_decision_weights

    columns = probability_columns(classes)
    parts, chosen = [], []
    for fold in sorted(predictions["fold"].unique()):
        inside = predictions["fold"] == fold
        weights = tune_decision_weights(predictions[~inside], classes, recall_targets)
        part = predictions[inside].copy()
        part[columns] = apply_decision_weights(part[columns].to_numpy(float), classes, weights)
        parts.append(part)
        chosen.append(weights)
    weighted = pd.concat(parts, ignore_index=True)
    summary, scored = evaluate_windows(weighted, weighted[columns].to_numpy(float), classes)
    scored["fold"] = weighted["fold"].to_numpy()
    summary["weights_per_fold"] = chosen
    summary["recall_targets"] = dict(recall_targets or {})
    return summary, scored
