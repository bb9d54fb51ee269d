"""Continuous classification: smoothing, segments, applying a saved model (`classify`)."""

from __future__ import annotations

import pickle
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_workdir, snakemake
from test_models import Payload

from seisclass.events.segments import (
    SEGMENT_COLUMNS,
    segments,
    smooth,
    station_detections,
)
from seisclass.learn.errors import ModelMismatchError
from seisclass.learn.loading import load_classifier
from seisclass.settings import load_settings
from seisclass.signal.recipe import Recipe

CLASSES = ["silence", "tourists", "earthquake"]


def test_smooth_moving_average_stops_at_gaps():
    starts = np.array([0.0, 5, 10, 15, 30, 35])  # gap between 15 and 30 (step 5)
    p = np.array([[1.0, 0], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0]])
    out = smooth(p, starts, 5.0, 3)
    np.testing.assert_allclose(out[:, 1], [0, 1 / 3, 1 / 3, 1 / 2, 1 / 2, 1 / 2])
    np.testing.assert_allclose(smooth(p, starts, 5.0, 1), p)


def test_segments_from_hand_made_sequence():
    starts = np.array([0.0, 5, 10, 15, 20, 25, 40])  # 25 -> 40 is a gap
    p = np.array([
        [0.9, 0.1, 0.0],
        [0.7, 0.2, 0.1],
        [0.2, 0.6, 0.2],
        [0.1, 0.8, 0.1],
        [0.8, 0.1, 0.1],
        [0.6, 0.2, 0.2],
        [0.5, 0.1, 0.4],
    ])
    table = segments(starts, starts + 10, p, CLASSES, 5.0)
    assert list(table["class"]) == ["silence", "tourists", "silence", "silence"]
    assert list(table["start"]) == [0, 10, 20, 40]
    assert list(table["end"]) == [15, 25, 35, 50]
    np.testing.assert_allclose(table["mean_probability"], [0.8, 0.7, 0.7, 0.5])
    np.testing.assert_allclose(table["peak_probability"], [0.9, 0.8, 0.8, 0.5])
    assert list(table["peak_time"]) == [5, 20, 25, 45]  # centre of the window of largest probability
    assert list(table["n_windows"]) == [2, 2, 2, 1]


def test_station_detections_excludes_and_checks_classes():
    start = pd.date_range("2024-01-01", periods=4, freq="5s", tz="UTC")
    windows = pd.DataFrame({"network": "XX", "station": "A", "location": "", "channel": "HH?",
                            "start": start, "end": start + pd.Timedelta(seconds=10),
                            "p_silence": [1.0, 1, 0, 0], "p_tourists": [0.0, 0, 1, 1], "p_earthquake": 0.0})
    smoothed, table = station_detections(windows, CLASSES, 5.0, 1, exclude=("silence",), model="rf")
    assert list(table.columns) == SEGMENT_COLUMNS and list(table["class"]) == ["tourists"]
    assert table.loc[0, ["network", "station", "location", "channel", "model"]].tolist() == ["XX", "A", "", "HH?", "rf"]
    assert table["start"].iloc[0] == start[2] and table["end"].iloc[0] == start[3] + pd.Timedelta(seconds=10)
    assert list(smoothed["class"]) == ["silence", "silence", "tourists", "tourists"]
    with pytest.raises(ValueError, match="noise"):
        station_detections(windows, CLASSES, 5.0, 1, exclude=("noise",))


@pytest.mark.workflow
def test_model_mismatch_names_the_model(tiny_run):
    model = load_classifier(tiny_run / "results/models/rf.skops")
    config = yaml.safe_load((tiny_run / "config/config.yaml").read_text())
    recipe = Recipe.from_settings(load_settings({**config, "stations": None, "mseed_dir": str(tiny_run)}))
    assert model.check_recipe(recipe, CLASSES) == CLASSES
    features = pd.read_parquet(tiny_run / "results/features/features.parquet")
    with pytest.raises(ModelMismatchError, match="rf.skops.*lacks"):
        model.table_probabilities(features.drop(columns=[model.feature_names[3]]))
    with pytest.raises(ModelMismatchError,
                       match=r"rf.skops: classes differ: model .*configuration \['silence', 'noise'\]"):
        model.check_recipe(recipe, ["silence", "noise"])
    with pytest.raises(ModelMismatchError, match="windows.length_s: model 10.0, configuration 20.0"):
        longer = {**config, "windows": {**config["windows"], "length_s": 20.0}, "stations": None, "mseed_dir": "."}
        model.check_recipe(Recipe.from_settings(load_settings(longer)), CLASSES)


@pytest.mark.workflow
def test_tiny_run_detections(tiny_run):
    table = pd.read_csv(tiny_run / "results/detections/segments.csv", parse_dates=["start", "end", "peak_time"],
                        keep_default_na=False)
    assert list(table.columns) == SEGMENT_COLUMNS
    assert set(table["class"]) <= set(CLASSES) and len(table) > 3
    assert (table["model"] == "rf").all() and (table["station"] == "TINY").all()
    assert table["mean_probability"].between(1 / 3, 1).all()  # the argmax of 3 probabilities is >= 1/3
    assert (table["peak_probability"] >= table["mean_probability"] - 1e-4).all()
    assert ((table["peak_time"] > table["start"]) & (table["peak_time"] < table["end"])).all()
    assert (table["end"] > table["start"]).all() and table["start"].is_monotonic_increasing
    windows = pd.read_parquet(tiny_run / "results/features/XX.TINY/2024-06-01.parquet", columns=["start"])
    assert table["n_windows"].sum() == len(windows)  # every window in exactly one segment
    assert (tiny_run / "results/plots/detections/XX.TINY/2024-06-01.png").stat().st_size > 10_000


@pytest.mark.workflow
def test_classify_reproduces_training_run_without_training(tiny_run, tmp_path):
    """`snakemake classify` with a copied model gives the training run's probabilities, and trains nothing.

    A pickle given as classify.model is refused without being run; the classes come from the model
    even when the configuration lists others.
    """
    work = make_workdir(tmp_path / "classify")
    (work / "models").mkdir()
    marker = tmp_path / "marker"
    (work / "models/evil.skops").write_bytes(pickle.dumps(Payload(marker)))
    config_path = work / "config/config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["classify"] = {"model": "models/evil.skops"}
    config_path.write_text(yaml.safe_dump(config))
    failed = snakemake(work, "--cores", "2", "classify", check=False)
    assert failed.returncode != 0 and not marker.exists()
    message = failed.stdout + failed.stderr  # refused while planning, before any job runs
    assert "evil.skops: a pickle (joblib) file" in message and "refused" in message
    assert not (work / "results").exists()
    shutil.copy(tiny_run / "results/models/rf.skops", work / "models/saved.skops")
    config["classify"] = {"model": "models/saved.skops"}
    config["classes"] = ["silence", "earthquake"]  # not the model's: classify uses the model's classes
    config_path.write_text(yaml.safe_dump(config))
    snakemake(work, "--cores", "2", "classify")
    assert not (work / "results/models").exists() and not (work / "results/labels").exists()
    new = pd.read_parquet(work / "results/probabilities/classify/XX.TINY/2024-06-01.parquet")
    old = pd.read_parquet(tiny_run / "results/probabilities/rf/XX.TINY/2024-06-01.parquet")
    pd.testing.assert_frame_equal(new, old)
    segments_new = pd.read_csv(work / "results/classify/segments.csv")
    pd.testing.assert_frame_equal(segments_new, pd.read_csv(tiny_run / "results/detections/segments.csv"))
    assert (work / "results/plots/classify/XX.TINY/2024-06-01.png").exists()
