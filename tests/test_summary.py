"""The report's headline: data volume counted from the tables, figures copied from the metrics."""

import pandas as pd
import pytest

from seisclass.learn.summary import (
    data_volume,
    headline_html,
    headline_level,
    headline_reading,
    headline_rst,
)

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


def test_the_reading_names_the_weakest_class_and_what_it_is_taken_for():
    classes = ["silence", "tourists", "earthquake"]
    per_class = {"silence": {"recall": 0.99}, "tourists": {"recall": 0.9}, "earthquake": {"recall": 0.41}}
    matrix = [[99, 1, 0], [5, 90, 5], [52, 7, 41]]  # earthquakes: 41 found, 52 called silence, 7 tourists
    cv = {"folds": 5, "balanced_accuracy": 0.7, "per_class": per_class,
          "per_interval": {"balanced_accuracy": 0.767, "per_class": per_class,
                           "confusion_matrix": {"labels": classes, "matrix": matrix}}}
    events = {"network": {"classes": {"earthquake": {"precision": 0.5, "recall": 0.25, "reference_events": 8}}}}
    first, second, third = headline_reading(cv, classes, events)
    assert "0.77 (per interval)" in first and "5-fold" in first
    assert second.startswith("It finds 0.41 of the earthquake intervals") and "52% of them are called silence" in second
    assert "silence 0.99, tourists 0.90" in second
    assert "earthquake: precision 0.50, recall 0.25 of 8 events" in third
    assert headline_level({**cv, "calibrated": {"per_interval": cv["per_interval"]}})[0] == "per interval, calibrated"
    assert headline_level({"per_class": per_class})[0] == "per window"


def test_the_reading_is_safe_restructured_text():
    text = headline_rst(["A *bold* claim_ with `ticks`", "second"])
    assert text.startswith("**A \\*bold\\* claim\\_ with \\`ticks\\`**") and text.endswith("second\n")
    from docutils.core import publish_parts

    page = publish_parts(headline_rst(["Reading."], b"\x89PNG fake"), writer_name="html")["html_body"]
    assert '<img alt="headline figure" src="data:image/png;base64,iVBORyBmYWtl"' in page
    import base64

    figure = bytes(range(256)) * 200  # a 51-kB "figure": its URI is far longer than docutils' line limit
    page = publish_parts(headline_rst(["Reading."], figure), writer_name="html",
                         settings_overrides={"halt_level": 2})["html_body"]
    assert "data:image/png;base64," + base64.b64encode(figure).decode() in page and "Reading." in page


def test_the_headline_states_the_out_of_fold_domain_check():
    from seisclass.learn.summary import _domain_text

    domain = {"threshold": 0.3, "stations": 40, "flagged_stations": 2, "flagged_station_share": 0.05,
              "windows": 1000, "outside_windows": 30, "error_rate_outside": 0.2, "error_rate_inside": 0.05}
    text = _domain_text(domain)
    assert "over 30% of its windows" in text and "2 of 40 station(s) flagged (5.0%)" in text
    assert "30 of 1,000 labelled windows outside, misclassified 20.0% of the time, the others 5.0%" in text
    assert _domain_text(None) == "" and _domain_text({"stations": 0}) == ""
