"""Continuous classification: smooth window probabilities over time and merge them into segments.

1. A model (:class:`seisclass.learn.classifier.WindowClassifier`) gives every window of
   the grid its class probabilities ``p_<class>`` (labelled or not).
2. :func:`smooth` averages each class probability over ``k`` consecutive
   windows (centred moving average) inside runs of contiguous windows; a gap
   (a missing window) ends a run, so nothing is averaged across gaps.
3. :func:`segments` gives each window the class of its largest smoothed
   probability and merges consecutive windows of one class into a segment
   from the first window's start to the last window's end (adjacent segments
   overlap by window length minus step).

Segment tables have the columns :data:`SEGMENT_COLUMNS`: the station keys, the
``model`` name, ``class``, ``start``/``end`` (UTC), ``peak_time`` (the centre of
the segment's window with the largest smoothed probability of the class),
``peak_probability`` (that probability), ``mean_probability`` (its mean over the
segment's windows) and ``n_windows``. Events (an extent and one class per physical event) are
:mod:`seisclass.events.detect`'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import (
    MODELS,
    PROBABILITY_PREFIX,
    epoch_seconds,
    probability_columns,
    to_timestamps,
)

MODEL_KINDS = MODELS
STATION_COLUMNS = ["network", "station", "location", "channel"]
SEGMENT_COLUMNS = [*STATION_COLUMNS, "model", "class", "start", "end", "peak_time", "peak_probability",
                   "mean_probability", "n_windows"]


@config_section("detections")
class DetectionParameters(ConfigSection):
    """Config section ``detections``."""

    model: str
    smoothing_windows: int
    exclude_classes: tuple[str, ...]

    def _check_settings(self, settings) -> None:
        classes = settings["study"].classes
        unknown = [c for c in self.exclude_classes if c not in classes]
        if unknown:
            raise self.error(f"detections.exclude_classes: {unknown} not among the configured classes "
                             f"{list(classes)}")


# Model files written by training; `classify` must apply a copy elsewhere, or it would retrain.
TRAINED_MODEL_FILES = ("results/models/rf.skops", "results/models/cnn.pt", "results/models/lstm.pt")
MODEL_SUFFIXES = (".skops", ".pt")


@config_section("classify")
class ClassifyParameters(ConfigSection):
    """Config section ``classify``: the saved model that ``snakemake classify`` applies."""

    model: str

    def _check(self) -> None:
        import os

        if not self.model.endswith(MODEL_SUFFIXES):
            raise self.error(f"classify.model: {self.model!r} must be a .skops (random forest) or .pt "
                             "(CNN/LSTM) file")
        if os.path.normpath(self.model) in TRAINED_MODEL_FILES:
            raise self.error(f"classify.model: {self.model} is written by training, so `classify` would "
                             "retrain; copy it elsewhere (e.g. models/) and point classify.model there")


def runs(starts: np.ndarray, step_s: float) -> np.ndarray:
    """Run id per window: consecutive windows (start difference = ``step_s``) share a run."""
    starts = np.asarray(starts, float)
    if len(starts) == 0:
        return np.zeros(0, dtype=int)
    breaks = ~np.isclose(np.diff(starts), step_s, atol=1e-3 * step_s)
    return np.concatenate([[0], np.cumsum(breaks)])


def smooth(probabilities: np.ndarray, starts: np.ndarray, step_s: float, k: int) -> np.ndarray:
    """Centred moving average over ``k`` windows within contiguous runs (edges use fewer windows).

    ``probabilities (n, n_classes)``, rows sorted by ``starts`` (s). ``k = 1`` returns a copy.
    """
    p = np.asarray(probabilities, float)
    n = len(p)
    if k <= 1 or n == 0:
        return p.copy()
    run = runs(starts, step_s)
    index = np.arange(n)
    first = np.searchsorted(run, run, side="left")
    last = np.searchsorted(run, run, side="right") - 1
    lo = np.maximum(index - (k - 1) // 2, first)
    hi = np.minimum(index + k // 2, last)
    cumulative = np.vstack([np.zeros((1, p.shape[1])), np.cumsum(p, axis=0)])
    return (cumulative[hi + 1] - cumulative[lo]) / (hi - lo + 1)[:, None]


def segments(starts: np.ndarray, ends: np.ndarray, probabilities: np.ndarray,
             classes: list[str], step_s: float) -> pd.DataFrame:
    """Merge consecutive windows of the same most likely class into segments.

    Returns ``start, end`` (s, epoch), ``class``, ``peak_time`` (s, epoch: centre of
    the window with the largest probability of the class; the first on ties),
    ``peak_probability``, ``mean_probability`` and ``n_windows``.
    """
    starts, ends = np.asarray(starts, float), np.asarray(ends, float)
    p = np.asarray(probabilities, float)
    if len(p) == 0:
        return pd.DataFrame({"start": [], "end": [], "class": [], "peak_time": [], "peak_probability": [],
                             "mean_probability": [], "n_windows": []})
    best = p.argmax(axis=1)
    run = runs(starts, step_s)
    new = np.concatenate([[True], (best[1:] != best[:-1]) | (run[1:] != run[:-1])])
    segment = np.cumsum(new) - 1
    chosen = p[np.arange(len(p)), best]
    n_windows = np.bincount(segment)
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:], [len(p)]]) - 1
    order = np.lexsort((-chosen, segment))  # per segment, largest probability first (stable: earliest on ties)
    peak = order[np.searchsorted(segment[order], np.arange(len(first)))]
    return pd.DataFrame({
        "start": starts[first], "end": ends[last],
        "class": np.asarray(classes, dtype=object)[best[first]],
        "peak_time": (starts[peak] + ends[peak]) / 2, "peak_probability": chosen[peak],
        "mean_probability": np.bincount(segment, weights=chosen) / n_windows,
        "n_windows": n_windows,
    })


def station_detections(windows: pd.DataFrame, classes: list[str], step_s: float, k: int,
                       exclude: tuple[str, ...] = (), model: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smoothed window table and segment table (:data:`SEGMENT_COLUMNS`) of one station and band.

    ``windows`` holds the key columns and ``p_<class>`` (rows with NaN
    probabilities are dropped, repeated windows kept once); the smoothed table
    adds ``s_<class>`` and ``class``. Segment times are UTC timestamps; segments
    of ``exclude`` classes are dropped.
    """
    unknown = sorted(set(exclude) - set(classes))
    if unknown:
        raise ValueError(f"detections.exclude_classes: {unknown} are not among the model's classes {classes}")
    columns = probability_columns(classes)
    windows = windows.dropna(subset=columns).drop_duplicates(["start"]).sort_values("start", ignore_index=True)
    starts, ends = epoch_seconds(windows["start"]), epoch_seconds(windows["end"])
    smoothed = smooth(windows[columns].to_numpy(), starts, step_s, k)
    out = windows.copy()
    for j, c in enumerate(classes):
        out[f"s_{c}"] = smoothed[:, j]
    out["class"] = np.asarray(classes, dtype=object)[smoothed.argmax(axis=1)] if len(out) else []
    table = segments(starts, ends, smoothed, classes, step_s)
    table = table[~table["class"].isin(exclude)].reset_index(drop=True)
    for column in ("start", "end", "peak_time"):
        table[column] = to_timestamps(table[column].to_numpy(float))
    for column in STATION_COLUMNS:
        table[column] = windows[column].iloc[0] if len(windows) else ""
    table["model"] = model
    return out, table[SEGMENT_COLUMNS]


def detect_segments(probabilities: pd.DataFrame, classes: list[str], step_s: float, k: int,
                    exclude: tuple[str, ...] = (), model: str = "") -> pd.DataFrame:
    """Segments (:data:`SEGMENT_COLUMNS`) of every station and band of a probability table."""
    return all_detections(probabilities, classes, step_s, k, exclude, model)[1]


def all_detections(probabilities: pd.DataFrame, classes: list[str], step_s: float, k: int,
                   exclude: tuple[str, ...] = (), model: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`station_detections` of every station and band (one loop per station, none per window)."""
    parts = [station_detections(rows, classes, step_s, k, exclude, model)
             for _, rows in probabilities.groupby(STATION_COLUMNS, sort=True)]
    if not parts:
        return station_detections(probabilities.iloc[:0], classes, step_s, k, exclude, model)
    return (pd.concat([p[0] for p in parts], ignore_index=True), pd.concat([p[1] for p in parts], ignore_index=True))


def probability_classes(table: pd.DataFrame) -> list[str]:
    """Class names of the ``p_<class>`` columns of a probability table, in column order."""
    return [c[len(PROBABILITY_PREFIX):] for c in table.columns if c.startswith(PROBABILITY_PREFIX)]


def read_probabilities(paths: list[str]) -> tuple[pd.DataFrame, list[str], str]:
    """Concatenated probability files, their classes and the model name (``attrs["model"]``)."""
    tables = [pd.read_parquet(path) for path in paths]
    if not tables:
        raise ValueError("no probability files to read")
    names = {t.attrs.get("model", "") for t in tables}
    if len(names) > 1:
        raise ValueError(f"probability files of different models {sorted(names)}: {list(paths)[:3]} ...")
    classes = [probability_classes(t) for t in tables]
    if any(c != classes[0] for c in classes):
        raise ValueError(f"probability files with different classes: {classes[0]} and others, e.g. {paths[0]}")
    return pd.concat(tables, ignore_index=True), classes[0], names.pop()


# ----------------------------------------------------------------- probability traces


def probability_stream(table: pd.DataFrame, classes: list[str], name: str, length_s: float, step_s: float):
    """ObsPy traces of a probability table: see :meth:`seisclass.learn.classifier.WindowClassifier.annotate`."""
    from obspy import Stream, Trace, UTCDateTime

    out = Stream()
    for (network, station, location, band), rows in table.groupby(
            ["network", "station", "location", "channel"], sort=True):
        rows = rows.drop_duplicates("start").sort_values("start")
        starts = epoch_seconds(rows["start"])
        run = runs(starts, step_s)
        for r in np.unique(run):
            first = int(np.argmax(run == r))
            for c in classes:
                header = {"network": network, "station": station, "location": location,
                          "channel": f"{name}_{c}", "sampling_rate": 1.0 / step_s,
                          "starttime": UTCDateTime(starts[first] + length_s / 2)}
                trace = Trace(rows[f"p_{c}"].to_numpy(np.float64)[run == r], header=header)
                trace.stats.seisclass = {"band": band, "model": name, "class": c, "window_length_s": length_s,
                                         "sample_time": "window centre"}
                out.append(trace)
    return out
