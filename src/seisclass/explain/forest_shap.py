"""SHAP explanations of the tree model (``shap.TreeExplainer``).

SHAP values are computed for a stratified subsample of windows and stored as
an array ``(n_windows, n_features, n_classes)`` with classes in the order of
the configured class list: value ``[i, f, k]`` is how much feature ``f``
moved the model's output for class ``k`` for window ``i`` away from the
average output. For the random forest the output is the probability (units:
probability; for each window and class the values sum to ``p_k(window) - E[p_k]``).
Gradient boosting (``random_forest.estimator: hgb``) is explained in its raw scores,
because shap explains a multi-class HistGradientBoostingClassifier only there: units
log-odds (softmax logits, ``p_k ∝ exp(base_k + sum of values)``; two classes: each
class's log-odds against the other). :func:`shap_units` names the units.

Correlated features share credit: when two features carry the same
information, the forest splits on either, and SHAP divides the attribution
between them. :func:`group_importance` therefore also sums SHAP values over
groups of correlated features (the groups of the exploration stage), which
is additive and exact for the group as a whole.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section

log = logging.getLogger(__name__)


@config_section("explain")
class ExplainParameters(ConfigSection):
    """Config section ``explain``."""

    split: str
    max_windows_per_class: int
    top_features: int
    dependence_features: int
    summary_features: int



def sample_windows(table: pd.DataFrame, classes: list[str], split: str, per_class: int, seed: int) -> pd.DataFrame:
    """Up to ``per_class`` labelled windows of each class from ``split`` (all splits if ``split='all'``).

    Classes with fewer windows in ``split`` than ``per_class`` contribute all they have.
    """

    rows = table[table["label"].isin(classes)]
    if split != "all":
        if "split" not in rows:
            raise ValueError("explain.split: the table has no 'split' column; use split: all")
        rows = rows[rows["split"] == split]
    if rows.empty:
        raise ValueError(f"explain.split: no labelled windows in split {split!r}")
    picked = [g.sample(min(per_class, len(g)), random_state=seed) for _, g in rows.groupby("label", sort=False)]
    return pd.concat(picked).sort_values("start", kind="stable")


def _estimator(model):
    from seisclass.learn.classifier import WindowClassifier

    return model.estimator if isinstance(model, WindowClassifier) else model


def shap_units(model) -> str:
    """Units of :func:`tree_shap_values` for ``model``: ``probability`` (forest) or ``log-odds`` (boosting)."""
    return "probability" if hasattr(_estimator(model), "estimators_") else "log-odds"


def tree_shap_values(model, features: np.ndarray, classes: list[str],
                     progress_steps: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """SHAP values ``(n, n_features, n_classes)`` and base values ``(n_classes,)`` of a tree model.

    ``model`` is a :class:`seisclass.learn.forest.ForestClassifier` or a fitted
    scikit-learn forest or HistGradientBoostingClassifier (units: :func:`shap_units`).
    Columns follow ``classes`` (the estimator's own order may
    differ); classes it never saw get zeros. Windows are explained in
    ``progress_steps`` blocks, each logged (every window's values are independent
    of the others, so blocks give the same values as one call).
    """
    import shap

    estimator = _estimator(model)
    explainer = shap.TreeExplainer(estimator)
    features = np.asarray(features, float)
    blocks = np.array_split(np.arange(len(features)), max(1, min(progress_steps, len(features))))
    started, parts = time.perf_counter(), []
    for block in blocks:
        parts.append(np.asarray(explainer.shap_values(features[block], check_additivity=False)))
        log.info("SHAP: %d of %d windows (%.1f s)", block[-1] + 1 if len(block) else 0, len(features),
                 time.perf_counter() - started)
    raw = np.concatenate(parts, axis=0)
    base_raw = np.atleast_1d(np.asarray(explainer.expected_value, float))
    if raw.ndim == 2 and len(estimator.classes_) == 2:  # boosting, two classes: log-odds of the second
        raw, base_raw = np.stack([-raw, raw], axis=2), np.concatenate([-base_raw, base_raw])
    elif raw.ndim == 2:  # a single-output model: one column
        raw = raw[:, :, None]
    values = np.zeros((raw.shape[0], raw.shape[1], len(classes)))
    base = np.zeros(len(classes))
    for j, c in enumerate(estimator.classes_):
        if c in classes:
            values[:, :, classes.index(c)] = raw[:, :, j]
            base[classes.index(c)] = base_raw[j]
    return values, base


def global_importance(values: np.ndarray, feature_names: list[str], classes: list[str]) -> pd.DataFrame:
    """Mean |SHAP| per feature and class, plus ``all`` (sum over classes), largest ``all`` first."""
    mean_abs = np.abs(values).mean(axis=0)
    table = pd.DataFrame(mean_abs, columns=classes)
    table.insert(0, "feature", feature_names)
    table["all"] = mean_abs.sum(axis=1)
    return table.sort_values("all", ascending=False, ignore_index=True)


def group_members(feature_names: list[str], groups: pd.DataFrame | None) -> dict[str, list[str]]:
    """Map group name -> member features; features without a group form their own group.

    ``groups`` has the columns ``group, feature`` and optionally ``representative``
    (then a group is named ``G<group>: <representative>``); rows naming
    unknown features are ignored.
    """
    members: dict[str, list[str]] = {}
    grouped: set[str] = set()
    if groups is not None and len(groups):
        missing = {"group", "feature"} - set(groups.columns)
        if missing:
            raise ValueError(f"feature groups: missing column(s) {sorted(missing)}")
        known = set(feature_names)
        names = groups["group"].astype(str)
        if "representative" in groups:  # name a group after its most typical member
            names = "G" + names + ": " + groups["representative"].astype(str)
        for group, feature in zip(names, groups["feature"].astype(str), strict=True):
            if feature in known and feature not in grouped:
                members.setdefault(group, []).append(feature)
                grouped.add(feature)
    for name in feature_names:
        if name not in grouped:
            members[name] = [name]
    return members


def group_importance(values: np.ndarray, feature_names: list[str], classes: list[str],
                     members: dict[str, list[str]]) -> pd.DataFrame:
    """Mean |sum of SHAP over a group's features| per group and class, largest ``all`` first.

    Summing before taking the absolute value keeps the credit that correlated
    features split between them (and lets opposite pushes cancel).
    """
    index = {name: i for i, name in enumerate(feature_names)}
    names = list(members)
    summed = np.stack([values[:, [index[f] for f in members[g]], :].sum(axis=1) for g in names], axis=1)
    mean_abs = np.abs(summed).mean(axis=0)
    table = pd.DataFrame(mean_abs, columns=classes)
    table.insert(0, "group", names)
    table.insert(1, "n_features", [len(members[g]) for g in names])
    table.insert(2, "features", [", ".join(members[g]) for g in names])
    table["all"] = mean_abs.sum(axis=1)
    return table.sort_values("all", ascending=False, ignore_index=True)


def direction(values: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Spearman correlation between each feature's value and its SHAP value, per class.

    ``values (n, f, k)``, ``features (n, f)`` -> ``(f, k)``: positive means higher
    feature values push towards the class. Constant columns give 0.
    """
    ranks = pd.DataFrame(features).rank().to_numpy()
    x = ranks - ranks.mean(axis=0)
    out = np.zeros(values.shape[1:])
    for k in range(values.shape[2]):  # a few classes, each a vectorized column-wise correlation
        s = pd.DataFrame(values[:, :, k]).rank().to_numpy()
        y = s - s.mean(axis=0)
        denominator = np.sqrt((x**2).sum(axis=0) * (y**2).sum(axis=0))
        out[:, k] = np.divide((x * y).sum(axis=0), denominator, out=np.zeros(len(denominator)),
                              where=denominator > 0)
    return out


def driver_summary(values: np.ndarray, features: np.ndarray, feature_names: list[str],
                   classes: list[str], top: int) -> pd.DataFrame:
    """The ``top`` features per class by mean |SHAP|, with direction and a sentence.

    Columns: ``class, rank, feature, mean_abs_shap, direction`` (Spearman rho of
    feature value vs SHAP value) and ``text``.
    """
    mean_abs = np.abs(values).mean(axis=0)
    rho = direction(values, features)
    rows = []
    for k, c in enumerate(classes):
        for rank, f in enumerate(np.argsort(-mean_abs[:, k])[:top], start=1):
            rows.append({"class": c, "rank": rank, "feature": feature_names[f],
                         "mean_abs_shap": float(mean_abs[f, k]), "direction": float(rho[f, k]),
                         "text": _sentence(feature_names[f], c, float(rho[f, k]))})
    return pd.DataFrame(rows)


def _sentence(feature: str, cls: str, rho: float) -> str:
    rho = round(rho, 2)
    if rho >= 0.3:
        return f"high {feature} pushes towards {cls}"
    if rho <= -0.3:
        return f"low {feature} pushes towards {cls}"
    return f"{feature} matters for {cls} without a monotonic direction (rho {rho:+.2f})"


def summary_text(summary: pd.DataFrame, classes: list[str]) -> str:
    """Plain-text (reStructuredText) paragraph per class listing its top drivers."""
    lines = []
    for c in classes:
        rows = summary[summary["class"] == c]
        drivers = "; ".join(f"{r.text} (mean abs SHAP {r.mean_abs_shap:.3f}, rho {r.direction:+.2f})"
                            for r in rows.itertuples())
        lines.append(f"- **{c}**: {drivers}.")
    return "\n".join(lines) + "\n"


def values_table(keys: pd.DataFrame, values: np.ndarray, feature_names: list[str], classes: list[str]) -> pd.DataFrame:
    """Window keys plus one column ``shap_<class>__<feature>`` per class and feature."""
    n, f, k = values.shape
    columns = [f"shap_{c}__{name}" for c in classes for name in feature_names]
    flat = values.transpose(0, 2, 1).reshape(n, k * f).astype(np.float32)
    return pd.concat([keys.reset_index(drop=True), pd.DataFrame(flat, columns=columns)], axis=1)


# ------------------------------------------------------------------- figures


