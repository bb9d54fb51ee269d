"""Figures for the report. Each function returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from seisclass.plots.style import class_colors


def window_spectrograms(samples: np.ndarray, fs: float, frame_s: float = 1.0):
    """``(frame centres s, frequencies Hz, power dB (windows x freq x frames))`` of equal-length windows.

    ``samples`` is ``(windows, samples)`` at ``fs`` Hz; Hann frames of ``frame_s`` with half overlap, power
    spectral density in dB re 1 unit²/Hz (unit: that of the samples), all windows in one call.
    """
    from scipy.signal import spectrogram

    n = max(min(int(round(frame_s * fs)), samples.shape[-1]), 2)
    freqs, centres, power = spectrogram(samples, fs=fs, window="hann", nperseg=n, noverlap=n // 2, axis=-1)
    return centres, freqs, 10 * np.log10(power + 1e-30)


def amplitude_scale(samples: np.ndarray, unit: str) -> tuple[float, str]:
    """``(scale, axis label)``: a power of ten that brings the peak of ``samples`` between 1 and 1000 (or 1)."""
    peak = float(np.nanmax(np.abs(samples))) if len(samples) else 0.0
    exponent = int(np.floor(np.log10(peak) / 3) * 3) if np.isfinite(peak) and peak > 0 else 0
    return (10.0 ** exponent, f"{unit} ×1e{exponent}") if exponent else (1.0, unit)


def waveform_examples_figure(examples: dict[str, list[tuple[str, np.ndarray]]], fs: float, classes: list[str],
                             unit: str = "counts", headers: dict[str, str] | None = None, empty: str = "",
                             frame_s: float = 1.0):
    """One column per class, one waveform (vertical component) and its spectrogram below it per example.

    ``examples`` maps a class to ``(caption, samples)`` pairs (equal lengths, ``fs`` Hz, samples in
    ``unit``); each caption titles its example. ``headers`` (default: the class names) head the columns;
    ``empty`` is written in a column without examples. Spectrograms share one colour scale (PSD, dB re
    1 ``unit``²/Hz, 5th to 99.5th percentile of all examples) with one colour bar.
    """
    colors = class_colors(classes)
    headers = headers or {c: c for c in classes}
    n_rows = max((len(v) for v in examples.values()), default=0) or 1
    stacked = [s for c in classes for _, s in examples.get(c, [])]
    centres, freqs, power = window_spectrograms(np.stack(stacked), fs, frame_s) if stacked else (None, None, None)
    finite = power[np.isfinite(power)] if power is not None else np.array([])
    limits = tuple(np.percentile(finite, [5, 99.5])) if finite.size else (0.0, 1.0)
    fig = plt.figure(figsize=(4.2 * len(classes) + 0.8, 2.9 * n_rows + 0.5), layout="constrained")
    image, k, bars = None, 0, []  # bars: (subfigure, its spectrogram axes) of each column with examples
    for sub, c in zip(np.atleast_1d(fig.subfigures(1, len(classes))), classes, strict=True):
        sub.suptitle(headers[c], color=colors[c], fontweight="bold")
        axes = sub.subplots(2 * n_rows, 1, sharex=True, squeeze=False)[:, 0]
        items = examples.get(c, [])
        for ax in axes[2 * len(items):]:
            ax.set_axis_off()
        if not items:
            axes[0].text(0.5, 0.5, empty, ha="center", va="center", transform=axes[0].transAxes)
            continue
        for i, (caption, samples) in enumerate(items):
            image = _example_panels(axes[2 * i], axes[2 * i + 1], caption, samples, fs, unit, colors[c],
                                    (centres, freqs, power[k]), limits)
            k += 1
        axes[2 * len(items) - 1].set_xlabel("time in window (s)", fontsize=8)
        axes[2 * len(items) - 1].tick_params(labelbottom=True)
        bars.append((sub, list(axes[1:2 * len(items):2])))
    if bars:  # one scale for all: its bar beside the last column's spectrograms
        squared = f"({unit})²" if "/" in unit else f"{unit}²"
        bars[-1][0].colorbar(image, ax=bars[-1][1], shrink=0.8, label=f"PSD (dB re 1 {squared}/Hz)")
    return fig


def _example_panels(wave, spec, caption: str, samples: np.ndarray, fs: float, unit: str, color,
                    spectrogram: tuple[np.ndarray, np.ndarray, np.ndarray], limits: tuple[float, float]):
    """One example: its waveform (scaled by a power of ten of ``unit``) on ``wave``, its spectrogram
    (``(frame centres s, frequencies Hz, power dB)``, colours clipped to ``limits``) on ``spec``."""
    scale, label = amplitude_scale(samples, unit)
    wave.plot(np.arange(len(samples)) / fs, samples / scale, lw=0.5, color=color)
    wave.set_title(caption, fontsize=7, loc="left")
    wave.set_ylabel(label, fontsize=7)
    centres, freqs, power = spectrogram
    image = spec.pcolormesh(centres, freqs, power, shading="nearest", cmap="magma", vmin=limits[0], vmax=limits[1],
                            rasterized=True)
    spec.set_ylabel("frequency (Hz)", fontsize=7)
    for ax in (wave, spec):
        ax.tick_params(labelsize=7)
    return image


def class_examples_figure(examples: dict[str, list[tuple[str, np.ndarray]]], fs: float, classes: list[str],
                          unit: str = "counts"):
    """Example windows of each class (:func:`waveform_examples_figure`): waveform and spectrogram per example.

    ``examples`` maps a class to ``(caption, samples)`` pairs, samples in ``unit`` at ``fs`` Hz.
    """
    return waveform_examples_figure(examples, fs, classes, unit, empty="no windows of this class")


def misclassified_figure(examples: dict[str, list[tuple[str, np.ndarray]]], fs: float, classes: list[str],
                         unit: str = "counts"):
    """Wrongly predicted windows by true class (:func:`waveform_examples_figure`), columns headed "true <class>"."""
    return waveform_examples_figure(examples, fs, classes, unit, headers={c: f"true {c}" for c in classes},
                                    empty="no wrong windows")


def feature_by_class_figure(table: pd.DataFrame, features: list[str], classes: list[str],
                            units: dict[str, str] | None = None):
    """Box plots of selected features per class (log scale where values span decades).

    ``units`` maps a feature to its unit (``1``: dimensionless), the y label of its panel.
    """
    units = units or {}
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
        unit = units.get(feature)
        ax.set_ylabel("dimensionless" if unit == "1" else unit or "", fontsize=8)
    for ax in list(axes.flat)[len(features):]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def label_timeline_figure(trace_times: np.ndarray, trace_data: np.ndarray, windows: pd.DataFrame,
                          classes: list[str], title: str, amplitude_label: str = "counts"):
    """Peak envelope of a station-day (from :func:`peak_envelope`, in ``amplitude_label``) with labelled
    windows as bands."""
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
    ax.set_ylabel(f"peak |amplitude| per 1-s bin\n({amplitude_label})")
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
