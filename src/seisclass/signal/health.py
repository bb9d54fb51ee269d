"""Sensor health of raw waveforms: dead (constant), clipped, spiky and NaN runs, per channel and station-day.

All checks work on the *raw* samples (counts) of one channel, vectorized over
its samples (no loop over samples or windows):

- **NaN runs**: runs of non-finite samples (float miniSEED can hold NaN or
  infinity). Preprocessing turns them into gaps; here they are counted
  (``nan_runs``) and measured (``nan_s``, s).
- **dead**: runs of identical consecutive samples lasting at least
  ``dead_run_s`` (a sensor or digitizer that stopped: a constant channel is
  one such run). ``dead_s`` is their total length (s). A channel-day is flagged
  ``dead`` when ``dead_s`` reaches ``dead_fraction`` of its finite samples' time.
- **clipped**: samples at the digitizer's full scale ``+-full_scale_counts``
  when it is set (every such sample is clipping), else at the channel's own
  extremes (flat tops at its largest and smallest values); "at" means within
  ``clip_tolerance`` robust standard deviations (1.4826 x MAD) of the samples
  (default 0: exactly, as a digitizer clips), so neither a DC offset nor one
  wild sample widens it. A natural trace has a handful of samples at its own
  extremes, a clipped one many: it is flagged ``clipped`` when the samples at
  the extremes reach both ``clip_min_samples`` and ``clip_fraction`` of the
  samples. Samples stuck at a clipping extreme are clipped, not dead.
- **spikes**: isolated outliers: the second difference ``d[i] = x[i] - (x[i-1]
  + x[i+1]) / 2`` exceeds ``spike_mad`` times both its robust scale over the
  channel (1.4826 x MAD, dead and clipped samples left out) and its local level
  (the larger mean ``|d|`` of the ``spike_window_s / 2`` before and after it,
  the sample and its two neighbours on each side left out); adjacent outlying
  samples count as one spike. A glitch towers over quiet neighbours on both
  sides; an earthquake, however strong and sudden, is as loud after its onset.
  Flagged ``spiky`` at ``spikes_per_hour`` or more.

Bad stretches (``dead``, ``clipped``, ``nan``) are returned as intervals (epoch
s; stretches closer than ``merge_s`` joined) so windows touching them can be
flagged (:func:`window_health`); clipped intervals exist only where clipping is
certain (a configured full scale, or a channel flagged ``clipped``), so the
biggest earthquake of a healthy day is never taken for clipping.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.core.config import ConfigSection, config_section

INTERVAL_COLUMNS = ["station", "day", "channel", "kind", "start", "end"]
WINDOW_KINDS = ("dead", "clipped", "nan")  # bad stretches that make a window unusable
HEALTHY = "ok"
MAD_TO_SIGMA = 1.4826


@config_section("health")
class HealthParameters(ConfigSection):
    """Config section ``health``: thresholds of the sensor health checks (see config/README.md)."""

    dead_run_s: float
    dead_fraction: float
    full_scale_counts: float | None
    clip_tolerance: float
    clip_min_samples: int
    clip_fraction: float
    spike_mad: float
    spike_window_s: float
    spikes_per_hour: float
    merge_s: float
    exclude_from_training: tuple[str, ...]


@dataclass(frozen=True)
class ChannelHealth:
    """Health of one channel over a span: counts, seconds (s) and the flags raised."""

    samples: int
    nan_runs: int
    nan_s: float
    dead_runs: int
    dead_s: float
    clipped_samples: int
    spikes: int
    flags: tuple[str, ...]

    @property
    def health(self) -> str:
        """The flags joined by ``+`` (``dead+nan``), or ``ok``."""
        return "+".join(self.flags) or HEALTHY

    def describe(self) -> str:
        """The flags in words, with their measure (``dead (constant for 3600 s)``)."""
        return describe(health_fields(self))


def describe(fields: dict) -> str:
    """The flags of a :func:`health_fields` record in words, with their measures; ``ok`` without flags."""
    words = {"dead": f"dead (constant for {fields['dead_s']:g} s)",
             "clipped": f"clipped ({fields['clipped_samples']} samples at the digitizer's extremes)",
             "nan": f"NaN runs ({fields['nan_runs']} run(s), {fields['nan_s']:g} s)",
             "spiky": f"spiky ({fields['spikes']} spike(s))"}
    flags = [f for f in str(fields["health"]).split("+") if f in words]
    return ", ".join(words[f] for f in flags) or HEALTHY


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-open index ranges ``[a, b)`` where ``mask`` is True, as two arrays.

    From the True positions alone (one pass to find them): a run starts where a
    position does not follow the previous one, so a sparse mask costs no more.
    """
    where = np.flatnonzero(mask)
    if not len(where):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    breaks = np.flatnonzero(np.diff(where) > 1)
    starts = np.concatenate([where[:1], where[breaks + 1]])
    ends = np.concatenate([where[breaks] + 1, where[-1:] + 1])
    return starts.astype(np.int64), ends.astype(np.int64)


def merge_intervals(starts: np.ndarray, ends: np.ndarray, tolerance_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted intervals with those closer than ``tolerance_s`` (s) joined."""
    order = np.argsort(starts, kind="stable")
    s, e = np.asarray(starts, float)[order], np.asarray(ends, float)[order]
    if not len(s):
        return s, e
    reach = np.maximum.accumulate(e)
    new = np.concatenate([[True], s[1:] > reach[:-1] + tolerance_s])
    return s[new], np.maximum.reduceat(e, np.flatnonzero(new))


def clip_limits(finite: np.ndarray, p: HealthParameters) -> tuple[float, float] | None:
    """``(low, high)``: samples at or below ``low`` / at or above ``high`` sit at the extremes; None if constant.

    The margin is ``clip_tolerance`` robust standard deviations (1.4826 x MAD) of the
    samples: independent of a DC offset and of a few wild samples.
    """
    if not len(finite):
        return None
    margin = p.clip_tolerance * robust_sigma(finite) if p.clip_tolerance > 0 else 0.0
    if p.full_scale_counts is not None:
        return -p.full_scale_counts + margin, p.full_scale_counts - margin
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return None
    return low + margin, high - margin


def robust_sigma(values: np.ndarray, max_samples: int = 1_000_000) -> float:
    """1.4826 x the median absolute deviation; from every k-th value beyond ``max_samples`` (0 when empty)."""
    values = values[::max(1, len(values) // max_samples)]
    if not len(values):
        return 0.0
    return MAD_TO_SIGMA * float(np.median(np.abs(values - np.median(values))))


def _dead_mask(x: np.ndarray, min_samples: int) -> np.ndarray:
    """Samples inside runs of at least ``min_samples`` identical values (NaN never equals)."""
    same = x[1:] == x[:-1]
    a, b = true_runs(same)  # same[k]: x[k] == x[k+1], so run a..b covers samples a..b
    long = (b - a + 1) >= min_samples
    mask = np.zeros(len(x), bool)
    if long.any():
        delta = np.zeros(len(x) + 1, np.int64)
        np.add.at(delta, a[long], 1)
        np.add.at(delta, b[long] + 1, -1)
        mask = np.cumsum(delta[:-1]) > 0
    return mask


def _spikes(second: np.ndarray, scale: float, factor: float, half: int) -> np.ndarray:
    """Samples whose ``|d|`` exceeds ``factor`` x ``scale`` and x the mean ``|d|`` on either side (``half`` samples).

    The local level is the larger of the means before and after the sample,
    leaving out the sample and two neighbours on each side (a spike's own second
    difference spreads over them): an earthquake's onset has a loud side, a
    glitch none. Only candidates above the global threshold are looked at, with
    one cumulative sum.
    """
    n = len(second)
    out = np.zeros(n, bool)
    if scale <= 0:
        return out
    candidates = np.flatnonzero(second > factor * scale)
    if not len(candidates):
        return out
    total = np.concatenate([[0.0], np.cumsum(second)])
    lo, hi = np.clip(candidates - half, 0, n), np.clip(candidates + half + 1, 0, n)
    c_lo, c_hi = np.clip(candidates - 2, 0, n), np.clip(candidates + 3, 0, n)
    before = (total[c_lo] - total[lo]) / np.maximum(c_lo - lo, 1)
    after = (total[hi] - total[c_hi]) / np.maximum(hi - c_hi, 1)
    out[candidates[second[candidates] > factor * np.maximum(before, after)]] = True
    return out


def _second_difference(x: np.ndarray) -> np.ndarray:
    """``x[i] - (x[i-1] + x[i+1]) / 2`` (0 at both ends; NaN next to a NaN)."""
    d = np.zeros(len(x))
    if len(x) > 2:
        with np.errstate(invalid="ignore"):  # inf - inf next to infinite samples: NaN, as wanted
            d[1:-1] = x[1:-1] - 0.5 * (x[:-2] + x[2:])
    return d


def _masks(traces: Stream, p: HealthParameters) -> tuple[list[dict], int, bool]:
    """Per trace: start (epoch s), rate (Hz) and the sample masks ``finite``, ``dead``, ``clipped``, ``spike``.

    Returns them, the clipped samples (0 where clipping is not certain) and
    whether the channel is flagged clipped. Samples stuck at a clipping
    extreme are clipped, not dead; the spike scale leaves dead and clipped samples out.
    """
    parts = [{"t0": tr.stats.starttime.timestamp, "fs": tr.stats.sampling_rate,
              "x": np.asarray(tr.data, np.float64)} for tr in traces]
    for part in parts:
        part["finite"] = np.isfinite(part["x"])
        part["all_finite"] = bool(part["finite"].all())
    values = np.concatenate([q["x"][q["finite"]] for q in parts]) if parts else np.zeros(0)
    limits = clip_limits(values, p)
    for part in parts:
        x = part["x"]
        part["clipped"] = np.zeros(len(x), bool) if limits is None else (x <= limits[0]) | (x >= limits[1])
    n_clipped = sum(int(q["clipped"].sum()) for q in parts)
    is_clipped = n_clipped >= max(p.clip_min_samples, p.clip_fraction * len(values))
    for part in parts:
        if not (is_clipped or p.full_scale_counts is not None):
            part["clipped"][:] = False  # the handful of samples at a healthy trace's own extremes
        stuck = _dead_mask(part["x"], max(2, int(np.ceil(p.dead_run_s * part["fs"]))))
        part["dead"] = stuck & ~part["clipped"] & part["finite"]  # a run of infinities is a NaN run
        part["second"] = np.abs(_second_difference(part["x"]))
        if not part["all_finite"]:
            part["second"] = np.nan_to_num(part["second"], nan=0.0, posinf=0.0)
    pooled = [q["second"][q["finite"] & ~q["dead"] & ~q["clipped"]] for q in parts]
    scale = robust_sigma(np.concatenate(pooled)) if pooled else 0.0
    for part in parts:
        part["spike"] = _spikes(part["second"], scale, p.spike_mad, max(3, round(p.spike_window_s * part["fs"] / 2)))
    return parts, n_clipped if (is_clipped or p.full_scale_counts is not None) else 0, is_clipped


def channel_health(traces: Stream, p: HealthParameters, channel: str = "", station: str = "", day: str = ""
                   ) -> tuple[ChannelHealth, pd.DataFrame]:
    """Health of one channel's traces (raw samples) and its bad stretches (:data:`INTERVAL_COLUMNS`).

    Runs never reach across two traces; the extremes and the spike scale are
    those of all the channel's finite samples.
    """
    parts, n_clipped, is_clipped = _masks(traces, p)
    counts = {"nan": 0, "dead": 0, "spike": 0}
    seconds = {"nan": 0.0, "dead": 0.0, "data": 0.0}
    intervals = []
    for q in parts:
        runs = {"nan": true_runs(~q["finite"]), "dead": true_runs(q["dead"]), "clipped": true_runs(q["clipped"])}
        counts["nan"] += len(runs["nan"][0])
        counts["dead"] += len(runs["dead"][0])
        counts["spike"] += len(true_runs(q["spike"])[0])
        seconds["nan"] += float((~q["finite"]).sum() / q["fs"])
        seconds["dead"] += float(q["dead"].sum() / q["fs"])
        seconds["data"] += float(q["finite"].sum() / q["fs"])
        for kind, (a, b) in runs.items():
            starts, ends = merge_intervals(q["t0"] + a / q["fs"], q["t0"] + b / q["fs"], p.merge_s)
            intervals.append(pd.DataFrame({"kind": kind, "start": starts, "end": ends}))
    flags = _flags(p, seconds, counts, is_clipped)
    record = ChannelHealth(sum(int(q["finite"].sum()) for q in parts), counts["nan"], round(seconds["nan"], 6),
                           counts["dead"], round(seconds["dead"], 6), n_clipped, counts["spike"], flags)
    table = pd.concat(intervals, ignore_index=True) if intervals else pd.DataFrame(columns=["kind", "start", "end"])
    table.insert(0, "station", station)
    table.insert(1, "day", day)
    table.insert(2, "channel", channel)
    return record, table.reindex(columns=INTERVAL_COLUMNS)


def _flags(p: HealthParameters, seconds: dict, counts: dict, is_clipped: bool) -> tuple[str, ...]:
    """The flags raised by the measures of :func:`channel_health` (see the module docstring)."""
    data = seconds["data"]
    flags = []
    if data > 0 and seconds["dead"] >= p.dead_fraction * data:
        flags.append("dead")
    if is_clipped:
        flags.append("clipped")
    if counts["nan"]:
        flags.append("nan")
    if data > 0 and counts["spike"] >= p.spikes_per_hour * data / 3600.0:
        flags.append("spiky")
    return tuple(flags)


def station_day_health(raw: Stream, days: list, p: HealthParameters) -> tuple[list[dict], pd.DataFrame]:
    """Health of every channel of every station-day (``StationDay`` records) of a raw chunk.

    Returns the records (``station``, ``day``, ``channel`` and the fields of
    :class:`ChannelHealth`, ``health`` the joined flags) and all bad stretches.
    """
    from obspy import UTCDateTime

    from seisclass.core.waveforms import select_stations

    records, tables = [], []
    for day in days:
        t0, t1 = (UTCDateTime(t) for t in day.span)
        part = select_stations(raw, [day.id]).slice(t0, t1, nearest_sample=False)
        for channel_id in sorted({tr.id for tr in part}):
            channel = channel_id.split(".")[-1]
            record, table = channel_health(part.select(id=channel_id), p, channel, day.id, day.day)
            records.append({"station": day.id, "day": day.day, "channel": channel, **health_fields(record)})
            tables.append(table)
    intervals = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=INTERVAL_COLUMNS)
    return records, intervals


def health_fields(record: ChannelHealth) -> dict:
    """The columns a table keeps of a :class:`ChannelHealth` (counts, seconds, ``health``)."""
    return {"nan_runs": record.nan_runs, "nan_s": record.nan_s, "dead_s": record.dead_s,
            "clipped_samples": record.clipped_samples, "spikes": record.spikes, "health": record.health}


def window_health(windows: pd.DataFrame, intervals: pd.DataFrame) -> np.ndarray:
    """Per window (rows with ``network, station, location, start, end``): the bad stretches it touches.

    ``intervals`` are :data:`INTERVAL_COLUMNS` rows (any channel of the station
    counts); the result is ``ok`` or the kinds of :data:`WINDOW_KINDS` joined by
    ``+`` (``dead+nan``). Vectorized per station and kind (``searchsorted``).
    """
    from seisclass.core.vocabulary import epoch_seconds, station_ids

    n = len(windows)
    hits = np.zeros((n, len(WINDOW_KINDS)), bool)
    if n and len(intervals):
        sid = station_ids(windows).to_numpy()
        t0, t1 = epoch_seconds(windows["start"]), epoch_seconds(windows["end"])
        for (station, kind), part in intervals[intervals["kind"].isin(WINDOW_KINDS)].groupby(["station", "kind"]):
            rows = np.flatnonzero(sid == station)
            starts, ends = merge_intervals(part["start"].to_numpy(float), part["end"].to_numpy(float), 0.0)
            first = np.searchsorted(ends, t0[rows], side="right")  # first stretch ending after the window start
            inside = first < len(starts)
            touched = np.zeros(len(rows), bool)
            touched[inside] = starts[first[inside]] < t1[rows][inside]
            hits[rows, WINDOW_KINDS.index(kind)] |= touched
    names = np.array(["+".join(k for k, bit in zip(WINDOW_KINDS, bits, strict=True) if bit) or HEALTHY
                      for bits in np.ndindex(*(2,) * len(WINDOW_KINDS))], dtype=object)
    code = (hits * (2 ** np.arange(len(WINDOW_KINDS))[::-1])).sum(axis=1)
    return names[code]


def read_intervals(notes_paths: list) -> pd.DataFrame:
    """The bad stretches (``health_intervals``) of preprocess notes files as one table (:data:`INTERVAL_COLUMNS`).

    Notes written before the health checks existed contribute none.
    """
    import json

    rows = []
    for path in notes_paths:
        with open(path) as handle:
            rows += json.load(handle).get("health_intervals", [])
    return pd.DataFrame(rows, columns=INTERVAL_COLUMNS)


def usable(health, exclude: tuple[str, ...] = WINDOW_KINDS) -> np.ndarray:
    """True for windows whose health holds none of the kinds in ``exclude`` (default: any bad stretch)."""
    values = pd.Series(np.asarray(health, dtype=object)).astype(str).str.split("+")
    return ~values.map(lambda kinds: any(k in exclude for k in kinds)).to_numpy(bool)
