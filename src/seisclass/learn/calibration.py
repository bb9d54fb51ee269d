"""Calibrated class probabilities: fitted on out-of-fold predictions, stored in the model card.

A random forest's probabilities are under-confident (its trees vote, and averaged
votes shrink towards the middle). Calibration maps them to probabilities that are right
as often as they say, fitted by likelihood on the grouped cross-validation's
out-of-fold predictions (:mod:`seisclass.learn.crossval`), never on the test split:

- ``temperature``: ``p_c ∝ p_c^a`` (one scale ``a``);
- ``vector``: ``p_c ∝ exp(a log p_c + b_c)`` (a scale and one bias per class, the first
  class's 0): temperature scaling with a prior shift, so it also moves the decision
  between classes the forest confuses;
- ``none``: the forest's own probabilities.

The fitted mapping is plain JSON (:func:`fit_calibration`) and is applied by
:func:`apply_calibration` wherever the model predicts (workflow, command line, API).
:func:`calibration_errors` gives the expected calibration error (ECE): top-label (the
predicted class's probability against how often it is right) and per class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHODS = ("none", "temperature", "vector")
LOG_FLOOR = 1e-4  # probabilities are clipped here before the log (a forest often says exactly 0)
ECE_BINS = 15


def _log(probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.asarray(probabilities, np.float64), LOG_FLOOR, 1.0))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def apply_calibration(probabilities: np.ndarray, calibration: dict | None) -> np.ndarray:
    """Calibrated probabilities ``(n, classes)``; ``None`` or method ``none`` returns them unchanged."""
    if not calibration or calibration.get("method", "none") == "none":
        return probabilities
    bias = np.asarray(calibration.get("bias") or np.zeros(np.shape(probabilities)[1]), np.float64)
    return _softmax(float(calibration["scale"]) * _log(probabilities) + bias)


def fit_calibration(probabilities: np.ndarray, labels: np.ndarray, classes: list[str], method: str) -> dict:
    """The mapping of ``method`` that maximises the likelihood of ``labels`` (class names) given ``probabilities``.

    Returns ``{"method", "scale", "bias", "n_windows"}`` (plain numbers); rows whose
    label is not a class are ignored.
    """
    from scipy.optimize import minimize

    if method not in METHODS:
        raise ValueError(f"calibration method {method!r} is not one of {list(METHODS)}")
    labels = np.asarray(labels, dtype=object)
    keep = np.isin(labels, classes)
    if method == "none" or not keep.any():
        return {"method": "none", "scale": 1.0, "bias": [0.0] * len(classes), "n_windows": int(keep.sum())}
    logp = _log(np.asarray(probabilities)[keep])
    y = np.array([classes.index(c) for c in labels[keep]])
    free_bias = method == "vector"

    def negative_log_likelihood(theta: np.ndarray) -> float:
        bias = np.concatenate([[0.0], theta[1:]]) if free_bias else 0.0
        z = theta[0] * logp + bias
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())

    start = np.concatenate([[1.0], np.zeros(len(classes) - 1)]) if free_bias else np.array([1.0])
    theta = minimize(negative_log_likelihood, start, method="L-BFGS-B").x
    bias = np.concatenate([[0.0], theta[1:]]) if free_bias else np.zeros(len(classes))
    return {"method": method, "scale": float(theta[0]), "bias": [float(b) for b in bias], "n_windows": int(keep.sum())}


def calibration_errors(probabilities: np.ndarray, labels: np.ndarray, classes: list[str],
                       bins: int = ECE_BINS) -> dict:
    """Expected calibration error: ``top_label`` and ``per_class`` (equal-width bins of ``bins``)."""
    labels = np.asarray(labels, dtype=object)
    keep = np.isin(labels, classes)
    p = np.asarray(probabilities, np.float64)[keep]
    y = np.array([classes.index(c) for c in labels[keep]], dtype=int)
    if not len(y):
        return {"top_label": None, "per_class": {c: None for c in classes}, "bins": bins}
    top = _binned_error(p.max(axis=1), p.argmax(axis=1) == y, bins)
    per_class = {c: _binned_error(p[:, j], y == j, bins) for j, c in enumerate(classes)}
    return {"top_label": top, "per_class": per_class, "bins": bins}


def _binned_error(confidence: np.ndarray, correct: np.ndarray, bins: int) -> float:
    """Mean |accuracy - confidence| over equal-width bins, weighted by the bins' shares."""
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    count = np.bincount(index, minlength=bins)
    accuracy = np.bincount(index, weights=correct.astype(float), minlength=bins)
    mean_confidence = np.bincount(index, weights=confidence, minlength=bins)
    used = count > 0
    gap = np.abs(accuracy[used] - mean_confidence[used]) / count[used]
    return float((gap * count[used]).sum() / count.sum())


def reliability_table(probabilities: np.ndarray, labels: np.ndarray, classes: list[str],
                      bins: int = ECE_BINS) -> pd.DataFrame:
    """Per bin of top-label confidence: ``bin_low, bin_high, windows, confidence, accuracy`` (the diagram)."""
    labels = np.asarray(labels, dtype=object)
    keep = np.isin(labels, classes)
    p = np.asarray(probabilities, np.float64)[keep]
    y = np.array([classes.index(c) for c in labels[keep]], dtype=int)
    confidence = p.max(axis=1) if len(p) else np.zeros(0)
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    table = pd.DataFrame({"bin": index, "confidence": confidence,
                          "correct": (p.argmax(axis=1) == y) if len(p) else np.zeros(0, bool)})
    grouped = table.groupby("bin").agg(windows=("confidence", "size"), confidence=("confidence", "mean"),
                                       accuracy=("correct", "mean")).reset_index()
    grouped.insert(1, "bin_low", grouped["bin"] / bins)
    grouped.insert(2, "bin_high", (grouped["bin"] + 1) / bins)
    return grouped.drop(columns="bin")


def calibrate_out_of_fold(predictions: pd.DataFrame, classes: list[str], method: str
                          ) -> tuple[pd.DataFrame, list[dict]]:
    """Each fold's out-of-fold predictions calibrated by a mapping fitted on the other folds' labelled rows.

    ``predictions`` has ``p_<class>``, ``label`` and ``fold``; unlabelled rows are
    calibrated too (never fitted on). Returns the calibrated copy and the fit of each fold.
    """
    from seisclass.core.vocabulary import probability_columns

    columns = probability_columns(classes)
    out = predictions.copy()
    fits = []
    labels = predictions["label"].to_numpy(dtype=object)
    for fold in sorted(predictions["fold"].unique()):
        inside = (predictions["fold"] == fold).to_numpy()
        fit = fit_calibration(predictions.loc[~inside, columns].to_numpy(float), labels[~inside], classes, method)
        out.loc[inside, columns] = apply_calibration(predictions.loc[inside, columns].to_numpy(float), fit)
        fits.append(fit)
    return out, fits
