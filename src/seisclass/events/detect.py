"""Per-station events: where a physical event starts and ends at one station, and its class.

1. **Where something happens**: the event probability of a window is one minus the
   probability of the background classes (``silence``, ``noise``); smoothed over a few
   windows, it is thresholded with hysteresis: a run of windows above
   ``off_probability`` that reaches ``on_probability`` somewhere is a candidate, and
   candidates less than ``merge_gap_s`` apart are one.
2. **Its physical extent**, from the station's envelope (band power of the vertical
   trace in ``frame_s`` frames every ``hop_s``, :mod:`seisclass.signal.envelope`) in dB
   above the noise before it (the median power of the quietest quarter of the ``noise_s``
   before the candidate, so that the rise of an emergent event is not taken for noise):
   the **onset** is the first frame above ``onset_db`` near the candidate's start; the
   **end** is the return to the noise, the last frame above ``end_db`` before the level
   stays below it for ``quiet_s`` (coda included, at most ``max_coda_s`` after the
   candidate). Without a trace, the extent is the candidate's windows.
3. **Its class**: the mean of the (calibrated) window probabilities over the first
   ``class_span_s`` after the onset (the coda is part of the event but does not vote);
   the class is the most likely event class, ``p_<class>`` the mean probabilities.
4. **Events inside events**: a run of at least ``nested_s`` of another most likely event
   class of ``nested_classes`` inside an event, starting at least ``nested_s`` after its onset,
   is an event of its own when the envelope jumps by ``nested_jump_db`` over the event's level in
   the ``nested_s`` before it (an earthquake during people walking); a decaying coda has no
   such jump and stays part of its event, and so do the first seconds of an event.
5. Events shorter than ``min_duration_s`` or weaker than ``min_snr_db`` (mean power over
   the class span against the noise) are dropped.

Per-station event tables have the columns :data:`EVENT_COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import epoch_seconds, probability_columns, to_timestamps
from seisclass.events.segments import smooth
from seisclass.signal.envelope import decibels, trace_band_power

STATION_COLUMNS = ["network", "station", "location", "channel"]
EVENT_COLUMNS = [*STATION_COLUMNS, "class", "start", "end", "onset", "probability", "snr_db", "n_windows"]


@config_section("events")
class EventParameters(ConfigSection):
    """Config section ``events``: detection (probabilities, dB, s), association (s, km/s), catalogue."""

    background_classes: tuple[str, ...]
    smoothing_windows: int
    on_probability: float
    off_probability: float
    merge_gap_s: float
    min_duration_s: float
    min_snr_db: float
    class_span_s: float
    band_hz: tuple[float, float] | None
    frame_s: float
    hop_s: float
    onset_db: float
    end_db: float
    quiet_s: float
    max_coda_s: float
    noise_s: float
    nested_s: float
    nested_jump_db: float
    nested_classes: tuple[str, ...]
    tolerance_s: float
    velocity_km_s: float
    slack_s: float
    min_stations: int
    locate_velocity_km_s: float

    def _check(self) -> None:
        if self.off_probability > self.on_probability:
            raise self.error(f"events.off_probability: {self.off_probability} must not exceed "
                             f"events.on_probability ({self.on_probability})")
        if self.end_db > self.onset_db:
            raise self.error(f"events.end_db: {self.end_db} must not exceed events.onset_db ({self.onset_db})")
        if self.hop_s > self.frame_s:
            raise self.error(f"events.hop_s: {self.hop_s} must not exceed events.frame_s ({self.frame_s})")

    def _check_settings(self, settings) -> None:
        classes = settings["study"].classes
        if not set(self.background_classes) & set(classes):
            raise self.error(f"events.background_classes: none of {list(self.background_classes)} is a "
                             f"configured class {list(classes)}; name the class(es) that are not events")

    def event_classes(self, classes: list[str]) -> list[str]:
        """The classes that are events (not background), in class order."""
        return [c for c in classes if c not in self.background_classes]


# ------------------------------------------------------------------ the envelope of a station


class Envelope:
    """Frame times (s, epoch; frame centres) and band power of a station's vertical trace(s)."""

    def __init__(self, times: np.ndarray, power: np.ndarray, channel: str = ""):
        order = np.argsort(times)
        self.times, self.power, self.channel = np.asarray(times)[order], np.asarray(power)[order], channel

    @classmethod
    def of_stream(cls, stream, p: EventParameters, band: tuple[float, float]) -> Envelope | None:
        """The envelope of the vertical (else first) component of a one-station stream; None without data."""
        from seisclass.signal.windows import ORIENTATION_ALIASES

        vertical = [tr for tr in stream if ORIENTATION_ALIASES.get(tr.stats.channel[-1:]) == "Z"] or list(stream)
        if not vertical:
            return None
        channel = vertical[0].stats.channel
        parts = [trace_band_power(tr, p.frame_s, p.hop_s, band) for tr in vertical if tr.stats.channel == channel]
        times = np.concatenate([t for t, _ in parts]) if parts else np.zeros(0)
        if not len(times):
            return None
        return cls(times, np.concatenate([w for _, w in parts]), channel)

    def noise(self, t0: float, p: EventParameters) -> float:
        """Noise power before ``t0``: the quietest quarter of the ``noise_s`` before it (else the quietest tenth
        around it).

        The ``noise_s`` before ``t0`` are cut into four consecutive blocks (of five frames at least) and the
        lowest block median is the noise: an emergent event (a debris flow, an outburst flood) rises for tens
        of seconds before its windows look like an event, and a plain median over the span would take that
        rise for noise, lowering the event's level and SNR by several dB.
        """
        before = self.power[(self.times >= t0 - p.noise_s) & (self.times <= t0 - p.frame_s)]
        if len(before) >= 5:
            blocks = np.array_split(before, max(1, min(4, len(before) // 5)))
            return float(min(np.median(block) for block in blocks))
        near = self.power[np.abs(self.times - t0) <= 600.0]
        return float(np.percentile(near if len(near) else self.power, 10))

    def level(self, noise: float, smooth_frames: int = 3) -> np.ndarray:
        """Frame levels in dB above ``noise`` (running mean over ``smooth_frames`` frames)."""
        kernel = np.ones(smooth_frames) / smooth_frames
        smoothed = np.convolve(self.power, kernel, mode="same") / np.convolve(np.ones(len(self.power)), kernel,
                                                                               mode="same")
        return decibels(smoothed, noise)


# ------------------------------------------------------------------ candidates


def candidates(event_probability: np.ndarray, starts: np.ndarray, length_s: float, step_s: float,
               p: EventParameters) -> list[tuple[int, int]]:
    """Half-open window index ranges of the candidates (hysteresis, then merged across short gaps)."""
    active = event_probability >= p.off_probability
    padded = np.concatenate([[False], active, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    found = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True)
             if (event_probability[a:b] >= p.on_probability).any()]
    merged: list[list[int]] = []
    for a, b in found:
        if merged and starts[a] - (starts[merged[-1][1] - 1] + length_s) <= p.merge_gap_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def extent(envelope: Envelope | None, t0: float, t1: float, p: EventParameters) -> tuple[float, float, float]:
    """``(onset, end, snr_db)`` of a candidate spanning ``[t0, t1]`` (s, epoch): see the module doc."""
    if envelope is None:
        return t0, t1, float("nan")
    noise = envelope.noise(t0, p)
    level = envelope.level(noise)
    raw = envelope.level(noise, smooth_frames=1)
    times = envelope.times
    # the onset: the first frame above onset_db whose smoothed level (3 frames) is above it too
    confirmed = (raw > p.onset_db) & (np.maximum(level, np.roll(level, -1)) > p.onset_db)
    near = np.flatnonzero((times >= t0 - 10.0) & (times <= t1) & confirmed)
    onset = float(times[near[0]]) if len(near) else t0
    end = t1
    after = np.flatnonzero((times >= onset) & (times <= t1 + p.max_coda_s))
    if len(after):
        above = level[after] > p.end_db
        quiet_frames = max(int(round(p.quiet_s / p.hop_s)), 1)
        # the end: the last frame above end_db before a quiet run of quiet_frames frames that starts after t1 - hop
        last_above = None
        quiet = 0
        for index, is_above in zip(after, above, strict=True):  # one event's frames (minutes), not per window
            if is_above:
                last_above, quiet = index, 0
            else:
                quiet += 1
                if quiet >= quiet_frames and times[index] >= min(t1, onset + p.min_duration_s):
                    break
        if last_above is not None:
            end = float(times[last_above] + p.frame_s / 2)
    span = (times >= onset) & (times <= min(end, onset + p.class_span_s))
    snr = float(decibels(envelope.power[span].mean(), noise)) if span.any() else float("nan")
    return onset, max(end, onset + p.hop_s), snr


# ------------------------------------------------------------------ events of one station


def station_events(windows: pd.DataFrame, classes: list[str], envelope: Envelope | None, p: EventParameters,
                   length_s: float, step_s: float) -> pd.DataFrame:
    """The events (:data:`EVENT_COLUMNS` plus ``p_<class>``) of one station and band's window probabilities.

    ``windows`` holds the key columns and ``p_<class>`` of one station (any order; rows
    with NaN probabilities are ignored); ``envelope`` its vertical trace's envelope (or
    None); ``length_s``/``step_s`` the window grid (s).
    """
    columns = probability_columns(classes)
    windows = windows.dropna(subset=columns).drop_duplicates("start").sort_values("start", ignore_index=True)
    if not len(windows):
        return empty_events(classes)
    starts = epoch_seconds(windows["start"])
    proba = windows[columns].to_numpy(np.float64)
    smoothed = smooth(proba, starts, step_s, p.smoothing_windows)
    background = [j for j, c in enumerate(classes) if c in p.background_classes]
    event_classes = [j for j, c in enumerate(classes) if c not in p.background_classes]
    event_probability = 1.0 - smoothed[:, background].sum(axis=1)
    rows = []
    for a, b in candidates(event_probability, starts, length_s, step_s, p):
        t0, t1 = float(starts[a]), float(starts[b - 1] + length_s)
        onset, end, snr = extent(envelope, t0, t1, p)
        outer = event_row(classes, event_classes, proba, starts, length_s, onset, end, snr, p, t0)
        nested = nested_events(classes, event_classes, proba, smoothed, starts, length_s, envelope, onset, end,
                               outer["class"], p)
        for row in [outer, *nested]:
            if row["end"] - row["start"] >= p.min_duration_s and not row["snr_db"] < p.min_snr_db:
                rows.append(row)
    if not rows:
        return empty_events(classes)
    table = pd.DataFrame(rows).sort_values("onset", ignore_index=True)
    for column in STATION_COLUMNS:
        table[column] = windows[column].iloc[0]
    if envelope is not None and envelope.channel:
        table["channel"] = envelope.channel  # the real channel code the onset was picked on
    for column in ("start", "end", "onset"):
        table[column] = to_timestamps(table[column].to_numpy(float))
    return table[[*EVENT_COLUMNS, *columns]]


def event_row(classes: list[str], event_classes: list[int], proba: np.ndarray, starts: np.ndarray, length_s: float,
              onset: float, end: float, snr: float, p: EventParameters, first_window: float | None = None) -> dict:
    """One event: the mean probabilities of the windows centred in its class span decide its class.

    The event starts at its onset, or at the centre of its first likely window when
    that is earlier (an onset too weak for ``onset_db``, picked on a later phase); the
    windows from the onset on vote.
    """
    centres = starts + length_s / 2
    start = onset if first_window is None else min(onset, first_window + length_s / 2)
    voting = (centres >= onset - 2.0) & (centres <= min(end, onset + p.class_span_s))
    if not voting.any():  # a short event: the window nearest its onset
        voting = np.zeros(len(starts), bool)
        voting[int(np.argmin(np.abs(centres - onset)))] = True
    mean = proba[voting].mean(axis=0)
    best = event_classes[int(np.argmax(mean[event_classes]))] if event_classes else int(np.argmax(mean))
    in_event = (starts + length_s > start) & (starts < end)
    return {"class": classes[best], "start": start, "end": end, "onset": onset, "probability": float(mean[best]),
            "snr_db": snr, "n_windows": int(in_event.sum()),
            **{f"p_{c}": float(mean[j]) for j, c in enumerate(classes)}}


def nested_events(classes: list[str], event_classes: list[int], proba: np.ndarray, smoothed: np.ndarray,
                  starts: np.ndarray, length_s: float, envelope: Envelope | None, onset: float, end: float,
                  outer_class: str, p: EventParameters) -> list[dict]:
    """Events of another class inside an event, each starting with a jump of the envelope."""
    if envelope is None or len(event_classes) < 2:
        return []
    inside = np.flatnonzero((starts >= onset) & (starts + length_s <= end + length_s))
    if not len(inside):
        return []
    nestable = [j for j in event_classes if classes[j] in p.nested_classes and classes[j] != outer_class]
    if not nestable:
        return []
    best = np.asarray(event_classes)[smoothed[inside][:, event_classes].argmax(axis=1)]
    other = np.isin(best, nestable)
    noise = envelope.noise(onset, p)
    level = envelope.level(noise)
    out = []
    for a, b in _true_runs(other):
        first, last = inside[a], inside[b - 1]
        t0, t1 = float(starts[first]), float(starts[last] + length_s)
        if t1 - t0 - length_s < p.nested_s or t0 - p.nested_s < onset:  # the level before it must be the event's
            continue
        before = level[(envelope.times >= t0 - p.nested_s) & (envelope.times < t0)]
        during = level[(envelope.times >= t0) & (envelope.times <= t1)]
        if not len(before) or not len(during) or during.max() - np.median(before) < p.nested_jump_db:
            continue
        rise = np.flatnonzero((envelope.times >= t0) & (envelope.times <= t1)
                              & (level > np.median(before) + p.nested_jump_db))
        start = float(envelope.times[rise[0]]) if len(rise) else t0
        span = (envelope.times >= start) & (envelope.times <= min(t1, start + p.class_span_s))
        snr = float(decibels(envelope.power[span].mean(), noise)) if span.any() else float("nan")
        row = event_row(classes, nestable, proba, starts, length_s, start, t1, snr, p, t0)
        out.append(row)
    return out


def _true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2], strict=True))


def empty_events(classes: list[str]) -> pd.DataFrame:
    """An event table without rows (the columns and their types)."""
    table = pd.DataFrame({c: pd.Series(dtype=object) for c in STATION_COLUMNS})
    for column in ("start", "end", "onset"):
        table[column] = pd.Series(dtype="datetime64[us, UTC]")
    table["class"] = pd.Series(dtype=object)
    for column in ("probability", "snr_db"):
        table[column] = pd.Series(dtype=float)
    table["n_windows"] = pd.Series(dtype=int)
    for column in probability_columns(classes):
        table[column] = pd.Series(dtype=float)
    return table[[*EVENT_COLUMNS, *probability_columns(classes)]]


# ------------------------------------------------------------------ events of a chunk


def chunk_events(probabilities: pd.DataFrame, stream, classes: list[str], p: EventParameters, length_s: float,
                 step_s: float, band: tuple[float, float]) -> pd.DataFrame:
    """Events of every station and band of a probability table; envelopes from ``stream`` (or None).

    ``band`` (Hz) is the envelope band when ``events.band_hz`` is not set (the
    preprocessing band-pass).
    """
    from seisclass.core.vocabulary import station_id
    from seisclass.core.waveforms import select_stations

    parts = []
    for (network, station, location, _), rows in probabilities.groupby(STATION_COLUMNS, sort=True):
        envelope = None
        if stream is not None:
            part = select_stations(stream, [station_id(network, station, location)])
            envelope = Envelope.of_stream(part, p, tuple(p.band_hz or band)) if len(part) else None
        parts.append(station_events(rows, classes, envelope, p, length_s, step_s))
    parts = [t for t in parts if len(t)]
    return pd.concat(parts, ignore_index=True) if parts else empty_events(classes)


def windows_of_days(table: pd.DataFrame, days) -> pd.DataFrame:
    """The rows of a window table that belong to ``days`` (station-days: station id and span)."""
    from seisclass.core.vocabulary import station_ids

    if not len(table):
        return table
    sid, start = station_ids(table).to_numpy(), epoch_seconds(table["start"])
    keep = np.zeros(len(table), bool)
    for day in days:
        keep |= (sid == day.id) & (start >= day.t0) & (start < day.t1)
    return table[keep]
