"""Local waveform sources: raw chunk files, SDS archives and miniSEED directories.

Every source writes one *raw chunk* per station-day,
``results/raw/{source}/{station}/{day}.mseed``, plus a status record
(:func:`write_status`) read by the availability table. A chunk without data
is an empty (0-byte) file, so "no data" is a finished result, never a
missing one.

A *miniSEED directory* is any directory tree of miniSEED files, whatever
their names: it is indexed once by record header (network, station,
location, channel, time span, sampling rate) into a table that is cached
and updated only for files whose size or modification time changed.
Non-miniSEED files are listed in the index with a reason and skipped.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
from obspy import Stream, UTCDateTime, read

from seisclass.acquire.stations import Station, station_id
from seisclass.io import atomic_path, write_json, write_parquet

log = logging.getLogger(__name__)

INDEX_COLUMNS = ["path", "size", "mtime", "network", "station", "location", "channel",
                 "starttime", "endtime", "sampling_rate", "npts", "error"]


class SourceError(RuntimeError):
    """A waveform source cannot deliver a chunk; the message names station and time."""


# ----------------------------------------------------------------- raw chunks


def read_waveforms(path: str | os.PathLike) -> Stream:
    """Read a raw or preprocessed chunk; an empty file is an empty stream (no data)."""
    if Path(path).stat().st_size == 0:
        return Stream()
    return read(str(path), format="MSEED")


read_raw = read_waveforms


def write_raw(stream: Stream, path: str | os.PathLike) -> None:
    """Write a raw chunk atomically (an empty stream gives an empty file).

    Masked (gappy) traces are split first; every trace keeps its own
    sampling rate and encoding.
    """
    stream = stream.copy().split()
    with atomic_path(path) as tmp:
        if len(stream):
            for tr in stream:
                if tr.data.dtype.kind == "f":
                    tr.data = tr.data.astype(np.float32)
            stream.write(str(tmp), format="MSEED")
        else:
            tmp.write_bytes(b"")


def write_status(path, station: str, day: str, source: str, status: str, message: str = "", **extra) -> None:
    """Status record of one chunk: ``status`` is ``ok``, ``no_data`` or ``partial``."""
    write_json({"station": station, "day": day, "source": source, "status": status,
                "message": message, **extra}, path)


# ----------------------------------------------------------------- SDS


def read_sds_day(root: str, station: Station, t0: UTCDateTime, t1: UTCDateTime) -> Stream:
    """Waveforms of ``station`` in ``[t0, t1)`` from the SDS archive at ``root``."""
    from obspy.clients.filesystem.sds import Client

    if not Path(root).is_dir():
        raise SourceError(f"station {station.id}: SDS root {root!r} is not a directory")
    stream = Client(root).get_waveforms(
        station.network, station.station, station.location, station.channels, t0, t1
    )
    return _trim(stream, t0, t1)


def _trim(stream: Stream, t0: UTCDateTime, t1: UTCDateTime) -> Stream:
    """Trim to ``[t0, t1)`` (the last sample before ``t1``); drop empty traces."""
    stream.trim(t0, t1, nearest_sample=False)
    kept = Stream()
    for tr in stream:
        if tr.stats.npts and tr.stats.endtime >= t1:
            tr.trim(endtime=t1 - tr.stats.delta / 2)
        if tr.stats.npts:
            kept.append(tr)
    return kept


# ----------------------------------------------------------------- miniSEED directory


def index_path(directory: str, results: str = "results") -> str:
    """Where the cached index of ``directory`` lives (one file per directory)."""
    digest = hashlib.sha1(str(Path(directory).resolve()).encode()).hexdigest()[:12]
    return f"{results}/raw/mseed_dir/index/{digest}.parquet"


def index_mseed_dir(directory: str, cache: str | None = None) -> pd.DataFrame:
    """Header index of every file under ``directory`` (one row per trace).

    Columns :data:`INDEX_COLUMNS`; times are epoch seconds; ``error`` is empty
    for readable miniSEED and names the reason otherwise (such rows have no
    codes). Files unchanged since ``cache`` was written (same size and
    modification time) are not read again; the refreshed index is written back
    to ``cache`` atomically.
    """
    root = Path(directory)
    if not root.is_dir():
        raise SourceError(f"mseed_dir: {directory!r} is not a directory")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    old = pd.read_parquet(cache) if cache and Path(cache).exists() else pd.DataFrame(columns=INDEX_COLUMNS)
    known = {(r.path, r.size, r.mtime) for r in old[["path", "size", "mtime"]].itertuples()}
    rows, reused = [], []
    for f in files:
        st = f.stat()
        key = (str(f), int(st.st_size), float(st.st_mtime))
        if key in known:
            reused.append(key)
            continue
        rows += _index_file(f, int(st.st_size), float(st.st_mtime))
    keep = old.set_index(["path", "size", "mtime"]).index.isin(reused) if len(old) else []
    frames = [df for df in (old[keep] if len(old) else None, pd.DataFrame(rows, columns=INDEX_COLUMNS))
              if df is not None and len(df)]
    index = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDEX_COLUMNS)
    index = index.astype({"size": "int64", "mtime": "float64", "starttime": "float64", "endtime": "float64",
                          "sampling_rate": "float64", "npts": "int64"})
    index = index.sort_values(["path", "channel", "starttime"], ignore_index=True)
    if cache and (rows or len(index) != len(old)):
        write_parquet(index, cache)
    return index


def _index_file(path: Path, size: int, mtime: float) -> list[dict]:
    base = {"path": str(path), "size": size, "mtime": mtime, "network": "", "station": "",
            "location": "", "channel": "", "starttime": np.nan, "endtime": np.nan,
            "sampling_rate": np.nan, "npts": 0, "error": ""}
    try:
        stream = read(str(path), format="MSEED", headonly=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is recorded, not fatal
        return [{**base, "error": f"not readable as miniSEED: {type(exc).__name__}: {exc}"[:300]}]
    return [
        {**base, "network": tr.stats.network, "station": tr.stats.station, "location": tr.stats.location,
         "channel": tr.stats.channel, "starttime": tr.stats.starttime.timestamp,
         "endtime": tr.stats.endtime.timestamp + tr.stats.delta, "sampling_rate": tr.stats.sampling_rate,
         "npts": tr.stats.npts}
        for tr in stream
    ]


def stations_from_index(index: pd.DataFrame, directory: str, exclude: set[str] = frozenset()) -> list[Station]:
    """One ``mseed_dir`` station per (network, station, location) of the index.

    The band (first two channel letters) with the most data (seconds) is
    chosen; ties go to the higher sampling rate. Coordinates are unknown (NaN)
    unless StationXML provides them. Stations whose id is in ``exclude`` (rows
    of the station table) are left out.
    """
    good = index[index["error"] == ""].copy()
    if good.empty:
        return []
    good["band"] = good["channel"].str[:2]
    good["seconds"] = good["endtime"] - good["starttime"]
    per_band = good.groupby(["network", "station", "location", "band"], as_index=False).agg(
        seconds=("seconds", "sum"), rate=("sampling_rate", "max"))
    per_band = per_band.sort_values(["network", "station", "location", "seconds", "rate"],
                                    ascending=[True, True, True, False, False])
    stations = []
    for row in per_band.drop_duplicates(["network", "station", "location"]).itertuples():
        sid = station_id(row.network, row.station, row.location)
        if sid in exclude:
            continue
        stations.append(Station(
            id=sid, network=row.network, station=row.station, location=row.location,
            channels=f"{row.band}?", source="mseed_dir", latitude=float("nan"),
            longitude=float("nan"), elevation=float("nan"), options=f"path={directory}",
        ))
    return stations


def select_index(index: pd.DataFrame, station: Station, t0: float, t1: float) -> pd.DataFrame:
    """Index rows of ``station`` (its channel pattern) overlapping ``[t0, t1)`` (epoch s)."""
    if index.empty:
        return index
    match = (
        (index["error"] == "")
        & (index["network"] == station.network)
        & (index["station"] == station.station)
        & (index["location"] == station.location)
        & np.array([fnmatch.fnmatchcase(c, station.channels) for c in index["channel"]], dtype=bool)
        & (index["starttime"] < t1)
        & (index["endtime"] > t0)
    )
    return index[match]


def days_with_data(index: pd.DataFrame, station: Station, days: list[str]) -> list[str]:
    """The ``days`` (``YYYY-MM-DD``) on which the index holds data of ``station``."""
    rows = select_index(index, station, -np.inf, np.inf)
    if rows.empty:
        return []
    d0 = np.array([UTCDateTime(d).timestamp for d in days])
    starts, ends = rows["starttime"].to_numpy(), rows["endtime"].to_numpy()
    has = ((starts[None, :] < d0[:, None] + 86400) & (ends[None, :] > d0[:, None])).any(axis=1)
    return [d for d, h in zip(days, has, strict=True) if h]


def read_mseed_dir_day(
    index: pd.DataFrame, station: Station, t0: UTCDateTime, t1: UTCDateTime
) -> tuple[Stream, list[str]]:
    """Waveforms of ``station`` in ``[t0, t1)`` from the indexed files, and notes.

    Each overlapping file is read once; a file that fails to decode (corrupt
    miniSEED) is skipped with a note naming it, never silently.
    """
    stream, notes = Stream(), []
    for path in sorted(set(select_index(index, station, t0.timestamp, t1.timestamp)["path"])):
        try:
            part = read(path, format="MSEED", starttime=t0, endtime=t1)
        except Exception as exc:  # noqa: BLE001 - a corrupt file is skipped and recorded
            notes.append(f"{path}: skipped, cannot decode miniSEED ({type(exc).__name__}: {exc})"[:400])
            continue
        stream += part.select(network=station.network, station=station.station,
                              location=station.location, channel=station.channels)
    return _trim(stream, t0, t1), notes
