"""Window features, computed for all windows of a station-day at once.

Input is an array of windows ``(n_windows, n_components, n_samples)``;
every feature is a 2-D numpy/scipy reduction over the sample axis, with one
real FFT (spectrum) and one inverse FFT (Hilbert envelope) per component and
block of windows; there is no Python loop over windows.

Features are named ``<component>_<feature>`` (``Z_rms``, ``N_centroid_hz``)
plus station-level ones (``hv_ratio``). :func:`feature_table` documents each
name with its unit and definition; "u" is the data unit (counts, or m/s after
response removal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import fft as sfft

from seisclass.core.config import ConfigSection, check_band, config_section


@config_section("features")
class FeatureParameters(ConfigSection):
    """Config section ``features``: frequency bands (Hz), envelope and cadence settings."""

    # Windows per vectorized block: bounds memory, never changes a value, so it is no config key.
    block_size: ClassVar[int] = 2048

    bands_hz: tuple[tuple[float, float], ...]
    duration_threshold: float
    envelope_rate_hz: float
    cadence_hz: tuple[float, float]
    rolloff_fraction: float

    def _check(self) -> None:
        for i, band in enumerate(self.bands_hz):
            check_band(type(self), f"bands_hz[{i}]", band)
        check_band(type(self), "cadence_hz", self.cadence_hz, low_inclusive=False)
        if self.cadence_hz[1] > self.envelope_rate_hz / 2:
            raise self.error(f"features.cadence_hz: high edge {self.cadence_hz[1]:g} Hz exceeds the Nyquist "
                             f"frequency ({self.envelope_rate_hz / 2:g} Hz) of features.envelope_rate_hz")

    def _check_settings(self, settings) -> None:
        fs = settings["preprocess"].sampling_rate
        for i, (_, high) in enumerate(self.bands_hz):
            if high > fs / 2:
                raise self.error(f"features.bands_hz[{i}]: high edge {high:g} Hz exceeds the Nyquist frequency "
                                 f"({fs / 2:g} Hz) of preprocess.sampling_rate {fs:g} Hz")
        if self.envelope_rate_hz > fs:
            raise self.error(f"features.envelope_rate_hz: {self.envelope_rate_hz:g} Hz exceeds "
                             f"preprocess.sampling_rate {fs:g} Hz")


def band_name(band: tuple[float, float]) -> str:
    """Name fragment of a frequency band, e.g. ``5_10hz``."""

    return f"{band[0]:g}_{band[1]:g}hz".replace(".", "p")


def component_feature_specs(p: FeatureParameters) -> list[tuple[str, str, str, str]]:
    """(name, family, unit, definition) of the features computed per component."""
    specs = [
        ("peak", "amplitude", "u", "maximum absolute amplitude of the demeaned window"),
        ("rms", "amplitude", "u", "root mean square amplitude"),
        ("crest_factor", "amplitude", "1", "peak / rms"),
        ("skewness", "amplitude", "1", "third standardized moment of the samples"),
        ("kurtosis", "amplitude", "1", "excess kurtosis (fourth standardized moment - 3)"),
        ("env_mean", "amplitude", "u", "mean of the Hilbert envelope"),
        ("env_cv", "amplitude", "1", "envelope standard deviation / envelope mean"),
        ("env_peak_median", "amplitude", "1", "envelope maximum / envelope median"),
        ("env_kurtosis", "amplitude", "1", "excess kurtosis of the envelope"),
        ("energy", "energy", "u^2 s", "sum of squared samples times the sample interval"),
    ]
    for band in p.bands_hz:
        name = band_name(band)
        missing = (f"; NaN (missing) for stations whose original sampling rate (before resampling) has its "
                   f"Nyquist frequency below {band[1]:g} Hz")
        specs.append((f"energy_{name}", "energy", "u^2 s",
                      f"energy between {band[0]:g} and {band[1]:g} Hz (Parseval){missing}"))
        specs.append((f"ratio_{name}", "energy", "1",
                      f"energy between {band[0]:g} and {band[1]:g} Hz / total energy{missing}"))
    specs += [
        ("duration_s", "duration", "s",
         "time the smoothed envelope exceeds duration_threshold x the day's median envelope"),
        ("rise_s", "duration", "s", "time from the first threshold crossing to the envelope maximum"),
        ("decay_s", "duration", "s", "time from the envelope maximum to the last threshold crossing"),
        ("log_asc_desc", "duration", "1",
         "log10((rise_s + dt) / (decay_s + dt)), dt one envelope sample: > 0 rises slower than it decays"),
        ("dominant_hz", "frequency", "Hz", "frequency of the largest power-spectrum bin (DC excluded)"),
        ("centroid_hz", "frequency", "Hz", "power-weighted mean frequency"),
        ("bandwidth_hz", "frequency", "Hz", "power-weighted standard deviation of frequency"),
        ("rolloff_hz", "frequency", "Hz", "frequency below which rolloff_fraction of the power lies"),
        ("spectral_entropy", "frequency", "1",
         "Shannon entropy of the normalized power spectrum / log(number of bins)"),
        ("spectral_flatness", "frequency", "1", "geometric / arithmetic mean of the power spectrum"),
        ("zero_crossing_rate", "frequency", "1/s", "sign changes per second"),
        ("periodicity", "periodicity", "1", "largest envelope autocorrelation at lags of the cadence range"),
        ("cadence_hz", "periodicity", "Hz", "1 / lag of that autocorrelation maximum (impulse repetition rate)"),
        ("impulse_rate", "periodicity", "1/s", "envelope local maxima above the duration threshold per second"),
    ]
    return specs


STATION_FEATURE_SPECS = [
    ("hv_ratio", "amplitude", "1", "sqrt(N_rms^2 + E_rms^2) / Z_rms (horizontal to vertical)"),
]


def feature_names(components: list[str], p: FeatureParameters) -> list[str]:
    """Column names in the order :func:`compute_features` returns them."""
    names = [f"{c}_{spec[0]}" for c in components for spec in component_feature_specs(p)]
    if _has_hv(components):
        names += [spec[0] for spec in STATION_FEATURE_SPECS]
    return names


def feature_table(components: list[str], p: FeatureParameters) -> pd.DataFrame:
    """Documentation table: one row per feature column (name, family, unit, definition)."""
    rows = [
        (f"{c}_{name}", family, unit, f"{definition} ({c} component)")
        for c in components
        for name, family, unit, definition in component_feature_specs(p)
    ]
    if _has_hv(components):
        rows += STATION_FEATURE_SPECS
    return pd.DataFrame(rows, columns=["name", "family", "unit", "definition"])


def _has_hv(components: list[str]) -> bool:
    return {"Z", "N", "E"} <= set(components)


# ------------------------------------------------------------------- bandwidth of the original data
#
# Data are resampled to preprocess.sampling_rate, so a station recorded at 20 Hz reaches the
# features with nothing above 10 Hz: its energy in a 10-15 Hz band is zero because it was never
# measured, not because the ground was quiet. The rule: a band whose high edge exceeds the
# Nyquist frequency of the component's ORIGINAL sampling rate is missing (NaN) in that window,
# for both features that depend on it (energy_<band> and ratio_<band>). Models take NaN
# (scikit-learn's forest routes missing values), the exploration imputes them.


def band_columns(components: list[str], p: FeatureParameters) -> pd.DataFrame:
    """The band-dependent feature columns: ``column, component, low_hz, high_hz`` (energy and ratio)."""
    rows = [(f"{c}_{kind}_{band_name(band)}", c, band[0], band[1])
            for c in components for band in p.bands_hz for kind in ("energy", "ratio")]
    return pd.DataFrame(rows, columns=["column", "component", "low_hz", "high_hz"])


def is_band_column(name: str) -> bool:
    """Whether a feature column is a band energy or band ratio (``Z_energy_1_5hz``, ``ratio_10_20hz``)."""
    import re

    return re.fullmatch(r"(?:[A-Za-z0-9]+_)?(?:energy|ratio)_[0-9p]+_[0-9p]+hz", name) is not None


def mask_unmeasured_bands(table: pd.DataFrame, original_rates: pd.DataFrame, components: list[str],
                          p: FeatureParameters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Set band features to NaN where the band lies above the original Nyquist frequency.

    ``table`` has the key columns and the feature columns of one or more
    station-days; ``original_rates`` has ``station`` (``NET.STA[.LOC]``),
    ``day`` (``YYYY-MM-DD``), ``component`` and ``sampling_rate`` (Hz, before
    resampling; see :func:`seisclass.signal.preprocess.original_sampling_rates`).
    A window whose station-day and component have no recorded rate keeps its
    values. Returns the table (a copy, same row order) and a summary, one row per
    masked station-day, component and column: ``station, day, component,
    sampling_rate, column, windows``.
    """
    from seisclass.core.vocabulary import station_ids

    out = table.copy()
    summary_columns = ["station", "day", "component", "sampling_rate", "column", "windows"]
    if not len(out) or original_rates is None or not len(original_rates):
        return out, pd.DataFrame(columns=summary_columns)
    rates = original_rates.groupby(["station", "day", "component"], as_index=False)["sampling_rate"].min()
    key = pd.DataFrame({"station": station_ids(out).to_numpy(),
                        "day": pd.to_datetime(out["start"], utc=True).dt.strftime("%Y-%m-%d").to_numpy()})
    summary = []
    for component in components:
        part = rates[rates["component"] == component]
        nyquist = key.merge(part, on=["station", "day"], how="left")["sampling_rate"].to_numpy(float) / 2.0
        for row in band_columns([component], p).itertuples():
            hit = nyquist < row.high_hz  # NaN (no rate recorded) compares False: kept
            if hit.any():
                out.loc[hit, row.column] = np.nan
                counts = key[hit].assign(sampling_rate=2 * nyquist[hit]).value_counts(
                    ["station", "day", "sampling_rate"], sort=False).reset_index(name="windows")
                summary.append(counts.assign(component=component, column=row.column))
    summary = pd.concat(summary, ignore_index=True)[summary_columns] if summary else pd.DataFrame(
        columns=summary_columns)
    return out, summary


# ------------------------------------------------------------------- computation


@dataclass(frozen=True)
class NoiseReference:
    """Station-day noise levels per component (u): median window rms and envelope."""

    rms: np.ndarray
    envelope: np.ndarray


def noise_reference(windows: np.ndarray, fs: float, p: FeatureParameters) -> NoiseReference:
    """Median over windows of the window rms and median envelope, per component."""
    rms = np.empty((windows.shape[0], windows.shape[1]))
    env = np.empty_like(rms)
    for start in range(0, windows.shape[0], p.block_size):
        block = windows[start : start + p.block_size].astype(np.float32)
        x = block - block.mean(axis=2, keepdims=True)
        rms[start : start + len(block)] = np.sqrt(np.mean(np.square(x, dtype=np.float64), axis=2))
        env[start : start + len(block)] = np.median(_envelope(sfft.rfft(x, axis=2), x.shape[2]), axis=2)
    if len(rms) == 0:
        return NoiseReference(np.ones(windows.shape[1]), np.ones(windows.shape[1]))
    return NoiseReference(np.median(rms, axis=0), np.median(env, axis=0))


def snr_db(windows_rms: np.ndarray, reference: NoiseReference) -> np.ndarray:
    """Largest per-component rms over the day's median rms, in dB; shape (n_windows,)."""
    ratio = windows_rms / np.maximum(reference.rms, 1e-30)
    return 20.0 * np.log10(np.maximum(ratio.max(axis=1), 1e-30))


def compute_features(
    windows: np.ndarray,
    fs: float,
    components: list[str],
    p: FeatureParameters,
    reference: NoiseReference | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Features of all windows: ``(features (n, n_features) float32, snr_db (n,))``.

    ``windows`` has shape ``(n_windows, n_components, n_samples)`` in data
    units; ``reference`` defaults to :func:`noise_reference` of the same
    windows (the station-day they come from).
    """
    n, n_comp, _ = windows.shape
    if n_comp != len(components):
        raise ValueError(f"windows have {n_comp} components, names given for {len(components)}")
    reference = reference or noise_reference(windows, fs, p)
    per_component = len(component_feature_specs(p))
    out = np.empty((n, len(feature_names(components, p))), dtype=np.float32)
    rms = np.empty((n, n_comp))
    for start in range(0, n, p.block_size):
        block = windows[start : start + p.block_size]
        for c in range(n_comp):
            values = _component_features(block[:, c], fs, p, reference.envelope[c])
            out[start : start + len(block), c * per_component : (c + 1) * per_component] = values
            rms[start : start + len(block), c] = values[:, 1]
    if _has_hv(components):
        z, north, east = (components.index(k) for k in ("Z", "N", "E"))
        out[:, -1] = np.hypot(rms[:, north], rms[:, east]) / np.maximum(rms[:, z], 1e-30)
    return out, snr_db(rms, reference)


def _envelope(spectrum: np.ndarray, n_samples: int) -> np.ndarray:
    """Hilbert envelope from a one-sided spectrum (last axis), via one complex inverse FFT."""
    analytic = np.zeros(spectrum.shape[:-1] + (n_samples,), dtype=spectrum.dtype)
    half = spectrum.shape[-1]
    analytic[..., 0] = spectrum[..., 0]
    if n_samples % 2 == 0:
        analytic[..., 1 : half - 1] = 2 * spectrum[..., 1 : half - 1]
        analytic[..., half - 1] = spectrum[..., half - 1]
    else:
        analytic[..., 1:half] = 2 * spectrum[..., 1:half]
    return np.abs(sfft.ifft(analytic, axis=-1))


def _standardized_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(variance, skewness, excess kurtosis) along the last axis of demeaned ``x``.

    Constant input has variance 0 and, by convention, skewness and kurtosis 0.
    """
    x2 = np.square(x, dtype=np.float64)
    m2 = x2.mean(axis=-1)
    m3 = (x2 * x).mean(axis=-1)
    m4 = np.square(x2).mean(axis=-1)
    varying = m2 > 1e-100
    safe = np.where(varying, m2, 1.0)
    skewness = np.where(varying, m3 / safe**1.5, 0.0)
    kurtosis = np.where(varying, m4 / safe**2 - 3.0, 0.0)
    return m2, skewness, kurtosis


def _component_features(
    x: np.ndarray, fs: float, p: FeatureParameters, noise_envelope: float
) -> np.ndarray:
    """All per-component features of a block ``x`` (n, n_samples); columns as the specs."""
    n, m = x.shape
    x = x.astype(np.float32)
    x = x - x.mean(axis=1, keepdims=True)
    cols: list[np.ndarray] = []

    # amplitude
    variance, skewness, kurtosis = _standardized_moments(x)
    rms = np.sqrt(variance)
    peak = np.abs(x).max(axis=1)
    spectrum = sfft.rfft(x, axis=1)
    envelope = _envelope(spectrum, m)
    env_mean = envelope.mean(axis=1)
    env_var, _, env_kurtosis = _standardized_moments(envelope - env_mean[:, None])
    env_median = np.median(envelope, axis=1)
    cols += [peak, rms, peak / np.maximum(rms, 1e-30), skewness, kurtosis, env_mean,
             np.sqrt(env_var) / np.maximum(env_mean, 1e-30),
             envelope.max(axis=1) / np.maximum(env_median, 1e-30), env_kurtosis]

    # energy (Parseval on the one-sided spectrum)
    power = np.square(spectrum.real, dtype=np.float64) + np.square(spectrum.imag, dtype=np.float64)
    weights = np.full(power.shape[1], 2.0)
    weights[0] = 1.0
    if m % 2 == 0:
        weights[-1] = 1.0
    power_w = power * (weights / (m * fs))
    cumulative = np.cumsum(power_w, axis=1)
    total = np.maximum(cumulative[:, -1], 1e-300)
    freqs = sfft.rfftfreq(m, 1.0 / fs)
    cols.append(variance * m / fs)
    for lo, hi in p.bands_hz:
        i0, i1 = np.searchsorted(freqs, [lo, hi])
        band = cumulative[:, min(i1, len(freqs)) - 1] - (cumulative[:, i0 - 1] if i0 > 0 else 0.0)
        cols += [band, band / total]

    # duration (smoothed, decimated envelope against the day's noise level)
    k = max(1, int(round(fs / p.envelope_rate_hz)))
    env_rate = fs / k
    smooth = envelope[:, : (m // k) * k].reshape(n, m // k, k).mean(axis=2)
    threshold = p.duration_threshold * noise_envelope
    above = smooth > threshold
    any_above = above.any(axis=1)
    first = np.where(any_above, above.argmax(axis=1), 0)
    last = np.where(any_above, smooth.shape[1] - 1 - above[:, ::-1].argmax(axis=1), 0)
    i_peak = smooth.argmax(axis=1)
    rise = np.where(any_above, np.clip(i_peak - first, 0, None), 0) / env_rate
    decay = np.where(any_above, np.clip(last - i_peak, 0, None), 0) / env_rate
    cols += [above.sum(axis=1) / env_rate, rise, decay,
             np.log10((rise + 1.0 / env_rate) / (decay + 1.0 / env_rate))]

    # frequency
    spectral = power[:, 1:]
    f = freqs[1:]
    spectral_total = np.maximum(spectral.sum(axis=1), 1e-300)
    prob = spectral / spectral_total[:, None]
    centroid = prob @ f
    bandwidth = np.sqrt(np.clip(prob @ f**2 - centroid**2, 0.0, None))
    rolloff_index = (cumulative >= p.rolloff_fraction * total[:, None]).argmax(axis=1)
    entropy = -(prob * np.log(np.maximum(prob, 1e-300))).sum(axis=1) / np.log(prob.shape[1])
    # Floor the arithmetic mean like the geometric one: a dead (all-zero) window has flatness 1,
    # not 1e-300 / (1e-300 / n_bins) = n_bins, outside the feature's [0, 1] range.
    arithmetic = np.maximum(spectral.sum(axis=1) / spectral.shape[1], 1e-300)
    flatness = np.exp(np.log(np.maximum(spectral, 1e-300)).mean(axis=1)) / arithmetic
    crossings = np.count_nonzero(np.diff(np.signbit(x), axis=1), axis=1)
    cols += [f[spectral.argmax(axis=1)], centroid, bandwidth, freqs[rolloff_index], entropy,
             flatness, crossings * fs / m]

    # periodicity of the envelope
    cols += list(_envelope_periodicity(smooth, env_rate, p.cadence_hz))
    peaks = (smooth[:, 1:-1] > smooth[:, :-2]) & (smooth[:, 1:-1] >= smooth[:, 2:]) & (smooth[:, 1:-1] > threshold)
    cols.append(peaks.sum(axis=1) * fs / m)
    return np.column_stack(cols)


def _envelope_periodicity(
    envelope: np.ndarray, rate: float, cadence_hz: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Envelope periodicity and cadence (Hz) from the normalized autocorrelation.

    Within the lags of the cadence range, the shortest-lag local maximum that
    reaches 80 % of the largest one is taken (avoiding the octave error of
    picking a multiple of the period), refined by parabolic interpolation.
    The cadence always lies inside ``cadence_hz``: only lags whose cadence
    ``rate / lag`` is inside the range are searched (:func:`cadence_lags`) and
    the refined lag is clipped to ``[rate / high, rate / low]``.
    """
    n, m = envelope.shape
    e = envelope - envelope.mean(axis=1, keepdims=True)
    spectrum = sfft.rfft(e, n=2 * m, axis=1)
    acf = sfft.irfft(np.abs(spectrum) ** 2, n=2 * m, axis=1)[:, :m]
    zero_lag = acf[:, :1]
    acf = np.divide(acf, zero_lag, out=np.zeros_like(acf), where=zero_lag > 1e-300)
    lag_min, lag_max = cadence_lags(rate, cadence_hz, m)
    lags = np.arange(lag_min, lag_max + 1)
    centre, before, after = acf[:, lags], acf[:, lags - 1], acf[:, lags + 1]
    local_max = (centre >= before) & (centre >= after)
    strongest = np.where(local_max, centre, -np.inf).max(axis=1, keepdims=True)
    candidate = local_max & (centre >= 0.8 * strongest)
    has_peak = candidate.any(axis=1)
    best = np.where(has_peak, candidate.argmax(axis=1), centre.argmax(axis=1))
    rows = np.arange(n)
    y0, y1, y2 = before[rows, best], centre[rows, best], after[rows, best]
    curvature = y0 - 2 * y1 + y2
    shift = np.divide(0.5 * (y0 - y2), curvature, out=np.zeros(n), where=curvature < -1e-12)
    lag = np.clip(lags[best] + np.clip(shift, -0.5, 0.5), rate / cadence_hz[1], rate / cadence_hz[0])
    return y1, rate / lag


def cadence_lags(rate: float, cadence_hz: tuple[float, float], n_lags: int) -> tuple[int, int]:
    """First and last autocorrelation lag (samples at ``rate``) searched for the cadence.

    Lags run from ``ceil(rate / high)`` to ``floor(rate / low)``, so that
    ``rate / lag`` stays inside ``cadence_hz`` (``floor(rate / high)`` searched
    lag 2 of a 10 Hz envelope, i.e. 5 Hz, above a 4 Hz limit). They stay within
    ``[1, n_lags - 2]`` (a neighbour on each side); a range holding no whole
    lag keeps the lag just above it, whose cadence the caller clips.
    """
    lag_min = max(1, min(n_lags - 2, int(np.ceil(rate / cadence_hz[1] - 1e-9))))
    lag_max = min(n_lags - 2, int(np.floor(rate / cadence_hz[0] + 1e-9)))
    return lag_min, max(lag_min, lag_max)
