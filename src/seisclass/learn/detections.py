"""Continuous classification: apply a trained model to every window, smooth, segment.

1. :func:`window_probabilities` applies a saved model to the feature table of
   a station-day (every window of the grid, labelled or not).
2. :func:`smooth` averages each class probability over ``k`` consecutive
   windows (centred moving average) inside runs of contiguous windows; a gap
   (a missing window) ends a run, so nothing is averaged across gaps.
3. :func:`segments` gives each window the class of its largest smoothed
   probability and merges consecutive windows of one class into a segment
   from the first window's start to the last window's end (adjacent segments
   overlap by window length minus step). A segment's ``probability`` is the
   mean smoothed probability of its class over its windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seisclass.config import ConfigSection
from seisclass.schema import KEY_COLUMNS, epoch_seconds

MODEL_KINDS = ("rf", "cnn", "lstm")


class ModelMismatchError(ValueError):
    """A saved model does not fit the data or configuration; the message names the culprit."""


@dataclass(frozen=True)
class DetectionParameters(ConfigSection):
    """Config section ``detections``."""

    section = "detections"

    model: str = "rf"
    smoothing_windows: int = 3
    exclude_classes: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        if "exclude_classes" in section:
            section["exclude_classes"] = tuple(section["exclude_classes"] or ())
        return section

    def _check(self) -> None:
        if self.model not in MODEL_KINDS:
            raise ValueError(f"detections.model: {self.model!r} is not one of {list(MODEL_KINDS)}")
        if self.smoothing_windows < 1:
            raise ValueError(f"detections.smoothing_windows: must be >= 1, got {self.smoothing_windows}")


def check_bundle(bundle: dict, path: str, classes: list[str], length_s: float, sampling_rate: float) -> None:
    """Raise :class:`ModelMismatchError` when the model's classes, window length or rate differ."""

    if list(bundle.get("classes", [])) != list(classes):
        raise ModelMismatchError(f"{path}: model classes {bundle.get('classes')} differ from configured classes {classes}")
    for key, wanted in (("window_length_s", length_s), ("sampling_rate", sampling_rate)):
        have = bundle.get(key)
        if have is not None and not np.isclose(float(have), float(wanted)):
            raise ModelMismatchError(f"{path}: model was trained with {key}={have}, configuration has {wanted}")


def window_probabilities(bundle: dict, table: pd.DataFrame, path: str = "model") -> pd.DataFrame:
    """Key columns plus ``p_<class>`` of a random-forest ``bundle`` for every row of ``table``."""
    from seisclass.learn.forest import predict_proba

    names = list(bundle["feature_names"])
    missing = [n for n in names if n not in table.columns]
    if missing:
        raise ModelMismatchError(f"{path}: the feature table lacks {len(missing)} feature(s) the model needs, "
                                 f"e.g. {missing[:5]} (different components or feature settings?)")
    classes = list(bundle["classes"])
    out = table[KEY_COLUMNS].reset_index(drop=True)
    if len(table):
        proba = predict_proba(bundle["model"], table[names].to_numpy(), classes)
    else:
        proba = np.zeros((0, len(classes)))
    for j, c in enumerate(classes):
        out[f"p_{c}"] = proba[:, j]
    return out


def deep_window_probabilities(model_path: str, stream, table: pd.DataFrame, classes: list[str],
                              length_s: float, sampling_rate: float) -> pd.DataFrame:
    """Key columns plus ``p_<class>`` of a saved CNN/LSTM for the windows of ``table``.

    The windows are cut from ``stream`` (preprocessed station-day) at the
    table's start times on the model's components; windows incomplete on
    those components get NaN probabilities.
    """
    from seisclass.data.dataset import windows_at
    from seisclass.learn.deep.networks import load_model as load_deep
    from seisclass.learn.deep.networks import predict_windows

    _, meta = load_deep(model_path)
    if list(meta["classes"]) != list(classes):
        raise ModelMismatchError(f"{model_path}: model classes {meta['classes']} differ from configured classes {classes}")
    starts = epoch_seconds(table["start"]) if len(table) else np.zeros(0)
    kept, array = windows_at(stream, starts, length_s, list(meta["input"]["components"]), sampling_rate)
    proba = np.full((len(table), len(classes)), np.nan)
    if len(kept):
        rows = np.searchsorted(starts, kept)
        proba[rows] = predict_windows(model_path, array)
    out = table[KEY_COLUMNS].reset_index(drop=True)
    for j, c in enumerate(classes):
        out[f"p_{c}"] = proba[:, j]
    return out


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

    Returns ``start, end`` (s, epoch), ``class``, ``probability`` (mean of the
    class's probability over the segment's windows) and ``n_windows``.
    """
    starts, ends = np.asarray(starts, float), np.asarray(ends, float)
    p = np.asarray(probabilities, float)
    if len(p) == 0:
        return pd.DataFrame({"start": [], "end": [], "class": [], "probability": [], "n_windows": []})
    best = p.argmax(axis=1)
    run = runs(starts, step_s)
    new = np.concatenate([[True], (best[1:] != best[:-1]) | (run[1:] != run[:-1])])
    segment = np.cumsum(new) - 1
    chosen = p[np.arange(len(p)), best]
    n_windows = np.bincount(segment)
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:], [len(p)]]) - 1
    return pd.DataFrame({
        "start": starts[first], "end": ends[last],
        "class": np.asarray(classes, dtype=object)[best[first]],
        "probability": np.bincount(segment, weights=chosen) / n_windows,
        "n_windows": n_windows,
    })


def station_detections(windows: pd.DataFrame, classes: list[str], step_s: float, k: int,
                       exclude: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Smoothed window table and segment table of one station (all its station-days).

    ``windows`` holds the key columns and ``p_<class>`` (rows with NaN
    probabilities are dropped); the smoothed table adds ``s_<class>`` and ``class``; segment times are UTC timestamps and segments of
    ``exclude`` classes are dropped.
    """
    unknown = sorted(set(exclude) - set(classes))
    if unknown:
        raise ValueError(f"detections.exclude_classes: {unknown} are not configured classes {classes}")
    columns = [f"p_{c}" for c in classes]
    windows = windows.dropna(subset=columns).sort_values("start", ignore_index=True)
    starts, ends = epoch_seconds(windows["start"]), epoch_seconds(windows["end"])
    smoothed = smooth(windows[columns].to_numpy(), starts, step_s, k)
    out = windows.copy()
    for j, c in enumerate(classes):
        out[f"s_{c}"] = smoothed[:, j]
    out["class"] = np.asarray(classes, dtype=object)[smoothed.argmax(axis=1)] if len(out) else []
    table = segments(starts, ends, smoothed, classes, step_s)
    table = table[~table["class"].isin(exclude)].reset_index(drop=True)
    for column in ("start", "end"):
        table[column] = pd.to_datetime(np.round(table[column].to_numpy(float) * 1e6).astype("int64"), unit="us", utc=True)
    return out, table


