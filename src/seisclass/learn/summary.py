"""The headline of a study: what was classified, how well, with pointers to the details.

One HTML fragment for the first section of the report: the data volume
(stations, station-days, windows, labelled windows per class), the model
comparison on the test split (balanced accuracy, macro F1, per-class recall),
the grouped cross-validation of the forest per window and per interval (with its
calibration error), and its events: precision, recall and F1 per event class.
"""

from __future__ import annotations

import html

import pandas as pd

SECTIONS = ("1. Data", "2. Features", "3. Random forest", "4. Exploration", "5. Explanations",
            "6. Model comparison", "7. Label next", "8. Detections")


def data_volume(class_counts: pd.DataFrame, availability: pd.DataFrame) -> dict:
    """Stations, station-days (with data), windows and labelled windows per class."""
    days = availability[availability["station"] != ""].drop_duplicates(["station", "day"])
    counts = class_counts.set_index("label")["total"]
    return {"stations": int(days["station"].nunique()), "station_days": int(len(days)),
            "station_days_with_data": int((days["traces"] > 0).sum()),
            "skipped_files": int((availability["status"] == "skipped_file").sum()),
            "windows": int(counts.sum()), "labelled": {str(k): int(v) for k, v in counts.items()}}


def headline_html(volume: dict, comparison: pd.DataFrame, cross_validation: dict, classes: list[str],
                  events: dict | None = None) -> str:
    """The headline as an HTML fragment (tables, no scripts); ``events``: ``events.json``."""
    labelled = ", ".join(f"{html.escape(k)} {v:,}" for k, v in volume["labelled"].items())
    rows = ["<h2>Headline</h2>",
            f"<p>{volume['stations']} stations, {volume['station_days']} station-days "
            f"({volume['station_days_with_data']} with data, {volume['skipped_files']} files skipped: see 1. Data), "
            f"{volume['windows']:,} windows; by label: {labelled}.</p>",
            "<h3>Models on the test split</h3>", _table(comparison, classes)]
    if cross_validation:
        rows += ["<h3>Random forest, grouped cross-validation (events never split across folds)</h3>",
                 _cv_table(cross_validation, classes), _calibration_text(cross_validation)]
    if events:
        rows += ["<h3>Events of the cross-validation (what a user receives: events.csv)</h3>", _events_table(events),
                 _events_text(events)]
    rows.append("<p>Sections: " + " | ".join(html.escape(s) for s in SECTIONS) + "</p>")
    return "\n".join(rows) + "\n"


def _table(comparison: pd.DataFrame, classes: list[str]) -> str:
    columns = ["model", "balanced_accuracy", "f1_macro", *[f"recall_{c}" for c in classes]]
    present = [c for c in columns if c in comparison.columns]
    return comparison[present].to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1)


def _cv_table(cv: dict, classes: list[str]) -> str:
    rows = []
    calibrated = cv.get("calibrated") or {}
    levels = (("per window", cv), ("per interval", cv.get("per_interval") or {}),
              ("per window, calibrated", calibrated), ("per interval, calibrated", calibrated.get("per_interval") or {}))
    for level, m in levels:
        if m:
            rows.append({"level": level, "balanced_accuracy": m["balanced_accuracy"], "f1_macro": m["f1_macro"],
                         **{f"recall_{c}": m["per_class"][c]["recall"] for c in classes}})
    return pd.DataFrame(rows).to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1)


def _calibration_text(cv: dict) -> str:
    before = (cv.get("calibration_error") or {}).get("top_label")
    after = ((cv.get("calibrated") or {}).get("calibration_error") or {}).get("top_label")
    if before is None:
        return ""
    text = f"Top-label expected calibration error of the out-of-fold windows: {before:.3f}"
    if after is not None:
        text += f", calibrated ({html.escape(str(cv['calibrated'].get('method')))}, fitted on the other folds) {after:.3f}"
    return f"<p>{text}.</p>"


def _events_table(events: dict) -> str:
    rows = []
    for kind, label in (("network", "network class"), ("station", "station's own class")):
        for c, m in (events.get(kind) or {}).get("classes", {}).items():
            rows.append({"class": c, "scored by": label, "precision": m["precision"],
                         "precision_labelled": m["precision_labelled"], "recall": m["recall"], "f1": m["f1"],
                         "reference_events": m["reference_events"], "reported_events": m["reported_events"]})
    return pd.DataFrame(rows).to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1, na_rep="-")


def _events_text(events: dict) -> str:
    network = events.get("network") or {}
    per, coda = network.get("reported_per_reference"), network.get("coda_as_other")
    return (f"<p>{events.get('network_events', 0)} network events from {events.get('station_events', 0)} station "
            f"events; {network.get('missed', 0)} of {network.get('reference_events', 0)} reference events missed; "
            f"{per if per is None else f'{per:.2f}'} reported events per found event; a coda reported as an event "
            f"of another class after {coda if coda is None else f'{100 * coda:.1f} %'} of them.</p>")
