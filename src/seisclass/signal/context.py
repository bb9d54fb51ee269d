"""Long-context features for the grid windows of one seismic trace (vectorized, deterministic).

What separates a surface event (rock fall, avalanche, landslide) from an
earthquake lives at longer time scales than a 10-s window: emergence,
duration, frequency content falling with time, the coda. These features give
every window of the grid that context while the rows stay on the grid.

Recipe these features were designed and validated for (``config/examples/mseed_dir.yaml``;
event-grouped cross-validation on real recordings, see README "Real-data study"):

* Preprocessing (``seisclass.signal.preprocess.preprocess_stream``): demean, linear detrend,
  2-s Hann taper, 4-corner zero-phase Butterworth band-pass 1-15 Hz (upper corner capped
  at 0.9 x the station's own Nyquist, i.e. 9 Hz for 20-Hz stations), FFT resampling to
  40 Hz, float32; gaps <= 0.5 s interpolated, segments < 20 s dropped.
* Window grid (``seisclass.signal.windows.window_starts``): 10-s windows every 5 s, starts at
  integer multiples of 5 s since the Unix epoch; a window is labelled by the annotation
  covering >= 50 % of it.
* Base features (``seisclass.signal.features.compute_features``): the 32 Z-component features with
  ``bands_hz = [[1,3],[3,6],[6,10],[10,15]]``, ``envelope_rate_hz = 10``.

This module adds, for every grid window, features computed over LONGER spans around it
(every output row is still the 10-s window ``[start, start + 10 s]``):

1. A short-time spectrogram of the trace: 2-s Hann frames every 1 s, frames starting at
   integer epoch seconds (so frames line up with the window grid). Per frame: power in
   the *common band* 1-9 Hz (which every station down to 20 Hz sampling can see), in the
   sub-bands 1-3, 3-6, 6-9 Hz and in the *high band* 9-15 Hz (only where the station's
   native Nyquist allows; ``-1`` otherwise).
2. Noise normalisation: the trace's noise power is the 10th percentile of the frame powers
   of the whole trace (its quietest part); levels are in dB above it, so stations with
   different gains/instruments become comparable.
3. Span features over spans defined relative to the window start ``s`` (seconds):
   ``w10`` = [s, s+10] (the window itself), ``c30`` = [s-10, s+20], ``c60`` = [s-25, s+35],
   ``c120`` = [s-55, s+65], ``c180`` = [s-85, s+95] (centred), ``p30`` = [s-30, s] (past), ``f30`` = [s+10, s+40]
   (future). Frames outside the trace are ignored (spans are truncated at the trace ends).
4. Event-run features: the smoothed frame level is thresholded at ``run_db`` above the
   noise; each window is attached to the run of consecutive above-threshold frames that
   holds its loudest frame, and the run's duration, rise, decay and position are reported.

No Python loop runs over windows: everything is 1-D (over frames) or 2-D (windows x frames)
numpy. Position-in-file is deliberately NOT a feature (spans are truncated symmetrically
and fractions, not counts, are reported), so the model cannot learn where labelled
intervals sit inside the 2-3 min event files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, check_band, config_section
from seisclass.core.records import StationDay
from seisclass.signal.envelope import band_power, frame_spectra

__all__ = ["ContextParameters", "chunk_context_features", "context_features", "feature_units"]


@config_section("context")
class ContextParameters(ConfigSection):
    """Config section ``context``: long-context features (off by default; on in the real-data example)."""

    enabled: bool
    frame_s: float  # spectrogram frame length (s)
    hop_s: float  # frame step (s); frames start at integer multiples of hop_s
    common_band_hz: tuple[float, float]
    sub_bands_hz: tuple[tuple[float, float], ...]
    high_band_hz: tuple[float, float]
    noise_percentile: float
    above_db: float  # "above noise" threshold for duration fractions (dB)
    run_db: tuple[float, ...]  # thresholds for event runs (dB above noise); one feature set each
    smooth_frames: int  # running-mean length (frames) of the power before run detection

    def _check(self) -> None:
        check_band(type(self), "common_band_hz", self.common_band_hz, low_inclusive=False)
        check_band(type(self), "high_band_hz", self.high_band_hz, low_inclusive=False)
        for i, band in enumerate(self.sub_bands_hz):
            check_band(type(self), f"sub_bands_hz[{i}]", band, low_inclusive=False)
        if self.hop_s > self.frame_s:
            raise self.error(f"context.hop_s ({self.hop_s}) must not exceed context.frame_s ({self.frame_s})")


# Spans relative to the window start (s): name, offset of the span start, offset of its end.
# w10 is the 10-s window itself, c* are centred on it, p30 the 30 s before, f30 the 30 s after.
SPANS = (("w10", 0.0, 10.0), ("c30", -10.0, 20.0), ("c60", -25.0, 35.0), ("c120", -55.0, 65.0),
         ("c180", -85.0, 95.0), ("p30", -30.0, 0.0), ("f30", 10.0, 40.0))
SHAPE_SPANS = ("c60", "c120", "c180")  # spans that also get envelope-shape features


_EPS = 1e-20


def feature_units(p: ContextParameters | None = None) -> pd.DataFrame:
    """Name, unit and definition of every column :func:`context_features` returns (``p``: default settings)."""
    p = p or ContextParameters()
    rows = []
    for name, a, b in SPANS:
        span = f"frames in [start{a:+g} s, start{b:+g} s]"
        rows += [
            (f"{name}_level_db", "dB", f"10 log10(mean common-band power / trace noise power), {span}"),
            (f"{name}_peak_db", "dB", f"largest frame level above noise, {span}"),
            (f"{name}_frac_above", "1", f"fraction of frames more than above_db above noise, {span}"),
            (f"{name}_centroid_hz", "Hz", f"power-weighted mean frequency in the common band, {span}"),
            *[(f"{name}_frac_{_bn(bd)}", "1", f"power fraction of sub-band {bd} Hz in the common band, {span}")
              for bd in p.sub_bands_hz],
            (f"{name}_high_ratio_db", "dB", f"10 log10(high-band / common-band power), -1 if the station "
             f"cannot see the high band (native Nyquist < {p.high_band_hz[1]:g}/0.9 Hz), {span}"),
        ]
        if name in SHAPE_SPANS:
            rows += [
                (f"{name}_tcentroid_s", "s",
                 f"time centroid of the noise-subtracted power minus the window centre, {span}"),
                (f"{name}_tspread_s", "s", f"time standard deviation of the noise-subtracted power, {span}"),
                (f"{name}_tskew", "1",
                 f"time skewness of the noise-subtracted power (>0: decays slower than it rises), {span}"),
                (f"{name}_tkurt", "1", f"time excess kurtosis of the noise-subtracted power (impulsiveness), {span}"),
                (f"{name}_max_jump_db", "dB",
                 f"largest rise of the frame level over 2 frames (onset sharpness), {span}"),
                (f"{name}_early_late_centroid_hz", "Hz",
                 f"centroid of the first half minus that of the second half, {span}"),
                (f"{name}_early_late_low_db", "dB",
                 f"10 log10 of the 1-3 Hz fraction, second half over first half, {span}"),
                (f"{name}_peak_minus_level_db", "dB", f"peak_db - level_db (peakiness), {span}"),
            ]
    rows += [
        ("w_minus_c60_peak_db", "dB", "window level minus the c60 peak level (where in the event the window sits)"),
        ("f30_minus_p30_db", "dB", "future-30-s level minus past-30-s level (>0 before onsets, <0 in codas)"),
    ]
    for db in p.run_db:
        r = f"run{db:g}"
        rows += [
            (f"{r}_duration_s", "s", f"duration of the run of smoothed frames > {db:g} dB above noise holding the "
             "window's loudest frame (0 if that frame is below the threshold)"),
            (f"{r}_rise_s", "s", "time from that run's start to its loudest frame"),
            (f"{r}_decay_s", "s", "time from that run's loudest frame to its end"),
            (f"{r}_log_rise_decay", "1", "log10((rise + 1) / (decay + 1))"),
            (f"{r}_peak_db", "dB", "level of the run's loudest frame above noise"),
            (f"{r}_since_start_s", "s", "window centre minus run start"),
            (f"{r}_frac_elapsed", "1", "(window centre - run start) / run duration, clipped to [0, 1]"),
        ]
    return pd.DataFrame(rows, columns=["name", "unit", "definition"])


def _bn(band) -> str:
    return f"{band[0]:g}_{band[1]:g}hz"


class _FrameRanges:
    """Sums and maxima of per-frame series over one frame range ``[lo, hi)`` per window, in O(frames + windows).

    Sums come from prefix sums, maxima from a sparse table (log2 levels of pairwise
    maxima), so no (windows x frames) array is built for them.
    """

    def __init__(self, lo: np.ndarray, hi: np.ndarray):
        self.lo, self.hi = lo, np.maximum(hi, lo)
        self.count = self.hi - self.lo

    def sums(self, prefix: np.ndarray) -> np.ndarray:
        """Sums over each range of the series whose prefix sums (leading 0 row) are ``prefix``."""
        return prefix[self.hi] - prefix[self.lo]

    def maxima(self, table: list[np.ndarray], empty: float = 0.0) -> np.ndarray:
        """Maxima over each range from a :func:`_max_table`; ``empty`` where a range holds no frame."""
        count = np.maximum(self.count, 1)
        level = np.floor(np.log2(count)).astype(np.int64)
        out = np.full(len(self.lo), empty)
        for j in np.unique(level[self.count > 0]):
            rows = (level == j) & (self.count > 0)
            lo, hi = self.lo[rows], self.hi[rows]
            out[rows] = np.maximum(table[j][lo], table[j][hi - (1 << j)])
        return out


def _prefix(series: np.ndarray) -> np.ndarray:
    """Prefix sums along frames with a leading zero row (float64)."""
    series = np.asarray(series, np.float64)
    return np.concatenate([np.zeros((1, *series.shape[1:])), np.cumsum(series, axis=0)])


def _max_table(values: np.ndarray) -> list[np.ndarray]:
    """Sparse table of ``values``: level j holds the maximum of ``values[k : k + 2**j]``."""
    table = [np.asarray(values, np.float64)]
    while (1 << len(table)) <= len(values):
        prev, step = table[-1], 1 << (len(table) - 1)
        table.append(np.maximum(prev[:-step], prev[step:]))
    return table


def _nan_time_moments(w: np.ndarray, t: np.ndarray):
    """Weighted time centroid, spread, skewness, kurtosis along axis 1 (weights w >= 0, NaN ignored)."""
    w = np.nan_to_num(w, nan=0.0)
    tot = w.sum(axis=1)
    ok = tot > _EPS
    tot = np.where(ok, tot, 1.0)
    mu = np.einsum("ij,ij->i", w, t) / tot
    d = t - mu[:, None]
    wd = w * d                                  # products, not d ** k: numpy's pow is ~10x slower
    wd2 = wd * d
    var = wd2.sum(axis=1) / tot
    sd = np.sqrt(np.maximum(var, _EPS))
    wd2 *= d
    skew = wd2.sum(axis=1) / tot / sd ** 3
    wd2 *= d
    kurt = wd2.sum(axis=1) / tot / sd ** 4 - 3.0
    return tuple(np.where(ok, a, 0.0) for a in (mu, np.sqrt(var), skew, kurt))


def context_features(
    samples: np.ndarray,
    sampling_rate: float,
    trace_start: float,
    window_starts: np.ndarray,
    native_rate: float | None = None,
    p: ContextParameters | None = None,
    window_s: float = 10.0,
) -> pd.DataFrame:
    """Context features of the grid windows of one preprocessed, contiguous trace.

    Parameters
    ----------
    samples : 1-D array, the preprocessed trace (band-passed, resampled; see module doc).
    sampling_rate : Hz of ``samples`` (40 in the recipe).
    trace_start : epoch seconds of the first sample.
    window_starts : epoch seconds of the 10-s grid windows (all inside the trace).
    native_rate : the station's recorded sampling rate (Hz, from the header) before
        resampling; decides whether the high band is visible (default ``sampling_rate``).
    p : parameters (None: the defaults, which are the recipe).
    window_s : length of the grid windows (s).

    Returns
    -------
    DataFrame with one row per window (index = position in ``window_starts``) and the
    columns of :func:`feature_units` (all finite, float32).
    """
    starts = np.asarray(window_starts, np.float64)
    native_rate = sampling_rate if native_rate is None else native_rate
    p = p or ContextParameters()
    power, ftimes, freqs = frame_spectra(samples, sampling_rate, trace_start, p.frame_s, p.hop_s)
    names = feature_units(p)["name"].tolist()
    if len(ftimes) == 0 or len(starts) == 0:
        return pd.DataFrame(np.zeros((len(starts), len(names)), np.float32), columns=names)

    common = band_power(power, freqs, p.common_band_hz)
    subs = np.stack([band_power(power, freqs, b) for b in p.sub_bands_hz], axis=1)
    cb = (freqs >= p.common_band_hz[0]) & (freqs < p.common_band_hz[1])
    fsum = power[:, cb] @ freqs[cb]                       # sum f * P(f) per frame
    high_ok = 0.9 * native_rate / 2.0 >= p.high_band_hz[1] - 1e-9 and sampling_rate / 2.0 > p.high_band_hz[1]
    high = band_power(power, freqs, p.high_band_hz) if high_ok else np.zeros(len(common))
    noise = max(np.percentile(common, p.noise_percentile), _EPS)
    level = 10 * np.log10(np.maximum(common, _EPS) / noise)   # dB above noise, per frame

    # per-frame quantities stacked for span sums: common, 3 subs, f*P, high
    series = _prefix(np.column_stack([common, subs, fsum, high]))
    above = _prefix(level > p.above_db)
    levels = _max_table(level)
    jumps = _max_table(level[2:] - level[:-2]) if len(level) > 2 else []
    t_first = ftimes[0]
    nfr = len(ftimes)
    cols: dict[str, np.ndarray] = {}
    centre = starts + window_s / 2
    span_level = {}
    span_peak = {}
    for name, a, b in SPANS:
        k0 = np.ceil(np.round((starts + a - t_first) / p.hop_s, 9)).astype(np.int64)
        k1 = np.floor(np.round((starts + b - p.frame_s - t_first) / p.hop_s, 9)).astype(np.int64)
        K = int(round((b - a - p.frame_s) / p.hop_s)) + 1
        # the frames of the span: those of k0 .. k0 + K - 1 that exist and end inside it
        span = _FrameRanges(np.clip(k0, 0, nfr), np.clip(np.minimum(k0 + K, k1 + 1), 0, nfr))
        any_valid = span.count > 0
        s = span.sums(series)                               # (n, 6)
        n_valid = np.maximum(span.count, 1)
        mean_common = s[:, 0] / n_valid
        lev = np.where(any_valid, 10 * np.log10(np.maximum(mean_common, _EPS) / noise), 0.0)
        peak = span.maxima(levels)
        tot = np.maximum(s[:, 0], _EPS)
        cols[f"{name}_level_db"] = lev
        cols[f"{name}_peak_db"] = peak
        cols[f"{name}_frac_above"] = span.sums(above) / n_valid
        cols[f"{name}_centroid_hz"] = np.where(any_valid, s[:, 4] / tot, 0.0)
        for j, bd in enumerate(p.sub_bands_hz):
            cols[f"{name}_frac_{_bn(bd)}"] = np.where(any_valid, s[:, 1 + j] / tot, 0.0)
        cols[f"{name}_high_ratio_db"] = (10 * np.log10(np.maximum(s[:, 5], _EPS) / tot)) if high_ok \
            else np.full(len(starts), -1.0)
        span_level[name], span_peak[name] = lev, peak
        if name in SHAPE_SPANS:
            idx = k0[:, None] + np.arange(K)[None, :]
            inside = (idx >= span.lo[:, None]) & (idx < span.hi[:, None])
            t_rel = (t_first + idx * p.hop_s + p.frame_s / 2) - centre[:, None]
            w = np.where(inside, np.maximum(common[np.clip(idx, 0, nfr - 1)] - noise, 0.0), 0.0)
            mu, sd, sk, ku = _nan_time_moments(w, t_rel)
            cols[f"{name}_tcentroid_s"] = mu
            cols[f"{name}_tspread_s"] = sd
            cols[f"{name}_tskew"] = sk
            cols[f"{name}_tkurt"] = ku
            # level rise over 2 frames, both inside the span: pairs (k, k + 2) with k in [lo, hi - 2)
            pairs = _FrameRanges(span.lo, np.maximum(span.hi - 2, span.lo))
            cols[f"{name}_max_jump_db"] = pairs.maxima(jumps)
            half = K // 2
            middle = np.clip(k0 + half, span.lo, span.hi)
            e, l_ = _FrameRanges(span.lo, middle).sums(series), _FrameRanges(middle, span.hi).sums(series)
            ce = e[:, 4] / np.maximum(e[:, 0], _EPS)
            cl = l_[:, 4] / np.maximum(l_[:, 0], _EPS)
            both = (e[:, 0] > _EPS) & (l_[:, 0] > _EPS)
            cols[f"{name}_early_late_centroid_hz"] = np.where(both, ce - cl, 0.0)
            low_e = e[:, 1] / np.maximum(e[:, 0], _EPS)
            low_l = l_[:, 1] / np.maximum(l_[:, 0], _EPS)
            cols[f"{name}_early_late_low_db"] = np.where(
                both, 10 * np.log10(np.maximum(low_l, 1e-6) / np.maximum(low_e, 1e-6)), 0.0)
            cols[f"{name}_peak_minus_level_db"] = peak - lev

    cols["w_minus_c60_peak_db"] = span_level["w10"] - span_peak["c60"]
    cols["f30_minus_p30_db"] = span_level["f30"] - span_level["p30"]

    # event runs on the smoothed level (1-D over frames)
    m = max(1, p.smooth_frames)
    kernel = np.ones(m) / m
    smooth = np.convolve(common, kernel, mode="same") / np.convolve(np.ones(nfr), kernel, mode="same")
    slev = 10 * np.log10(np.maximum(smooth, _EPS) / noise)
    # the window's loudest (smoothed) frame among the frames fully inside the window
    k0 = np.ceil(np.round((starts - t_first) / p.hop_s, 9)).astype(np.int64)
    K = int(round((window_s - p.frame_s) / p.hop_s)) + 1
    idx = k0[:, None] + np.arange(K)[None, :]
    valid = (idx >= 0) & (idx < nfr)
    wl = np.where(valid, slev[np.clip(idx, 0, nfr - 1)], -np.inf)
    loud = np.clip(idx[np.arange(len(starts)), wl.argmax(axis=1)], 0, nfr - 1)
    for db in p.run_db:
        cols.update(_run_features(slev, db, loud, centre, t_first, p.hop_s, f"run{db:g}"))

    out = pd.DataFrame({k: np.nan_to_num(cols[k], nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
                        for k in names})
    return out


def _run_features(slev, db, loud, centre, t_first, hop, prefix):
    """Features of the above-``db`` run of frames holding frame ``loud`` of each window."""
    n = len(loud)
    above = slev > db
    edges = np.diff(np.concatenate([[0], above.astype(np.int8), [0]]))
    run_start, run_end = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)   # [start, end)
    names = ["duration_s", "rise_s", "decay_s", "log_rise_decay", "peak_db", "since_start_s", "frac_elapsed"]
    if len(run_start) == 0:
        return {f"{prefix}_{k}": np.zeros(n) for k in names}
    run_of = np.where(above, np.cumsum(edges[:-1] == 1) - 1, -1)
    order = np.lexsort((-slev, run_of))            # by run, loudest first
    first_in = np.r_[True, run_of[order][1:] != run_of[order][:-1]]
    sel = order[first_in & (run_of[order] >= 0)]
    peak_frame = np.zeros(len(run_start), np.int64)
    peak_frame[run_of[sel]] = sel
    r = run_of[loud]
    has = r >= 0
    rr = np.where(has, r, 0)
    dur = (run_end[rr] - run_start[rr]) * hop
    rise = (peak_frame[rr] - run_start[rr]) * hop
    decay = (run_end[rr] - 1 - peak_frame[rr]) * hop
    since = centre - (t_first + run_start[rr] * hop)
    values = [dur, rise, decay, np.log10((rise + 1) / (decay + 1)), slev[peak_frame[rr]], since,
              np.clip(since / np.maximum(dur, hop), 0, 1)]
    return {f"{prefix}_{k}": np.where(has, v, 0.0) for k, v in zip(names, values, strict=True)}


def chunk_context_features(stream, days: list[StationDay], original_rates: pd.DataFrame, length_s: float,
                           step_s: float, p: ContextParameters, component: str = "Z") -> pd.DataFrame:
    """Context features of every grid window of a chunk's station-days, on one component.

    ``stream`` holds the preprocessed traces (any stations); ``original_rates``
    (:func:`seisclass.signal.preprocess.read_original_rates`) give each
    station-day's recorded rate. Each contiguous trace is handled at once (one
    loop per trace, none per window). Returns ``network, station, location,
    start`` (UTC) and the feature columns.
    """
    from seisclass.core.vocabulary import to_timestamps
    from seisclass.core.waveforms import select_stations
    from seisclass.signal.windows import ORIENTATION_ALIASES, window_starts

    names = feature_units(p)["name"].tolist()
    parts = []
    for day in days:
        t0, t1 = day.span
        rates = original_rates[(original_rates["station"] == day.id) & (original_rates["day"] == day.day)
                               & (original_rates["component"] == component)]["sampling_rate"]
        native = float(rates.min()) if len(rates) else None
        traces = [tr for tr in select_stations(stream, [day.id])
                  if ORIENTATION_ALIASES.get(tr.stats.channel[-1:]) == component]
        for tr in traces:
            start, end = tr.stats.starttime.timestamp, tr.stats.endtime.timestamp + tr.stats.delta
            starts = window_starts(max(start, t0), min(end, t1), length_s, step_s)
            if not len(starts):
                continue
            values = context_features(tr.data, tr.stats.sampling_rate, start, starts, native, p, length_s)
            values.insert(0, "start", to_timestamps(starts).to_numpy())
            for column in ("location", "station", "network"):
                values.insert(0, column, getattr(day, column))
            parts.append(values)
    if not parts:
        return pd.DataFrame(columns=["network", "station", "location", "start", *names])
    return pd.concat(parts, ignore_index=True).drop_duplicates(["network", "station", "location", "start"])
