"""The window grid: the one place that decides where windows start and end.

Windows have a fixed length and step (seconds) and start at integer multiples
of the step counted from the Unix epoch, so every station and every day share
one grid: a window is identified by its start time alone, and windows of
different stations at the same time line up. Times are float seconds since
the epoch (UTC).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def window_starts(t0: float, t1: float, length_s: float, step_s: float) -> np.ndarray:
    """Start times (s, epoch) of all grid windows lying fully inside ``[t0, t1]``."""
    if length_s <= 0 or step_s <= 0:
        raise ValueError("window length and step must be positive")
    first = np.ceil(round(t0 / step_s, 9)) * step_s
    last = t1 - length_s
    if last < first:
        return np.empty(0)
    n = int(np.floor(round((last - first) / step_s, 9))) + 1
    return first + step_s * np.arange(n)


def samples_per_window(length_s: float, sampling_rate: float) -> int:
    """Number of samples in one window."""
    return int(round(length_s * sampling_rate))


def cut_windows(
    data: np.ndarray,
    trace_start: float,
    sampling_rate: float,
    starts: np.ndarray,
    length_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut the grid windows that lie fully inside one contiguous trace.

    Returns ``(windows, inside)``: ``windows`` is a read-only view of shape
    ``(inside.sum(), n_samples)`` and ``inside`` a boolean mask over ``starts``.
    No data are copied; a window's first sample is the nearest sample to its
    grid start time.
    """
    n_samples = samples_per_window(length_s, sampling_rate)
    offsets = np.rint((np.asarray(starts) - trace_start) * sampling_rate).astype(np.int64)
    inside = (offsets >= 0) & (offsets + n_samples <= len(data))
    if len(data) < n_samples:
        return np.empty((0, n_samples), dtype=data.dtype), inside
    view = sliding_window_view(data, n_samples)
    return view[offsets[inside]], inside


def cut_stream_windows(
    traces_by_component: dict[str, list],
    components: list[str],
    starts: np.ndarray,
    length_s: float,
    sampling_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut windows of several components; keep windows complete on all of them.

    ``traces_by_component`` maps a component code (``Z``, ``N``, ``E``) to its
    contiguous ObsPy traces at ``sampling_rate``. Returns ``(array, keep)``
    with ``array`` of shape ``(keep.sum(), n_components, n_samples)`` (float32)
    and ``keep`` a mask over ``starts``. Windows touching a gap on any
    component are dropped.
    """
    n_samples = samples_per_window(length_s, sampling_rate)
    out = np.zeros((len(starts), len(components), n_samples), dtype=np.float32)
    covered = np.zeros((len(starts), len(components)), dtype=bool)
    for c, component in enumerate(components):
        for trace in traces_by_component.get(component, []):
            windows, inside = cut_windows(
                np.asarray(trace.data), trace.stats.starttime.timestamp, sampling_rate, starts, length_s
            )
            out[inside, c] = windows
            covered[inside, c] = True
    keep = covered.all(axis=1)
    return out[keep], keep
