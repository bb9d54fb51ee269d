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


def test_memory_law_separates_the_table_from_the_fitted_sample():
    """peak = 300 + 2 MB per thousand windows + 5 MB per thousand fitted: recovered from points at two bounds."""
    from benchmarks.rule_memory import fit_law

    points = [{"windows": n, "fitted_windows": m, "peak_rss_mb": 300 + 2e-3 * n + 5e-3 * m}
              for n in (100_000, 200_000, 400_000) for m in (int(0.8 * n), 50_000)]
    law = fit_law(points, with_fitted=True)
    assert law["intercept_mb"] == pytest.approx(300.0)
    assert law["mb_per_million_windows"] == pytest.approx(2000.0)
    assert law["mb_per_million_fitted_windows"] == pytest.approx(5000.0)
    assert law["max_residual_fraction"] < 1e-9 and law["points"] == 6


def test_station_year_summary_applies_the_bound_and_the_trees():
    """A forest measured with 2 trees: the year's peak is the law at the bound plus the other trees' nodes."""
    from benchmarks.rule_memory import NODE_BYTES, summarise

    points = []
    for n in (100_000, 200_000, 400_000):
        points.append({"step": "dataset", "windows": n, "dataset_mb": 4e-4 * n, "peak_rss_mb": 300 + 1e-3 * n})
        for m in (int(0.8 * n), 50_000):
            points.append({"step": "forest", "windows": n, "fitted_windows": m, "train_windows": int(0.8 * n),
                           "n_estimators": 2, "nodes_per_tree": 0.1 * m, "peak_rss_mb": 500 + 1e-4 * n + 2e-3 * m})
    summary = summarise(points, year_windows=6_000_000, n_trees=300, bound=500_000)
    forest = summary["rules"]["forest"]
    assert forest["fitted_windows_at_year"] == pytest.approx(500_000)  # 0.8 x 6 M, bounded
    trees_mb = 0.1 * 500_000 * 298 * NODE_BYTES / 2**20
    assert forest["trees_mb_added"] == pytest.approx(trees_mb)
    assert forest["peak_mb_at_year"] == pytest.approx(500 + 600 + 1000 + trees_mb)
    assert summary["rules"]["dataset"]["peak_mb_at_year"] == pytest.approx(6300.0)
    assert not summary["rules"]["dataset"]["meets_goal"] and summary["rules"]["dataset"]["ratio_to_goal"] > 1.5


def test_goal_table_puts_each_figure_beside_its_goal():
    from benchmarks.summary import goal_rows, table

    results = {"features": {"fraction_of_floor": 0.25, "goal_fraction_of_floor": 0.5, "samples_per_s": 12.7e6,
                            "goal_samples_per_s": 3.3e6},
               "real_dev": {"data_path": {"wall_s": 150.0}, "goal_data_path_s": 180, "whole_workflow_s": 700.0,
                            "goal_whole_workflow_s": 600}}
    rows = {r["figure"]: r for r in goal_rows(results)}
    floor = rows["features, fraction of the float32 spectral floor (1 core)"]
    assert floor["ratio"] == pytest.approx(0.5) and floor["goal_is"] == ">=" and not floor["meets_goal"]
    assert rows["real-dev workflow, data path"]["meets_goal"]
    assert not rows["real-dev workflow, whole + report"]["meets_goal"]
    text = table(list(rows.values()))
    assert "NO" in text and "yes" in text and len(text.splitlines()) == 2 + len(rows)
