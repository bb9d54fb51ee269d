"""Comparison of the random forest, CNN and LSTM on the same test windows."""

from __future__ import annotations

import pandas as pd


def model_comparison_table(metrics: dict[str, dict], timings: dict[str, dict], classes: list[str]) -> pd.DataFrame:
    """One row per model: test scores, per-class F1, training time (s), inference (windows/s).

    ``metrics`` maps a model name to the output of
    :func:`seisclass.learn.metrics.classification_metrics`; ``timings`` maps it to
    ``training_time_s`` and ``windows_per_second`` (missing values become NaN).
    """
    rows = []
    for name, m in metrics.items():
        row = {"model": name, "n_test": m["n_windows"], "balanced_accuracy": m["balanced_accuracy"],
               "f1_macro": m["f1_macro"], "accuracy": m["accuracy"]}
        row.update({f"f1_{c}": m["per_class"][c]["f1"] for c in classes})
        row.update({f"recall_{c}": m["per_class"][c]["recall"] for c in classes})
        t = timings.get(name, {})
        row["training_time_s"] = t.get("training_time_s", float("nan"))
        row["windows_per_second"] = t.get("windows_per_second", float("nan"))
        rows.append(row)
    table = pd.DataFrame(rows)
    n_test = table["n_test"].unique()
    if len(n_test) > 1:
        raise ValueError("models were tested on different numbers of windows: "
                         f"{dict(zip(table.model, table.n_test, strict=True))}")
    return table
