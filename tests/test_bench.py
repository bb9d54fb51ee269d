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


def test_tree_model_benchmark_scores_both_estimators_without_the_test_split(tmp_path):
    """60 blocks of 100 s, windows every 5 s; 'event' blocks have f0 near 5 (separable), the last 10 blocks test."""
    import pandas as pd

    from benchmarks.tree_models import compare, merged_config, table_lines
    from seisclass.settings import load_settings

    rng = np.random.default_rng(0)
    starts = np.arange(0, 6000, 5.0)
    block = (starts // 100).astype(int)
    event = np.isin(block, rng.choice(50, 15, replace=False))
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    table = pd.DataFrame({"network": "XX", "station": "S", "location": "", "channel": "HHZ",
                          "start": t0 + pd.to_timedelta(starts, "s"), "end": t0 + pd.to_timedelta(starts + 10, "s"),
                          "label": np.where(event, "earthquake", "silence"), "interval": [f"i{b}" for b in block],
                          "snr": 10.0, "split": np.where(block >= 50, "test", "train")})
    for f in range(3):
        table[f"f{f}"] = rng.normal(size=len(table)) + (5.0 * event if f == 0 else 0.0)
    table.to_parquet(tmp_path / "dataset.parquet")
    config = merged_config()
    config.update({"classes": ["silence", "earthquake"], "split": {**config["split"], "block_s": 100.0},
                   "random_forest": {"n_estimators": 10, "calibration": "none"}, "evaluation": {"cv_folds": 3}})
    result = compare(tmp_path / "dataset.parquet", load_settings(config), n_jobs=1)
    assert result["windows"] == result["labelled_windows"] == 1000  # 1200 windows, the last 200 (test) left out
    assert (result["folds"], result["block_s"], result["features"]) == (3, 100.0, 3)
    for name in ("forest", "hgb"):
        entry = result["estimators"][name]
        assert entry["uncalibrated"]["interval"]["balanced_accuracy"] == 1.0
        assert entry["predicted_windows"] <= 1000 and len(entry["train_s_per_fold"]) == 3
        assert entry["predict_us_per_window_1_thread"] > 0 and entry["model"]["bytes"] > 1000
        assert "calibrated" not in entry and "events" not in entry
    assert result["estimators"]["forest"]["model"]["rounds"] is None
    assert result["estimators"]["hgb"]["model"]["rounds"] > 0
    lines = table_lines(result)
    assert lines[0].split() == ["forest", "hgb"]
    assert any(line.startswith("uncalibrated per interval: balanced accuracy")
               and line.split()[-2:] == ["1.000", "1.000"] for line in lines)
