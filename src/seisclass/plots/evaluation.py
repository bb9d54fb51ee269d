"""Figures of model evaluation: confusion matrices, recall against SNR, precision-recall curves."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from seisclass.plots.style import class_colors


def confusion_matrix_figure(matrix, classes: list[str], title: str):
    """Row-normalized confusion matrix with counts; rows are true classes."""
    matrix = np.asarray(matrix, float)
    normalized = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
    size = 1.2 + 1.1 * len(classes)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(normalized, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            color = "white" if normalized[i, j] > 0.6 else "black"
            ax.text(j, i, f"{normalized[i, j]:.2f}\n({int(matrix[i, j])})", ha="center", va="center", color=color)
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, label="fraction of true class")
    return fig


def recall_vs_snr_figure(table: pd.DataFrame, classes: list[str], title: str):
    """Recall per class against SNR bin (marker size grows with the number of windows)."""
    colors = class_colors(classes)
    fig, ax = plt.subplots(figsize=(7, 4))
    for c in classes:
        rows = table[(table["class"] == c) & (table["n"] > 0)]
        centers = (rows["snr_low"] + rows["snr_high"]) / 2
        ax.plot(centers, rows["recall"], "-", color=colors[c], label=c)
        ax.scatter(centers, rows["recall"], s=10 + 4 * np.sqrt(rows["n"]), color=colors[c])
    ax.set_xlabel("SNR (dB, window rms over the station-day median)")
    ax.set_ylabel("recall")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(title)
    return fig


def precision_recall_figure(curves: dict[str, dict], classes: list[str], title: str):
    """One-vs-rest precision-recall curve per class (from
    :func:`seisclass.learn.metrics.precision_recall_curves`): average precision (AP) in the legend, the
    class prevalence as a dotted no-skill line."""
    colors = class_colors(classes)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for c in classes:
        curve = curves[c]
        if not curve["n"]:
            ax.plot([], [], color=colors[c], label=f"{c}: no windows")
            continue
        ax.step(curve["recall"], curve["precision"], where="post", color=colors[c],
                label=f"{c}: AP {curve['average_precision']:.2f} ({curve['n']} windows)")
        ax.axhline(curve["prevalence"], color=colors[c], ls=":", lw=1)
    ax.plot([], [], color="grey", ls=":", label="no skill (class prevalence)")
    ax.set_xlabel("recall (fraction of the class's windows found)")
    ax.set_ylabel("precision (fraction of predictions right)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
