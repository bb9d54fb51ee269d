"""The label vocabulary and the labelling of windows from annotations.

Classes come from the configuration (``classes``); windows that no
annotation covers well enough are :data:`UNLABELED`. Annotation tables have
the columns ``network, station, location, channel, start, end, label``
(ISO 8601 UTC times; ``*`` and ``?`` wildcards allowed in the station fields)
and optionally ``priority`` (an integer, default 0).

Precedence where annotations overlap (user and catalogue labels alike): the
higher ``priority`` wins, then the shorter (more specific) interval; two
overlapping intervals of different classes with equal priority and length are
a :class:`LabelError` naming both. A window takes the annotation holding the
largest part of it after this precedence (:func:`best_annotation`).
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
    """Read and concatenate annotation CSVs; times become epoch seconds (``t0``, ``t1``).

    Adds ``priority`` (int, 0 where the file has none), ``file`` and ``line`` (for
    messages). Raises :class:`LabelError` naming the file and line for unknown
    labels, missing columns, unparsable times or priorities, or ``end <= start``.
    """
    frames = [_read_one(path, classes) for path in paths]
    if not frames:
        return pd.DataFrame({**{c: pd.Series(dtype=str) for c in ANNOTATION_COLUMNS},
                             "t0": pd.Series(dtype=float), "t1": pd.Series(dtype=float),
                             "priority": pd.Series(dtype=np.int64), "file": pd.Series(dtype=str),
                             "line": pd.Series(dtype=np.int64)})
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
    table["priority"] = _priorities(table, path)
    table["file"] = str(path)
    table["line"] = np.arange(len(table), dtype=np.int64) + 2
    return table


def _priorities(table: pd.DataFrame, path: str) -> np.ndarray:
    """The optional ``priority`` column as integers (empty cells and a missing column: 0)."""
    if "priority" not in table.columns:
        return np.zeros(len(table), np.int64)
    text = table["priority"].str.strip()
    values = pd.to_numeric(text.where(text != "", "0"), errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise LabelError(f"{path} line {row + 2}: priority {table['priority'].iloc[row]!r} is not an integer "
                         "(higher wins where annotations overlap; empty = 0)")
    return values.to_numpy(np.int64)


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
    priority: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    names: list[str] | None = None,
    chunk: int = 4096,
) -> np.ndarray:
    """Index of the annotation labelling each window (epoch s), -1 where none covers ``min_overlap`` of it.

    Where annotations overlap, the one that takes precedence holds the time: the
    highest ``priority`` (default 0), then the shortest interval, then the first
    listed. Each window takes the label holding the largest part of it, when that
    part is at least ``min_overlap`` (0-1] of the window, and of that label the
    annotation holding the most (ties: the one taking precedence); without
    ``labels`` every annotation is its own label. With ``labels``, two overlapping
    annotations of different labels, equal priority and equal length (to 1 us) are
    a :class:`LabelError` naming them by ``names`` (default: their index).
    Vectorized: boundary segments x annotations and windows x pieces, in chunks.
    """
    starts, ends = np.asarray(starts, float), np.asarray(ends, float)
    best_index = np.full(len(starts), -1, dtype=np.int64)
    a0, a1 = np.asarray(annotation_t0, float), np.asarray(annotation_t1, float)
    if len(a0) == 0 or len(starts) == 0:
        return best_index
    near = np.flatnonzero((a1 > starts.min()) & (a0 < ends.max()))  # only these can label a window
    if len(near) == 0:
        return best_index
    prio = np.zeros(len(a0), np.int64) if priority is None else np.asarray(priority, np.int64)
    rank = _precedence(a0[near], a1[near], prio[near])
    codes = None if labels is None else pd.factorize(np.asarray(labels)[near])[0]
    p0, p1, owner = _painted(a0[near], a1[near], rank, prio[near], codes, near, names, chunk)
    if len(p0):
        classes = np.arange(len(near)) if codes is None else codes
        chosen = _window_owners(starts, ends, p0, p1, owner, classes, rank, min_overlap, chunk)
        best_index[chosen >= 0] = near[chosen[chosen >= 0]]
    return best_index


def _precedence(t0: np.ndarray, t1: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Rank of each annotation (0 wins): higher priority, then shorter (to 1 us), then listed first."""
    order = np.lexsort((np.arange(len(t0)), _length_us(t0, t1), -priority))
    rank = np.empty(len(t0), np.int64)
    rank[order] = np.arange(len(t0))
    return rank


def _length_us(t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    return np.round((t1 - t0) * 1e6).astype(np.int64)


def _painted(t0, t1, rank, priority, codes, index, names, chunk: int):
    """Pieces ``(p0, p1, owner)`` of the time line: each stretch held by the annotation taking precedence there.

    Owners index ``t0``; stretches no annotation covers are left out. With ``codes``
    (label codes), an owner tied with a covering annotation of another label raises.
    """
    bounds = np.unique(np.concatenate([t0, t1]))
    s0, s1 = bounds[:-1], bounds[1:]
    owner = np.full(len(s0), -1, np.int64)
    length = _length_us(t0, t1)
    n = len(t0)
    rows = max(1, min(chunk, 2 ** 22 // n))  # segments per block: at most ~4 M cells
    for i in range(0, len(s0), rows):
        covers = (t0[None, :] <= s0[i:i + rows, None]) & (t1[None, :] >= s1[i:i + rows, None])
        ranks = np.where(covers, rank[None, :], n)
        first = ranks.argmin(axis=1)
        held = ranks[np.arange(len(first)), first] < n
        owner[i:i + rows] = np.where(held, first, -1)
        if codes is not None:
            w = first[:, None]
            tied = covers & held[:, None] & (priority[None, :] == priority[w]) & (length[None, :] == length[w]) \
                & (codes[None, :] != codes[w])
            if tied.any():
                segment, other = np.argwhere(tied)[0]
                _raise_tie(index[first[segment]], index[other], names)
    change = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    p0, p1 = s0[change], np.r_[s0[change[1:]], s1[-1]]
    keep = owner[change] >= 0
    return p0[keep], p1[keep], owner[change][keep]


def _raise_tie(i: int, j: int, names: list[str] | None) -> None:
    a, b = (names[i], names[j]) if names is not None else (f"annotation {i}", f"annotation {j}")
    raise LabelError(f"overlapping annotations of different classes with the same length and priority: {a} and "
                     f"{b}; give one a higher priority (column priority, integer, higher wins) or change its times "
                     "(the shorter interval wins)")


def _window_owners(starts, ends, p0, p1, owner, classes, rank, min_overlap: float, chunk: int) -> np.ndarray:
    """The annotation labelling each window (-1 below ``min_overlap``), windows x pieces at once.

    The label (``classes`` of the owners) with the largest painted share wins, then
    its owner with the largest share, then the owner taking precedence (``rank``).
    """
    lo = np.searchsorted(p1, starts, side="right")  # first piece ending after the window start
    hi = np.searchsorted(p0, ends, side="left")  # pieces starting before the window end
    width = max(int((hi - lo).max()), 1)
    out = np.full(len(starts), -1, np.int64)
    rows = max(1, min(chunk, 2 ** 22 // (width * width)))
    for i in range(0, len(starts), rows):
        s, e = starts[i:i + rows, None], ends[i:i + rows, None]
        ids = lo[i:i + rows, None] + np.arange(width)
        valid = ids < hi[i:i + rows, None]
        ids = np.clip(ids, 0, len(p0) - 1)
        part = np.where(valid, np.clip(np.minimum(e, p1[ids]) - np.maximum(s, p0[ids]), 0.0, None), 0.0)
        who = np.where(valid & (part > 0), owner[ids], -1)
        label = np.where(who >= 0, classes[np.clip(who, 0, None)], -1)
        share = np.where(who >= 0, (part[:, None, :] * (label[:, :, None] == label[:, None, :])).sum(axis=2), -1.0)
        share /= e - s  # of each slot's label
        own = np.where(who >= 0, (part[:, None, :] * (who[:, :, None] == who[:, None, :])).sum(axis=2), -1.0)
        best = (who >= 0) & (share >= share.max(axis=1, keepdims=True) - 1e-12)
        best &= own >= np.where(best, own, -1.0).max(axis=1, keepdims=True) - 1e-12
        k = np.where(best, rank[np.clip(who, 0, None)], len(rank)).argmin(axis=1)
        pick = np.arange(len(k))
        hit = (who[pick, k] >= 0) & (share[pick, k] >= min_overlap - 1e-9)
        out[i:i + rows] = np.where(hit, who[pick, k], -1)
    return out
