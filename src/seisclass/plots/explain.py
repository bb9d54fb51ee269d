"""Figures of the tree model's SHAP explanations: beeswarm, dependence, group importance."""

from __future__ import annotations

import numpy as np
import pandas as pd


def beeswarm_figure(values: np.ndarray, features: np.ndarray, feature_names: list[str],
                    classes: list[str], order: list[int], seed: int = 0, units: str = "probability"):
    """One beeswarm panel per class: SHAP value (x) of the features ``order`` (rows, top first).

    ``units``: of the values, ``probability`` or ``log-odds``
    (:func:`seisclass.explain.forest_shap.shap_units`).

    Points are windows, coloured by the feature's value as a percentile within
    the explained windows (blue low, red high).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    rng = np.random.default_rng(seed)
    percentile = pd.DataFrame(features[:, order]).rank(pct=True).to_numpy()
    n_rows = len(order)
    fig, axes = plt.subplots(1, len(classes), figsize=(4.2 * len(classes) + 1.0, 0.42 * n_rows + 1.4),
                             sharey=True, squeeze=False)
    for k, (ax, c) in enumerate(zip(axes[0], classes, strict=True)):
        for row, f in enumerate(order):
            y = n_rows - 1 - row + rng.uniform(-0.3, 0.3, len(values))
            points = ax.scatter(values[:, f, k], y, c=percentile[:, row], cmap="coolwarm", vmin=0, vmax=1,
                                s=4, alpha=0.7, lw=0, rasterized=True)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_title(f"towards {c}", color=colors[c], fontweight="bold")
        ax.set_xlabel(f"SHAP value (change of p_{c})" if units == "probability" else
                      f"SHAP value (change of the {units} of {c})")
        ax.grid(axis="x", alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.tick_params(axis="x", labelsize=8)
    axes[0, 0].set_yticks(range(n_rows), [feature_names[f] for f in order][::-1], fontsize=8)
    fig.colorbar(points, ax=list(axes[0]), fraction=0.02, pad=0.01,
                 label="feature value (percentile of explained windows)")
    return fig


def dependence_figure(values: np.ndarray, features: np.ndarray, feature_names: list[str],
                      classes: list[str], order: list[int], units: str = "probability",
                      feature_units: dict[str, str] | None = None):
    """SHAP value (``units``) against feature value for the features ``order``, one colour per class.

    ``feature_units`` maps a feature to its unit (``1``: dimensionless), written after its name.
    """
    feature_units = feature_units or {}
    import matplotlib.pyplot as plt

    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    n_cols = min(3, len(order))
    n_rows = int(np.ceil(len(order) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.3 * n_cols, 3.2 * n_rows), squeeze=False)
    for ax, f in zip(axes.flat, order, strict=False):
        x = features[:, f]
        for k, c in enumerate(classes):
            ax.scatter(x, values[:, f, k], s=4, alpha=0.5, color=colors[c], lw=0, label=c, rasterized=True)
        if x.min() > 0 and x.max() / x.min() > 1e2:
            ax.set_xscale("log")
        ax.axhline(0, color="grey", lw=0.8)
        unit = feature_units.get(feature_names[f])
        ax.set_xlabel(feature_names[f] + ("" if unit is None else " (dimensionless)" if unit == "1" else f" ({unit})"),
                      fontsize=9)
        ax.set_ylabel(f"SHAP value ({units})", fontsize=8)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(order):]:
        ax.axis("off")
    axes[0, 0].legend(markerscale=3, fontsize=8)
    fig.tight_layout()
    return fig


def group_importance_figure(groups: pd.DataFrame, classes: list[str], top: int, units: str = "probability"):
    """Horizontal stacked bars: mean |group SHAP| (``units``) per class for the ``top`` groups."""
    import matplotlib.pyplot as plt

    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    rows = groups.head(top).iloc[::-1]
    labels = [f"{g} ({n})" if n > 1 else g for g, n in zip(rows["group"], rows["n_features"], strict=True)]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(rows) + 1.3))
    left = np.zeros(len(rows))
    for c in classes:
        ax.barh(labels, rows[c], left=left, color=colors[c], label=c)
        left += rows[c].to_numpy()
    ax.set_xlabel(f"mean |sum of SHAP over the group's features| ({units}), stacked over classes")
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
