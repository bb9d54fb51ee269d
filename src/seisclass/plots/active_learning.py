"""Figures of active learning: waveform thumbnails of the windows to label next."""

from __future__ import annotations

import numpy as np
import pandas as pd


def thumbnails_figure(waveforms: list[np.ndarray], rows: pd.DataFrame, fs: float, classes: list[str],
                      unit: str = "counts"):
    """Vertical-component waveforms (``unit``) of candidate windows in a grid, titled with their probabilities
    and predictive entropy H (nats)."""
    import matplotlib.pyplot as plt

    from seisclass.plots.data import amplitude_scale
    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    n = max(len(waveforms), 1)
    n_cols = min(3, n)
    n_rows = int(np.ceil(n / n_cols))
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4.6 * n_cols, 1.9 * n_rows + 0.3), squeeze=False)
    for ax, samples, row in zip(axes.flat, waveforms, rows.itertuples(), strict=False):
        scale, label = amplitude_scale(samples, unit)
        ax.plot(np.arange(len(samples)) / fs, samples / scale, lw=0.5, color=colors[row.predicted])
        probs = " ".join(f"{c} {getattr(row, f'p_{c}'):.2f}" for c in classes)
        ax.set_title(f"#{row.rank} {row.network}.{row.station} {row.start:%m-%d %H:%M:%S}\n"
                     f"{probs} | H {row.entropy:.2f} nats", fontsize=8)
        ax.set_ylabel(label, fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(waveforms):]:
        ax.axis("off")
    if not waveforms:
        axes[0, 0].text(0.5, 0.5, "no unlabelled windows", ha="center", va="center")
    for ax in axes[-1]:
        ax.set_xlabel("time in window (s)", fontsize=8)
    fig.tight_layout()
    return fig


STRATEGY_COLORS = {"entropy": "#1f77b4", "margin": "#2ca02c", "diversity": "#9467bd", "cluster": "#ff7f0e",
                   "random": "#444444"}


def _median_band(ax, table: pd.DataFrame, by: str, x: str, y: str, color: str, label: str) -> None:
    """Median of ``y`` per ``by`` (at the median ``x``) with its interquartile band."""
    grouped = table.groupby(by)
    xs = grouped[x].median()
    q = grouped[y].quantile([0.25, 0.5, 0.75]).unstack()
    ax.fill_between(xs, q[0.25], q[0.75], color=color, alpha=0.15, lw=0)
    ax.plot(xs, q[0.5], marker="o", ms=3, lw=1.6 if label.startswith("random") else 1.2, color=color, label=label)


def _needed_label(summary: pd.DataFrame, strategy: str, target: float) -> str:
    row = summary[(summary["strategy"] == strategy) & (summary["target"] == target)]
    if not len(row):
        return strategy
    r = row.iloc[0]

    def number(v: float) -> str:
        return "never" if np.isinf(v) else f"{v:.0f}"

    return (f"{strategy}: {number(r.intervals_median)} [{number(r.intervals_q25)}-{number(r.intervals_q75)}] "
            f"to {target:g} ({int(r.reached)}/{int(r.curves)})")


def simulation_figure(curve: pd.DataFrame, summary: pd.DataFrame, targets: tuple[float, ...], headline: str):
    """Interval and window balanced accuracy, and windows per labelled interval, against labelled intervals.

    Lines: median over seeds x folds per round, bands: interquartile range; the legend gives the intervals
    needed to reach the first target (median [quartiles], curves that reach it).
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    for strategy, runs in curve.groupby("strategy", sort=False):
        color = STRATEGY_COLORS.get(strategy, "black")
        _median_band(axes[0], runs, "round", "n_labelled_intervals", "interval_bacc", color,
                     _needed_label(summary, strategy, targets[0]))
        _median_band(axes[1], runs, "round", "n_labelled_intervals", "window_bacc", color, strategy)
        runs = runs.assign(windows_per_interval=runs["n_labelled_windows"] / runs["n_labelled_intervals"])
        _median_band(axes[2], runs, "round", "n_labelled_intervals", "windows_per_interval", color, strategy)
    for ax, ylabel in zip(axes, ("interval balanced accuracy (held-out fold)", "window balanced accuracy (held-out "
                                 "fold)", "labelled windows per labelled interval"), strict=True):
        ax.set_xscale("log")
        ax.set_xlabel("labelled intervals")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3, which="both")
    for ax in axes[:2]:
        for target in targets:
            ax.axhline(target, color="grey", ls="--", lw=0.8)
    axes[0].legend(fontsize=8, loc="lower right", title=f"intervals to {targets[0]:g}", title_fontsize=8)
    axes[2].legend(fontsize=8, loc="upper left")
    fig.suptitle(headline, fontsize=10)
    fig.tight_layout()
    return fig


def learning_curve_figure(table: pd.DataFrame, classes: list[str], model: str = "random forest"):
    """Balanced accuracy (interval and window) and each class's interval recall against labelled events per class."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    _median_band(axes[0], table, "events_per_class", "events_per_class", "interval_bacc", "#1f77b4", "per interval")
    _median_band(axes[0], table, "events_per_class", "events_per_class", "window_bacc", "#ff7f0e", "per window")
    for c in classes:
        _median_band(axes[1], table, "events_per_class", "events_per_class", f"recall_{c}", colors[c], c)
    for ax, ylabel in zip(axes, ("balanced accuracy (held-out fold)", "recall per interval (held-out fold)"),
                          strict=True):
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(table["events_per_class"].unique()))
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("labelled events per class (time blocks; fewer where a class has fewer)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8, loc="lower right")
    n = table.groupby(["seed", "fold"]).ngroups
    fig.suptitle(f"Learning curve of the {model}: median and interquartile range over {n} seed x fold runs",
                 fontsize=10)
    fig.tight_layout()
    return fig
