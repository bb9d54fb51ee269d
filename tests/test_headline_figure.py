"""The report's headline figure: the event it shows and a real image."""

import numpy as np
import pandas as pd
import pytest

from seisclass.core.io import save_figure
from seisclass.plots.headline import headline_event, headline_figure

pytestmark = pytest.mark.unit
CLASSES = ["silence", "tourists", "earthquake"]


def test_the_event_shown_is_the_most_probable_of_the_class_found_least_often():
    events = pd.DataFrame({"class": ["tourists", "earthquake", "earthquake"], "probability": [0.99, 0.6, 0.8],
                           "station": ["A", "B", "C"]})
    recall = {"silence": 0.2, "tourists": 0.9, "earthquake": 0.41}  # silence is no event class
    assert headline_event(events, recall)["station"] == "C"
    assert headline_event(events.iloc[:0], recall) is None


def test_the_headline_figure_is_a_png_with_both_panels(tmp_path):
    t = np.arange(-30, 90, 0.05)
    samples = np.random.default_rng(0).normal(0, 1, t.size) * (1 + 20 * np.exp(-np.clip(t, 0, None) / 10) * (t > 0))
    centres = np.arange(-25, 85, 5.0)
    windows = pd.DataFrame({"centre_s": centres, "s_silence": (centres < 0) * 0.9 + 0.05,
                            "s_tourists": np.full(centres.size, 0.05), "s_earthquake": (centres >= 0) * 0.9 + 0.05})
    example = {"times": t, "samples": samples, "windows": windows, "end_s": 55.0, "class": "earthquake",
               "label": "XX.A 2024-06-01 12:00:00: earthquake p=0.95"}
    fig = headline_figure([[99, 1, 0], [5, 90, 5], [52, 7, 41]], CLASSES, "per interval", example, "headline",
                          "counts, 1-15 Hz")
    assert [ax.get_ylabel() for ax in fig.axes] == ["true class (fraction of its row)", "counts, 1-15 Hz",
                                                    "probability (smoothed)"]
    save_figure(fig, tmp_path / "headline.png")
    assert (tmp_path / "headline.png").read_bytes()[:4] == b"\x89PNG"
    empty = headline_figure(np.eye(3), CLASSES, "per interval", None, "headline")
    assert "no event detected" in [t.get_text() for t in empty.axes[1].texts]
