"""Figures of station reliability: PPSD against Peterson's noise models, noise through the day."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def ppsd_panel(ppsds: dict[str, tuple], stations: pd.DataFrame, band_hz: tuple[float, float], n: int):
    """Up to ``n`` stations (best and worst ranked first), one row each: PPSD and noise per UTC hour.

    Left: the PPSD (probability of each PSD level per period, McNamara and
    Buland 2004) with Peterson's NLNM/NHNM, the median PSD and the medians of
    the quietest and loudest hours. Right: the median noise (dB re NLNM over
    ``band_hz``) per UTC hour, where a day/night cycle shows.
    """
    from obspy.signal.spectral_estimation import get_nhnm, get_nlnm

    from seisclass.quality.stations import noise_by_hour, psd_matrix

    chosen = _chosen(stations, ppsds, n)
    if not chosen:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(0.5, 0.5, "no station with PSD segments", ha="center", va="center")
        ax.set_axis_off()
        return fig
    fig, axes = plt.subplots(len(chosen), 2, figsize=(12, 3.6 * len(chosen)), squeeze=False,
                             gridspec_kw={"width_ratios": [1.6, 1]})
    low_p, low_db = get_nlnm()
    high_p, high_db = get_nhnm()
    for (ax, ax_hour), (channel, row) in zip(axes, chosen, strict=True):
        ppsd, response = ppsds[channel]
        ppsd.calculate_histogram()
        hist = ppsd.current_histogram
        periods, times, values = psd_matrix(ppsd)
        if hist is not None and hist.sum() > 0:
            probability = hist.T / np.maximum(hist.sum(axis=1), 1)[None, :] * 100
            probability = np.ma.masked_equal(probability, 0)  # empty cells stay white
            mesh = ax.pcolormesh(ppsd.period_xedges, ppsd.db_bin_edges, probability, cmap="viridis_r",
                                 vmin=0, vmax=max(float(np.percentile(probability.compressed(), 99)), 1),
                                 shading="flat", rasterized=True)
            fig.colorbar(mesh, ax=ax, fraction=0.04, pad=0.01, label="probability (%)")
        ax.plot(low_p, low_db, color="0.3", lw=1.2, label="NLNM / NHNM")
        ax.plot(high_p, high_db, color="0.3", lw=1.2)
        ax.plot(periods, np.median(values, axis=0), color="black", lw=1.5, ls="--", label="median")
        hourly = _hour_medians(values, times)
        if hourly is not None:
            ax.plot(periods, hourly[0], color="#4c72b0", lw=1.2, label="quietest 4 h (UTC)")
            ax.plot(periods, hourly[1], color="#c44e52", lw=1.2, label="loudest 4 h (UTC)")
        ax.axvspan(1.0 / band_hz[1], 1.0 / band_hz[0], color="orange", alpha=0.12, lw=0)
        ax.set_xscale("log")
        ax.set_xlim(periods.min(), min(periods.max(), 100.0))
        finite = values[np.isfinite(values)]
        if len(finite):
            ax.set_ylim(min(np.percentile(finite, 0.5), -170) - 10 if response != "unit (counts)"
                        else np.percentile(finite, 0.5) - 10, np.percentile(finite, 99.5) + 10)
        ax.set_xlabel("period (s)")
        ax.set_ylabel("PSD (dB re 1 (m/s²)²/Hz)" if response != "unit (counts)" else "PSD (dB, counts as m/s)")
        ax.set_title(f"{channel}: rank {int(row['rank'])}, {row['median_noise_db_vs_nlnm']:.1f} dB re NLNM "
                     f"({band_hz[0]:g}-{band_hz[1]:g} Hz), {len(times)} segments; response: {response}",
                     fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        by_hour = noise_by_hour(ppsd, band_hz)
        ax_hour.plot(by_hour.index, by_hour.to_numpy(), marker="o", color="black")
        ax_hour.set_xlim(-0.5, 23.5)
        ax_hour.set_xticks(range(0, 24, 3))
        ax_hour.set_xlabel("hour of day (UTC) of the segment start")
        ax_hour.set_ylabel(f"median dB re NLNM, {band_hz[0]:g}-{band_hz[1]:g} Hz")
        ax_hour.grid(alpha=0.3)
        if len(by_hour) > 1:
            ax_hour.set_title(f"noise through the day: range {by_hour.max() - by_hour.min():.1f} dB", fontsize=9)
    fig.tight_layout()
    return fig


def _chosen(stations: pd.DataFrame, ppsds: dict, n: int) -> list[tuple[str, pd.Series]]:
    """Best and worst ranked stations with PSD segments, alternating, at most ``n``."""
    have = []
    for _, row in stations.iterrows():
        channel = ".".join([row["network"], row["station"], str(row["location"] or ""), str(row["channel"])])
        if channel in ppsds and len(ppsds[channel][0].times_processed):
            have.append((channel, row))
    order, left, right = [], 0, len(have) - 1
    while left <= right and len(order) < n:
        order.append(have[left])
        left += 1
        if left <= right and len(order) < n:
            order.append(have[right])
            right -= 1
    return sorted(order, key=lambda item: item[1]["rank"])


def _hour_medians(values: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Median PSD of the segments in the quietest and the loudest 4 UTC hours (by mean level)."""
    if len(times) < 8:
        return None
    hour = ((times % 86400.0) // 3600.0).astype(int)
    if len(np.unique(hour)) < 8:
        return None
    level = pd.Series(values.mean(axis=1)).groupby(hour).median().sort_values()
    quiet, loud = np.isin(hour, level.index[:4]), np.isin(hour, level.index[-4:])
    return np.median(values[quiet], axis=0), np.median(values[loud], axis=0)
