"""Deep models (issue 5): inputs, models, training, saving, SHAP, and the tiny end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from obspy import Stream, Trace, UTCDateTime, read

from seisclass.core.vocabulary import epoch_seconds
from seisclass.explain.deep_shap import attribution_over_time, pick_representatives, shap_values
from seisclass.learn.classifier import ModelFileError, ModelMismatchError
from seisclass.learn.compare import model_comparison_table
from seisclass.learn.deep import training
from seisclass.learn.deep.inputs import (
    InputError,
    build_inputs,
    decimate_windows,
    input_spec,
    normalize_windows,
    prepare_windows,
    select_windows,
)
from seisclass.learn.deep.networks import (
    DeepClassifier,
    FrameSpectrum,
    SpectralLSTM,
    WaveformCNN,
    architecture,
    band_matrix,
    build_model,
    deep_model_card,
    predict_proba,
)
from seisclass.learn.deep.params import DeepConfigError, DeepParameters
from seisclass.learn.deep.training import (
    TrainingError,
    balanced_accuracy,
    class_weights,
    configure_torch,
    train_model,
)
from seisclass.learn.loading import load_classifier
from seisclass.learn.metrics import classification_metrics
from seisclass.signal.preprocess import PreprocessParameters
from seisclass.signal.recipe import Recipe
from seisclass.signal.windows import WindowParameters, windows_at

CLASSES = ["silence", "tourists", "earthquake"]
SPEC = input_spec(["Z", "N", "E"], 100.0, 10.0, 2, "std")  # 3 x 500 samples at 50 Hz
SMALL = DeepParameters.from_config({
    "batch_size": 16, "epochs": 2, "patience": 2,
    "cnn": {"channels": [4, 8]}, "lstm": {"hidden": 8, "n_bands": 6},
})


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Prepared windows whose class is the frequency of a tone in noise (2, 8 or 18 Hz)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    t = np.arange(SPEC["n_samples"]) / SPEC["sampling_rate"]
    tone = np.sin(2 * np.pi * np.array([2.0, 8.0, 18.0])[y, None] * t)[:, None, :]
    x = tone * rng.uniform(0.5, 2.0, (n, 3, 1)) + rng.normal(0, 0.5, (n, 3, len(t)))
    return normalize_windows(x, "std"), y.astype(np.int64)


# Tests run torch on one thread: on shared cores, multi-threaded small models crawl.

# ---------------------------------------------------------------- parameters


def test_gpu_preset_merges_overrides_and_bad_keys_are_named():
    section = {"preset": "gpu", "epochs": 5, "cnn": {"channels": [8], "pool": 2},
               "gpu": {"epochs": 50, "cnn": {"channels": [64, 64]}}}
    p = DeepParameters.from_config(section)
    assert p.epochs == 50 and p.cnn.channels == (64, 64) and p.cnn.pool == 2
    assert DeepParameters.from_config({**section, "preset": "cpu"}).epochs == 5
    with pytest.raises(DeepConfigError, match="deep.cnn.*widht"):
        DeepParameters.from_config({"cnn": {"widht": 3}})
    with pytest.raises(DeepConfigError, match="deep.normalization"):
        DeepParameters.from_config({"normalization": "minmax"})


# ---------------------------------------------------------------- inputs


def test_normalize_windows_std_and_peak():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 1.0, (4, 3, 200)) * np.array([1.0, 2.0, 4.0])[None, :, None]
    x[3] = 0.0
    s = normalize_windows(x, "std")
    assert s.dtype == np.float32
    np.testing.assert_allclose(s[:3].mean(axis=-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(s[:3].std(axis=(1, 2)), 1.0, rtol=1e-5)
    # component amplitude ratios survive (one scale per window)
    ratio = s[:3].std(axis=-1) / s[:3, :1].std(axis=-1)
    np.testing.assert_allclose(ratio, (x[:3] - x[:3].mean(-1, keepdims=True)).std(-1) / x[:3, :1].std(-1), rtol=1e-4)
    assert np.all(s[3] == 0)
    p = normalize_windows(x, "peak")
    np.testing.assert_allclose(np.abs(p[:3]).max(axis=(1, 2)), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="normalization"):
        normalize_windows(x, "zscore")


def test_decimate_keeps_low_and_removes_high_frequencies():
    t = np.arange(1000) / 100.0
    low = np.sin(2 * np.pi * 2.0 * t)
    high = np.sin(2 * np.pi * 40.0 * t)  # above the 25 Hz Nyquist of 50 Hz
    out = decimate_windows(np.stack([low, high])[None], 2)
    assert out.shape == (1, 2, 500)
    inner = slice(50, 450)
    np.testing.assert_allclose(out[0, 0, inner], np.sin(2 * np.pi * 2.0 * t[::2])[inner], atol=0.02)
    assert np.sqrt(np.mean(out[0, 1, inner] ** 2)) < 0.02  # no alias of the 40 Hz tone
    assert decimate_windows(low[None, None], 1).shape == (1, 1, 1000)


def _dataset(n_per: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    start = pd.Timestamp("2024-06-01T00:00:00Z")
    for split, counts in n_per.items():
        for label, n in counts.items():
            for _ in range(n):
                rows.append({"network": "XX", "station": "AB", "location": "", "channel": "HH?",
                             "start": start, "end": start + pd.Timedelta(seconds=10), "label": label,
                             "snr": 1.0, "split": split})
                start += pd.Timedelta(seconds=5)
    return pd.DataFrame(rows)


def test_select_windows_caps_training_classes_only():
    table = _dataset({"train": {"silence": 50, "tourists": 5, "earthquake": 3},
                      "validation": {"silence": 30, "tourists": 2, "earthquake": 2},
                      "test": {"silence": 40, "tourists": 2, "earthquake": 1},
                      "none": {"unlabeled": 7}, "purged": {"silence": 4}})
    index = select_windows(table, CLASSES, 10, seed=1)
    counts = pd.crosstab(index["split"], index["label"])
    assert counts.loc["train", "silence"] == 10 and counts.loc["train", "tourists"] == 5
    assert counts.loc["test", "silence"] == 40 and counts.loc["validation", "silence"] == 30
    assert set(index["split"]) == {"train", "validation", "test"}
    for _, rows in index.groupby("split"):
        assert list(rows["row"]) == list(range(len(rows)))
    again = select_windows(table, CLASSES, 10, seed=1)
    pd.testing.assert_frame_equal(index, again)
    with pytest.raises(InputError, match="validation.*earthquake"):
        select_windows(table[~((table["split"] == "validation") & (table["label"] == "earthquake"))], CLASSES, 10, 1)


def test_build_inputs_cuts_the_grid_and_names_incomplete_station_day(tmp_path):
    fs, t0 = 100.0, UTCDateTime("2024-06-01T00:00:00")
    data = np.random.default_rng(3).normal(size=(3, 6000)).astype(np.float32)
    stream = Stream([Trace(data[i], header={"network": "XX", "station": "AB", "channel": f"HH{c}",
                                            "sampling_rate": fs, "starttime": t0}) for i, c in enumerate("ZNE")])
    path = tmp_path / "XX.AB" / "2024-06-01.mseed"
    path.parent.mkdir()
    stream.write(str(path), format="MSEED")
    table = _dataset({"train": {"silence": 2, "tourists": 1, "earthquake": 1},
                      "validation": {"silence": 1, "tourists": 1, "earthquake": 1},
                      "test": {"silence": 1, "tourists": 1, "earthquake": 1}})
    index = select_windows(table, CLASSES, None, 0)
    outputs = {s: str(tmp_path / f"{s}.npy") for s in ("train", "validation", "test")}
    build_inputs(index, {"XX.AB/2024-06-01": str(path)}, outputs, SPEC, chunk=3)
    test = np.load(outputs["test"], mmap_mode="r")
    assert isinstance(test, np.memmap) and test.shape == (3, 3, 500)
    row = index[index["split"] == "test"].iloc[1]
    start = float(epoch_seconds(pd.Series([row["start"]]))[0])
    offset = int(round((start - t0.timestamp) * fs))
    expected = prepare_windows(data[None, :, offset : offset + 1000], 2, "std")[0]
    np.testing.assert_allclose(test[row["row"]], expected, rtol=1e-5, atol=1e-6)
    late = index.copy()
    late.loc[late.index[-1], "start"] += pd.Timedelta(seconds=100)  # beyond the 60 s of data
    with pytest.raises(InputError, match="XX.AB/2024-06-01: window at"):
        build_inputs(late, {"XX.AB/2024-06-01": str(path)}, outputs, SPEC)
    with pytest.raises(InputError, match="XX.AB/2024-06-01: no preprocessed waveform"):
        build_inputs(index, {}, outputs, SPEC)


# ---------------------------------------------------------------- models


def test_shapes_through_each_model():
    x = torch.randn(5, 3, SPEC["n_samples"])
    for kind in ("cnn", "lstm"):
        model = build_model(kind, SPEC, 3, architecture(kind, DeepParameters()))
        assert model(x).shape == (5, 3)
    lstm = build_model("lstm", SPEC, 3, architecture("lstm", DeepParameters()))
    frame, hop = 25, 12  # 0.5 s and 0.25 s at 50 Hz
    assert (lstm.frontend.frame, lstm.frontend.hop) == (frame, hop)
    assert lstm.sequence(x).shape == (5, 1 + (500 - frame) // hop, 3 * 12)


def test_frame_spectrum_puts_a_tone_in_its_band():
    fs, frame = 50.0, 50
    front = FrameSpectrum(frame, 25, n_bands=5)  # bands of 5 Hz from 0 to 25 Hz
    t = np.arange(500) / fs
    for f, band in ((3.0, 0), (12.0, 2), (22.0, 4)):
        x = torch.tensor(np.sin(2 * np.pi * f * t), dtype=torch.float32)[None, None]
        out = front(x)  # (1, frames, 1 * 5)
        assert out.shape == (1, 19, 5)
        assert (out[0].argmax(dim=1) == band).all()


@pytest.mark.parametrize("rate", [20.0, 40.0])
@pytest.mark.parametrize("decimate", [1, 2])
def test_lstm_filter_bank_has_no_empty_band_at_low_rates(rate, decimate):
    """0.5-s frames at 10-40 Hz have 3-11 frequency bins, fewer than 12 bands: one band per bin then."""
    configure_torch(0, 1)
    spec = input_spec(["Z", "N", "E"], rate, 10.0, decimate, "std")
    arch = architecture("lstm", DeepParameters.from_config({"lstm": {"frame_s": 0.5, "n_bands": 12}}))
    model = build_model("lstm", spec, 3, arch)
    front = model.frontend
    n_freq = front.frame // 2 + 1
    assert n_freq < 12 and front.n_bands == n_freq and front.requested_bands == 12
    weights = front.bands.numpy()
    assert weights.shape == (n_freq, n_freq)
    assert ((weights > 0).sum(axis=0) >= 1).all()  # no empty band
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, rtol=1e-6)
    x, y = synthetic(8, seed=0)
    x = np.ascontiguousarray(x[:, :, : spec["n_samples"]])
    logits = model.train()(torch.from_numpy(x))
    assert torch.isfinite(model.sequence(torch.from_numpy(x))).all() and torch.isfinite(logits).all()
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    assert torch.isfinite(loss) and all(torch.isfinite(q.grad).all() for q in model.parameters() if q.grad is not None)


def test_band_matrix_never_has_an_empty_band():
    for n_freq in range(1, 70):
        for n_bands in range(1, 40):
            weights = band_matrix(n_freq, n_bands)
            assert weights.shape == (n_freq, min(n_freq, n_bands))
            assert (weights.max(axis=0) > 0).all()
            np.testing.assert_allclose(weights.sum(axis=0), 1.0, rtol=1e-6)
    # enough bins: the bank of before (rounded linear edges) is kept, so saved models read the same
    for n_freq, n_bands in ((13, 12), (26, 12), (51, 24), (6, 6)):
        edges = np.linspace(0, n_freq, n_bands + 1).round().astype(int)
        before = np.stack([np.isin(np.arange(n_freq), np.arange(edges[b], edges[b + 1])) for b in range(n_bands)],
                          1).astype(np.float32)
        np.testing.assert_array_equal(band_matrix(n_freq, n_bands), before / before.sum(axis=0))


def _overfit(model: torch.nn.Module, x: np.ndarray, y: np.ndarray, steps: int) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        return float(torch.nn.functional.cross_entropy(model(xt), yt))


def test_each_model_overfits_32_examples():
    configure_torch(0, 1)
    rng = np.random.default_rng(0)
    x = normalize_windows(rng.normal(size=(32, 3, 200)), "std")  # 4 s at 50 Hz, to stay fast
    y = rng.integers(0, 3, 32)  # random labels: only memorization brings the loss down
    cnn = WaveformCNN(3, 3, channels=(16, 32), dropout=0.0)
    assert _overfit(cnn, x, y, 60) < 0.05
    lstm = SpectralLSTM(3, 3, SPEC["sampling_rate"], hidden=32, dropout=0.0)
    assert _overfit(lstm, x, y, 60) < 0.05


def _train(kind: str, seed: int = 3):
    configure_torch(seed, 1)
    x, y = synthetic(96, seed=1)
    xv, yv = synthetic(30, seed=2)
    model = build_model(kind, SPEC, 3, architecture(kind, SMALL))
    return train_model(model, x, y, xv, yv, SMALL, seed)


@pytest.mark.parametrize("kind", ["cnn", "lstm"])
def test_two_cpu_runs_give_identical_metrics(kind):
    xt, yt = synthetic(45, seed=5)
    results = []
    for _ in range(2):
        model, summary = _train(kind)
        proba = predict_proba(model, xt)
        predicted = np.array(CLASSES, dtype=object)[proba.argmax(axis=1)]
        metrics = classification_metrics(np.array(CLASSES, dtype=object)[yt], predicted, CLASSES)
        results.append((proba, metrics, [h["validation_loss"] for h in summary["history"]]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
    assert results[0][2] == results[1][2]


def test_training_summary_and_early_stopping():
    configure_torch(0, 1)
    x, y = synthetic(60, seed=1)
    p = DeepParameters.from_config({"batch_size": 20, "epochs": 30, "patience": 1, "learning_rate": 1.0,
                                    "cnn": {"channels": [4]}})  # a huge step: validation loss soon rises
    model, summary = train_model(build_model("cnn", SPEC, 3, architecture("cnn", p)), x, y, x, y, p, 0)
    history = pd.DataFrame(summary["history"])
    assert summary["epochs_run"] < 30
    assert summary["best_epoch"] == int(history["validation_loss"].idxmin()) + 1
    assert summary["epochs_run"] == summary["best_epoch"] + 1
    assert summary["n_train"] == 60 and summary["training_time_s"] > 0


@pytest.mark.parametrize("split", ["train", "validation"])
def test_nan_inputs_stop_training_naming_model_epoch_and_inputs(split):
    configure_torch(0, 1)
    x, y = synthetic(40, seed=1)
    xv, yv = synthetic(20, seed=2)
    (x if split == "train" else xv)[5, 1, 100:110] = np.nan
    model = build_model("lstm", SPEC, 3, architecture("lstm", SMALL))
    with pytest.raises(TrainingError) as error:
        train_model(model, x, y, xv, yv, SMALL, 0)
    message = str(error.value)
    assert f"lstm: training stopped: the {split if split == 'validation' else 'training'} loss is nan in epoch 1" \
        in message
    assert "input windows hold 10 NaN or infinite values" in message and "results/deep/inputs/" in message


class Diverging(torch.nn.Module):
    """A model whose logits turn infinite from its ``after``-th call on (as weights that blew up)."""

    def __init__(self, after: int):
        super().__init__()
        self.head = torch.nn.Sequential(torch.nn.Linear(3, 3))
        self.after, self.calls = after, 0

    def forward(self, x):
        self.calls += 1
        logits = self.head(x.mean(dim=-1))
        return logits * torch.inf if self.calls >= self.after else logits


def test_diverging_loss_stops_training_with_the_learning_rate_hint():
    x, y = synthetic(40, seed=1)
    p = DeepParameters.from_config({"batch_size": 10, "epochs": 5, "learning_rate": 0.5})
    with pytest.raises(TrainingError) as error:
        train_model(Diverging(after=9), x, y, x, y, p, 0, name="cnn")  # 4 train + 4 validation batches per epoch
    message = str(error.value)
    assert message.startswith("cnn: training stopped: the training loss is nan in epoch 2 (batch 1 of 4)")
    assert "with finite inputs: the weights diverged; lower deep.learning_rate (now 0.5)" in message


def test_training_that_never_improves_fails_clearly(monkeypatch):
    monkeypatch.setattr(training, "_improves", lambda loss, best: False)  # no epoch is ever a best one
    x, y = synthetic(30, seed=1)
    p = DeepParameters.from_config({"batch_size": 10, "epochs": 2, "patience": 5, "cnn": {"channels": [4]}})
    with pytest.raises(TrainingError, match=r"cnn: training gave no usable model: no epoch of 2 had a validation "
                                            r"loss below the starting value.*deep.learning_rate \(0.001\)"):
        train_model(build_model("cnn", SPEC, 3, architecture("cnn", p)), x, y, x, y, p, 0)


def test_class_weights_and_balanced_accuracy():
    codes = np.array([0] * 6 + [1] * 3 + [2] * 1)
    np.testing.assert_allclose(class_weights(codes, 3, "balanced"), [10 / 18, 10 / 9, 10 / 3], rtol=1e-6)
    np.testing.assert_allclose(class_weights(np.array([0, 0, 2]), 3, "balanced"), [0.75, 0.0, 1.5])
    assert class_weights(codes, 3, "none").tolist() == [1.0, 1.0, 1.0]
    y, pred = np.array([0, 0, 0, 0, 1, 1]), np.array([0, 0, 0, 1, 1, 0])
    assert balanced_accuracy(y, pred, 3) == pytest.approx((0.75 + 0.5) / 2)


def test_saved_model_reloads_with_weights_only_and_predicts_the_same(tmp_path):
    model, summary = _train("lstm")
    path = tmp_path / "lstm.pt"
    recipe = Recipe(PreprocessParameters(sampling_rate=100.0), WindowParameters(components=("Z", "N", "E")))
    train = _dataset({"train": {"silence": 2, "tourists": 1, "earthquake": 1}})
    card = deep_model_card("lstm", CLASSES, SPEC, architecture("lstm", SMALL), recipe, train, summary, seed=3)
    DeepClassifier(model, card).save(path)
    bundle = torch.load(path, weights_only=True)["metadata"]
    assert bundle["classes"] == CLASSES and bundle["input"]["sampling_rate"] == 50.0
    assert bundle["input"]["normalization"] == "std" and bundle["architecture"]["hidden"] == 8
    assert bundle["training_data"]["windows_per_class"] == {"silence": 2, "tourists": 1, "earthquake": 1}
    reloaded = load_classifier(path, device="cpu")
    x, _ = synthetic(20, seed=9)
    np.testing.assert_array_equal(reloaded.predict_proba(x, prepared=True), predict_proba(model, x))
    assert reloaded.metadata["training"]["best_epoch"] == summary["best_epoch"]
    # raw windows at 100 Hz: predict_proba decimates and normalizes as in training
    raw = np.random.default_rng(4).normal(size=(7, 3, 1000)) * 1e-6
    expected = predict_proba(model, prepare_windows(raw, 2, "std"))
    np.testing.assert_allclose(reloaded.predict_proba(raw), expected, rtol=1e-6, atol=1e-7)
    with pytest.raises(ModelMismatchError, match=r"shape \(n, 3, 1000\)"):
        reloaded.predict_proba(raw[:, :2])


def test_load_model_rejects_other_files(tmp_path):
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ModelFileError, match="other.pt: not a seisclass model"):
        load_classifier(tmp_path / "other.pt")


# ---------------------------------------------------------------- SHAP


def test_shap_attributions_have_the_input_shape():
    x, y = synthetic(4, seed=11)
    background, _ = synthetic(9, seed=12)
    for kind in ("cnn", "lstm"):
        configure_torch(0, 1)
        model = build_model(kind, SPEC, 3, architecture(kind, SMALL)).eval()
        values = shap_values(model, background, x, y, samples=10, seed=0)
        expected = x.shape if kind == "cnn" else tuple(model.sequence(torch.from_numpy(x)).shape)
        assert values.shape == expected
        assert np.isfinite(values).all() and np.abs(values).sum() > 0
        again = shap_values(model, background, x, y, samples=10, seed=0)
        np.testing.assert_array_equal(values, again)
        centres, over_time = attribution_over_time(values, model, SPEC["sampling_rate"])
        assert over_time.shape == (4, len(centres))
        np.testing.assert_allclose(over_time.sum(axis=1), values.reshape(4, -1).sum(axis=1), rtol=1e-4, atol=1e-6)


def test_pick_representatives_prefers_confident_correct_windows():
    index = pd.DataFrame({"label": ["silence", "silence", "silence", "tourists", "tourists", "earthquake"],
                          "station": "AB"})
    proba = np.array([[0.6, 0.3, 0.1], [0.9, 0.05, 0.05], [0.2, 0.7, 0.1],
                      [0.1, 0.5, 0.4], [0.6, 0.3, 0.1], [0.5, 0.2, 0.3]])
    picks = pick_representatives(index, proba, CLASSES, per_class=2)
    assert list(picks["position"]) == [1, 0, 3, 4, 5]
    assert list(picks["correct"]) == [True, True, True, False, False]
    np.testing.assert_allclose(picks["probability"], [0.9, 0.6, 0.5, 0.3, 0.3])


def test_comparison_table_refuses_different_test_sets():
    m = classification_metrics(["silence", "tourists"], ["silence", "silence"], CLASSES)
    table = model_comparison_table({"rf": m, "cnn": m}, {"rf": {"training_time_s": 2.0, "windows_per_second": 10.0}},
                             CLASSES)
    assert table.loc[0, "f1_silence"] == pytest.approx(2 / 3) and np.isnan(table.loc[1, "training_time_s"])
    other = classification_metrics(["silence"], ["silence"], CLASSES)
    with pytest.raises(ValueError, match="different numbers of windows"):
        model_comparison_table({"rf": m, "cnn": other}, {}, CLASSES)


# ---------------------------------------------------------------- end to end (tiny run)


@pytest.mark.workflow
def test_tiny_run_deep_outputs(tiny_run):
    results = tiny_run / "results"
    rf = json.loads((results / "metrics" / "rf.json").read_text())
    for kind in ("cnn", "lstm"):
        metrics = json.loads((results / "metrics" / f"{kind}.json").read_text())
        assert set(metrics) == set(rf) and set(metrics["per_class"]) == set(rf["per_class"])
        assert metrics["n_windows"] == rf["n_windows"]
        bundle = torch.load(results / "models" / f"{kind}.pt", weights_only=True)["metadata"]
        assert bundle["kind"] == kind and bundle["classes"] == CLASSES
        assert bundle["input"]["sampling_rate"] == 50.0 and bundle["input"]["components"] == ["Z", "N", "E"]
        assert bundle["training"]["epochs_run"] <= 2
        assert (results / "plots" / f"{kind}_training.png").stat().st_size > 0
    rf_test = pd.read_parquet(results / "predictions" / "rf_test.parquet")
    cnn_test = pd.read_parquet(results / "predictions" / "cnn_test.parquet")
    keys = ["station", "start", "label"]
    pd.testing.assert_frame_equal(rf_test[keys].sort_values(keys, ignore_index=True),
                                  cnn_test[keys].sort_values(keys, ignore_index=True))
    table = pd.read_csv(results / "metrics" / "model_comparison.tsv", sep="\t")
    assert list(table["model"]) == ["rf", "cnn", "lstm"]
    lstm = json.loads((results / "metrics" / "lstm.json").read_text())
    assert table.loc[2, "balanced_accuracy"] == pytest.approx(lstm["balanced_accuracy"], abs=1e-3)
    assert "training_time_s" not in table.columns  # results hold no timings (reproducible files)
    timings = pd.read_csv(results / "benchmarks" / "model_timings.tsv", sep="\t")
    assert (timings["training_time_s"] > 0).all() and (timings["windows_per_second"] > 0).all()


@pytest.mark.workflow
def test_tiny_run_inputs_and_predictions_reproduce_from_waveforms(tiny_run):
    """The stored arrays are the grid windows; the saved CNN on raw windows gives the test probabilities."""
    results = tiny_run / "results"
    index = pd.read_parquet(results / "deep" / "inputs" / "index.parquet")
    test = np.load(results / "deep" / "inputs" / "test.npy", mmap_mode="r")
    assert test.shape == ((index["split"] == "test").sum(), 3, 500)
    rows = index[index["split"] == "test"].sort_values("row").head(6)
    stream = read(str(next((results / "preprocessed").glob("*/*.mseed"))))
    starts = epoch_seconds(rows["start"])
    kept, raw = windows_at(stream, starts, 10.0, ["Z", "N", "E"], 100.0)
    assert len(kept) == len(rows)
    np.testing.assert_allclose(test[rows["row"].to_numpy()], prepare_windows(raw, 2, "std"), rtol=1e-5, atol=1e-6)
    predictions = pd.read_parquet(results / "predictions" / "cnn_test.parquet").head(6)
    proba = load_classifier(results / "models" / "cnn.pt", device="cpu").predict_proba(raw)
    np.testing.assert_allclose(proba, predictions[[f"p_{c}" for c in CLASSES]].to_numpy(), atol=1e-5)


@pytest.mark.workflow
def test_tiny_run_shap_outputs(tiny_run):
    explain = tiny_run / "results" / "explain"
    for kind in ("cnn", "lstm"):
        with np.load(explain / f"{kind}_shap_values.npz") as z:
            assert list(z["explained_class"]) == CLASSES  # per_class: 1 in the tiny config
            assert z["time_attribution"].shape == (3, len(z["time_s"]))
            if kind == "cnn":
                assert z["values"].shape == z["inputs"].shape == (3, 3, 500)
        windows = pd.read_csv(explain / f"{kind}_shap_windows.csv")
        assert list(windows["label"]) == CLASSES
        assert (explain / f"{kind}_shap_time.png").stat().st_size > 0


def test_a_model_with_event_context_saves_loads_and_cuts_its_context(tmp_path):
    """A CNN on 10-s windows with 5 s of context each side: the card, the file and the cut agree."""
    from obspy import Stream, Trace, UTCDateTime

    from seisclass.learn.loading import load_classifier

    spec = input_spec(["Z"], 20.0, 10.0, 2, "std", context_s=5.0)
    assert spec["n_source_samples"] == 400 and spec["n_samples"] == 200
    arch = {"channels": [4], "kernel_size": 3, "pool": 2, "dropout": 0.0}
    model = build_model("cnn", spec, 2, arch)
    recipe = Recipe(PreprocessParameters(sampling_rate=20.0, bandpass_hz=(1.0, 8.0)),
                    WindowParameters(components=("Z",)))
    rows = pd.DataFrame({"label": ["a", "b"], "network": "XX", "station": "A", "location": "",
                         "start": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
                         "end": pd.to_datetime(["2024-01-01T00:00:10", "2024-01-02T00:00:10"], utc=True)})
    card = deep_model_card("cnn", ["a", "b"], spec, arch, recipe, rows, {"history": []}, seed=0)
    DeepClassifier(model, card).save(tmp_path / "m.pt")
    loaded = load_classifier(tmp_path / "m.pt")
    t0 = UTCDateTime("2024-01-01")
    stream = Stream([Trace(np.random.default_rng(0).normal(size=2000).astype(np.float32),
                           {"network": "XX", "station": "A", "channel": "HHZ", "sampling_rate": 20.0,
                            "starttime": t0})])
    keys = pd.DataFrame({"network": "XX", "station": "A", "location": "", "channel": "HH?",
                         "start": pd.to_datetime(t0.timestamp + np.array([0.0, 50.0]), unit="s", utc=True)})
    array, keep = loaded.model_inputs(keys, stream)
    assert keep.all() and array.shape == (2, 1, 400)
    assert (array[0, 0, :100] == 0).all()  # context before the trace's start is zero
