"""Context span features against their definitions, window by window (a loop here, none in the library)."""

import numpy as np
import pytest

from seisclass.signal.context import SHAPE_SPANS, SPANS, ContextParameters, context_features
from seisclass.signal.envelope import band_power, frame_spectra
from seisclass.signal.windows import window_starts

pytestmark = pytest.mark.unit


def _bursty_trace(seconds: float, rate: float, seed: int) -> np.ndarray:
    """Noise with a few loud, decaying bursts (so spans hold events, onsets and codas)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    x = rng.normal(size=len(t))
    for onset in rng.uniform(0, seconds, 6):
        after = t >= onset
        x[after] += 30 * np.exp(-(t[after] - onset) / 8.0) * np.sin(2 * np.pi * 4.0 * t[after])
    return x


def _span_frames(start: float, a: float, b: float, ftimes: np.ndarray, p: ContextParameters) -> np.ndarray:
    """Indices of the frames that start at or after ``start + a`` and end by ``start + b``."""
    return np.flatnonzero((ftimes >= start + a - 1e-9) & (ftimes + p.frame_s <= start + b + 1e-9))


def _expected(start: float, name: str, a: float, b: float, frames: dict, p: ContextParameters) -> dict:
    k = _span_frames(start, a, b, frames["times"], p)
    common, level, fsum, low = frames["common"], frames["level"], frames["fsum"], frames["low"]
    if not len(k):
        return {f"{name}_level_db": 0.0, f"{name}_peak_db": 0.0}
    out = {
        f"{name}_level_db": 10 * np.log10(common[k].mean() / frames["noise"]),
        f"{name}_peak_db": level[k].max(),
        f"{name}_frac_above": np.mean(level[k] > p.above_db),
        f"{name}_centroid_hz": fsum[k].sum() / common[k].sum(),
    }
    if name in SHAPE_SPANS:
        t = frames["times"][k] + p.frame_s / 2 - (start + 5.0)
        w = np.maximum(common[k] - frames["noise"], 0.0)
        mu = (w * t).sum() / w.sum()
        out[f"{name}_tcentroid_s"] = mu
        out[f"{name}_tspread_s"] = np.sqrt((w * (t - mu) ** 2).sum() / w.sum())
        consecutive = [(i, j) for i, j in zip(k[:-2], k[2:], strict=True) if j == i + 2]
        out[f"{name}_max_jump_db"] = max((level[j] - level[i] for i, j in consecutive), default=0.0)
        first = np.ceil(np.round((start + a - frames["times"][0]) / p.hop_s, 9))  # the span's first frame slot
        slots = int(round((b - a - p.frame_s) / p.hop_s)) + 1
        half = k[k < first + slots // 2]  # the frames of the span's first half of slots
        late = np.setdiff1d(k, half)
        if len(half) and len(late):
            out[f"{name}_early_late_centroid_hz"] = (fsum[half].sum() / common[half].sum()
                                                     - fsum[late].sum() / common[late].sum())
            out[f"{name}_early_late_low_db"] = 10 * np.log10((low[late].sum() / common[late].sum())
                                                             / (low[half].sum() / common[half].sum()))
    return out


@pytest.mark.parametrize(("trace_start", "step_s"), [(1000.0, 5.0), (1000.3, 5.0), (7.25, 2.5), (3.0, 3.3)])
def test_span_features_follow_their_definitions_inside_and_at_the_trace_ends(trace_start, step_s):
    rate, seconds, p = 40.0, 600.0, ContextParameters()
    x = _bursty_trace(seconds, rate, seed=int(trace_start * 10))
    starts = window_starts(trace_start, trace_start + seconds, 10.0, step_s)
    table = context_features(x, rate, trace_start, starts, rate, p)

    power, ftimes, freqs = frame_spectra(x, rate, trace_start, p.frame_s, p.hop_s)
    common = band_power(power, freqs, p.common_band_hz)
    inside = (freqs >= p.common_band_hz[0]) & (freqs < p.common_band_hz[1])
    noise = np.percentile(common, p.noise_percentile)
    frames = {"times": ftimes, "common": common, "noise": noise, "level": 10 * np.log10(common / noise),
              "fsum": power[:, inside] @ freqs[inside], "low": band_power(power, freqs, p.sub_bands_hz[0])}
    checked = 0
    for i in [0, 1, 2, 5, len(starts) // 2, len(starts) - 3, len(starts) - 1]:  # both trace ends and the middle
        for name, a, b in SPANS:
            for column, value in _expected(starts[i], name, a, b, frames, p).items():
                assert table.loc[i, column] == pytest.approx(value, rel=1e-4, abs=1e-4), (i, column)
                checked += 1
    assert checked > 150
