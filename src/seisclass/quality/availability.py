"""Data availability of raw chunks: coverage, gaps and overlaps per station-day.

One row per station-day and channel (or one row with ``channel`` empty when
the chunk holds no data): ``coverage`` is the fraction of the requested span
``[t0, t1)`` covered by samples (overlapping traces counted once), a *gap*
is a stretch between consecutive traces longer than 1.5 sample intervals, an
*overlap* a stretch covered by two traces. Runs of NaN (or infinite) samples
are missing data: they count as gaps (``gaps``, ``gap_s``) and not as covered
time, as preprocessing treats them. The sensor health checks of
:mod:`seisclass.signal.health` add ``nan_runs``, ``nan_s`` (s), ``dead_s`` (s
of constant samples), ``clipped_samples``, ``spikes`` and ``health`` (``ok``
or the flags joined by ``+``: ``dead``, ``clipped``, ``nan``, ``spiky``).
``status`` comes from the source (``ok``, ``no_data``, ``partial``,
``unreadable``, ``refused``: an FDSN answer of other codes than requested)
and ``message`` says why.
Files of a miniSEED directory that were skipped (not miniSEED, empty,
truncated, invalid codes) get a row each with status ``skipped_file``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.core.waveforms import read_checked, select_stations
from seisclass.signal.health import HealthParameters, channel_health, health_fields, true_runs

HEALTH_COLUMNS = ["nan_runs", "nan_s", "dead_s", "clipped_samples", "spikes", "health"]
AVAILABILITY_COLUMNS = ["station", "day", "source", "status", "channel", "sampling_rate_hz", "traces",
                        "coverage", "covered_s", "gaps", "gap_s", "overlaps", "overlap_s", *HEALTH_COLUMNS, "message"]
NO_HEALTH = {"nan_runs": 0, "nan_s": 0.0, "dead_s": 0.0, "clipped_samples": 0, "spikes": 0, "health": ""}


def interval_stats(starts: np.ndarray, ends: np.ndarray, t0: float, t1: float, tolerance_s: float) -> dict:
    """Coverage of ``[t0, t1)`` by intervals and their gaps/overlaps (seconds).

    ``starts``/``ends`` are epoch seconds (end = last sample + one interval);
    differences up to ``tolerance_s`` between consecutive intervals are
    neither gaps nor overlaps.
    """
    order = np.argsort(starts)
    s, e = np.clip(np.asarray(starts, float)[order], t0, t1), np.clip(np.asarray(ends, float)[order], t0, t1)
    covered, gaps, gap_s, overlaps, overlap_s = 0.0, 0, 0.0, 0, 0.0
    reach = None
    for a, b in zip(s, e, strict=True):
        if reach is None:
            covered, reach = b - a, b
            continue
        if a > reach + tolerance_s:
            gaps, gap_s = gaps + 1, gap_s + (a - reach)
        elif a < reach - tolerance_s:
            overlaps, overlap_s = overlaps + 1, overlap_s + (min(b, reach) - a)
        covered += max(0.0, b - max(a, reach))
        reach = max(reach, b)
    return {"coverage": covered / (t1 - t0), "covered_s": covered, "gaps": gaps, "gap_s": gap_s,
            "overlaps": overlaps, "overlap_s": overlap_s}


def finite_intervals(traces: Stream) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` (epoch s; end = last sample + one interval) of the runs of finite samples of traces.

    A trace without NaN is one interval; each NaN run splits it, so it shows as a gap (one of a single
    sample is within :func:`interval_stats`' tolerance: it lowers the coverage but is no gap).
    """
    starts, ends = [], []
    for tr in traces:
        t0, fs = tr.stats.starttime.timestamp, tr.stats.sampling_rate
        a, b = true_runs(np.isfinite(np.asarray(tr.data, np.float64)))
        starts.append(t0 + a / fs)
        ends.append(t0 + b / fs)
    return (np.concatenate(starts), np.concatenate(ends)) if starts else (np.zeros(0), np.zeros(0))


def chunk_availability(stream: Stream, t0: float, t1: float, status: dict,
                       health: HealthParameters | None = None) -> pd.DataFrame:
    """Availability and health rows of one raw chunk; ``status`` is the source's status record.

    ``health`` are the thresholds of the health checks (default: the schema's).
    """
    from obspy import UTCDateTime

    health = health or HealthParameters()
    head = {"station": status["station"], "day": status["day"], "source": status["source"],
            "status": status["status"], "message": status.get("message", "")}
    rows = []
    for channel_id in sorted({tr.id for tr in stream}):
        traces = stream.select(id=channel_id)
        rates = sorted({tr.stats.sampling_rate for tr in traces})
        stats = interval_stats(*finite_intervals(traces), t0, t1, 1.5 / max(rates))
        record, _ = channel_health(traces.slice(UTCDateTime(t0), UTCDateTime(t1), nearest_sample=False), health)
        rows.append({**head, "channel": channel_id.split(".")[-1],
                     "sampling_rate_hz": "/".join(f"{r:g}" for r in rates), "traces": len(traces), **stats,
                     **health_fields(record)})
    if not rows:
        rows.append({**head, "channel": "", "sampling_rate_hz": "", "traces": 0, "coverage": 0.0, "covered_s": 0.0,
                     "gaps": 0, "gap_s": 0.0, "overlaps": 0, "overlap_s": 0.0, **NO_HEALTH})
    return pd.DataFrame(rows, columns=AVAILABILITY_COLUMNS)


def unmatched_annotations(annotations: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Annotation rows that no station-day with data matches (station fields and days).

    Such annotations label nothing; the workflow skips them and lists them
    (``results/availability/unmatched_annotations.csv``) instead of failing.
    """
    import fnmatch

    columns = ["network", "station", "location", "channel", "start", "end", "label"]
    with_data = table[table["traces"] > 0][["station", "day"]].drop_duplicates()
    if annotations.empty:
        return pd.DataFrame(columns=columns)
    codes = (with_data["station"].str.split(".", expand=True).reindex(columns=[0, 1, 2], fill_value="")
             .astype(object).fillna(""))
    day0 = (pd.to_datetime(with_data["day"], utc=True) - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    keep = []
    for row in annotations.itertuples():
        names = (codes[0].map(lambda v, pat=row.network: fnmatch.fnmatchcase(v, pat or ""))
                 & codes[1].map(lambda v, pat=row.station: fnmatch.fnmatchcase(v, pat or ""))
                 & codes[2].map(lambda v, pat=row.location: fnmatch.fnmatchcase(v, pat or ""))).to_numpy()
        overlap = (day0 < row.t1) & (day0 + 86400 > row.t0)
        keep.append(not (names & overlap).any())
    return annotations.loc[np.array(keep, dtype=bool), columns].reset_index(drop=True)




def chunks_availability(chunks: list[dict], health: HealthParameters | None = None) -> pd.DataFrame:
    """Availability and health of every station-day of every chunk.

    Each chunk is ``{"raw": path, "status": path or None, "days": [StationDay, ...]}``;
    a chunk without a status file (the demo) counts as ``ok``. ``health``: the health
    check thresholds (default: the schema's).
    """
    rows = []
    for chunk in chunks:
        stream = read_checked(chunk["raw"])
        records = {}
        if chunk.get("status"):
            with open(chunk["status"]) as f:
                records = {(r["station"], r["day"]): r for r in json.load(f)["records"]}
        for day in chunk["days"]:
            status = records.get((day.id, day.day),
                                 {"station": day.id, "day": day.day, "source": day.source, "status": "ok"})
            rows.append(chunk_availability(select_stations(stream, [day.id]), *day.span, status, health))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=AVAILABILITY_COLUMNS)


def skipped_files(index: pd.DataFrame) -> pd.DataFrame:
    """One availability row per file of a miniSEED directory index that was skipped, with the reason."""
    bad = index[index["error"] != ""].drop_duplicates("path")
    return pd.DataFrame({
        "station": "", "day": "", "source": "mseed_dir", "status": "skipped_file", "channel": "",
        "sampling_rate_hz": "", "traces": 0, "coverage": 0.0, "covered_s": 0.0, "gaps": 0, "gap_s": 0.0,
        "overlaps": 0, "overlap_s": 0.0, **NO_HEALTH, "message": (bad["path"] + ": " + bad["error"]).to_numpy(),
    }, columns=AVAILABILITY_COLUMNS)
