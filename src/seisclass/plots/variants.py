"""Figures of the preprocessing variants: scores side by side, and what each keeps of every class's spectrum."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from seisclass.plots.style import class_colors

SCORES = (("balanced_accuracy", "balanced accuracy"), ("f1_macro", "F1 (macro)"), ("ari_mean", "cluster ARI (mean)"))


def _grouped_bars(ax, x: np.ndarray, names: list[str], series, title: str) -> None:
    """Bars of every ``(label, values, color)`` side by side at each ``x``, their values written on top."""
    width = 0.8 / max(len(series), 1)
    for i, (label, values, color) in enumerate(series):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=label, color=color)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(x, names, rotation=15, ha="right")
    ax.set_ylim(0, 1.08)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)


def comparison_figure(table: pd.DataFrame, classes: list[str]):
    """Left: balanced accuracy, macro F1 and cluster stability per variant; right: recall per class."""
    names = table["variant"].tolist()
    x = np.arange(len(names))
    fig, (ax, ax_recall) = plt.subplots(1, 2, figsize=(max(9.0, 2.2 * len(names) + 5), 4.2))
    scores = [(label, table[column].astype(float).to_numpy(), None) for column, label in SCORES]
    _grouped_bars(ax, x, names, scores, "Forest on the test split, clusters over seeds")
    colors = class_colors(classes)
    recalls = [(c, table[f"recall_{c}"].astype(float).to_numpy(), colors[c]) for c in classes]
    _grouped_bars(ax_recall, x, names, recalls, "Recall per class (test split)")
    fig.tight_layout()
    return fig


def band_ratios(table: pd.DataFrame) -> tuple[str, list[tuple[float, float, str]]]:
    """(component, [(low Hz, high Hz, column)]) of the band-ratio columns of the first component found."""
    pattern = re.compile(r"([A-Za-z0-9]+)_ratio_([0-9p]+)_([0-9p]+)hz")
    found: dict[str, list] = {}
    for column in table.columns:
        match = pattern.fullmatch(column)
        if match:
            low, high = (float(v.replace("p", ".")) for v in match.group(2, 3))
            found.setdefault(match.group(1), []).append((low, high, column))
    if not found:
        return "", []
    component = "Z" if "Z" in found else sorted(found)[0]
    return component, sorted(found[component])


def spectra_figure(datasets: dict[str, pd.DataFrame], classes: list[str], settings: dict[str, str]):
    """One panel per variant: median share of energy per band (band ratio) of each class's labelled windows.

    Shows what a variant keeps of each class: a band-pass that cuts a class's
    band leaves it nothing to be told apart by.
    """
    colors = class_colors(classes)
    n = len(datasets)
    fig, axes = plt.subplots(1, max(n, 1), figsize=(4.2 * max(n, 1), 3.8), squeeze=False, sharey=True)
    for ax, (name, table) in zip(axes[0], datasets.items(), strict=False):
        component, bands = band_ratios(table)
        centres = np.array([np.sqrt(max(lo, 0.1) * hi) for lo, hi, _ in bands])
        widths = [(lo, hi) for lo, hi, _ in bands]
        for c in classes:
            rows = table[table["label"] == c]
            if not len(rows) or not bands:
                continue
            medians = [float(np.nanmedian(rows[col].to_numpy(float))) if rows[col].notna().any() else np.nan
                       for _, _, col in bands]
            ax.plot(centres, medians, marker="o", color=colors[c], label=f"{c} ({len(rows)})")
        for lo, hi in widths:
            ax.axvline(lo, color="0.85", lw=0.8, zorder=0)
            ax.axvline(hi, color="0.85", lw=0.8, zorder=0)
        ax.set_xscale("log")
        ax.set_xlabel("band centre (Hz); grey: band edges")
        ax.set_title(f"{name}\n{settings.get(name, '')}", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("median share of the window's energy")
    fig.suptitle("What each variant keeps: median band ratios per class (labelled windows, "
                 f"{component or 'first'} component)", fontsize=10)
    fig.tight_layout()
    return fig
