"""Reference features: the window features straight from their definitions, one window at a time.

:func:`reference_features` is a deliberately plain, unvectorized (float64,
``scipy.signal.hilbert``, ``scipy.stats``) implementation of the features of
:func:`seisclass.signal.features.compute_features`. Tests check the batched
features against it; ``make bench`` uses it as the speed yardstick. When a
feature definition changes, change it here too.
"""

from __future__ import annotations

import numpy as np
from scipy import signal, stats

from seisclass.signal.features import FeatureParameters


def _reference_component(x: np.ndarray, fs: float, p: FeatureParameters, noise_envelope: float) -> list[float]:
    """Per-component features of ONE window ``x`` (n_samples,), straight from the definitions."""
    x = np.asarray(x, np.float64)
    x = x - x.mean()
    m = len(x)
    peak = np.abs(x).max()
    rms = np.sqrt(np.mean(x**2))
    envelope = np.abs(signal.hilbert(x))
    env_mean = envelope.mean()
    values = [
        peak, rms, peak / max(rms, 1e-30),
        stats.skew(x) if rms > 0 else 0.0,  # constant window: 0 by convention
        stats.kurtosis(x) if rms > 0 else 0.0,
        env_mean, envelope.std() / max(env_mean, 1e-30),
        envelope.max() / max(np.median(envelope), 1e-30),
        stats.kurtosis(envelope) if envelope.std() > 0 else 0.0,
        np.sum(x**2) / fs,
    ]
    # energy per band from the two-sided periodogram (Parseval), folded to one side
    freqs = np.fft.rfftfreq(m, 1.0 / fs)
    power = np.abs(np.fft.rfft(x)) ** 2
    one_sided = power * 2.0
    one_sided[0] = power[0]
    if m % 2 == 0:
        one_sided[-1] = power[-1]
    energy = one_sided / (m * fs)
    total = max(energy.sum(), 1e-300)
    for lo, hi in p.bands_hz:
        band = energy[(freqs >= lo) & (freqs < hi)].sum() if hi <= freqs[-1] else energy[freqs >= lo].sum()
        values += [band, band / total]
    # duration: envelope averaged over k samples, compared with the day's noise envelope
    k = max(1, int(round(fs / p.envelope_rate_hz)))
    rate = fs / k
    smooth = np.array([envelope[i : i + k].mean() for i in range(0, (m // k) * k, k)])
    threshold = p.duration_threshold * noise_envelope
    above = np.flatnonzero(smooth > threshold)
    i_peak = int(np.argmax(smooth))
    rise = max(i_peak - above[0], 0) / rate if len(above) else 0.0
    decay = max(above[-1] - i_peak, 0) / rate if len(above) else 0.0
    values += [len(above) / rate, rise, decay, np.log10((rise + 1.0 / rate) / (decay + 1.0 / rate))]
    # frequency (DC excluded)
    f, pw = freqs[1:], power[1:]
    prob = pw / max(pw.sum(), 1e-300)
    centroid = np.sum(prob * f)
    cumulative = np.cumsum(energy)
    values += [
        f[np.argmax(pw)], centroid, np.sqrt(max(np.sum(prob * f**2) - centroid**2, 0.0)),
        freqs[np.argmax(cumulative >= p.rolloff_fraction * total)],
        -np.sum(prob * np.log(np.maximum(prob, 1e-300))) / np.log(len(pw)),
        np.exp(np.mean(np.log(np.maximum(pw, 1e-300)))) / max(pw.mean(), 1e-300),
        np.count_nonzero(np.diff(np.signbit(x))) * fs / m,
    ]
    # periodicity: autocorrelation of the smoothed envelope at the cadence lags
    values += list(_reference_periodicity(smooth, rate, p.cadence_hz))
    inner = smooth[1:-1]
    local_max = (inner > smooth[:-2]) & (inner >= smooth[2:]) & (inner > threshold)
    values.append(local_max.sum() * fs / m)
    return values


def _reference_periodicity(smooth: np.ndarray, rate: float, cadence_hz) -> tuple[float, float]:
    """(periodicity, cadence Hz): first autocorrelation peak >= 80 % of the strongest, parabola-refined."""
    e = smooth - smooth.mean()
    acf = np.correlate(e, e, mode="full")[len(e) - 1 :]
    acf = acf / acf[0] if acf[0] > 1e-300 else np.zeros_like(acf)
    # only lags whose cadence rate / lag lies inside cadence_hz (an empty range keeps its upper-edge lag)
    lag_min = max(1, min(len(e) - 2, int(np.ceil(rate / cadence_hz[1] - 1e-9))))
    lag_max = max(lag_min, min(len(e) - 2, int(np.floor(rate / cadence_hz[0] + 1e-9))))
    peaks = [lag for lag in range(lag_min, lag_max + 1) if acf[lag] >= acf[lag - 1] and acf[lag] >= acf[lag + 1]]
    strongest = max((acf[lag] for lag in peaks), default=-np.inf)
    # (a negative strongest peak leaves no candidate: then the largest value is taken)
    candidates = [lag for lag in peaks if acf[lag] >= 0.8 * strongest]
    best = candidates[0] if candidates else lag_min + int(np.argmax(acf[lag_min : lag_max + 1]))
    y0, y1, y2 = acf[best - 1], acf[best], acf[best + 1]
    curvature = y0 - 2 * y1 + y2
    shift = float(np.clip(0.5 * (y0 - y2) / curvature, -0.5, 0.5)) if curvature < -1e-12 else 0.0
    lag = min(max(best + shift, rate / cadence_hz[1]), rate / cadence_hz[0])  # cadence inside cadence_hz
    return y1, rate / lag


def reference_features(windows: np.ndarray, fs: float, components: list[str], p: FeatureParameters) -> np.ndarray:
    """The features of :func:`compute_features`, one window and component at a time (float64).

    Deliberately unvectorized: the yardstick for the batched implementation.
    """
    n, n_comp, _ = windows.shape
    rms = np.zeros((n, n_comp))
    median_env = np.zeros((n, n_comp))
    for i in range(n):  # noise reference of the day: median window rms and median envelope
        for c in range(n_comp):
            x = windows[i, c].astype(np.float64) - windows[i, c].mean(dtype=np.float64)
            rms[i, c] = np.sqrt(np.mean(x**2))
            median_env[i, c] = np.median(np.abs(signal.hilbert(x)))
    noise_env = np.median(median_env, axis=0)
    rows = []
    for i in range(n):
        row = []
        for c in range(n_comp):
            row += _reference_component(windows[i, c], fs, p, noise_env[c])
        if {"Z", "N", "E"} <= set(components):
            z, north, east = (components.index(k) for k in ("Z", "N", "E"))
            row.append(np.hypot(rms[i, north], rms[i, east]) / max(rms[i, z], 1e-30))
        rows.append(row)
    return np.array(rows)


def compare(fast: np.ndarray, reference: np.ndarray, names: list[str], rtol: float) -> dict:
    """Agreement of two feature matrices.

    ``max_abs_diff`` is in feature units (mixed); ``max_rel_diff`` divides by
    ``max(|reference|, 1e-3 * column scale)`` (column scale = largest
    ``|reference|`` of that feature), so features that cross zero (skewness)
    are judged against their typical size. ``agree`` when every element has
    ``max_rel_diff <= rtol``; ``mismatches`` counts the elements that do not.
    """
    diff = np.abs(fast.astype(np.float64) - reference)
    scale = np.maximum(np.abs(reference).max(axis=0), 1e-30)
    relative = diff / np.maximum(np.abs(reference), 1e-3 * scale)
    worst = np.unravel_index(np.argmax(relative), relative.shape)
    bad = relative > rtol
    return {
        "max_abs_diff": float(diff.max()),
        "max_rel_diff": float(relative.max()),
        "worst_feature": names[worst[1]],
        "rtol": rtol,
        "mismatches": int(bad.sum()),
        "mismatched_features": sorted({names[j] for j in np.flatnonzero(bad.any(axis=0))}),
        "agree": bool(not bad.any()),
    }
