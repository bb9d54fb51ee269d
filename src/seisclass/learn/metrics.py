"""Classification metrics on a fixed class list (accuracy alone hides too much)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    jaccard_score,
    precision_recall_fscore_support,
)

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import KEY_COLUMNS, probability_column, probability_columns


@config_section("evaluation")
class EvaluationParameters(ConfigSection):
    """Config section ``evaluation``."""

    snr_bins_db: tuple[float, ...]  # bin edges (dB)
    cv_folds: int  # folds of the grouped cross-validation of the forest

    def _check(self) -> None:
        edges = np.asarray(self.snr_bins_db)
        if not np.isfinite(edges).all() or (np.diff(edges) <= 0).any():
            raise self.error(f"evaluation.snr_bins_db: need finite, strictly increasing bin edges (dB), "
                             f"got {list(self.snr_bins_db)}")


def classification_metrics(y_true, y_pred, classes: list[str]) -> dict:
    """Accuracy, balanced accuracy, macro F1 and Jaccard, per-class scores, confusion matrix.

    Every score is computed over the configured ``classes`` (absent classes
    score 0 rather than disappearing). ``confusion_matrix.matrix[i][j]`` counts
    windows of true class ``labels[i]`` predicted as ``labels[j]``.
    """
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=classes, zero_division=0
    )
    jaccard = jaccard_score(y_true, y_pred, labels=classes, average=None, zero_division=0)
    present = [c for c in classes if c in set(y_true)]
    return {
        "n_windows": int(len(y_true)),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(
            np.mean([recall[classes.index(c)] for c in present]) if present else 0.0
        ),
        "f1_macro": float(f1_score(y_true, y_pred, labels=classes, average="macro", zero_division=0)),
        "jaccard_macro": float(np.mean(jaccard)),
        "per_class": {
            c: {
                "precision": float(precision[i]), "recall": float(recall[i]),
                "f1": float(f1[i]), "jaccard": float(jaccard[i]), "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "confusion_matrix": {
            "labels": list(classes),
            "matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist(),
        },
    }


def recall_by_snr(y_true, y_pred, snr_db, classes: list[str], edges_db) -> pd.DataFrame:
    """Recall per class in SNR bins: columns ``class, snr_low, snr_high, n, recall``."""
    y_true, y_pred = np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object)
    edges = np.asarray(edges_db, float)
    bins = np.clip(np.digitize(snr_db, edges) - 1, 0, len(edges) - 2)
    rows = []
    for c in classes:
        for b in range(len(edges) - 1):
            mask = (y_true == c) & (bins == b)
            n = int(mask.sum())
            rows.append((c, edges[b], edges[b + 1], n, float((y_pred[mask] == c).mean()) if n else np.nan))
    return pd.DataFrame(rows, columns=["class", "snr_low", "snr_high", "n", "recall"])



def evaluate_windows(windows: pd.DataFrame, probabilities: np.ndarray, classes: list[str]) -> tuple[dict, pd.DataFrame]:
    """Metrics and a prediction table for labelled windows scored by any model.

    ``probabilities`` has one column per class (in ``classes`` order) and one
    row per row of ``windows`` (key columns, ``label``, ``snr`` and, if
    present, ``interval``). Returns ``(metrics, predictions)``; predictions
    hold the keys, ``label``, ``snr``, ``interval``, ``predicted`` and one
    ``p_<class>`` column per class. With intervals, ``metrics["per_interval"]``
    holds the same metrics per labelled interval (:func:`interval_metrics`).
    """
    predicted = np.array(classes, dtype=object)[np.asarray(probabilities).argmax(axis=1)]
    metrics = classification_metrics(windows["label"].to_numpy(dtype=object), predicted, classes)
    extra = [c for c in ("snr", "interval") if c in windows.columns]
    predictions = windows[[*KEY_COLUMNS, "label", *extra]].reset_index(drop=True)
    predictions["predicted"] = predicted
    for j, c in enumerate(classes):
        predictions[probability_column(c)] = probabilities[:, j]
    if "interval" in predictions.columns:
        metrics["per_interval"] = interval_metrics(predictions, classes)[0]
    return metrics, predictions


def interval_predictions(predictions: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """One row per labelled interval: the mean class probabilities of its windows and their argmax.

    ``predictions`` hold ``interval`` (empty for windows outside any
    interval), ``label`` and ``p_<class>``. Returns ``interval, label,
    n_windows, p_<class>..., predicted``.
    """
    columns = probability_columns(classes)
    rows = predictions[predictions["interval"].astype(str) != ""]
    grouped = rows.groupby("interval", sort=True)
    out = grouped[columns].mean()
    out.insert(0, "n_windows", grouped.size())
    out.insert(0, "label", grouped["label"].first())
    out["predicted"] = np.array(classes, dtype=object)[out[columns].to_numpy().argmax(axis=1)] if len(out) else []
    return out.reset_index()


def interval_metrics(predictions: pd.DataFrame, classes: list[str]) -> tuple[dict, pd.DataFrame]:
    """:func:`classification_metrics` of :func:`interval_predictions` (one vote per interval)."""
    table = interval_predictions(predictions, classes)
    return classification_metrics(table["label"].to_numpy(dtype=object), table["predicted"].to_numpy(dtype=object),
                                  classes), table


def precision_recall_curves(labels, probabilities, classes: list[str]) -> dict[str, dict]:
    """One-vs-rest precision-recall curve of each class from its probability column.

    ``labels`` are the true classes of the rows of ``probabilities`` (one column per class, in
    ``classes`` order). Per class: ``precision``, ``recall`` (arrays, from
    :func:`sklearn.metrics.precision_recall_curve`), ``average_precision`` and ``prevalence``
    (the fraction of rows of that class: the precision of a classifier without skill). A class
    without rows has empty curves and average precision ``nan``.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve

    labels = np.asarray(labels, dtype=object)
    probabilities = np.asarray(probabilities, float)
    curves = {}
    for j, c in enumerate(classes):
        positive = labels == c
        if not positive.any():
            curves[c] = {"precision": np.array([]), "recall": np.array([]), "average_precision": float("nan"),
                         "prevalence": 0.0, "n": 0}
            continue
        precision, recall, _ = precision_recall_curve(positive, probabilities[:, j])
        curves[c] = {"precision": precision, "recall": recall, "n": int(positive.sum()),
                     "average_precision": float(average_precision_score(positive, probabilities[:, j])),
                     "prevalence": float(positive.mean())}
    return curves


def most_confident_errors(predictions: pd.DataFrame, classes: list[str], per_class: int) -> pd.DataFrame:
    """Up to ``per_class`` wrongly predicted windows of each true class, the most confident first.

    ``predictions`` hold ``label``, ``predicted`` and ``p_<class>``; rows whose label is not one
    of ``classes`` are left out. Returns those rows with ``p_predicted`` (the probability of the
    predicted class), ordered by class (in ``classes`` order), then by ``p_predicted`` descending.
    """
    rows = predictions[predictions["label"].isin(classes) & (predictions["label"] != predictions["predicted"])]
    rows = rows[rows["predicted"].isin(classes)].copy()
    index = pd.Index(classes).get_indexer(rows["predicted"])
    rows["p_predicted"] = np.take_along_axis(rows[probability_columns(classes)].to_numpy(float),
                                             index[:, None], axis=1)[:, 0] if len(rows) else []
    rows["_order"] = pd.Index(classes).get_indexer(rows["label"])
    rows = rows.sort_values(["_order", "p_predicted"], ascending=[True, False], kind="stable")
    return rows.groupby("_order", sort=True).head(per_class).drop(columns="_order")
