"""Preprocessing of one station-day: merge, gaps, detrend, taper, filter, resample.

Gaps up to ``max_gap_s`` are bridged by linear interpolation; longer gaps
split the data into contiguous segments, each processed on its own, and
windows touching such a gap are later dropped by the window cutter. Traces
whose sampling rate differs from the majority of their channel are dropped
with a recorded reason, never silently mixed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from obspy import Stream

from seisclass.config import ConfigSection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreprocessParameters(ConfigSection):
    """Config section ``preprocess``."""

    section = "preprocess"
    read_elsewhere = ("remove_response",)  # read by the preprocess rule (seisclass.signal.response)

    sampling_rate: float = 100.0
    freqmin: float = 1.0
    freqmax: float = 45.0
    corners: int = 4
    taper_s: float = 5.0
    max_gap_s: float = 1.0
    min_segment_s: float = 30.0

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        band = section.pop("bandpass_hz", None)
        if band is not None:
            section["freqmin"], section["freqmax"] = band
        return section


def drop_odd_sampling_rates(stream: Stream) -> tuple[Stream, list[str]]:
    """Keep, per channel, only traces at the sampling rate covering most of that channel's time.

    The majority is by duration, not by number of traces: one long trace
    at 100 Hz outweighs two short ones at 50 Hz (and a tie of one trace each
    no longer goes to the lower rate).
    """

    kept, notes = Stream(), []
    for channel_id in sorted({tr.id for tr in stream}):
        traces = stream.select(id=channel_id)
        rates = np.array([tr.stats.sampling_rate for tr in traces])
        durations = np.array([tr.stats.npts / tr.stats.sampling_rate for tr in traces])
        values, inverse = np.unique(rates, return_inverse=True)
        majority = values[np.argmax(np.bincount(inverse, weights=durations))]
        for tr in traces:
            if tr.stats.sampling_rate == majority:
                kept.append(tr)
            else:
                notes.append(
                    f"{channel_id} {tr.stats.starttime}-{tr.stats.endtime}: dropped, "
                    f"sampling rate {tr.stats.sampling_rate} Hz differs from {majority} Hz"
                )
    return kept, notes


def contiguous_segments(stream: Stream, max_gap_s: float) -> Stream:
    """Merge traces per channel; interpolate gaps <= ``max_gap_s``; split at longer ones.

    Non-finite samples (NaN or infinity, which float miniSEED can hold) are
    missing data: they become gaps like any other, instead of spreading
    through the filter or crashing the detrend.
    """
    out = Stream()
    for channel_id in sorted({tr.id for tr in stream}):
        traces = stream.select(id=channel_id).copy()
        for tr in traces:
            tr.data = np.ma.masked_invalid(np.asarray(tr.data, dtype=np.float64))
        traces = traces.split()  # drop the non-finite runs (masked) before merging
        traces.merge(method=1, fill_value=None)  # masked where data are missing
        for tr in traces:
            out += _bridge_short_gaps(tr, max_gap_s)
    return out


def _bridge_short_gaps(trace, max_gap_s: float) -> Stream:
    data = trace.data
    if not np.ma.isMaskedArray(data) or not np.ma.is_masked(data):
        trace.data = np.asarray(data, dtype=np.float64)
        return Stream([trace])
    mask = np.ma.getmaskarray(data)
    values = np.ma.getdata(data).astype(np.float64)
    idx = np.arange(len(values))
    runs = _true_runs(mask)
    short = [(a, b) for a, b in runs if (b - a) / trace.stats.sampling_rate <= max_gap_s]
    good = ~mask
    for a, b in short:
        values[a:b] = np.interp(idx[a:b], idx[good], values[good])
        mask[a:b] = False
    trace.data = np.ma.masked_array(values, mask=mask)
    return Stream([trace]).split()


def _true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Half-open index ranges where ``mask`` is True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2], strict=True))


def preprocess_stream(stream: Stream, p: PreprocessParameters) -> tuple[Stream, list[str]]:
    """Return the processed stream (float32, ``p.sampling_rate``) and notes on what was dropped."""
    stream, notes = drop_odd_sampling_rates(stream)
    segments = contiguous_segments(stream, p.max_gap_s)
    out = Stream()
    for tr in segments:
        duration = tr.stats.npts / tr.stats.sampling_rate
        if duration < p.min_segment_s:
            notes.append(f"{tr.id} {tr.stats.starttime}: segment of {duration:.1f} s dropped (< min_segment_s)")
            continue
        out.append(_process_segment(tr, p))
    return out, notes


def _process_segment(tr, p: PreprocessParameters):
    tr.detrend("demean")
    tr.detrend("linear")
    duration = tr.stats.npts / tr.stats.sampling_rate
    tr.taper(max_percentage=0.5, max_length=min(p.taper_s, duration / 4), type="hann")
    nyquist_out = p.sampling_rate / 2.0
    freqmax = min(p.freqmax, 0.9 * nyquist_out, 0.9 * tr.stats.sampling_rate / 2.0)
    tr.filter("bandpass", freqmin=p.freqmin, freqmax=freqmax, corners=p.corners, zerophase=True)
    if tr.stats.sampling_rate != p.sampling_rate:
        # FFT resampling without a spectral window: the band-pass above already
        # removed energy beyond the new Nyquist frequency.
        tr.resample(p.sampling_rate, window=None, no_filter=True)
    tr.data = tr.data.astype(np.float32)
    return tr
