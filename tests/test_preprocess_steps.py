"""The preprocessing steps against their textbook and ObsPy definitions."""

import numpy as np
import pytest
from obspy import Trace

from seisclass.signal.preprocess import without_linear_trend, zero_phase_bandpass

pytestmark = pytest.mark.unit


def test_the_linear_trend_removed_is_the_least_squares_line():
    rng = np.random.default_rng(1)
    t = np.arange(10_001, dtype=float)
    x = 3.0 + 0.02 * t + rng.normal(size=len(t))
    out = without_linear_trend(x.astype(np.float32))
    slope, intercept = np.polyfit(t, x.astype(np.float32), 1)
    np.testing.assert_allclose(out, x.astype(np.float32) - (intercept + slope * t), atol=1e-6)
    assert abs(out.mean()) < 1e-9 and abs(np.polyfit(t, out, 1)[0]) < 1e-12
    np.testing.assert_array_equal(without_linear_trend(np.array([5.0])), [0.0])


def test_the_band_pass_is_obspys_zero_phase_butterworth():
    rng = np.random.default_rng(2)
    x = rng.normal(size=60_000)
    trace = Trace(x.copy(), header={"sampling_rate": 100.0})
    trace.filter("bandpass", freqmin=1.0, freqmax=15.0, corners=4, zerophase=True)
    out = zero_phase_bandpass(x, 1.0, 15.0, 100.0, 4)
    np.testing.assert_allclose(out, trace.data, atol=1e-10 * np.abs(trace.data).max())
    spectrum = np.abs(np.fft.rfft(out)) / np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 0.01)
    assert np.median(spectrum[(freqs > 3) & (freqs < 10)]) > 0.95  # pass band kept
    assert np.median(spectrum[freqs > 30]) < 1e-3  # stop band gone
