"""The model card: what a saved model says about itself (plain JSON types only).

Every model file carries a card with

- ``format`` (:data:`FORMAT`), ``name`` (``rf``, ``cnn``, ``lstm``), ``description``;
- ``classes``, in the order of the probability columns;
- ``recipe``: the station-day recipe it was trained with, written from the
  :class:`~seisclass.signal.recipe.Recipe` object (``preprocess``, ``windows`` and,
  for a model on features, ``features`` and ``context``), never assembled by hand;
- ``training_data``: windows per class, stations and UTC span (:func:`training_summary`);
- ``versions`` of the libraries, plus what each model type adds (feature names,
  decision weights, calibration, architecture, ...).
"""

from __future__ import annotations

import platform

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import format_time, station_ids
from seisclass.signal.recipe import Recipe

FORMAT = "seisclass-model-2"
DESCRIPTIONS = {"rf": "random forest on window features", "cnn": "1-D CNN on the waveform",
                "lstm": "LSTM on short-time spectra of the waveform"}


def plain(obj):
    """``obj`` with only built-in types (dict, list, str, int, float, bool, None)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, str):
        return str(obj)
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in model metadata")


def training_summary(rows: pd.DataFrame, classes: list[str]) -> dict:
    """Windows per class, stations (``NET.STA[.LOC]``) and UTC span of the windows a model was fitted on."""
    counts = rows["label"].value_counts()
    return {
        "n_windows": int(len(rows)),
        "windows_per_class": {c: int(counts.get(c, 0)) for c in classes},
        "stations": sorted(set(station_ids(rows))) if len(rows) else [],
        "start": format_time(rows["start"].min()) if len(rows) else None,
        "end": format_time(rows["end"].max()) if len(rows) else None,
    }


def library_versions(*packages: str) -> dict:
    """Versions of seisclass, Python and the libraries a model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    import seisclass

    out = {"seisclass": seisclass.__version__, "python": platform.python_version()}
    for name in ("numpy", "scipy", "pandas", "obspy", *packages):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def model_card(name: str, classes: list[str], recipe: Recipe, training_data: dict, packages: tuple[str, ...],
               **extra) -> dict:
    """The card stored with a model (plain types); ``training_data`` is :func:`training_summary`."""
    card = {"format": FORMAT, "name": name, "description": DESCRIPTIONS.get(name, name), "classes": list(classes),
            "recipe": recipe.to_card(), "training_data": training_data, "versions": library_versions(*packages)}
    return plain({**card, **extra})


def skill_summary(cross_validation: dict | None, events: dict | None) -> dict:
    """The figures a card records from ``rf_cv.json`` and ``events.json`` (the calibrated ones where present)."""
    out = {}
    if cross_validation:
        cv = cross_validation.get("calibrated") or cross_validation
        interval = cv.get("per_interval") or {}
        out["cross_validation"] = {
            "per_window": cv.get("balanced_accuracy"), "per_interval": interval.get("balanced_accuracy"),
            "recall_per_interval": {c: m["recall"] for c, m in (interval.get("per_class") or {}).items()},
            "ece": (cv.get("calibration_error") or {}).get("top_label"),
            "folds": cross_validation.get("folds"), "calibrated": "calibrated" in cross_validation}
    if events:
        out["events"] = {c: {k: m.get(k) for k in ("precision", "recall", "f1")}
                         for c, m in ((events.get("network") or {}).get("classes") or {}).items()}
    return out


def describe(card: dict, path: str = "", verbose: bool = False) -> str:
    """The model card as text (``seisclass info``): classes, recipe, training data and skill; ``verbose``
    adds the stations, the settings and the library versions."""
    recipe = card.get("recipe") or {}
    pre, win = recipe.get("preprocess") or {}, recipe.get("windows") or {}
    data = card.get("training_data") or {}
    band = pre.get("bandpass_hz")
    context = (recipe.get("context") or {}).get("enabled")
    lines = [
        ("model", f"{card.get('name')} ({card.get('description', '')})" + (f", file {path}" if path else "")),
        ("classes", ", ".join(card.get("classes", []))
         + (f" (not events: {', '.join(card['background_classes'])})" if card.get("background_classes") else "")),
        ("recipe", f"{_value(pre.get('sampling_rate'))} Hz, band-pass "
                   f"{'-'.join(f'{f:g}' for f in band) if band else 'unknown'} Hz, response removed: "
                   f"{pre.get('remove_response') or 'no (counts)'}; windows {_value(win.get('length_s'))} s every "
                   f"{_value(win.get('step_s'))} s on {' '.join(win.get('components') or []) or 'unknown'}"
                   + (f"; {len(card['feature_names'])} features" if card.get("feature_names") else "")
                   + ("" if not card.get("feature_names") else " with context" if context else " without context")),
    ]
    if card.get("input"):
        lines.append(("input", ", ".join(f"{k} {v}" for k, v in card["input"].items())))
    per_class = ", ".join(f"{c} {n}" for c, n in (data.get("windows_per_class") or {}).items())
    stations = data.get("stations") or []
    lines.append(("training data", f"{_value(data.get('n_windows'))} windows ({per_class or 'unknown'}), "
                                   f"{len(stations)} station(s), "
                                   f"{data.get('start') or '?'} to {data.get('end') or '?'}"))
    fitted = data.get("fitted") or {}
    if fitted.get("sampled"):
        lines.append(("fitted on", f"a class-stratified sample of {fitted['n_windows']} windows ("
                                   + ", ".join(f"{c} {n}" for c, n in fitted["windows_per_class"].items())
                                   + f"; max_training_windows {fitted['max_training_windows']}, "
                                   f"seed {fitted['seed']})"))
    calibration = (card.get("calibration") or {}).get("method")
    if calibration:
        lines.append(("calibration", calibration))
    lines += skill_lines(card.get("skill") or {})
    if verbose:
        lines.append(("stations", " ".join(stations) or "unknown"))
        lines += [(f"recipe.{name}", str(values)) for name, values in recipe.items()]
        versions = card.get("versions") or {}
        lines.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "unknown"))
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in lines)


def skill_lines(skill: dict) -> list[tuple[str, str]]:
    """The cross-validated skill recorded in a card, as ``(label, text)`` lines."""
    out = []
    cv = skill.get("cross_validation") or {}
    if cv:
        recall = ", ".join(f"{c} {v:.3f}" for c, v in (cv.get("recall_per_interval") or {}).items())
        out.append(("skill (grouped CV)", f"balanced accuracy per window {cv.get('per_window', float('nan')):.3f}, "
                                          f"per interval {cv.get('per_interval', float('nan')):.3f}"
                                          + (f" (recall {recall})" if recall else "")
                                          + (f"; top-label ECE {cv['ece']:.3f}" if cv.get("ece") is not None else "")))
    events = skill.get("events") or {}
    if events:
        out.append(("events (grouped CV)", ", ".join(
            f"{c} F1 {m['f1']:.3f} (precision {m['precision']:.3f}, recall {m['recall']:.3f})"
            for c, m in events.items() if m.get("f1") is not None)))
    return out


def _value(v) -> str:
    return "unknown" if v is None else f"{v:g}" if isinstance(v, float) else str(v)
