"""Figures of continuous classification: waveform envelope with segments and probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd


def timeline_figure(trace_times: np.ndarray, trace_peaks: np.ndarray, windows: pd.DataFrame,
                    segments_table: pd.DataFrame, classes: list[str], origin: pd.Timestamp, title: str,
                    amplitude_label: str = "counts"):
    """Peak envelope (top, in ``amplitude_label``) with detected segments as coloured bands, and smoothed
    probabilities (bottom)."""
    import matplotlib.pyplot as plt

    from seisclass.plots.style import class_colors

    colors = class_colors(classes)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(13, 4.6), sharex=True, height_ratios=[3, 1.4])
    top.semilogy(trace_times, np.maximum(trace_peaks, 1e-12), color="black", lw=0.3)
    hours = (segments_table["start"] - origin).dt.total_seconds() / 3600
    widths = (segments_table["end"] - segments_table["start"]).dt.total_seconds() / 3600
    for c in classes:
        rows = segments_table["class"] == c
        top.broken_barh(list(zip(hours[rows], widths[rows], strict=True)), (0, 1),
                        transform=top.get_xaxis_transform(), color=colors[c], alpha=0.3, lw=0)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[c], alpha=0.45) for c in classes]
    top.legend(handles, classes, loc="upper right", fontsize=8, ncol=len(classes))
    top.set_ylabel(f"peak |amplitude| per 1-s bin\n({amplitude_label})")
    top.set_title(title)
    centre = ((windows["start"] - origin).dt.total_seconds()
              + (windows["end"] - windows["start"]).dt.total_seconds() / 2) / 3600
    for c in classes:
        bottom.plot(centre, windows[f"s_{c}"], lw=0.6, color=colors[c], label=c)
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel("smoothed probability", fontsize=9)
    bottom.set_xlabel(f"hours (UTC) since {origin:%Y-%m-%d}")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    return fig
