"""Precision-recall curves, the most confident errors and the waveform-and-spectrogram example figures."""

import numpy as np
import pandas as pd
import pytest

from seisclass.core.io import save_figure
from seisclass.learn.metrics import most_confident_errors, precision_recall_curves
from seisclass.plots.data import (
    amplitude_scale,
    class_examples_figure,
    misclassified_figure,
    window_spectrograms,
)
from seisclass.plots.evaluation import precision_recall_figure

pytestmark = pytest.mark.unit
CLASSES = ["silence", "tourists", "earthquake"]


def test_perfect_scores_have_average_precision_one():
    labels = ["silence", "earthquake", "earthquake", "silence"]
    proba = np.array([[1, 0, 0], [0, 0, 1], [0.2, 0, 0.8], [0.7, 0, 0.3]])
    curves = precision_recall_curves(labels, proba, CLASSES)
    assert curves["silence"]["average_precision"] == 1.0
    assert curves["earthquake"]["average_precision"] == 1.0
    assert curves["earthquake"]["prevalence"] == 0.5
    assert curves["tourists"]["n"] == 0 and np.isnan(curves["tourists"]["average_precision"])


def test_four_windows_by_hand():
    # earthquake scores ranked 0.9 (yes), 0.8 (no), 0.7 (yes), 0.1 (no): precision 1 at recall 0.5, then
    # 2/3 at recall 1; AP = 0.5 * 1 + 0.5 * 2/3 = 5/6. Prevalence 2/4.
    labels = ["earthquake", "silence", "earthquake", "silence"]
    p = np.array([0.9, 0.8, 0.7, 0.1])
    proba = np.column_stack([1 - p, np.zeros(4), p])
    curve = precision_recall_curves(labels, proba, CLASSES)["earthquake"]
    assert curve["average_precision"] == pytest.approx(5 / 6)
    assert curve["prevalence"] == 0.5 and curve["n"] == 2
    assert curve["recall"].max() == 1.0 and curve["precision"][curve["recall"] == 1.0].max() == pytest.approx(2 / 3)


def test_precision_recall_figure_has_ap_and_no_skill_in_the_legend(tmp_path):
    curves = precision_recall_curves(["silence", "earthquake"], np.array([[0.9, 0, 0.1], [0.4, 0, 0.6]]), CLASSES)
    fig = precision_recall_figure(curves, CLASSES, "test")
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("recall") and ax.get_ylabel().startswith("precision")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["silence: AP 1.00 (1 windows)", "tourists: no windows", "earthquake: AP 1.00 (1 windows)",
                      "no skill (class prevalence)"]
    assert [line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == ":" and len(line.get_ydata())] == \
        [0.5, 0.5]
    save_figure(fig, tmp_path / "pr.png")
    assert (tmp_path / "pr.png").read_bytes()[:4] == b"\x89PNG"


def test_most_confident_errors_per_true_class():
    predictions = pd.DataFrame({
        "label": ["earthquake", "earthquake", "earthquake", "silence", "silence", "unlabeled"],
        "predicted": ["silence", "tourists", "earthquake", "silence", "earthquake", "earthquake"],
        "p_silence": [0.6, 0.1, 0.1, 0.9, 0.2, 0.0],
        "p_tourists": [0.1, 0.8, 0.1, 0.05, 0.1, 0.0],
        "p_earthquake": [0.3, 0.1, 0.8, 0.05, 0.7, 1.0],
    })
    picked = most_confident_errors(predictions, CLASSES, per_class=1)
    assert picked.index.tolist() == [4, 1]  # silence first (class order), then earthquake's surer error (0.8)
    assert picked["p_predicted"].tolist() == [0.7, 0.8]
    assert most_confident_errors(predictions, CLASSES, per_class=4).index.tolist() == [4, 1, 0]
    right = predictions[predictions["label"] == predictions["predicted"]]
    assert most_confident_errors(right, CLASSES, per_class=4).empty


def test_spectrograms_of_all_windows_at_once_find_the_tone():
    fs = 100.0
    t = np.arange(1000) / fs
    samples = np.stack([np.sin(2 * np.pi * 10 * t), np.sin(2 * np.pi * 30 * t)])
    centres, freqs, power = window_spectrograms(samples, fs, frame_s=1.0)
    assert power.shape == (2, freqs.size, centres.size)
    assert freqs[power[:, :, 3].argmax(axis=1)].tolist() == [10.0, 30.0]  # 1-Hz bins of 1-s frames
    assert centres[0] == 0.5 and centres[-1] == 9.5


def test_amplitude_scale():
    assert amplitude_scale(np.array([-2e5, 1.0]), "counts") == (1e3, "counts ×1e3")
    assert amplitude_scale(np.array([3e-7]), "m/s") == (1e-9, "m/s ×1e-9")
    assert amplitude_scale(np.array([12.0]), "counts") == (1.0, "counts")


def example_windows(n, fs=100.0):
    rng = np.random.default_rng(0)
    return [(f"XX.A 12:00:{i:02d}", rng.normal(0, 1e-6, int(10 * fs))) for i in range(n)]


def test_class_examples_have_a_waveform_and_a_spectrogram_each(tmp_path):
    fig = class_examples_figure({"silence": example_windows(2), "earthquake": example_windows(3)}, 100.0,
                                CLASSES, "m/s")
    plotted = [ax for ax in fig.axes if ax.axison and ax.get_ylabel()]
    waves = [ax for ax in plotted if ax.get_ylabel() == "m/s ×1e-6"]
    specs = [ax for ax in plotted if ax.get_ylabel() == "frequency (Hz)"]
    assert len(waves) == len(specs) == 5
    assert [ax.get_title(loc="left") for ax in waves] == ["XX.A 12:00:00", "XX.A 12:00:01", "XX.A 12:00:00",
                                                          "XX.A 12:00:01", "XX.A 12:00:02"]
    colorbars = [ax for ax in plotted if ax.get_ylabel().startswith("PSD")]
    assert [ax.get_ylabel() for ax in colorbars] == ["PSD (dB re 1 (m/s)²/Hz)"]
    assert sum(ax.get_xlabel() == "time in window (s)" for ax in fig.axes) == 2  # under each column with examples
    save_figure(fig, tmp_path / "examples.png")
    assert (tmp_path / "examples.png").read_bytes()[:4] == b"\x89PNG"


def test_misclassified_figure_heads_columns_by_true_class_and_says_when_none_are_wrong():
    fig = misclassified_figure({"tourists": example_windows(1)}, 100.0, CLASSES)
    headers = [sub._suptitle.get_text() for sub in fig.subfigs]
    assert headers == ["true silence", "true tourists", "true earthquake"]
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts.count("no wrong windows") == 2
    assert sum(ax.get_ylabel() == "frequency (Hz)" for ax in fig.axes) == 1


def test_feature_units_follow_the_preprocessed_unit():
    from seisclass.signal.context import ContextParameters
    from seisclass.signal.features import FeatureParameters
    from seisclass.signal.preprocess import PreprocessParameters
    from seisclass.signal.recipe import Recipe
    from seisclass.signal.windows import WindowParameters

    recipe = Recipe(PreprocessParameters(sampling_rate=100.0, remove_response="velocity"),
                    WindowParameters(components=("Z",)), FeatureParameters(), ContextParameters())
    units = recipe.feature_units()
    assert (units["Z_peak"], units["Z_energy"], units["Z_centroid_hz"], units["Z_kurtosis"]) == \
        ("m/s", "(m/s)² s", "Hz", "1")
    assert units["c60_level_db"] == "dB"
    counts = Recipe(PreprocessParameters(sampling_rate=100.0), WindowParameters(components=("Z",)), FeatureParameters())
    assert counts.feature_units()["Z_rms"] == "counts" and counts.feature_units()["Z_energy"] == "counts² s"


def test_feature_box_plots_carry_units():
    from seisclass.plots.data import feature_by_class_figure

    table = pd.DataFrame({"label": ["silence", "earthquake"] * 3, "Z_rms": [1.0, 9.0] * 3, "Z_kurtosis": [0.1, 3] * 3})
    fig = feature_by_class_figure(table, ["Z_rms", "Z_kurtosis"], CLASSES, {"Z_rms": "m/s", "Z_kurtosis": "1"})
    assert [ax.get_ylabel() for ax in fig.axes[:2]] == ["m/s", "dimensionless"]


def test_the_catalogue_counts_stations_in_whole_numbers():
    from seisclass.plots.events import catalogue_timeline_figure

    events = pd.DataFrame({"first_onset": pd.to_datetime(["2024-06-01 12:00", "2024-06-01 12:10"]),
                           "n_stations": [1, 1], "probability": [0.9, 0.5], "class": ["earthquake", "tourists"]})
    ax = catalogue_timeline_figure(events, CLASSES, "t").axes[0]
    low, high = ax.get_ylim()
    assert [t for t in ax.get_yticks() if low <= t <= high] == [1.0]


def test_candidate_thumbnails_carry_the_amplitude_unit_and_entropy_in_nats():
    from seisclass.plots.active_learning import thumbnails_figure

    rows = pd.DataFrame({"rank": [1], "network": ["XX"], "station": ["A"], "start": [pd.Timestamp("2024-06-01 12:00")],
                         "predicted": ["tourists"], "p_silence": [0.2], "p_tourists": [0.5], "p_earthquake": [0.3],
                         "entropy": [1.03]})
    ax = thumbnails_figure([np.full(100, 2e-4)], rows, 100.0, CLASSES, "m/s").axes[0]
    assert ax.get_ylabel() == "m/s ×1e-6" and ax.get_title().endswith("H 1.03 nats")
