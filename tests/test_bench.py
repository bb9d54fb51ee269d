"""The benchmark's reference implementation agrees with the batched features; the extrapolation is a line."""

import numpy as np
import pytest

from benchmarks.harness import extrapolate
from benchmarks.oracles import compare, reference_features
from seisclass.signal.features import FeatureParameters, compute_features, feature_names

pytestmark = pytest.mark.unit

COMPONENTS = ["Z", "N", "E"]


@pytest.fixture(scope="module")
def windows():
    """White noise plus, in some windows, a decaying 8 Hz burst or a 2-Hz train of impulses."""
    rng = np.random.default_rng(1)
    t = np.arange(1000) / 100.0
    w = rng.standard_normal((24, 3, 1000)).astype(np.float32)
    w[::3] += (20 * np.exp(-(t - 3) * 0.8) * np.sin(2 * np.pi * 8 * t) * (t > 3)).astype(np.float32)
    w[1::3, :, ::50] += 30.0
    w[5] = 0.0  # a dead window
    return w


def test_reference_agrees_with_batched_features(windows):
    p = FeatureParameters()
    fast, _ = compute_features(windows, 100.0, COMPONENTS, p)
    reference = reference_features(windows, 100.0, COMPONENTS, p)
    result = compare(fast, reference, feature_names(COMPONENTS, p), rtol=1e-3)
    assert result["agree"], result
    assert result["max_rel_diff"] < 1e-3


def test_compare_finds_a_changed_feature(windows):
    p = FeatureParameters()
    names = feature_names(COMPONENTS, p)
    fast, _ = compute_features(windows, 100.0, COMPONENTS, p)
    wrong = fast.astype(np.float64)
    wrong[3, names.index("N_centroid_hz")] *= 1.01
    result = compare(fast, wrong, names, rtol=1e-3)
    assert not result["agree"] and result["mismatched_features"] == ["N_centroid_hz"]


def test_extrapolation_of_a_line():
    points = [{"windows": n, "peak_rss_mb": 200.0 + 1e-3 * n} for n in (1000, 2000, 4000)]
    fit = extrapolate(points, "peak_rss_mb", 3_000_000)
    assert fit["per_million_windows"] == pytest.approx(1000.0)
    assert fit["extrapolated"] == pytest.approx(3200.0)
