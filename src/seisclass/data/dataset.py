"""Station-day tables: cut the window grid, compute features, attach labels, assemble.

Key columns identify a window everywhere (features, labels, predictions):
``network, station, location, channel, start, end`` with times as UTC
timestamps; ``channel`` is the band pattern shared by the components
(``HH?``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.acquire.archives import read_waveforms
from seisclass.acquire.stations import station_id
from seisclass.data.labels import annotations_for_station, assign_labels
from seisclass.schema import KEY_COLUMNS, UNLABELED, epoch_seconds, to_timestamps
from seisclass.signal.features import FeatureParameters, compute_features, feature_names
from seisclass.signal.windows import cut_stream_windows, window_starts

ORIENTATION_ALIASES = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E", "3": "Z"}


def traces_by_component(stream: Stream) -> dict[str, list]:
    """Group contiguous traces by component (Z, N, E; 1/2 read as N/E)."""
    groups: dict[str, list] = {}
    for tr in stream:
        component = ORIENTATION_ALIASES.get(tr.stats.channel[-1:])
        if component is not None:
            groups.setdefault(component, []).append(tr)
    return groups


def available_components(stream: Stream, wanted: list[str]) -> list[str]:
    """The wanted components that the stream has, in the wanted order."""
    present = traces_by_component(stream)
    return [c for c in wanted if c in present]


def cut_station_day(
    stream: Stream, t0: float, t1: float, length_s: float, step_s: float,
    components: list[str], sampling_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of the grid inside ``[t0, t1]`` complete on all ``components``.

    Returns ``(starts (k,), array (k, n_components, n_samples))``.
    """
    return windows_at(stream, window_starts(t0, t1, length_s, step_s), length_s, components, sampling_rate)


def windows_at(
    stream: Stream, starts: np.ndarray, length_s: float, components: list[str], sampling_rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Windows at given grid ``starts`` (s, epoch) that are complete on all ``components``."""
    starts = np.asarray(starts, float)
    array, keep = cut_stream_windows(
        traces_by_component(stream), components, starts, length_s, sampling_rate
    )
    return starts[keep], array


def station_day_features(
    stream: Stream, keys: dict, t0: float, t1: float, length_s: float, step_s: float,
    components: list[str], sampling_rate: float, p: FeatureParameters,
) -> pd.DataFrame:
    """One row per complete window: key columns, ``snr`` (dB) and the features."""
    starts, array = cut_station_day(stream, t0, t1, length_s, step_s, components, sampling_rate)
    values, snr = compute_features(array, sampling_rate, components, p)
    table = pd.DataFrame(values, columns=feature_names(components, p))
    head = pd.DataFrame({
        "network": keys["network"], "station": keys["station"], "location": keys["location"],
        "channel": keys["channel"], "start": to_timestamps(starts), "end": to_timestamps(starts + length_s),
        "snr": snr.astype(np.float32),
    }, index=table.index)
    return pd.concat([head, table], axis=1)


def label_table(
    windows: pd.DataFrame, annotations: pd.DataFrame, min_overlap: float
) -> pd.DataFrame:
    """Key columns plus ``label`` for the windows of one station-day."""
    first = windows.iloc[0] if len(windows) else None
    ann = annotations
    if first is not None:
        ann = annotations_for_station(
            annotations, first["network"], first["station"], first["location"], first["channel"]
        )
    labels = assign_labels(
        epoch_seconds(windows["start"]), epoch_seconds(windows["end"]),
        ann["t0"].to_numpy(), ann["t1"].to_numpy(), ann["label"].to_numpy(), min_overlap,
    )
    out = windows[KEY_COLUMNS].copy()
    out["label"] = pd.Series(labels, index=out.index, dtype="string").fillna(UNLABELED)
    return out


def assemble(feature_tables: list[pd.DataFrame], label_tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Join per-station-day features and labels into one table (keys, label, snr, features)."""
    features = pd.concat(feature_tables, ignore_index=True)
    labels = pd.concat(label_tables, ignore_index=True)
    merged = features.merge(labels, on=KEY_COLUMNS, how="left", validate="one_to_one")
    merged["label"] = merged["label"].fillna(UNLABELED).astype("string")
    feature_columns = [c for c in features.columns if c not in KEY_COLUMNS and c != "snr"]
    check_finite(merged, ["snr", *feature_columns])
    ordered = [*KEY_COLUMNS, "label", "snr", *feature_columns]
    return merged[ordered].sort_values(["start", "network", "station"], ignore_index=True)


class DatasetError(ValueError):
    """The assembled table cannot be used; the message names the column and the window."""


def check_finite(table: pd.DataFrame, columns: list[str]) -> None:
    """Raise :class:`DatasetError` if a column holds NaN or infinity.

    Features are finite for any finite input (flat and constant windows
    included) and preprocessing turns non-finite samples into gaps, so a
    non-finite value means a bug or a foreign feature table: it is reported,
    never passed on to the models. Checked column by column (no copy of the table).
    """
    for name in columns:
        values = table[name].to_numpy()
        bad = ~np.isfinite(values)
        if bad.any():
            row = table.iloc[int(np.argmax(bad))]
            raise DatasetError(
                f"feature {name!r} is {values[bad][0]} in {int(bad.sum())} window(s), first: station "
                f"{row['network']}.{row['station']} window start {row['start']}"
            )


def feature_columns(table: pd.DataFrame) -> list[str]:
    """Names of the feature columns of an assembled table."""
    reserved = {*KEY_COLUMNS, "label", "snr", "split"}
    return [c for c in table.columns if c not in reserved]


def class_counts(table: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """Windows per label (rows: classes then unlabeled) and split (columns), with totals."""
    counts = pd.crosstab(table["label"], table["split"]) if "split" in table else table["label"].value_counts().to_frame("all")
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
    rows: pd.DataFrame, waveform_paths: list[str], length_s: float, sampling_rate: float,
    component: str = "Z",
) -> list[np.ndarray | None]:
    """Samples of one component for a few windows (plots), ``None`` where a window has no data.

    ``rows`` hold ``network, station, location, start``; each station-day file
    (``.../{station}/{day}.mseed`` in ``waveform_paths``) is read once, and
    only if one of the rows needs it.
    """
    streams: dict[str, Stream] = {}
    out: list[np.ndarray | None] = []
    for row in rows.itertuples():  # a handful of windows for a figure, not a hot path
        tag = f"/{station_id(row.network, row.station, row.location)}/{row.start:%Y-%m-%d}."
        path = next((p for p in waveform_paths if tag in p), None)
        if path is None:
            out.append(None)
            continue
        if path not in streams:
            streams[path] = read_waveforms(path)
        _, array = windows_at(streams[path], epoch_seconds(pd.Series([row.start])), length_s,
                              [component], sampling_rate)
        out.append(array[0, 0] if len(array) else None)
    return out
