"""Inputs of the deep models: the random forest's windows as normalized waveform arrays.

The windows are the rows of the assembled dataset (``features.parquet``) in
the splits ``train``, ``validation`` and ``test``; their samples are cut from
the preprocessed station-day files with the one window grid
(:func:`seisclass.data.dataset.windows_at`), decimated by an integer factor and
normalized per window. Each split is stored as a memory-mapped ``.npy`` array
of shape ``(windows, components, samples)`` (float32) and read back in
mini-batches, so a data set larger than memory still trains.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np
import pandas as pd

from seisclass.core.io import atomic_path
from seisclass.core.vocabulary import (
    KEY_COLUMNS,
    SPLITS,
    WINDOW_COLUMNS,
    epoch_seconds,
    station_ids,
)
from seisclass.core.waveforms import read_checked, select_stations
from seisclass.signal.windows import windows_at

log = logging.getLogger(__name__)


class InputError(ValueError):
    """Windows or waveform files do not match; the message names the station-day."""


def decimate_windows(array: np.ndarray, factor: int) -> np.ndarray:
    """Decimate along the last axis by ``factor`` (zero-phase FIR anti-alias filter).

    ``(..., n)`` becomes ``(..., ceil(n / factor))``; ``factor == 1`` returns the input.
    """
    if factor == 1:
        return np.asarray(array, np.float32)
    from scipy.signal import decimate

    return decimate(np.asarray(array, np.float64), factor, ftype="fir", axis=-1, zero_phase=True).astype(np.float32)


def normalize_windows(array: np.ndarray, method: str) -> np.ndarray:
    """Normalize each window ``(windows, components, samples)`` on its own (float32).

    Every component is demeaned; then the whole window (all components
    together, so their amplitude ratios survive) is divided by its standard
    deviation (``"std"``) or its peak absolute value (``"peak"``). All-zero
    windows stay zero.
    """
    x = np.asarray(array, np.float64)
    x = x - x.mean(axis=-1, keepdims=True)
    if method == "std":
        scale = x.std(axis=(-2, -1), keepdims=True)
    elif method == "peak":
        scale = np.abs(x).max(axis=(-2, -1), keepdims=True)
    else:
        raise ValueError(f"normalization: expected 'std' or 'peak', got {method!r}")
    return (x / np.where(scale > 0, scale, 1.0)).astype(np.float32)


def prepare_windows(array: np.ndarray, decimate: int, normalization: str) -> np.ndarray:
    """Raw windows at the preprocessing rate -> model input (decimated, then normalized)."""
    return normalize_windows(decimate_windows(array, decimate), normalization)


def input_spec(components: list[str], sampling_rate: float, length_s: float, decimate: int,
               normalization: str, context_s: float = 0.0) -> dict:
    """Description of the model input, stored with each model (rates in Hz, lengths in s).

    The input covers the grid window plus ``context_s`` seconds on both sides,
    so the model sees the event around the window.
    """
    n_raw = int(round(length_s * sampling_rate)) + 2 * int(round(context_s * sampling_rate))
    return {
        "components": list(components),
        "source_sampling_rate": float(sampling_rate),
        "decimate": int(decimate),
        "sampling_rate": float(sampling_rate) / decimate,
        "window_length_s": float(length_s),
        "context_s": float(context_s),
        "n_source_samples": n_raw,
        "n_samples": int(np.ceil(n_raw / decimate)),
        "normalization": normalization,
    }


def read_index_columns(path) -> pd.DataFrame:
    """The key and window columns of an assembled dataset file, without its features (what
    :func:`select_windows` needs): a station-year's features are never held for the deep inputs."""
    import pyarrow.parquet as pq

    present = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[*KEY_COLUMNS, *[c for c in WINDOW_COLUMNS if c in present]])


def select_windows(table: pd.DataFrame, classes: list[str], max_train_per_class: int | None,
                   seed: int) -> pd.DataFrame:
    """Labelled windows of the three splits; training windows capped per class (random, seeded).

    Returns key columns, ``label``, ``snr``, ``split`` and ``row`` (the
    window's position in its split's array), in dataset order within a split.
    """
    rows = table[table["split"].isin(SPLITS) & table["label"].isin(classes)]
    if max_train_per_class is not None:
        rng = np.random.default_rng(seed)
        drop = []
        for c in classes:
            members = rows.index[(rows["split"] == "train") & (rows["label"] == c)]
            if len(members) > max_train_per_class:
                keep = rng.choice(len(members), max_train_per_class, replace=False)
                drop.extend(np.delete(members.to_numpy(), keep))
                log.info("train: %d of %d %r windows kept (max_train_per_class)", max_train_per_class, len(members), c)
        rows = rows.drop(index=drop)
    out = rows[[*KEY_COLUMNS, *[c for c in WINDOW_COLUMNS if c in rows.columns]]].reset_index(drop=True)
    out["row"] = out.groupby("split").cumcount().astype(np.int64)
    for side in SPLITS:
        missing = [c for c in classes if not (out.loc[out["split"] == side, "label"] == c).any()]
        if missing:
            raise InputError(f"split {side!r} has no labelled window of class(es) {missing}")
    return out


def station_day_of(index: pd.DataFrame) -> pd.Series:
    """:func:`seisclass.core.vocabulary.station_day_key` of each window (vectorized)."""
    return station_ids(index) + "/" + index["start"].dt.strftime("%Y-%m-%d")


def build_inputs(index: pd.DataFrame, files: dict[str, str], outputs: dict[str, str], spec: dict,
                 chunk: int = 2048) -> None:
    """Cut, decimate and normalize the windows of ``index`` into one ``.npy`` array per split.

    ``files`` maps each station-day key (:func:`station_day_of`) to the
    preprocessed chunk file holding it; ``outputs`` maps each split to its
    array path. Each file is read once; windows are processed ``chunk`` at a
    time. Raises :class:`InputError` naming the station-day when a file is
    missing or a window is not complete on all components.
    """
    shape = (len(spec["components"]), spec["n_samples"])
    sizes = index["split"].value_counts()
    keys = station_day_of(index)
    paths = keys.map(files)
    if paths.isna().any():
        raise InputError(f"{keys[paths.isna()].iloc[0]}: no preprocessed waveform file among the inputs")
    with _memmaps(outputs, {s: (int(sizes.get(s, 0)), *shape) for s in outputs}) as arrays:
        for path, in_file in index.groupby(paths, sort=True):
            stream = read_checked(path)
            for key, rows in in_file.groupby(keys[in_file.index], sort=True):
                part = select_stations(stream, [key.split("/")[0]])
                for i in range(0, len(rows), chunk):
                    block = rows.iloc[i : i + chunk]
                    x = _cut(part, block, spec, key)
                    for side, where in block.groupby("split").indices.items():
                        arrays[side][block["row"].to_numpy()[where]] = x[where]
                log.info("%s: %d windows", key, len(rows))


def _cut(stream, rows: pd.DataFrame, spec: dict, key: str) -> np.ndarray:
    starts = epoch_seconds(rows["start"])
    kept, raw = windows_at(stream, starts, spec["window_length_s"], spec["components"],
                           spec["source_sampling_rate"], spec.get("context_s", 0.0))
    if len(kept) != len(starts):
        missing = pd.to_datetime(np.setdiff1d(starts, kept)[0], unit="s", utc=True)
        raise InputError(f"{key}: window at {missing} is not complete on components {spec['components']}")
    return prepare_windows(raw, spec["decimate"], spec["normalization"])


class _memmaps:
    """Open one ``.npy`` memmap per split for writing; rename atomically on success."""

    def __init__(self, outputs: dict[str, str], shapes: dict[str, tuple]):
        self.outputs, self.shapes, self._contexts, self.arrays = outputs, shapes, [], {}

    def __enter__(self) -> dict[str, np.ndarray]:
        for side, path in self.outputs.items():
            context = atomic_path(path)
            tmp = context.__enter__()
            self._contexts.append(context)
            self.arrays[side] = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                                          shape=self.shapes[side])
        return self.arrays

    def __exit__(self, *exc) -> bool:
        for array in self.arrays.values():
            array.flush()
        self.arrays.clear()
        for context in reversed(self._contexts):
            context.__exit__(*exc)
        return False


def open_array(path: str) -> np.ndarray:
    """Memory-map a split array read-only."""
    return np.load(path, mmap_mode="r")


def label_codes(labels, classes: list[str]) -> np.ndarray:
    """Class index (position in ``classes``) of each label; raises on an unknown label."""
    codes = pd.Categorical(np.asarray(labels, dtype=object), categories=classes).codes
    if (codes < 0).any():
        bad = np.asarray(labels, dtype=object)[codes < 0][0]
        raise InputError(f"label {bad!r} is not one of the configured classes {classes}")
    return codes.astype(np.int64)


def iterate_batches(n: int, batch_size: int, rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
    """Index batches over ``range(n)``: shuffled when ``rng`` is given, each batch sorted.

    Sorted indices make each memmap read sequential within a batch.
    """
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for i in range(0, n, batch_size):
        yield np.sort(order[i : i + batch_size])
