"""The bounded training sample (random_forest.max_training_windows): stratified, seeded, recorded in the card."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seisclass.data.sampling import bounded_sample, class_quotas
from seisclass.learn.forest import ForestParameters, fit_forest, train_random_forest
from seisclass.settings import load_settings
from seisclass.signal.recipe import Recipe

pytestmark = pytest.mark.unit

CLASSES = ["silence", "tourists", "earthquake"]


def labels_of(counts: dict[str, int], seed: int = 0) -> np.ndarray:
    """The labels of ``counts`` windows per class, shuffled (as a station's windows interleave in time)."""
    labels = np.concatenate([[c] * n for c, n in counts.items()])
    return labels[np.random.default_rng(seed).permutation(len(labels))]


def test_quotas_keep_rare_classes_whole_and_thin_the_abundant_one():
    assert class_quotas(np.array([5, 100, 1000]), 300).tolist() == [5, 100, 195]
    assert class_quotas(np.array([5, 100, 1000]), 51).tolist() == [5, 23, 23]  # 46 to split, 23 each
    assert class_quotas(np.array([5, 100, 1000]), 52).tolist() == [5, 23, 24]  # the left-over one to the largest
    assert class_quotas(np.array([5, 100, 1000]), 2000).tolist() == [5, 100, 1000]  # all fit: unchanged
    for bound in range(3, 1105, 37):
        q = class_quotas(np.array([5, 100, 1000]), bound)
        assert q.sum() == min(bound, 1105) and (q <= [5, 100, 1000]).all()


def test_sample_is_bounded_stratified_and_seeded():
    labels = labels_of({"silence": 9000, "tourists": 800, "earthquake": 200})
    rows = bounded_sample(labels, 2000, seed=3)
    assert len(rows) == 2000 and len(np.unique(rows)) == 2000 and (np.diff(rows) > 0).all()
    kept = pd.Series(labels[rows]).value_counts()
    assert kept["earthquake"] == 200 and kept["tourists"] == 800 and kept["silence"] == 1000
    np.testing.assert_array_equal(bounded_sample(labels, 2000, seed=3), rows)  # seeded
    other = bounded_sample(labels, 2000, seed=4)
    assert not np.array_equal(other, rows)
    silence = rows[labels[rows] == "silence"]
    assert silence.min() < 1500 and silence.max() > 8500  # drawn over the whole span, not the first rows
    assert bounded_sample(labels, None, seed=3) is None and bounded_sample(labels, 10_000, seed=3) is None


def synthetic_table(counts: dict[str, int], seed: int = 0) -> pd.DataFrame:
    """An assembled-dataset-like table: keys, label, interval, snr, split and two informative features."""
    labels = labels_of(counts, seed)
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    starts = t0 + pd.to_timedelta(5 * np.arange(len(labels)), unit="s")
    code = np.array([CLASSES.index(c) for c in labels], float)
    return pd.DataFrame({"network": "XX", "station": "SYN", "location": "", "channel": "HH?", "start": starts,
                         "end": starts + pd.Timedelta(10, "s"), "label": labels, "interval": "", "snr": 1.0,
                         "split": "train", "f0": code + rng.normal(0, 0.3, len(labels)),
                         "f1": rng.normal(0, 1, len(labels)).astype(np.float32)})


def test_forest_is_fitted_on_the_bounded_sample_and_the_card_records_it():
    table = synthetic_table({"silence": 3000, "tourists": 300, "earthquake": 60})
    p = ForestParameters(n_estimators=3, max_training_windows=600, class_weight=None)
    recipe = Recipe.from_settings(load_settings({"stations": None, "mseed_dir": "."}))
    model = fit_forest(table, CLASSES, p, seed=2, recipe=recipe)
    fitted = model.metadata["training_data"]["fitted"]
    assert fitted == {"n_windows": 600, "windows_per_class": {"silence": 270, "tourists": 270, "earthquake": 60},
                      "max_training_windows": 600, "sampled": True, "seed": 2}
    assert model.metadata["training_data"]["n_windows"] == 3360  # the split's windows, before the sample
    assert model.metadata["parameters"]["max_training_windows"] == 600
    # each tree's root holds its bootstrap of the fitted windows: 600, not 3360
    assert [int(t.tree_.weighted_n_node_samples[0]) for t in model.estimator.estimators_] == [600] * 3
    assert "class-stratified sample of 600 windows" in model.describe()
    unbounded = fit_forest(table, CLASSES, ForestParameters(n_estimators=3, max_training_windows=None), 2, recipe)
    assert unbounded.metadata["training_data"]["fitted"]["sampled"] is False
    assert unbounded.metadata["training_data"]["fitted"]["n_windows"] == 3360
    assert "class-stratified" not in unbounded.describe()


@pytest.mark.parametrize("estimator", ["forest", "hgb"])
def test_train_random_forest_draws_the_sample_of_fit_forest(estimator):
    """Cross-validation folds call train_random_forest directly: the same bound, the same rows for the same seed."""
    table = synthetic_table({"silence": 2000, "tourists": 200, "earthquake": 100}, seed=1)
    x, y = table[["f0", "f1"]].to_numpy(), table["label"].to_numpy(dtype=str)
    p = ForestParameters(estimator=estimator, n_estimators=2, max_training_windows=500, class_weight=None)
    rows = bounded_sample(y, 500, seed=5)
    a = train_random_forest(x, y, p, seed=5)
    b = train_random_forest(x[rows], y[rows], p, seed=5)
    np.testing.assert_array_equal(a.predict_proba(x), b.predict_proba(x))
    full = train_random_forest(x, y, ForestParameters(estimator=estimator, n_estimators=2, class_weight=None), 5)
    assert not np.array_equal(full.predict_proba(x), a.predict_proba(x))


def test_fit_forest_file_reads_only_the_sample_and_gives_the_same_model(tmp_path):
    """Out of core (row groups of 500 windows): the same card and probabilities as the in-memory fit."""
    from seisclass.data.dataset import read_rows
    from seisclass.learn.forest import fit_forest_file

    table = synthetic_table({"silence": 3000, "tourists": 300, "earthquake": 60}, seed=4)
    table.loc[table.index[::7], "split"] = "test"
    path = tmp_path / "dataset.parquet"
    table.to_parquet(path, index=False, row_group_size=500)
    rows = np.array([0, 499, 500, 1777, 3359])
    np.testing.assert_array_equal(read_rows(path, rows, ["f0"])["f0"].to_numpy(), table["f0"].to_numpy()[rows])
    assert len(read_rows(path, np.array([], int), ["f0"])) == 0
    recipe = Recipe.from_settings(load_settings({"stations": None, "mseed_dir": "."}))
    for bound in (700, None):
        p = ForestParameters(n_estimators=4, max_training_windows=bound)
        memory = fit_forest(table, CLASSES, p, seed=3, recipe=recipe)
        out_of_core = fit_forest_file(path, CLASSES, p, seed=3, recipe=recipe)
        assert out_of_core.metadata == memory.metadata
        np.testing.assert_array_equal(out_of_core.predict_proba(table), memory.predict_proba(table))
    assert memory.metadata["training_data"]["fitted"]["n_windows"] == int((table["split"] == "train").sum())


def test_assemble_file_writes_the_in_memory_dataset(tmp_path):
    """Out-of-core assembly (row groups of 700 windows, two stations interleaved in time) equals assemble + split."""
    from seisclass.core.vocabulary import KEY_COLUMNS, epoch_seconds
    from seisclass.data.dataset import assemble, assemble_file
    from seisclass.data.split import assign_split

    feature_paths, label_paths, features, labels = [], [], [], []
    for i, (station, day) in enumerate([("A", 0), ("B", 0), ("A", 1), ("B", 1)]):
        table = synthetic_table({"silence": 800, "tourists": 100, "earthquake": 60}, seed=i)
        shift = pd.Timedelta(days=day) + pd.Timedelta(seconds=2.5 * (station == "B"))
        table["station"], table["start"], table["end"] = station, table["start"] + shift, table["end"] + shift
        table["health"] = np.where(np.arange(len(table)) % 50 == 0, "clipped", "ok")
        f = table[[*KEY_COLUMNS, "snr", "f0", "f1"]].sample(frac=1.0, random_state=i)  # files need not be sorted
        lab = table[[*KEY_COLUMNS, "label", "interval", "health"]].astype(
            {"label": "string", "interval": "string", "health": "string"})
        features.append(f)
        labels.append(lab)
        feature_paths.append(tmp_path / f"f{i}.parquet")
        label_paths.append(tmp_path / f"l{i}.parquet")
        f.to_parquet(feature_paths[-1], index=False)
        lab.to_parquet(label_paths[-1], index=False)

    def split_of(keys):
        return assign_split(epoch_seconds(keys["start"]), epoch_seconds(keys["end"]),
                            keys["label"].to_numpy(dtype=object), CLASSES, {"train": 0.8, "validation": 0.1,
                                                                             "test": 0.1}, 600.0, 0, 3)

    expected = assemble(features, labels)
    expected.insert(expected.columns.get_loc("snr") + 1, "split", split_of(expected))
    expected["split"] = expected["split"].astype("string")
    counts = assemble_file(feature_paths, label_paths, tmp_path / "dataset.parquet", split_of, group_rows=700)
    written = pd.read_parquet(tmp_path / "dataset.parquet")
    assert pq_groups(tmp_path / "dataset.parquet") == int(np.ceil(len(expected) / 700))
    pd.testing.assert_frame_equal(written, expected)
    pd.testing.assert_frame_equal(counts.reset_index(drop=True), expected[["label", "split"]])


def pq_groups(path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).num_row_groups


def test_cross_validation_folds_fit_on_the_bounded_sample():
    """Each fold's model sees at most the bound, drawn as train_random_forest would; every window is still scored."""
    from seisclass.learn.crossval import cross_validate

    table = synthetic_table({"silence": 4000, "tourists": 400, "earthquake": 200}, seed=2)
    table["interval"] = (np.arange(len(table)) // 20).astype(str)
    seen = []

    def fit(x, y):
        seen.append(pd.Series(y).value_counts().to_dict())
        return lambda z: np.column_stack([(z[:, 0] < 0.5), (z[:, 0] >= 0.5) & (z[:, 0] < 1.5), z[:, 0] >= 1.5]
                                         ).astype(float)

    bounded, predictions = cross_validate(table, ["f0", "f1"], CLASSES, fit, 600.0, 4, seed=1,
                                          max_training_windows=900)
    assert len(seen) == 4 and all(sum(counts.values()) == 900 for counts in seen)
    assert all(counts["earthquake"] > 100 for counts in seen)  # the rare class kept whole (about 3/4 of 200)
    assert len(predictions) + bounded["purged_windows"] == len(table)
    seen.clear()
    unbounded, _ = cross_validate(table, ["f0", "f1"], CLASSES, fit, 600.0, 4, seed=1)
    assert all(sum(counts.values()) > 3000 for counts in seen)
    assert bounded["balanced_accuracy"] == pytest.approx(unbounded["balanced_accuracy"])  # the same fixed rule
