"""The headline of a study: what was classified, how well, with pointers to the details.

One HTML fragment for the first section of the report: the data volume
(stations, station-days, windows, labelled windows per class), the model
comparison on the test split (balanced accuracy, macro F1, per-class recall)
and the grouped cross-validation of the forest, per window and per interval.
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


def headline_html(volume: dict, comparison: pd.DataFrame, cross_validation: dict, classes: list[str]) -> str:
    """The headline as an HTML fragment (tables, no scripts)."""
    labelled = ", ".join(f"{html.escape(k)} {v:,}" for k, v in volume["labelled"].items())
    rows = ["<h2>Headline</h2>",
            f"<p>{volume['stations']} stations, {volume['station_days']} station-days "
            f"({volume['station_days_with_data']} with data, {volume['skipped_files']} files skipped: see 1. Data), "
            f"{volume['windows']:,} windows; by label: {labelled}.</p>",
            "<h3>Models on the test split</h3>", _table(comparison, classes)]
    if cross_validation:
        rows += ["<h3>Random forest, grouped cross-validation (events never split across folds)</h3>",
                 _cv_table(cross_validation, classes)]
    rows.append("<p>Sections: " + " | ".join(html.escape(s) for s in SECTIONS) + "</p>")
    return "\n".join(rows) + "\n"


def _table(comparison: pd.DataFrame, classes: list[str]) -> str:
    columns = ["model", "balanced_accuracy", "f1_macro", *[f"recall_{c}" for c in classes]]
    present = [c for c in columns if c in comparison.columns]
    return comparison[present].to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1)


def _cv_table(cv: dict, classes: list[str]) -> str:
    rows = []
    for level, m in (("per window", cv), ("per interval", cv.get("per_interval") or {})):
        if m:
            rows.append({"level": level, "balanced_accuracy": m["balanced_accuracy"], "f1_macro": m["f1_macro"],
                         **{f"recall_{c}": m["per_class"][c]["recall"] for c in classes}})
    return pd.DataFrame(rows).to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1)
