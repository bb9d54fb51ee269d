"""The headline of a study: what was classified, how well, with pointers to the details.

One HTML fragment for the first section of the report: the data volume
(stations, station-days, windows, labelled windows per class), the model
comparison on the test split (balanced accuracy, macro F1, per-class recall),
the grouped cross-validation of the forest per window and per interval (with its
calibration error), and its events: precision, recall and F1 per event class.
:func:`headline_reading` says in plain sentences what these figures mean; the
report's landing page shows it beside the headline figure.
"""

from __future__ import annotations

import html

import pandas as pd


def data_volume(class_counts: pd.DataFrame, availability: pd.DataFrame) -> dict:
    """Stations, station-days (with data), windows and labelled windows per class."""
    days = availability[availability["station"] != ""].drop_duplicates(["station", "day"])
    counts = class_counts.set_index("label")["total"]
    return {"stations": int(days["station"].nunique()), "station_days": int(len(days)),
            "station_days_with_data": int((days["traces"] > 0).sum()),
            "skipped_files": int((availability["status"] == "skipped_file").sum()),
            "windows": int(counts.sum()), "labelled": {str(k): int(v) for k, v in counts.items()}}


def headline_level(cv: dict) -> tuple[str, dict]:
    """The most telling level of a cross-validation: per interval (calibrated when it was), else per window."""
    calibrated = cv.get("calibrated") or {}
    for name, metrics in (("per interval, calibrated", calibrated.get("per_interval")),
                          ("per interval", cv.get("per_interval")), ("per window, calibrated", calibrated or None),
                          ("per window", cv)):
        if metrics and "per_class" in metrics:
            return name, metrics
    raise ValueError("the cross-validation has no metrics")


def headline_reading(cv: dict, classes: list[str], events: dict | None = None,
                     model: str = "The random forest") -> list[str]:
    """Plain sentences reading the headline: overall skill, the weakest class and what it is taken for, events."""
    level, metrics = headline_level(cv)
    recall = {c: metrics["per_class"][c]["recall"] for c in classes if c in metrics["per_class"]}
    weakest = min(recall, key=recall.get)
    sentences = [f"{model} scores a balanced accuracy of {metrics['balanced_accuracy']:.2f} ({level}) in the "
                 f"{cv.get('folds', 'k')}-fold cross-validation whose folds never split an event."]
    matrix = (metrics.get("confusion_matrix") or {}).get("matrix")
    confused = ""
    if matrix is not None:
        row = dict(zip(metrics["confusion_matrix"]["labels"], matrix[classes.index(weakest)], strict=True))
        others = {c: n for c, n in row.items() if c != weakest and n > 0}
        if others:
            worst = max(others, key=others.get)
            confused = f"; {others[worst] / max(sum(row.values()), 1):.0%} of them are called {worst}"
    sentences.append(f"It finds {recall[weakest]:.2f} of the {weakest} intervals, its weakest class{confused}. "
                     f"The other classes: " + ", ".join(f"{c} {r:.2f}" for c, r in recall.items() if c != weakest)
                     + " (recall).")
    scored = ((events or {}).get("network") or {}).get("classes") or {}
    if scored:
        parts = [f"{c}: precision {m['precision']:.2f}, recall {m['recall']:.2f} of {m['reference_events']} events"
                 for c, m in scored.items()]
        sentences.append("As a catalogue (one event per physical event, what events.csv holds): "
                         + "; ".join(parts) + ".")
    return sentences


def headline_html(volume: dict, comparison: pd.DataFrame, cross_validation: dict, classes: list[str],
                  events: dict | None = None) -> str:
    """The headline as an HTML fragment (tables, no scripts); ``events``: ``events.json``."""
    labelled = ", ".join(f"{html.escape(k)} {v:,}" for k, v in volume["labelled"].items())
    rows = ["<h2>Headline</h2>"]
    if cross_validation:
        rows.append("<p><b>" + html.escape(" ".join(headline_reading(cross_validation, classes, events)))
                    + "</b></p>")
    rows += [
            f"<p>{volume['stations']} stations, {volume['station_days']} station-days "
            f"({volume['station_days_with_data']} with data, {volume['skipped_files']} files skipped: see 1. Data), "
            f"{volume['windows']:,} windows; by label: {labelled}.</p>",
            "<h3>Models on the test split</h3>", _table(comparison, classes)]
    if cross_validation:
        rows += ["<h3>Random forest, grouped cross-validation (events never split across folds)</h3>",
                 _cv_table(cross_validation, classes), _calibration_text(cross_validation),
                 _domain_text(cross_validation.get("domain"))]
    if events:
        rows += ["<h3>Events of the cross-validation (what a user receives: events.csv)</h3>", _events_table(events),
                 _events_text(events)]
    return "\n".join(rows) + "\n"


def headline_rst(sentences: list[str], figure_png: bytes | None = None) -> str:
    """The reading (and the headline figure, embedded as a data URI) as reStructuredText for the
    report's landing page (included by workflow/report/workflow.rst)."""
    import base64

    def escape(text: str) -> str:
        return "".join("\\" + ch if ch in "*`_|\\" else ch for ch in text)

    text = "\n".join(f"**{escape(s)}**" if k == 0 else escape(s) for k, s in enumerate(sentences)) + "\n"
    if figure_png:  # the URI over short indented lines (docutils joins them; it refuses lines > 10,000 chars)
        uri = "data:image/png;base64," + base64.b64encode(figure_png).decode("ascii")
        lines = "\n".join("   " + uri[i:i + 76] for i in range(0, len(uri), 76))
        text += f"\n.. image::\n{lines}\n   :width: 100%\n   :alt: headline figure\n"
    return text


def _table(comparison: pd.DataFrame, classes: list[str]) -> str:
    columns = ["model", "balanced_accuracy", "f1_macro", *[f"recall_{c}" for c in classes]]
    present = [c for c in columns if c in comparison.columns]
    return comparison[present].to_html(index=False, float_format=lambda v: f"{v:.3f}", border=1)


def _cv_table(cv: dict, classes: list[str]) -> str:
    rows = []
    calibrated = cv.get("calibrated") or {}
    levels = (("per window", cv), ("per interval", cv.get("per_interval") or {}),
              ("per window, calibrated", calibrated),
              ("per interval, calibrated", calibrated.get("per_interval") or {}))
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
        text += (f", calibrated ({html.escape(str(cv['calibrated'].get('method')))}, fitted on the other folds) "
                 f"{after:.3f}")
    return f"<p>{text}.</p>"


def _domain_text(domain: dict | None) -> str:
    """The domain check out of fold: stations flagged, and how often flagged windows are wrong."""
    if not domain or not domain.get("stations"):
        return ""
    text = (f"Domain check out of fold (each held-out window against its fold's training windows; a station "
            f"is flagged when over {domain['threshold']:.0%} of its windows lie outside): "
            f"{domain['flagged_stations']} of {domain['stations']} station(s) flagged "
            f"({domain['flagged_station_share']:.1%}); {domain['outside_windows']:,} of {domain['windows']:,} "
            "labelled windows outside")
    if domain.get("error_rate_outside") is not None:
        text += (f", misclassified {domain['error_rate_outside']:.1%} of the time, the others "
                 f"{domain['error_rate_inside']:.1%}")
    return f"<p>{html.escape(text)}.</p>"


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
