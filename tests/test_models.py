"""The model interface (seisclass.learn.classifier, .loading, .card).

Safe files, model cards, checks, raw-stream API."""

from __future__ import annotations

import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
from obspy import Stream, Trace, UTCDateTime, read_events
from sklearn.ensemble import RandomForestClassifier

import seisclass
from seisclass.core.records import StationDay
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.events import segments as detections
from seisclass.learn.card import FORMAT
from seisclass.learn.classifier import ModelFileError, ModelMismatchError, station_days
from seisclass.learn.forest import (
    TRUSTED_TYPES,
    ForestClassifier,
    ForestParameters,
    fit_forest,
    stable_skops_names,
    train_random_forest,
)
from seisclass.learn.integrity import bundle_digest
from seisclass.learn.loading import load_classifier
from seisclass.settings import load_settings
from seisclass.signal.recipe import Recipe

pytestmark = pytest.mark.unit

CLASSES = ["quiet", "burst"]
CONFIG = {"preprocess": {"sampling_rate": 50.0, "bandpass_hz": [1.0, 20.0]},
          "windows": {"length_s": 10.0, "step_s": 5.0, "components": ["Z", "N", "E"]},
          "features": {"bands_hz": [[1, 5], [5, 10], [10, 20]], "envelope_rate_hz": 20.0}}


def recipe_of(config: dict) -> Recipe:
    """The recipe of a (partial) config: its sections over the defaults."""
    settings = load_settings({**config, "stations": None, "mseed_dir": "."})
    return Recipe.from_settings(settings)


RECIPE = recipe_of(CONFIG)
T0 = UTCDateTime("2024-03-01T10:00:00")
BURSTS = [100.0, 300.0, 520.0, 760.0, 1000.0, 1150.0]  # s after T0, 9 s of 8 Hz each


def synthetic_stream(rate: float, bursts=BURSTS, duration: float = 1200.0, seed: int = 0,
                     station: str = "SYN") -> Stream:
    """Three components of noise with 8 Hz bursts (9 s, 20x the noise) starting at ``bursts``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * rate)) / rate
    stream = Stream()
    for c in "ZNE":
        data = rng.normal(0, 1.0, len(t))
        for b in bursts:
            inside = (t >= b) & (t < b + 9)
            data[inside] += 20 * np.sin(2 * np.pi * 8.0 * t[inside])
        stream.append(Trace(data.astype(np.float32), header={"network": "XX", "station": station,
                                                            "channel": f"HH{c}", "sampling_rate": rate,
                                                            "starttime": T0}))
    return stream


DAY = StationDay("XX", "SYN", "", "HH?", "2024-03-01", T0.timestamp - 36000, T0.timestamp + 50400)


def labelled_features(stream: Stream, recipe: Recipe = RECIPE) -> pd.DataFrame:
    """Workflow-style feature table of ``stream`` (made by the recipe) with labels and split."""
    _, table, _ = recipe.apply(stream, [DAY])
    start = (table["start"] - pd.Timestamp(T0.datetime, tz="UTC")).dt.total_seconds().to_numpy()
    overlap = np.max([np.clip(np.minimum(start + 10, b + 9) - np.maximum(start, b), 0, None) for b in BURSTS], axis=0)
    table.insert(6, "label", np.where(overlap >= 5, "burst", "quiet"))
    table.insert(8, "split", "train")
    return table


@pytest.fixture(scope="module")
def forest(tmp_path_factory) -> tuple[ForestClassifier, str, pd.DataFrame]:
    """A small forest trained on the synthetic station, saved as skops."""
    table = labelled_features(synthetic_stream(50.0))
    model = fit_forest(table, CLASSES, ForestParameters(n_estimators=20), seed=1, recipe=RECIPE)
    path = str(tmp_path_factory.mktemp("models") / "rf.skops")
    model.save(path)
    return model, path, table


class Payload:
    """Unpickling it calls open(marker, "w"): a file appears if a loader ever runs the pickle."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


# ---------------------------------------------------------------- files


def test_forest_round_trip_keeps_predictions_and_card(forest):
    model, path, table = forest
    loaded = load_classifier(path)
    assert isinstance(loaded, ForestClassifier) and loaded.path == path
    np.testing.assert_array_equal(loaded.predict_proba(table), model.predict_proba(table))
    card = loaded.metadata
    assert card["format"] == FORMAT and card["classes"] == CLASSES and loaded.classes_ == CLASSES
    assert card["recipe"] == RECIPE.to_card() and loaded.recipe == RECIPE  # written from the recipe object
    assert card["recipe"]["preprocess"]["bandpass_hz"] == [1.0, 20.0]
    assert card["recipe"]["windows"] == {"length_s": 10.0, "step_s": 5.0, "min_overlap": 0.5,
                                         "components": ["Z", "N", "E"]}
    assert card["recipe"]["features"]["bands_hz"] == [[1.0, 5.0], [5.0, 10.0], [10.0, 20.0]]
    counts = table["label"].value_counts()
    assert card["training_data"]["windows_per_class"] == {c: int(counts[c]) for c in CLASSES}
    assert card["training_data"]["stations"] == ["XX.SYN"]
    assert card["training_data"]["start"].startswith("2024-03-01T10:00:00")
    assert card["versions"]["scikit-learn"] and card["versions"]["skops"] and card["versions"]["seisclass"]
    text = loaded.describe()
    assert "quiet, burst" in text and "50 Hz, band-pass 1-20 Hz" in text and "1 station(s)" in text


def test_forest_probabilities_follow_the_card_class_order(forest):
    model, _, table = forest
    proba = model.predict_proba(table)
    assert proba.shape == (len(table), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    burst = table["label"].to_numpy() == "burst"
    assert proba[burst, 1].mean() > 0.8 and proba[~burst, 0].mean() > 0.8  # learnable, column 1 is "burst"


@pytest.mark.parametrize("suffix", [".joblib", ".skops", ".pt", ".pkl"])
@pytest.mark.parametrize("writer", ["pickle", "joblib", "torch"])
def test_a_pickled_payload_is_never_executed(tmp_path, suffix, writer):
    marker = tmp_path / "marker"
    path = tmp_path / f"evil{suffix}"
    if writer == "pickle":
        path.write_bytes(pickle.dumps(Payload(marker)))
    elif writer == "joblib":
        joblib.dump(Payload(marker), path, compress=3)
    else:
        import torch

        torch.save({"format": FORMAT, "metadata": {}, "state_dict": Payload(marker)}, path)
    with pytest.raises(ModelFileError, match="evil") as error:
        load_classifier(path)
    assert not marker.exists()
    assert any(word in str(error.value) for word in ("refuse", "not a seisclass model"))


def test_untrusted_types_in_a_skops_file_are_refused(tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "odd.skops"
    sio.dump({"format": FORMAT, "metadata": {}, "estimator": FunctionTransformer(func=print)}, path)
    with pytest.raises(ModelFileError, match=r"refused.*builtins\.print"):
        load_classifier(path)


def test_loading_a_forest_imports_neither_torch_nor_every_scikit_learn_module(forest):
    import subprocess
    import sys

    _, path, _ = forest
    code = ("import sys; from seisclass.learn.loading import load_classifier; load_classifier(sys.argv[1]); "
            "print(sorted(m for m in ('torch', 'sklearn.gaussian_process', 'sklearn.semi_supervised') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_foreign_damaged_and_inconsistent_files_give_clear_errors(forest, tmp_path):
    import skops.io as sio

    _, path, _ = forest
    data = open(path, "rb").read()
    (tmp_path / "cut.skops").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="cut.skops: corrupt"):
        load_classifier(tmp_path / "cut.skops")
    plain = RandomForestClassifier(n_estimators=2).fit(np.eye(4), [0, 1, 0, 1])
    sio.dump(plain, tmp_path / "plain.skops")
    with pytest.raises(ModelFileError, match="plain.skops: the model file has no checksum .*not by seisclass"):
        load_classifier(tmp_path / "plain.skops")
    payload = sio.load(path, trusted=list(TRUSTED_TYPES))  # seisclass imported skops without its default list
    payload["metadata"]["feature_names"] = payload["metadata"]["feature_names"][:-1]
    sio.dump(payload, tmp_path / "edited.skops")
    with pytest.raises(ModelFileError, match="edited.skops: the model file has no checksum"):
        load_classifier(tmp_path / "edited.skops")
    (tmp_path / "edited.skops").write_bytes(stable_skops_names((tmp_path / "edited.skops").read_bytes()))
    with pytest.raises(ModelFileError, match="inconsistent model"):  # a consistent checksum of an odd card
        load_classifier(tmp_path / "edited.skops")
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelFileError, match="not a seisclass model file"):
        load_classifier(tmp_path / "notes.txt")
    with pytest.raises(ModelFileError, match="no such model file"):
        load_classifier(tmp_path / "missing.skops")


def test_a_forest_whose_tree_arrays_were_altered_is_refused(forest, tmp_path):
    _, path, _ = forest
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    tree = max((m for m in members if m[0].filename.endswith(".npy")), key=lambda m: len(m[1]))
    altered = tmp_path / "altered.skops"
    with zipfile.ZipFile(altered, "w") as target:  # a valid archive (fresh CRCs) with other tree values
        for info, content in members:
            if info is tree[0]:
                content = content[:-64] + bytes(64)
            target.writestr(info, content)
    with pytest.raises(ModelFileError, match="altered.skops: damaged model file: its content does not match"):
        load_classifier(altered)
    assert load_classifier(path).classes_ == CLASSES  # the original still loads


@pytest.fixture(scope="module")
def boosting(tmp_path_factory) -> tuple[ForestClassifier, str, pd.DataFrame]:
    """Histogram gradient boosting (``estimator: hgb``) on the synthetic station, saved as skops."""
    table = labelled_features(synthetic_stream(50.0))
    model = fit_forest(table, CLASSES, ForestParameters(estimator="hgb"), seed=1, recipe=RECIPE)
    path = str(tmp_path_factory.mktemp("models") / "rf.skops")
    model.save(path)
    return model, path, table


def test_boosting_round_trip_keeps_predictions_and_card(boosting, tmp_path):
    import skops.io as sio
    from sklearn.ensemble import HistGradientBoostingClassifier

    model, path, table = boosting
    untrusted = set(sio.get_untrusted_types(file=path))  # by skops' default list, empty after seisclass imports it
    assert "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor" in untrusted
    assert untrusted <= set(TRUSTED_TYPES)
    loaded = load_classifier(path)  # its checksum is checked on load
    assert isinstance(loaded.estimator, HistGradientBoostingClassifier)
    assert loaded.metadata["parameters"]["estimator"] == "hgb"
    proba = loaded.set_threads(1).predict_proba(table)
    np.testing.assert_array_equal(proba, model.predict_proba(table))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    bursts = table["label"].to_numpy() == "burst"  # 9-s bursts 20x the noise: trivially separable
    assert (proba[:, CLASSES.index("burst")] > 0.5).tolist() == bursts.tolist()
    model.save(tmp_path / "again.skops")  # the same model, the same bytes
    assert (tmp_path / "again.skops").read_bytes() == open(path, "rb").read()


def test_altered_boosting_files_are_refused(boosting, tmp_path):
    _, path, _ = boosting
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]

    def rewritten(name: str, change) -> str:
        target = tmp_path / name
        with zipfile.ZipFile(target, "w") as out:
            for info, content in members:
                out.writestr(info, change(info.filename, content))
        return str(target)

    other_type = rewritten("other_type.skops", lambda name, content: content.replace(
        b"_hist_gradient_boosting.predictor", b"_hist_gradient_boosting.payload") if name == "schema.json" else content)
    with pytest.raises(ModelFileError, match=r"other_type.skops: refused: .*_hist_gradient_boosting\.payload"):
        load_classifier(other_type)
    largest = max((i.filename for i, _ in members if i.filename.endswith(".npy")),
                  key=lambda n: len(dict((i.filename, c) for i, c in members)[n]))
    other_values = rewritten("other_values.skops", lambda name, content: content[:-64] + bytes(64)
                             if name == largest else content)
    with pytest.raises(ModelFileError, match="other_values.skops: damaged model file"):
        load_classifier(other_values)


def test_boosting_fit_is_seeded_and_balanced():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    y = np.where(x[:, 0] > 1.0, "rare", "common")  # about 16 % rare
    p = ForestParameters(estimator="hgb", class_weight="balanced_subsample")
    first, second = train_random_forest(x, y, p, seed=3), train_random_forest(x, y, p, seed=3)
    assert isinstance(first, HistGradientBoostingClassifier) and first.class_weight == "balanced"
    assert first.random_state == 3 and first.early_stopping is True
    np.testing.assert_array_equal(first.predict_proba(x), second.predict_proba(x))
    unweighted = train_random_forest(x, y, ForestParameters(estimator="hgb", class_weight=None), seed=3)
    assert unweighted.class_weight is None


def test_a_pickled_forest_is_refused_with_a_way_out(forest, tmp_path):
    model, _, _ = forest
    path = tmp_path / "old.joblib"
    joblib.dump({"model": model.estimator, "feature_names": model.feature_names}, path, compress=3)
    with pytest.raises(ModelFileError, match=r"old.joblib: a pickle .* it is refused .* Retrain"):
        load_classifier(path)


# ---------------------------------------------------------------- checks


def test_recipe_mismatches_name_the_key_and_both_values(forest):
    model, _, _ = forest
    assert model.check_recipe(RECIPE) == CLASSES
    assert model.check_recipe(RECIPE, CLASSES) == CLASSES
    assert model.check_recipe(recipe_of({**CONFIG, "windows": {**CONFIG["windows"], "step_s": 2.0}})) == CLASSES
    cases = [
        ({"preprocess": {"sampling_rate": 100.0, "bandpass_hz": [1.0, 20.0]}},
         r"preprocess.sampling_rate: model 50.0, configuration 100.0"),
        ({"preprocess": {"sampling_rate": 50.0, "bandpass_hz": [2.0, 20.0]}},
         r"preprocess.bandpass_hz: model \[1.0, 20.0\], configuration \[2.0, 20.0\]"),
        ({"preprocess": {**CONFIG["preprocess"], "remove_response": "velocity"}},
         r"remove_response: model None, configuration 'velocity'"),
        ({"windows": {"length_s": 20.0, "components": ["Z", "N", "E"]}},
         r"windows.length_s: model 10.0, configuration 20.0"),
        ({"windows": {"length_s": 10.0, "components": ["Z"]}},
         r"windows.components: model \['Z', 'N', 'E'\], configuration \['Z'\]"),
        ({"features": {"bands_hz": [[1, 5]], "envelope_rate_hz": 20.0}}, r"features.bands_hz: model"),
        ({"context": {"enabled": True}}, r"context.enabled: model False, configuration True"),
    ]
    for change, message in cases:
        with pytest.raises(ModelMismatchError, match=message):
            model.check_recipe(recipe_of({**CONFIG, **change}))
    with pytest.raises(ModelMismatchError,
                       match=r"classes differ: model \['quiet', 'burst'\], configuration \['burst', 'quiet'\]"):
        model.check_recipe(RECIPE, ["burst", "quiet"])


def test_context_settings_are_compared_when_either_side_uses_them():
    on = recipe_of({**CONFIG, "context": {"enabled": True}})
    other = recipe_of({**CONFIG, "context": {"enabled": True, "run_db": [3.0, 9.0]}})
    assert [key for key, *_ in on.differences(other)] == ["context.run_db"]
    off = recipe_of({**CONFIG, "context": {"enabled": False, "run_db": [3.0, 9.0]}})
    assert RECIPE.differences(off) == []  # context off on both sides: its settings change nothing


def test_table_probabilities_carry_keys_and_model_name(forest):
    model, _, table = forest
    out = model.table_probabilities(table.sample(frac=1, random_state=0))
    assert list(out.columns) == [*KEY_COLUMNS, "p_quiet", "p_burst", "domain_score"] and out.attrs["model"] == "rf"
    with pytest.raises(ModelMismatchError, match="lacks 1 feature"):
        model.table_probabilities(table.drop(columns=[model.feature_names[3]]))


# ---------------------------------------------------------------- raw streams


def test_window_probabilities_of_a_raw_stream_match_the_workflow_path(forest):
    """A raw stream at the training rate gives the probabilities of the workflow's feature table."""
    model, _, table = forest
    out = model.window_probabilities(synthetic_stream(50.0))
    assert list(out.columns) == [*KEY_COLUMNS, "p_quiet", "p_burst", "domain_score", "health"]
    assert (out["health"] == "ok").all()
    np.testing.assert_array_equal(out["start"].to_numpy(), table["start"].to_numpy())
    np.testing.assert_allclose(out[["p_quiet", "p_burst"]].to_numpy(), model.predict_proba(table), atol=1e-12)


def test_any_sampling_rate_is_resampled_like_the_workflow(forest):
    model, _, _ = forest
    out = model.window_probabilities(synthetic_stream(200.0, bursts=[400.0], seed=5))
    start = (out["start"] - pd.Timestamp(T0.datetime, tz="UTC")).dt.total_seconds()
    inside = (start >= 395) & (start <= 400)
    assert (out.loc[inside, "p_burst"] > 0.5).all() and (out.loc[(start < 380) | (start > 420), "p_burst"] < 0.5).all()
    low = model.window_probabilities(synthetic_stream(20.0))  # upsampled; bands above 10 Hz missing
    assert len(low) and np.allclose(low[["p_quiet", "p_burst"]].sum(axis=1), 1.0)
    with pytest.raises(ModelMismatchError, match=r"has no \['N', 'E'\] component"):
        model.window_probabilities(synthetic_stream(50.0).select(component="Z"))


def test_a_channel_below_the_model_rate_is_warned_about_once(forest, caplog):
    import copy
    import logging

    model = copy.copy(forest[0])
    model._warned_slow = set()  # this copy has warned about nothing yet
    with caplog.at_level(logging.WARNING, logger="seisclass"):
        for _ in range(3):  # three files of one channel
            model.window_probabilities(synthetic_stream(20.0))
    warnings = [r.getMessage() for r in caplog.records if "sampled below" in r.getMessage()]
    assert len(warnings) == 1 and "XX" in warnings[0]


def test_annotate_gives_one_trace_per_class_at_window_centres(forest):
    model, _, _ = forest
    stream = synthetic_stream(100.0, bursts=[200.0])
    gap = stream.copy().cutout(T0 + 600, T0 + 700)  # a gap splits every class's trace in two
    probabilities = model.window_probabilities(gap)
    annotations = model.annotate(gap)
    assert sorted({tr.stats.channel for tr in annotations}) == ["rf_burst", "rf_quiet"]
    assert len(annotations) == 4 and {tr.id.rsplit(".", 1)[0] for tr in annotations} == {"XX.SYN."}
    first = annotations.select(channel="rf_burst").sort(["starttime"])
    assert first[0].stats.sampling_rate == pytest.approx(1 / 5.0)
    assert first[0].stats.starttime == UTCDateTime(probabilities["start"].iloc[0].timestamp()) + 5.0
    assert first[0].stats.seisclass["sample_time"] == "window centre"
    values = np.concatenate([tr.data for tr in first])
    np.testing.assert_allclose(values, probabilities["p_burst"].to_numpy())
    quiet = annotations.select(channel="rf_quiet").sort(["starttime"])
    np.testing.assert_allclose(quiet[0].data + first[0].data, 1.0)


def test_classify_returns_the_event_catalogue(forest, tmp_path):
    model, _, _ = forest
    catalogue = model.classify(synthetic_stream(100.0, bursts=[200.0, 700.0]))
    assert len(catalogue) == 2 and list(catalogue.network_events["class"]) == ["burst", "burst"]
    events = catalogue.events
    onset = pd.Timestamp(T0.datetime, tz="UTC") + pd.Timedelta(seconds=200)
    assert abs((events["onset"].iloc[0] - onset).total_seconds()) <= 3.0
    assert (events["start"] <= events["onset"]).all()
    assert (events["end"] - events["onset"]).dt.total_seconds().min() >= 8
    assert list(catalogue.segments.columns) == detections.SEGMENT_COLUMNS and len(catalogue.windows) == 239
    assert model.background_classes == ["quiet"]  # no silence class: the first class is the background
    paths = catalogue.write(tmp_path)
    assert read_events(str(paths["quakeml"]))[0].event_type == "other event"


def test_a_stream_across_midnight_is_cut_into_station_days():
    stream = synthetic_stream(50.0, bursts=[], duration=400.0)
    for tr in stream:
        tr.stats.starttime = UTCDateTime("2024-03-01T23:58:00")
    ((traces, days),) = station_days(stream)
    assert len(traces) == 3 and [d.day for d in days] == ["2024-03-01", "2024-03-02"]
    assert days[1].t0 == UTCDateTime("2024-03-02").timestamp and days[0].t1 == days[1].t0
    assert (days[0].id, days[0].band) == ("XX.SYN", "HH?")


# ---------------------------------------------------------------- deep models


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    import torch

    from seisclass.learn.deep.inputs import input_spec
    from seisclass.learn.deep.networks import DeepClassifier, build_model, deep_model_card

    torch.manual_seed(0)
    spec = input_spec(["Z", "N", "E"], 50.0, 10.0, 2, "std")
    arch = {"channels": [4, 8], "kernel_size": 5, "pool": 4, "dropout": 0.0}
    module = build_model("cnn", spec, 2, arch)
    rows = labelled_features(synthetic_stream(50.0))
    card = deep_model_card("cnn", CLASSES, spec, arch, RECIPE, rows, {"epochs_run": 0})
    model = DeepClassifier(module, card, device="cpu")
    path = tmp_path_factory.mktemp("deep") / "cnn.pt"
    model.save(path)
    return model, path


def test_deep_model_round_trip_and_raw_stream(cnn):
    import torch

    model, path = cnn
    bundle = torch.load(path, weights_only=True)
    assert bundle["format"] == FORMAT and bundle["metadata"]["kind"] == "cnn"
    loaded = load_classifier(path, device="cpu")
    assert loaded.classes_ == CLASSES and loaded.name == "cnn" and loaded.reads == "waveforms"
    raw = np.random.default_rng(1).normal(size=(5, 3, 500))
    np.testing.assert_array_equal(loaded.predict_proba(raw), model.predict_proba(raw))
    with pytest.raises(ModelMismatchError, match=r"shape \(n, 3, 500\)"):
        loaded.predict_proba(raw[:, :, :400])
    stream = synthetic_stream(100.0)
    out = loaded.window_probabilities(stream)
    assert len(out) == 239 and np.allclose(out[["p_quiet", "p_burst"]].sum(axis=1), 1.0)
    keys = out[KEY_COLUMNS]  # the workflow path: the same windows from the preprocessed stream
    processed, _ = loaded.recipe.preprocess_days(stream, [DAY])
    again = loaded.table_probabilities(keys, processed)
    np.testing.assert_allclose(again[["p_quiet", "p_burst"]].to_numpy(), out[["p_quiet", "p_burst"]].to_numpy())


def test_deep_files_altered_or_mismatched_are_refused(cnn, tmp_path):
    import torch

    _, path = cnn
    bundle = torch.load(path, weights_only=True)
    def save_consistently(bundle, path):  # an odd card with a matching checksum reaches the card checks
        torch.save({**bundle, "checksum": bundle_digest(bundle["metadata"], bundle["state_dict"])}, path)

    torch.save({**bundle, "metadata": {**bundle["metadata"], "name": "renamed"}}, tmp_path / "card.pt")
    with pytest.raises(ModelFileError, match="card.pt: damaged model file: its weights or card do not match"):
        load_classifier(tmp_path / "card.pt")
    torch.save({k: v for k, v in bundle.items() if k != "checksum"}, tmp_path / "old.pt")
    with pytest.raises(ModelFileError, match="old.pt: the model file has no checksum"):
        load_classifier(tmp_path / "old.pt")
    wrong_rate = {**bundle, "metadata": {**bundle["metadata"],
                                         "input": {**bundle["metadata"]["input"], "sampling_rate": 40.0}}}
    save_consistently(wrong_rate, tmp_path / "rate.pt")
    with pytest.raises(ModelFileError, match=r"inconsistent model card: input.sampling_rate is 40.0"):
        load_classifier(tmp_path / "rate.pt")
    wider = {**bundle, "metadata": {**bundle["metadata"],
                                    "architecture": {**bundle["metadata"]["architecture"], "channels": [4, 16]}}}
    save_consistently(wider, tmp_path / "arch.pt")
    with pytest.raises(ModelFileError, match="weights do not fit the architecture"):
        load_classifier(tmp_path / "arch.pt")
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ModelFileError, match="not a seisclass model"):
        load_classifier(tmp_path / "other.pt")
    data = open(path, "rb").read()
    (tmp_path / "cut.pt").write_bytes(data[:200])
    with pytest.raises(ModelFileError, match="cut.pt: corrupt"):
        load_classifier(tmp_path / "cut.pt")
    assert zipfile.is_zipfile(path)


def test_random_bytes_in_the_middle_of_a_deep_model_are_refused(cnn, tmp_path):
    _, path = cnn
    data = bytearray(open(path, "rb").read())
    middle = len(data) // 2
    data[middle:middle + 200] = np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8).tobytes()
    (tmp_path / "noisy.pt").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="noisy.pt: (damaged|corrupt)"):
        load_classifier(tmp_path / "noisy.pt")


# ---------------------------------------------------------------- package


def test_import_seisclass_stays_light():
    code = ("import sys, seisclass; f = seisclass.load_classifier; "
            "heavy = [m for m in ('torch', 'sklearn', 'skops', 'obspy', 'shap') if m in sys.modules]; "
            "print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert seisclass.load_classifier is load_classifier


def test_chunked_forest_fit_equals_one_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 5))
    y = np.where(x[:, 0] > 0, "a", np.where(x[:, 1] > 1, "b", "c"))
    p = ForestParameters(n_estimators=23, class_weight="balanced_subsample")
    chunked = train_random_forest(x, y, p, seed=4, progress_steps=5)
    single = RandomForestClassifier(n_estimators=23, class_weight="balanced_subsample", random_state=4).fit(x, y)
    np.testing.assert_array_equal(chunked.predict_proba(x), single.predict_proba(x))
    assert len(chunked.estimators_) == 23 and not chunked.warm_start


# ---------------------------------------------------------------- segments and QuakeML


def test_the_same_forest_saved_twice_gives_the_same_bytes(forest, tmp_path):
    model, _, _ = forest
    model.save(tmp_path / "a.skops")
    model.save(tmp_path / "b.skops")
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
    again = load_classifier(tmp_path / "a.skops")
    x = np.random.default_rng(1).normal(size=(4, len(model.feature_names)))
    np.testing.assert_array_equal(again.predict_proba(x), model.predict_proba(x))


def test_a_forest_summed_tree_by_tree_gives_scikit_learns_probabilities_exactly():
    from seisclass.learn.forest import forest_proba_in_thread

    rng = np.random.default_rng(4)
    x = rng.normal(size=(400, 6))
    y = np.where(x[:, 0] + 0.5 * rng.normal(size=400) > 0, "a", np.where(x[:, 1] > 0, "b", "c"))
    x[::9, 2] = np.nan  # masked band features reach the trees as NaN
    forest = RandomForestClassifier(n_estimators=25, random_state=0, n_jobs=2).fit(x, y)
    np.testing.assert_array_equal(forest_proba_in_thread(forest, x[:50]), forest.predict_proba(x[:50]))
