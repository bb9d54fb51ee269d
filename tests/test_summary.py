"""The report's headline: data volume counted from the tables, figures copied from the metrics."""

import pandas as pd
import pytest

from seisclass.learn.summary import data_volume, headline_html

pytestmark = pytest.mark.unit
CLASSES = ["quiet", "event"]


def test_volume_counts_station_days_windows_and_skipped_files():
    availability = pd.DataFrame({
        "station": ["XX.A", "XX.A", "XX.B", ""], "day": ["2024-01-01", "2024-01-01", "2024-01-02", ""],
        "traces": [1, 1, 0, 0], "status": ["ok", "ok", "no_data", "skipped_file"]})
    counts = pd.DataFrame({"label": ["quiet", "event", "unlabeled"], "total": [10, 3, 7]})
    volume = data_volume(counts, availability)
    assert volume == {"stations": 2, "station_days": 2, "station_days_with_data": 1, "skipped_files": 1,
                      "windows": 20, "labelled": {"quiet": 10, "event": 3, "unlabeled": 7}}


def test_headline_shows_the_comparison_and_both_cross_validation_levels():
    comparison = pd.DataFrame({"model": ["rf", "cnn"], "balanced_accuracy": [0.91, 0.8], "f1_macro": [0.9, 0.7],
                               "recall_quiet": [0.99, 0.9], "recall_event": [0.83, 0.7]})
    per_class = {"quiet": {"recall": 0.97}, "event": {"recall": 0.756}}
    cv = {"balanced_accuracy": 0.88, "f1_macro": 0.87, "per_class": per_class,
          "per_interval": {"balanced_accuracy": 0.912, "f1_macro": 0.9, "per_class": per_class}}
    volume = {"stations": 2, "station_days": 3, "station_days_with_data": 2, "skipped_files": 0, "windows": 5,
              "labelled": {"quiet": 4, "<event>": 1}}
    page = headline_html(volume, comparison, cv, CLASSES)
    assert "0.910" in page and "0.830" in page and "per interval" in page and "0.912" in page
    assert "&lt;event&gt;" in page and "<event>" not in page  # labels are escaped
