"""Figures of the deep models: training curves, model comparison, SHAP over time."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from seisclass.plots.style import class_colors

MODEL_COLORS = {"rf": "#55a868", "cnn": "#4c72b0", "lstm": "#c44e52"}
MODEL_NAMES = {"rf": "random forest", "cnn": "CNN", "lstm": "LSTM"}


def training_curves_figure(history: list[dict], best_epoch: int, title: str):
    """Loss (weighted cross-entropy) and balanced accuracy per epoch, train and validation."""
    h = pd.DataFrame(history)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, key, label in ((ax_loss, "loss", "class-weighted cross-entropy (nats)"),
                           (ax_acc, "balanced_accuracy", "balanced accuracy")):
        ax.plot(h["epoch"], h[f"train_{key}"], "o-", ms=3, label="train (during the epoch)")
        ax.plot(h["epoch"], h[f"validation_{key}"], "s-", ms=3, label="validation (end of epoch)")
        ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"kept: epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    ax_acc.set_ylim(0, 1.02)
    ax_loss.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def comparison_figure(table: pd.DataFrame, classes: list[str]):
    """Per-class F1 and balanced accuracy, training time and inference rate of each model."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), gridspec_kw={"width_ratios": [3, 1.2, 1.2]})
    scores = [f"f1_{c}" for c in classes] + ["balanced_accuracy"]
    labels = [f"F1 {c}" for c in classes] + ["balanced\naccuracy"]
    width = 0.8 / len(table)
    for i, row in enumerate(table.itertuples()):
        x = np.arange(len(scores)) + (i - (len(table) - 1) / 2) * width
        values = [getattr(row, s) for s in scores]
        bars = axes[0].bar(x, values, width, color=MODEL_COLORS.get(row.model),
                           label=MODEL_NAMES.get(row.model, row.model))
        axes[0].bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    axes[0].set_xticks(np.arange(len(scores)), labels)
    axes[0].set_ylim(0, 1.1)
    axes[0].set_ylabel("score on the test split")
    axes[0].legend(fontsize=8, ncol=len(table), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    for ax, key, label in ((axes[1], "training_time_s", "training time (s)"),
                           (axes[2], "windows_per_second", "inference (windows / s)")):
        colors = [MODEL_COLORS.get(m) for m in table["model"]]
        bars = ax.bar(np.arange(len(table)), table[key].fillna(0), color=colors)
        ax.bar_label(bars, labels=[_number(v) for v in table[key]], fontsize=7)
        ax.set_xticks(np.arange(len(table)), [MODEL_NAMES.get(m, m) for m in table["model"]], fontsize=8)
        ax.margins(y=0.15)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.set_ylabel(label)
    for ax in axes:
        ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def _number(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def shap_time_figure(windows: np.ndarray, sampling_rate: float, centres: np.ndarray, attribution: np.ndarray,
                     picks: pd.DataFrame, classes: list[str], title: str, band_values: np.ndarray | None = None,
                     band_edges_hz: np.ndarray | None = None):
    """Each picked window's first component with its SHAP attribution over time drawn over it.

    ``windows`` ``(n, components, samples)`` model input, ``attribution``
    ``(n, bins)`` at bin centres ``centres`` (s). With ``band_values``
    ``(n, frames, bands)`` a second column shows attribution over time and frequency.
    """
    colors = class_colors(classes)
    n = len(picks)
    n_cols = 2 if band_values is not None else 1
    fig, axes = plt.subplots(n, n_cols, figsize=(7 * n_cols, 1.55 * n + 0.8), squeeze=False)
    t = np.arange(windows.shape[-1]) / sampling_rate
    bin_width = np.median(np.diff(centres)) if len(centres) > 1 else t[-1]
    scale = np.abs(attribution).max() or 1.0
    for i, row in enumerate(picks.itertuples()):
        ax = axes[i, 0]
        trace = windows[i, 0]
        ax.plot(t, trace / (np.abs(trace).max() or 1.0), color="black", lw=0.5)
        bar = ax.twinx()
        values = attribution[i] / scale
        bar.bar(centres, values, width=bin_width, color=np.where(values > 0, "#d62728", "#1f77b4"), alpha=0.45)
        bar.set_ylim(-1.05, 1.05)
        bar.set_yticks([])
        bar.set_ylabel(f"SHAP (logit)\n÷ {scale:.2g}", fontsize=7)
        ax.set_yticks([])
        ax.set_ylabel("amplitude\n÷ its peak", fontsize=7)
        ax.set_xlim(0, t[-1])
        note = "" if row.correct else f", predicted {row.predicted}"
        ax.set_title(f"{row.label}: {row.station} {row.start:%H:%M:%S}  p={row.probability:.2f}{note}",
                     fontsize=8, color=colors[row.label], loc="left")
        if band_values is not None:
            image = band_values[i].T
            limit = np.abs(band_values).max() or 1.0
            axes[i, 1].imshow(image, aspect="auto", origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit,
                              extent=[centres[0] - bin_width / 2, centres[-1] + bin_width / 2,
                                      band_edges_hz[0], band_edges_hz[-1]])
            axes[i, 1].set_ylabel("frequency (Hz)", fontsize=7)
            axes[i, 1].tick_params(labelsize=7)
    axes[-1, 0].set_xlabel("time in window (s)  -  black: first component (normalized); "
                           "bars: SHAP (red for, blue against the class)")
    if band_values is not None:
        axes[0, 1].set_title("SHAP (logit) over time and frequency, summed over components: red for, blue against "
                             "the class", fontsize=8)
        axes[-1, 1].set_xlabel("time in window (s)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
