"""Preprocessing of one station-day: merge, gaps, detrend, taper, filter, resample.

Gaps up to ``max_gap_s`` are bridged by linear interpolation; longer gaps
split the data into contiguous segments, each processed on its own, and
windows touching such a gap are later dropped by the window cutter. Traces
whose sampling rate differs from the majority of their channel are dropped
with a recorded reason, never silently mixed.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from obspy import Inventory, Stream

from seisclass.core.config import ConfigSection, check_band, config_section
from seisclass.core.records import StationDay
from seisclass.core.waveforms import select_stations

log = logging.getLogger(__name__)


class PreprocessError(ValueError):
    """A trace cannot be preprocessed as configured; the message names the trace and the setting."""


@config_section("preprocess")
class PreprocessParameters(ConfigSection):
    """Config section ``preprocess``: gaps, band-pass (Hz), resampling (Hz), response removal."""

    sampling_rate: float
    bandpass_hz: tuple[float, float]
    corners: int
    taper_s: float
    max_gap_s: float
    min_segment_s: float
    remove_response: str | None  # None, "velocity" or "displacement" (seisclass.signal.response)

    @property
    def amplitude_unit(self) -> str:
        """Unit of preprocessed samples: ``m/s``, ``m`` or ``counts`` (no response removed)."""
        return {"velocity": "m/s", "displacement": "m"}.get(self.remove_response or "", "counts")

    @property
    def amplitude_label(self) -> str:
        """Axis label of preprocessed samples: their unit and the band-pass."""
        low, high = self.bandpass_hz
        return f"{self.amplitude_unit}, {low:g}-{high:g} Hz"

    def _check(self) -> None:
        check_band(type(self), "bandpass_hz", self.bandpass_hz, low_inclusive=False)
        low, high = self.bandpass_hz
        nyquist = self.sampling_rate / 2.0
        if high >= nyquist:
            raise self.error(f"preprocess.bandpass_hz: the high edge {high:g} Hz must be below the Nyquist "
                             f"frequency ({nyquist:g} Hz) of preprocess.sampling_rate {self.sampling_rate:g} Hz")
        if low >= 0.9 * nyquist:
            raise self.error(f"preprocess.bandpass_hz: the low edge {low:g} Hz must be below 0.9 x the Nyquist "
                             f"frequency ({0.9 * nyquist:g} Hz), where the band-pass is capped")


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
    tr.data = without_linear_trend(tr.data)
    duration = tr.stats.npts / tr.stats.sampling_rate
    tr.taper(max_percentage=0.5, max_length=min(p.taper_s, duration / 4), type="hann")
    nyquist_out = p.sampling_rate / 2.0
    freqmin, freqmax = p.bandpass_hz
    freqmax = min(freqmax, 0.9 * nyquist_out, 0.9 * tr.stats.sampling_rate / 2.0)
    check_band_below_nyquist(tr, freqmin, freqmax)
    tr.data = zero_phase_bandpass(tr.data, freqmin, freqmax, tr.stats.sampling_rate, p.corners)
    if tr.stats.sampling_rate != p.sampling_rate:
        # FFT resampling without a spectral window: the band-pass above already
        # removed energy beyond the new Nyquist frequency.
        tr.resample(p.sampling_rate, window=None, no_filter=True)
    tr.data = tr.data.astype(np.float32)
    return tr


def without_linear_trend(data: np.ndarray) -> np.ndarray:
    """``data`` (float64) minus its least-squares straight line: ObsPy's demean then linear detrend, in O(n).

    The closed form (slope = sum((t - mean t)(x - mean x)) / sum((t - mean t)^2), with
    sum((t - mean t)^2) = n (n^2 - 1) / 12) replaces a least-squares solve over every sample.
    """
    x = np.asarray(data, np.float64)
    n = len(x)
    x = x - x.mean()
    if n < 2:
        return x
    t = np.arange(n, dtype=np.float64)
    t -= (n - 1) / 2.0
    slope = (t @ x) / (n * (n * n - 1.0) / 12.0)
    t *= slope
    x -= t
    return x


def zero_phase_bandpass(data: np.ndarray, freqmin: float, freqmax: float, sampling_rate: float,
                        corners: int) -> np.ndarray:
    """Butterworth band-pass (Hz) run forward then backward: ObsPy's ``filter("bandpass", zerophase=True)``.

    The same second-order sections and passes as ObsPy, without the import of ``obspy.signal``
    (about 1 s) that its plug-in lookup costs on every first call.
    """
    from scipy.signal import iirfilter, sosfilt

    nyquist = 0.5 * sampling_rate
    sos = iirfilter(corners, [freqmin / nyquist, freqmax / nyquist], btype="band", ftype="butter", output="sos")
    first = sosfilt(sos, data)[::-1]
    return np.ascontiguousarray(sosfilt(sos, first)[::-1])


def check_band_below_nyquist(tr, freqmin: float, freqmax: float) -> None:
    """Raise :class:`PreprocessError` when the band-pass (Hz) has no room below the trace's Nyquist frequency.

    ``freqmax`` is the upper edge already capped at 0.9 x the trace's Nyquist frequency;
    at or below ``freqmin`` the trace holds nothing of the band (e.g. a 1-Hz channel and
    a 1-15 Hz band), where ObsPy would only say "Selected low corner frequency is above Nyquist".
    """
    if freqmax > freqmin:
        return
    rate = tr.stats.sampling_rate
    raise PreprocessError(
        f"{tr.id}: sampled at {rate:g} Hz, its Nyquist frequency {rate / 2:g} Hz (the band-pass stops at 0.9 x "
        f"Nyquist, {0.45 * rate:g} Hz) is not above the low edge {freqmin:g} Hz of preprocess.bandpass_hz: the "
        "channel holds none of the band; leave it out (station table channels, CLI --channels) or lower "
        "preprocess.bandpass_hz")


def preprocess_chunk(raw: Stream, p: PreprocessParameters, days: list[StationDay],
                     inventories: dict | None = None) -> tuple[Stream, list[str]]:
    """Preprocess a chunk station-day by station-day; remove the response first if ``p`` asks.

    Each station-day (:class:`~seisclass.core.records.StationDay`) is processed
    on its own, so traces of one channel on days far apart are never merged.
    ``inventories`` maps a StationXML path to its Inventory; with
    ``p.remove_response`` (``velocity`` or ``displacement``) every station with
    data needs a response in one of them, else :class:`ResponseError` names the station.
    """
    from obspy import UTCDateTime

    from seisclass.signal.response import ResponseError, remove_instrument_response

    inventories = inventories or {}
    if p.remove_response and len(raw) and not inventories:
        stations = sorted({f"{tr.stats.network}.{tr.stats.station}" for tr in raw})
        raise ResponseError(f"station(s) {stations}: preprocess.remove_response is set but there is no "
                            "StationXML (fdsn, or the station option / config key stationxml)")
    combined = sum(inventories.values(), start=Inventory()) if inventories else None
    out, notes = Stream(), []
    for day in days:
        t0, t1 = (UTCDateTime(t) for t in day.span)
        part = select_stations(raw, [day.id]).slice(t0, t1, nearest_sample=False)
        if not len(part):
            continue
        if p.remove_response:
            part = remove_instrument_response(part, combined, p.remove_response, *p.bandpass_hz,
                                              source=", ".join(inventories))
        processed, day_notes = preprocess_stream(part, p)
        out += processed
        notes += day_notes
    return out, notes


def original_sampling_rates(raw: Stream, days: list[StationDay]) -> list[dict]:
    """Sampling rate of every channel of a chunk's station-days BEFORE resampling.

    One record per station-day and channel: ``station`` (id), ``day``,
    ``channel``, ``component`` (``Z``/``N``/``E``; ``1``/``2``/``3`` read as
    N/E/Z) and ``sampling_rate`` (Hz; the rate :func:`drop_odd_sampling_rates`
    keeps). The preprocess rule writes them into its notes file, from where the
    features learn which frequency bands the station never recorded
    (:func:`seisclass.signal.features.mask_unmeasured_bands`).
    """
    from obspy import UTCDateTime

    from seisclass.signal.windows import ORIENTATION_ALIASES

    out = []
    for day in days:
        t0, t1 = (UTCDateTime(t) for t in day.span)
        part, _ = drop_odd_sampling_rates(select_stations(raw, [day.id]).slice(t0, t1, nearest_sample=False))
        for channel_id in sorted({tr.id for tr in part}):
            channel = channel_id.split(".")[-1]
            out.append({"station": day.id, "day": day.day, "channel": channel,
                        "component": ORIENTATION_ALIASES.get(channel[-1:], channel[-1:]),
                        "sampling_rate": float(part.select(id=channel_id)[0].stats.sampling_rate)})
    return out


ORIGINAL_RATE_COLUMNS = ["station", "day", "channel", "component", "sampling_rate"]


def read_original_rates(notes_paths: list) -> pd.DataFrame:
    """The ``original_sampling_rates`` of preprocess notes files as one table (:data:`ORIGINAL_RATE_COLUMNS`).

    Notes files written before the rates were recorded contribute no rows.
    """
    import json

    rows = []
    for path in notes_paths:
        with open(path) as handle:
            rows += json.load(handle).get("original_sampling_rates", [])
    return pd.DataFrame(rows, columns=ORIGINAL_RATE_COLUMNS)
