"""The label vocabulary and the labelling of windows from annotations.

Classes come from the configuration (``classes``); windows that no
annotation covers well enough are :data:`UNLABELED`. Annotation tables have
the columns ``network, station, location, channel, start, end, label``
(ISO 8601 UTC times; ``*`` and ``?`` wildcards allowed in the station fields).
"""

from __future__ import annotations

import fnmatch

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import ANNOTATION_COLUMNS, UNLABELED, epoch_seconds


class LabelError(ValueError):
    """Annotations or classes are inconsistent; the message names the culprit."""


def check_classes(classes: list[str]) -> list[str]:
    """Validate the configured class list and return it."""
    if len(classes) < 2:
        raise LabelError(f"classes: need at least two classes, got {classes}")
    if len(set(classes)) != len(classes):
        raise LabelError(f"classes: duplicated names in {classes}")
    if UNLABELED in classes:
        raise LabelError(f"classes: {UNLABELED!r} is reserved for windows without a label")
    return list(classes)


def read_annotations(paths: list[str], classes: list[str]) -> pd.DataFrame:
    """Read and concatenate annotation CSVs; times become epoch seconds.

    Raises :class:`LabelError` naming the file and line for unknown labels,
    missing columns, unparsable times or ``end <= start``.
    """
    frames = [_read_one(path, classes) for path in paths]
    if not frames:
        return pd.DataFrame(columns=[*ANNOTATION_COLUMNS, "t0", "t1"])
    return pd.concat(frames, ignore_index=True)


def _read_one(path: str, classes: list[str]) -> pd.DataFrame:
    table = _read_csv(path)
    missing = [c for c in ANNOTATION_COLUMNS if c not in table.columns]
    if missing:
        raise LabelError(f"{path}: missing column(s) {missing}; expected {list(ANNOTATION_COLUMNS)}")
    unknown = ~table["label"].isin(classes)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise LabelError(
            f"{path} line {row + 2}: unknown label {table['label'].iloc[row]!r}; "
            f"configured classes are {classes}"
        )
    table["t0"] = _epoch_seconds(table["start"], path)
    table["t1"] = _epoch_seconds(table["end"], path)
    bad = table["t1"] <= table["t0"]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LabelError(f"{path} line {row + 2}: end is not after start")
    return table


def _read_csv(path: str) -> pd.DataFrame:
    """The annotation file as text columns; :class:`LabelError` naming it when it is empty or not CSV text."""
    expected = ",".join(ANNOTATION_COLUMNS)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    except pd.errors.EmptyDataError:
        raise LabelError(f"{path}: empty annotation file (no header); it needs at least the line {expected}") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LabelError(f"{path}: not a CSV annotation table ({reason}); expected comma-separated columns "
                         f"{expected}") from None


def _epoch_seconds(column: pd.Series, path: str) -> np.ndarray:
    times = pd.to_datetime(column, utc=True, errors="coerce", format="ISO8601")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna())[0])
        raise LabelError(f"{path} line {row + 2}: cannot parse time {column.iloc[row]!r} (ISO 8601 UTC)")
    return epoch_seconds(times)


def annotations_for_station(
    annotations: pd.DataFrame, network: str, station: str, location: str, channels: str
) -> pd.DataFrame:
    """Rows whose (wildcard) station fields match this station."""
    if annotations.empty:
        return annotations
    component_codes = [channels[:2] + c for c in "ZNE123"]

    def matches(pattern_column: str, value: str) -> np.ndarray:
        return np.array([fnmatch.fnmatchcase(value, p or "") for p in annotations[pattern_column]])

    channel_ok = np.array(
        [p in ("", "*", channels) or any(fnmatch.fnmatchcase(code, p) for code in component_codes)
         for p in annotations["channel"]]
    )
    keep = (
        matches("network", network)
        & matches("station", station)
        & matches("location", location)
        & channel_ok
    )
    return annotations[keep]


def best_annotation(
    starts: np.ndarray,
    ends: np.ndarray,
    annotation_t0: np.ndarray,
    annotation_t1: np.ndarray,
    min_overlap: float,
    chunk: int = 4096,
) -> np.ndarray:
    """Index of the annotation covering the largest fraction of each window, -1 if none covers enough.

    A window takes an annotation when the covered fraction of its length is
    at least ``min_overlap`` (0-1]. Ties go to the annotation listed first.
    Computed as a (windows x annotations) overlap matrix in chunks of
    ``chunk`` windows.
    """
    starts, ends = np.asarray(starts, float), np.asarray(ends, float)
    best_index = np.full(len(starts), -1, dtype=np.int64)
    if len(annotation_t0) == 0 or len(starts) == 0:
        return best_index
    a0, a1 = np.asarray(annotation_t0, float), np.asarray(annotation_t1, float)
    length = ends - starts
    for i in range(0, len(starts), chunk):
        s, e = starts[i : i + chunk, None], ends[i : i + chunk, None]
        overlap = np.clip(np.minimum(e, a1) - np.maximum(s, a0), 0.0, None)
        fraction = overlap / length[i : i + chunk, None]
        best = fraction.argmax(axis=1)
        hit = fraction[np.arange(len(best)), best] >= min_overlap - 1e-9
        best_index[i : i + chunk][hit] = best[hit]
    return best_index
