"""Figures of the acquisition stage: data availability per station and day."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_availability(table: pd.DataFrame):
    """Heat map of coverage (percent, mean over channels) per station (rows) and day (columns).

    Chunks without data are grey and marked "no data" (grey without text: no
    chunk, e.g. an mseed_dir day without files); cells state the covered time
    too; cells with gaps
    or overlaps are annotated ``g<gaps>``/``o<overlaps>``.
    """
    import matplotlib.pyplot as plt

    per_day = table.groupby(["station", "day"]).agg(
        coverage=("coverage", "mean"), covered_s=("covered_s", "mean"), gaps=("gaps", "sum"),
        overlaps=("overlaps", "sum"), status=("status", "first"))
    stations = sorted(table["station"].unique())
    days = sorted(table["day"].unique())
    grid = np.full((len(stations), len(days)), np.nan)
    for (sta, day), row in per_day.iterrows():
        if row["status"] != "no_data":
            grid[stations.index(sta), days.index(day)] = 100.0 * row["coverage"]
    width = min(2.0 + 0.9 * len(days), 18.0)
    fig, ax = plt.subplots(figsize=(max(width, 6.0), 1.2 + 0.38 * len(stations)))
    ax.set_facecolor("0.85")
    image = ax.imshow(grid, aspect="auto", cmap="viridis", vmin=0, vmax=100, interpolation="nearest")
    ax.set_xticks(range(len(days)), days, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(stations)), stations, fontsize=8)
    if len(days) * len(stations) <= 400:
        for (sta, day), row in per_day.iterrows():
            i, j = stations.index(sta), days.index(day)
            text = (row["status"].replace("_", " ") if row["status"] in ("no_data", "refused")
                    else f"{100 * row['coverage']:.1f}% ({_duration(row['covered_s'])})")
            extra = "".join(f" {k[0]}{int(row[k])}" for k in ("gaps", "overlaps") if row[k])
            dark = np.isnan(grid[i, j]) or grid[i, j] > 60
            ax.text(j, i, text + extra, ha="center", va="center", fontsize=7, color="black" if dark else "white")
    fig.colorbar(image, ax=ax, label="coverage of the station-day span (%)", fraction=0.04, pad=0.02)
    ax.set_title("Raw data availability per station-day (g: gaps, o: overlaps)", fontsize=10)
    return fig


def _duration(seconds: float) -> str:
    """Short human duration: ``180 s``, ``2.5 h``."""
    return f"{seconds:.0f} s" if seconds < 3600 else f"{seconds / 3600:.1f} h"
