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
