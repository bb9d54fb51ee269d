"""Figures for the report. Each function returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from seisclass.plots.style import class_colors


def class_examples_figure(examples: dict[str, list[tuple[str, np.ndarray]]], fs: float, classes: list[str]):
    """Example vertical-component waveforms: one column per class, a few rows each.

    ``examples`` maps a class to ``(caption, samples)`` pairs.
    """
    colors = class_colors(classes)
    n_rows = max((len(v) for v in examples.values()), default=1)
    fig, axes = plt.subplots(n_rows, len(classes), figsize=(4 * len(classes), 1.6 * n_rows + 0.6),
                             squeeze=False, sharex=True)
    for j, c in enumerate(classes):
        axes[0, j].set_title(c, color=colors[c], fontweight="bold")
        for i in range(n_rows):
            ax = axes[i, j]
            if i < len(examples.get(c, [])):
                caption, samples = examples[c][i]
                ax.plot(np.arange(len(samples)) / fs, samples, lw=0.5, color=colors[c])
                ax.text(0.01, 0.95, caption, transform=ax.transAxes, va="top", fontsize=7)
            ax.set_yticks([])
        axes[-1, j].set_xlabel("time in window (s)")
    fig.tight_layout()
    return fig


def feature_by_class_figure(table: pd.DataFrame, features: list[str], classes: list[str]):
    """Box plots of selected features per class (log scale where values span decades)."""
    colors = class_colors(classes)
    n_cols = 3
    n_rows = int(np.ceil(len(features) / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.2 * n_cols, 2.8 * n_rows), squeeze=False)
    for ax, feature in zip(axes.flat, features, strict=False):
        data = [table.loc[table["label"] == c, feature].dropna().to_numpy() for c in classes]
        box = ax.boxplot(data, showfliers=False, patch_artist=True)
        for patch, c in zip(box["boxes"], classes, strict=True):
            patch.set_facecolor(colors[c])
            patch.set_alpha(0.6)
        ax.set_xticks(range(1, len(classes) + 1), classes, fontsize=8)
        positive = np.concatenate(data) if data else np.array([])
        if len(positive) and positive.min() > 0 and positive.max() / max(positive.min(), 1e-30) > 1e3:
            ax.set_yscale("log")
        ax.set_title(feature, fontsize=9)
    for ax in list(axes.flat)[len(features):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def label_timeline_figure(trace_times: np.ndarray, trace_data: np.ndarray, windows: pd.DataFrame,
                          classes: list[str], title: str):
    """Peak envelope of a station-day (from :func:`peak_envelope`) with labelled windows as bands."""
    colors = class_colors(classes)
    fig, ax = plt.subplots(figsize=(12, 3))
    ax.semilogy(trace_times, np.maximum(trace_data, 1e-12), color="black", lw=0.3)
    for c in classes:
        rows = windows[windows["label"] == c]
        spans = list(zip(rows["start_h"], rows["end_h"] - rows["start_h"], strict=True))
        ax.broken_barh(spans, (0, 1), transform=ax.get_xaxis_transform(), color=colors[c], alpha=0.3, lw=0)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[c], alpha=0.4) for c in classes]
    ax.legend(handles, classes, loc="upper right", fontsize=8)
    ax.set_xlabel("hours (UTC) since start of day")
    ax.set_ylabel("peak amplitude per second")
    ax.set_title(title)
    return fig


def peak_envelope(stream, origin: float, bin_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Maximum absolute amplitude per ``bin_s`` of each trace: (hours since ``origin``, peaks)."""
    times, peaks = [], []
    for tr in stream:
        step = max(1, int(round(bin_s * tr.stats.sampling_rate)))
        n = (tr.stats.npts // step) * step
        if n == 0:
            continue
        peaks.append(np.abs(np.asarray(tr.data[:n], float)).reshape(-1, step).max(axis=1))
        offsets = np.arange(n // step) * step / tr.stats.sampling_rate
        times.append((tr.stats.starttime.timestamp - origin + offsets) / 3600.0)
        times.append(np.array([np.nan]))  # break the line at gaps
        peaks.append(np.array([np.nan]))
    if not times:
        return np.array([]), np.array([])
    return np.concatenate(times), np.concatenate(peaks)
