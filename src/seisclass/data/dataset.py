"""Window tables: features and labels of a chunk's station-days, and the assembled dataset.

Windows are identified by :data:`seisclass.core.vocabulary.KEY_COLUMNS`. A chunk (see
:mod:`seisclass.acquire.planning`) holds one or more station-days; its
tables are the concatenation of the station-days' tables.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.core.vocabulary import (
    KEY_COLUMNS,
    UNLABELED,
    WINDOW_COLUMNS,
    epoch_seconds,
    format_times,
    station_day_key,
    station_id,
    to_timestamps,
)
from seisclass.core.waveforms import read_checked, select_stations
from seisclass.data.labels import annotations_for_station, best_annotation
from seisclass.signal.windows import windows_at

log = logging.getLogger(__name__)


def label_table(
    windows: pd.DataFrame, annotations: pd.DataFrame, min_overlap: float
) -> pd.DataFrame:
    """Key columns plus ``label`` and ``interval`` for windows of any stations.

    Each station gets its own annotations, overlapping ones resolved by the precedence
    of :func:`seisclass.data.labels.best_annotation` (priority, then the shorter
    interval; an unresolvable tie is a ``LabelError`` naming both rows). ``interval`` names the labelled
    interval a window belongs to (``{station}/{start}/{end}`` of the
    annotation, ISO UTC), so results can be aggregated per interval (one
    event at one station); it is empty for unlabelled windows.
    """
    out = windows[KEY_COLUMNS].copy()
    labels = pd.Series(UNLABELED, index=out.index, dtype="string")
    intervals = pd.Series("", index=out.index, dtype="string")
    for (network, station, location, channel), rows in out.groupby(
            ["network", "station", "location", "channel"], sort=False):
        ann = annotations_for_station(annotations, network, station, location, channel)
        best = best_annotation(epoch_seconds(rows["start"]), epoch_seconds(rows["end"]),
                               ann["t0"].to_numpy(), ann["t1"].to_numpy(), min_overlap,
                               priority=ann["priority"].to_numpy() if "priority" in ann else None,
                               labels=ann["label"].to_numpy(), names=annotation_names(ann))
        hit = best >= 0
        chosen = ann.iloc[best[hit]]
        labels.loc[rows.index[hit]] = chosen["label"].to_numpy()
        sid = station_id(network, station, location)
        intervals.loc[rows.index[hit]] = (sid + "/" + format_times(to_timestamps(chosen["t0"])) + "/"
                                          + format_times(to_timestamps(chosen["t1"]))).to_numpy()
    out["label"] = labels
    out["interval"] = intervals
    return out


def mark_health(labels: pd.DataFrame, intervals: pd.DataFrame,
                exclude: tuple[str, ...] = ("dead", "nan")) -> pd.DataFrame:
    """A label table with ``health`` per window; windows touching a bad stretch of a kind in ``exclude`` lose their
    label.

    ``intervals`` are the bad stretches of :func:`seisclass.signal.health.station_day_health`
    (the preprocess notes); ``exclude`` is ``health.exclude_from_training``. Such windows
    become ``unlabeled`` (no interval): they are never trained or scored on, while
    ``health`` keeps why. One log line per station.
    """
    from seisclass.signal.health import usable, window_health

    out = labels.copy()
    out["health"] = pd.Series(window_health(out, intervals), index=out.index, dtype="string")
    bad = ~usable(out["health"].to_numpy(dtype=object), tuple(exclude))
    labelled = bad & (out["label"] != UNLABELED).to_numpy()
    for (network, station, location), rows in out[labelled].groupby(["network", "station", "location"]):
        log.warning("%s: %d labelled window(s) touch bad data (%s): left out of training (label %s)",
                    station_id(network, station, location), len(rows),
                    ", ".join(f"{k} {n}" for k, n in rows["health"].value_counts().items()), UNLABELED)
    out.loc[labelled, "label"] = UNLABELED
    out.loc[labelled, "interval"] = ""
    return out


def annotation_names(annotations: pd.DataFrame) -> list[str]:
    """How messages name annotation rows: ``file line N (start to end, label, priority P)``."""
    where = (annotations["file"] + " line " + annotations["line"].astype(str) if "file" in annotations
             else "annotation row " + pd.Series(range(len(annotations)), index=annotations.index).astype(str))
    priority = annotations["priority"].astype(str) if "priority" in annotations else "0"
    start = annotations["start"] if "start" in annotations else annotations["t0"].astype(str)
    end = annotations["end"] if "end" in annotations else annotations["t1"].astype(str)
    return (where + " (" + start + " to " + end + ", " + annotations["label"] + ", priority " + priority + ")").tolist()


def assemble(feature_tables: list[pd.DataFrame], label_tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Join per-station-day features and labels into one table (keys, label, snr, health when labelled, features)."""
    features = pd.concat(feature_tables, ignore_index=True)
    labels = pd.concat(label_tables, ignore_index=True)
    merged = features.merge(labels, on=KEY_COLUMNS, how="left", validate="one_to_one")
    merged["label"] = merged["label"].fillna(UNLABELED).astype("string")
    merged["interval"] = merged["interval"].fillna("").astype("string")
    feature_columns = [c for c in features.columns if c not in KEY_COLUMNS and c != "snr"]
    check_finite(merged, ["snr", *feature_columns])
    health = []
    if "health" in labels:
        merged["health"] = merged["health"].fillna("ok").astype("string")
        health = ["health"]
    ordered = [*KEY_COLUMNS, "label", "interval", "snr", *health, *feature_columns]
    return merged[ordered].sort_values(["start", "network", "station"], ignore_index=True)


def assemble_file(feature_paths: list, label_paths: list, out_path, split_of, group_rows: int = 131072,
                  ) -> pd.DataFrame:
    """:func:`assemble` plus the split, written to ``out_path`` out of core: the same file, in row groups.

    Pass 1 reads the key columns of every feature file and the labels (no features, no
    intervals), the strings held as categories, joins and sorts them as :func:`assemble` does
    and calls ``split_of(keys)`` (the sorted ``start``, ``end`` and ``label``) for the ``split``
    column. Pass 2 writes ``group_rows`` windows at a time in that order, each group gathered
    from the chunk files it draws on (features and labels; each chunk read when first needed
    and dropped once its last window is written). Memory: a few dozen bytes per window plus one
    group and the chunks it spans, never the features of the whole study. Returns the sorted
    ``label`` and ``split`` (for :func:`class_counts`).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pandas.api.types import union_categoricals

    from seisclass.core.io import atomic_path

    strings = ["network", "station", "location", "channel", "label"]
    parts: dict[str, list] = {c: [] for c in [*strings, "start", "end", "chunk", "row"]}
    feature_names, health = None, False
    for i, (features_path, labels_path) in enumerate(zip(feature_paths, label_paths, strict=True)):
        names = pq.read_schema(features_path).names
        chunk_features = [c for c in names if c not in KEY_COLUMNS and c != "snr"]
        if feature_names is None:
            feature_names = chunk_features
        elif chunk_features != feature_names:
            raise DatasetError(f"{features_path}: feature columns differ from those of {feature_paths[0]}")
        health = health or "health" in pq.read_schema(labels_path).names
        chunk = pd.read_parquet(features_path, columns=KEY_COLUMNS).merge(
            pd.read_parquet(labels_path, columns=[*KEY_COLUMNS, "label"]), on=KEY_COLUMNS, how="left",
            validate="one_to_one")
        chunk["label"] = chunk["label"].fillna(UNLABELED)
        for c in strings:
            parts[c].append(pd.Categorical(chunk[c].astype(str)))
        for c in ("start", "end"):
            parts[c].append(chunk[c].to_numpy())
        parts["chunk"].append(np.full(len(chunk), i, np.int32))
        parts["row"].append(np.arange(len(chunk), dtype=np.int64))
    table = pd.DataFrame({c: union_categoricals(parts.pop(c), sort_categories=True) for c in strings})
    for c in ("start", "end", "chunk", "row"):
        table[c] = np.concatenate(parts.pop(c))
    if table.empty:
        raise DatasetError("no windows in the feature tables")
    table = table.sort_values(["start", "network", "station"], ignore_index=True)
    split = pd.Series(split_of(table), dtype="string")
    ordered = [*KEY_COLUMNS, "label", "interval", "snr", "split", *(["health"] if health else []), *feature_names]
    chunk_of, row_of = table["chunk"].to_numpy(), table["row"].to_numpy()
    remaining = np.bincount(chunk_of, minlength=len(feature_paths))
    cache: dict[int, pd.DataFrame] = {}
    with atomic_path(out_path) as tmp:
        writer = None
        for lo in range(0, len(table), group_rows):
            chunks, rows = chunk_of[lo:lo + group_rows], row_of[lo:lo + group_rows]
            values = []
            for c in np.unique(chunks):
                if c not in cache:
                    cache[c] = _chunk_rows(feature_paths[c], label_paths[c], health)
                mine = chunks == c
                values.append((np.flatnonzero(mine), cache[c].iloc[rows[mine]]))
                remaining[c] -= int(mine.sum())
                if remaining[c] == 0:
                    del cache[c]
            order = np.argsort(np.concatenate([at for at, _ in values]), kind="stable")
            group = pd.concat([v for _, v in values], ignore_index=True).iloc[order].reset_index(drop=True)
            check_finite(group, ["snr", *feature_names])
            group["split"] = split.iloc[lo:lo + group_rows].reset_index(drop=True)
            arrow = pa.Table.from_pandas(group[ordered], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(tmp, arrow.schema)
            writer.write_table(arrow.cast(writer.schema))
        writer.close()
    return pd.DataFrame({"label": table["label"].astype(str).astype("string"), "split": split})


def _chunk_rows(features_path, labels_path, health: bool) -> pd.DataFrame:
    """One chunk's windows in its feature file's order: keys, snr, features, label, interval (and health)."""
    features = pd.read_parquet(features_path)
    labels = features[KEY_COLUMNS].merge(pd.read_parquet(labels_path), on=KEY_COLUMNS, how="left")
    features["label"] = labels["label"].fillna(UNLABELED).astype("string").array
    features["interval"] = labels["interval"].fillna("").astype("string").array
    if health:
        column = labels["health"] if "health" in labels else pd.Series(pd.NA, index=labels.index)
        features["health"] = column.fillna("ok").astype("string").array
    return features


class DatasetError(ValueError):
    """The assembled table cannot be used; the message names the column and the window."""


def check_finite(table: pd.DataFrame, columns: list[str]) -> None:
    """Raise :class:`DatasetError` if a column holds NaN or infinity.

    Features are finite for any finite input (flat and constant windows
    included) and preprocessing turns non-finite samples into gaps, so a
    non-finite value means a bug or a foreign feature table: it is reported,
    never passed on to the models. One exception: band energies and ratios
    (:func:`seisclass.signal.features.is_band_column`) are NaN where the band
    lies above the station's original Nyquist frequency (missing, not zero);
    infinity is refused there too. Checked column by column (no copy of the table).
    """
    from seisclass.signal.features import is_band_column

    for name in columns:
        values = table[name].to_numpy()
        bad = np.isinf(values) if is_band_column(name) else ~np.isfinite(values)
        if bad.any():
            row = table.iloc[int(np.argmax(bad))]
            raise DatasetError(
                f"feature {name!r} is {values[bad][0]} in {int(bad.sum())} window(s), first: station "
                f"{row['network']}.{row['station']} window start {row['start']}"
            )


def read_rows(path, rows: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows at positions ``rows`` (sorted, 0-based) of a Parquet file, read one row group at a time.

    Holds one row group and the rows taken, never the whole file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    rows = np.asarray(rows, np.int64)
    parts, offset = [], 0
    for group in range(parquet.num_row_groups):
        n = parquet.metadata.row_group(group).num_rows
        lo, hi = np.searchsorted(rows, [offset, offset + n])
        if hi > lo:
            parts.append(parquet.read_row_group(group, columns=columns).take(pa.array(rows[lo:hi] - offset)))
        offset += n
    if not parts:
        return parquet.schema_arrow.empty_table().select(columns or parquet.schema_arrow.names).to_pandas()
    return pa.concat_tables(parts).to_pandas()


def read_training_sample(path, splits: tuple[str, ...], max_windows: int | None, seed: int,
                         classes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, dict, list[str]]:
    """The windows of ``splits`` of a dataset file and the sample of them a tree model is fitted on.

    Returns ``(train, fitted, record, feature names)``: ``train`` holds the key, label and
    split columns of every window of ``splits`` (what the model card summarises); ``fitted``
    every column of the windows of :func:`seisclass.data.sampling.bounded_sample` (all of
    ``train`` when they fit), their features read by row group (:func:`read_rows`); ``record``
    is :func:`seisclass.data.sampling.sample_record`. The same rows and values as sampling the
    whole table in memory.
    """
    import pyarrow.parquet as pq

    from seisclass.data.sampling import bounded_sample, sample_record

    names = pq.read_schema(path).names
    keys = pd.read_parquet(path, columns=[*KEY_COLUMNS, "label", "split"])
    positions = np.flatnonzero(keys["split"].isin(splits).to_numpy())
    train = keys.iloc[positions].reset_index(drop=True)
    labels = train["label"].to_numpy(dtype=str)
    rows = bounded_sample(labels, max_windows, seed)
    fitted = read_rows(path, positions if rows is None else positions[rows])
    return train, fitted, sample_record(labels, rows, max_windows, seed, classes), [
        c for c in names if c not in {*KEY_COLUMNS, *WINDOW_COLUMNS}]


def feature_columns(table: pd.DataFrame) -> list[str]:
    """Names of the feature columns of an assembled table."""
    reserved = {*KEY_COLUMNS, *WINDOW_COLUMNS}
    return [c for c in table.columns if c not in reserved]


def class_counts(table: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Windows per label (rows: classes then unlabeled) and split (columns), with totals."""
    counts = (pd.crosstab(table["label"], table["split"]) if "split" in table
              else table["label"].value_counts().to_frame("all"))
    order = [c for c in [*classes, UNLABELED] if c in counts.index]
    counts = counts.reindex(order).fillna(0).astype(int)
    counts["total"] = counts.sum(axis=1)
    return counts.rename_axis("label").reset_index()


def pick_examples(table: pd.DataFrame, classes: list[str], per_class: int, seed: int) -> pd.DataFrame:
    """Random windows per class spanning the SNR range (sorted by SNR within a class)."""
    picks = []
    for c in classes:
        rows = table[table["label"] == c]
        if len(rows):
            picks.append(rows.sample(min(per_class, len(rows)), random_state=seed).sort_values("snr", ascending=False))
    return pd.concat(picks) if picks else table.iloc[:0]


def rank_features_by_class(table: pd.DataFrame, classes: list[str], max_rows: int = 20000, seed: int = 0) -> pd.Series:
    """Kruskal-Wallis H of each feature across classes (labelled windows), largest first."""
    from scipy.stats import kruskal

    labelled = table[table["label"].isin(classes)]
    if len(labelled) > max_rows:
        labelled = labelled.sample(max_rows, random_state=seed)
    groups = [labelled["label"] == c for c in classes if (labelled["label"] == c).sum() > 1]
    scores = {}
    for name in feature_columns(labelled):
        values = labelled[name].to_numpy(dtype=float)
        try:
            scores[name] = kruskal(*(values[g.to_numpy()] for g in groups)).statistic
        except ValueError:  # all values identical
            scores[name] = 0.0
    return pd.Series(scores).sort_values(ascending=False)


def window_waveforms(
    rows: pd.DataFrame, files: dict[str, str], length_s: float, sampling_rate: float,
    component: str = "Z",
) -> list[np.ndarray | None]:
    """Samples of one component for a few windows (plots), ``None`` where a window has no data.

    ``rows`` hold ``network, station, location, start``; ``files`` maps
    :func:`seisclass.core.vocabulary.station_day_key` to the preprocessed chunk file
    holding that station-day. Each file is read once, and only if a row needs it.
    """
    streams: dict[str, Stream] = {}
    out: list[np.ndarray | None] = []
    for row in rows.itertuples():  # a handful of windows for a figure, not a hot path
        path = files.get(station_day_key(row.network, row.station, row.location, row.start))
        if path is None:
            out.append(None)
            continue
        if path not in streams:
            streams[path] = read_checked(path)
        part = select_stations(streams[path], [station_id(row.network, row.station, row.location)])
        _, array = windows_at(part, epoch_seconds(pd.Series([row.start])), length_s, [component], sampling_rate)
        out.append(array[0, 0] if len(array) else None)
    return out


def context_waveforms(
    rows: pd.DataFrame, files: dict[str, str], before_s: float, after_s: float, component: str = "Z",
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(times s epoch, samples)`` of one component from ``start - before_s`` to ``end + after_s`` per row.

    ``rows`` hold ``network, station, location, start, end`` (UTC timestamps); ``files`` maps
    :func:`seisclass.core.vocabulary.station_day_key` to the preprocessed chunk file holding that
    station-day. A span crossing midnight takes both days' files; each file is read once.
    Empty arrays where there are no data.
    """
    from obspy import UTCDateTime

    streams: dict[str, Stream] = {}
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for row in rows.itertuples():  # the candidates of one labelling page, not a hot path
        t0 = pd.Timestamp(row.start) - pd.Timedelta(seconds=before_s)
        t1 = pd.Timestamp(row.end) + pd.Timedelta(seconds=after_s)
        days = {station_day_key(row.network, row.station, row.location, t) for t in (t0, t1)}
        paths = sorted({files[d] for d in days if d in files})
        part = Stream()
        for path in paths:
            if path not in streams:
                streams[path] = read_checked(path)
            part += select_stations(streams[path], [station_id(row.network, row.station, row.location)])
        part = part.select(component=component).slice(UTCDateTime(t0.timestamp()), UTCDateTime(t1.timestamp()))
        traces = sorted(part, key=lambda tr: tr.stats.starttime)
        times = [tr.times() + tr.stats.starttime.timestamp for tr in traces]
        out.append((np.concatenate(times) if times else np.zeros(0),
                    np.concatenate([tr.data for tr in traces]).astype(float) if traces else np.zeros(0)))
    return out


def segment_waveform(files: dict[str, str], network: str, station: str, location: str, t0: float, t1: float,
                     component: str = "Z") -> tuple[np.ndarray, np.ndarray]:
    """``(times s epoch, samples)`` of one component in ``[t0, t1]`` from the preprocessed chunk files.

    ``files`` maps :func:`seisclass.core.vocabulary.station_day_key` to the chunk holding that
    station-day; empty arrays where there are no data.
    """
    from obspy import UTCDateTime

    path = files.get(station_day_key(network, station, location, pd.Timestamp(t0, unit="s", tz="UTC")))
    if path is None:
        return np.zeros(0), np.zeros(0)
    part = select_stations(read_checked(path), [station_id(network, station, location)]).select(component=component)
    part = part.slice(UTCDateTime(t0), UTCDateTime(t1))
    if not len(part):
        return np.zeros(0), np.zeros(0)
    times = np.concatenate([tr.times() + tr.stats.starttime.timestamp for tr in part])
    return times, np.concatenate([tr.data for tr in part])
