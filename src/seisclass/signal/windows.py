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
from obspy import Stream

from seisclass.core.config import ConfigSection, config_section


@config_section("windows")
class WindowParameters(ConfigSection):
    """Config section ``windows``: the window grid (s) and labelling."""

    length_s: float
    step_s: float
    min_overlap: float
    components: tuple[str, ...]

    def _check(self) -> None:
        if self.step_s > self.length_s:
            raise self.error(f"windows.step_s: must be at most windows.length_s ({self.length_s:g} s; a larger "
                             f"step leaves data between windows unused), got {self.step_s}")

    def _check_settings(self, settings) -> None:
        study = settings["study"]
        if self.length_s > study.span_s:
            raise self.error(f"windows.length_s: {self.length_s:g} s is longer than the configured span "
                             f"(end - start = {study.span_s:g} s), so there would be no window")
        fs = settings["preprocess"].sampling_rate
        if self.length_s * fs < 2:
            raise self.error(f"windows.length_s: {self.length_s:g} s holds fewer than two samples at "
                             f"preprocess.sampling_rate {fs:g} Hz")


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
    offsets, inside = window_offsets(len(data), trace_start, sampling_rate, starts, n_samples)
    if len(data) < n_samples:
        return np.empty((0, n_samples), dtype=data.dtype), inside
    view = sliding_window_view(data, n_samples)
    return view[offsets[inside]], inside


def window_offsets(n_data: int, trace_start: float, sampling_rate: float, starts: np.ndarray,
                   n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """First-sample index of each window (the sample nearest its start) and whether it fits the trace."""
    offsets = np.rint((np.asarray(starts, float) - trace_start) * sampling_rate).astype(np.int64)
    return offsets, (offsets >= 0) & (offsets + n_samples <= n_data)


def complete_windows(stream: Stream, starts: np.ndarray, length_s: float, components: list[str],
                     sampling_rate: float) -> np.ndarray:
    """Mask over ``starts``: windows lying inside one trace of every component (as :func:`cut_stream_windows`)."""
    n_samples = samples_per_window(length_s, sampling_rate)
    by_component = traces_by_component(stream)
    keep = np.ones(len(starts), bool)
    for component in components:
        covered = np.zeros(len(starts), bool)
        for trace in by_component.get(component, []):
            covered |= window_offsets(len(trace.data), trace.stats.starttime.timestamp, sampling_rate, starts,
                                      n_samples)[1]
        keep &= covered
    return keep


def cut_stream_windows(
    traces_by_component: dict[str, list],
    components: list[str],
    starts: np.ndarray,
    length_s: float,
    sampling_rate: float,
    context_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut windows of several components; keep windows complete on all of them.

    ``traces_by_component`` maps a component code (``Z``, ``N``, ``E``) to its
    contiguous ObsPy traces at ``sampling_rate``. Returns ``(array, keep)``
    with ``array`` of shape ``(keep.sum(), n_components, n_samples)`` (float32)
    and ``keep`` a mask over ``starts``. Windows touching a gap on any
    component are dropped. With ``context_s > 0`` every window is extended by
    ``context_s`` seconds on both sides (``n_samples`` covers
    ``length_s + 2 context_s``); only the grid window itself must lie inside a
    trace, context beyond the trace's ends is zero.
    """
    margin = int(round(context_s * sampling_rate))
    n_samples = samples_per_window(length_s, sampling_rate) + 2 * margin
    out = np.zeros((len(starts), len(components), n_samples), dtype=np.float32)
    covered = np.zeros((len(starts), len(components)), dtype=bool)
    for c, component in enumerate(components):
        for trace in traces_by_component.get(component, []):
            data = np.asarray(trace.data)
            if margin:
                data = np.concatenate([np.zeros(margin, data.dtype), data, np.zeros(margin, data.dtype)])
            windows, inside = cut_windows(
                data, trace.stats.starttime.timestamp - margin / sampling_rate, sampling_rate,
                np.asarray(starts, float) - margin / sampling_rate, length_s + 2 * margin / sampling_rate,
            )
            out[inside, c] = windows
            covered[inside, c] = True
    keep = covered.all(axis=1)
    return out[keep], keep


ORIENTATION_ALIASES = {"Z": "Z", "N": "N", "E": "E", "1": "N", "2": "E", "3": "Z"}


def traces_by_component(stream: Stream) -> dict[str, list]:
    """Group contiguous traces by component (Z, N, E; 1/2 read as N/E)."""
    groups: dict[str, list] = {}
    for tr in stream:
        component = ORIENTATION_ALIASES.get(tr.stats.channel[-1:])
        if component is not None:
            groups.setdefault(component, []).append(tr)
    return groups


def with_components(stream: Stream, wanted: list[str]) -> Stream:
    """The traces of ``stream`` whose component (Z, N, E; 1/2/3 read as N/E/Z) is among ``wanted``."""
    return Stream([tr for tr in stream if ORIENTATION_ALIASES.get(tr.stats.channel[-1:]) in wanted])


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
    stream: Stream, starts: np.ndarray, length_s: float, components: list[str], sampling_rate: float,
    context_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Windows at given grid ``starts`` (s, epoch) that are complete on all ``components``."""
    starts = np.asarray(starts, float)
    array, keep = cut_stream_windows(
        traces_by_component(stream), components, starts, length_s, sampling_rate, context_s
    )
    return starts[keep], array
