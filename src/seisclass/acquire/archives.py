"""Local archives: SDS archives and miniSEED directories.

A *miniSEED directory* is any directory tree of miniSEED files, whatever
their names: it is indexed by record header (network, station, location,
channel, time span, sampling rate) into a table. The index is built by a job
(never while the workflow is parsed) and cached: only files whose size or
modification time changed are read again. Files that are not miniSEED are
listed in the index with the reason and skipped.

Every file of a user's archive is read strictly
(:func:`seisclass.core.waveforms.read_checked`): a corrupt or truncated
file is skipped with a note naming it and the reason, never used silently.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from obspy import Stream, UTCDateTime, read

from seisclass.acquire.stations import SEED_CODES, Station
from seisclass.core.io import write_parquet
from seisclass.core.records import StationDay
from seisclass.core.vocabulary import station_id
from seisclass.core.waveforms import WaveformReadError, read_checked

log = logging.getLogger(__name__)

INDEX_COLUMNS = ["path", "size", "mtime", "network", "station", "location", "channel",
                 "starttime", "endtime", "sampling_rate", "npts", "error"]


class SourceError(RuntimeError):
    """A waveform source cannot deliver a chunk; the message names station and time."""


# ----------------------------------------------------------------- SDS


def read_sds_day(root: str, station: Station, t0: UTCDateTime, t1: UTCDateTime) -> tuple[Stream, list[str]]:
    """Waveforms of ``station`` in ``[t0, t1)`` from the SDS archive at ``root``, and notes.

    The day files are located by the SDS naming convention (ObsPy's public
    ``Client.FMTSTR``, the station's channel pattern as a wildcard; the day
    before is read too, for records that cross midnight) and each is read
    strictly; a corrupt or truncated file is skipped with a note naming it.
    """
    return read_station_files(sds_files(root, station, t0, t1), station, t0, t1)


def sds_files(root: str, station: Station, t0: UTCDateTime, t1: UTCDateTime) -> list[str]:
    """The SDS day files of ``station`` (its channel pattern) that can hold data of ``[t0, t1)``."""
    import glob

    from obspy.clients.filesystem.sds import Client

    if not Path(root).is_dir():
        raise SourceError(f"station {station.id}: SDS root {root!r} is not a directory")
    client = Client(root)
    files = []
    day = UTCDateTime((t0 - 1).date)
    while day < t1:
        pattern = client.FMTSTR.format(year=day.year, doy=day.julday, network=station.network,
                                       station=station.station, location=station.location,
                                       channel=station.channels, sds_type=client.sds_type)
        files += glob.glob(str(Path(root) / glob.escape(pattern).replace(glob.escape(station.channels),
                                                                      station.channels)))
        day += 86400
    return sorted(set(files))


def read_station_files(files, station: Station, t0: UTCDateTime, t1: UTCDateTime) -> tuple[Stream, list[str]]:
    """The traces of ``station`` in ``[t0, t1)`` from ``files``, each read strictly once; notes of skipped files.

    The same samples in more than one file (a file copied, two overlapping downloads) are
    kept once, with one logged warning naming the channels, the samples and the files.
    """
    stream, notes, holders = Stream(), [], {}
    for path in sorted(set(files)):
        part, note = _read_source_file(path, t0, t1)
        if note:
            notes.append(note)
        part = part.select(network=station.network, station=station.station, location=station.location,
                           channel=station.channels)
        for tr in part:
            holders.setdefault(tr.id, []).append(str(path))
        stream += part
    stream, dropped = drop_duplicate_samples(stream)
    if dropped:
        log.warning("%s %s: the same data more than once: %s dropped, kept once (files: %s)", station.id,
                    t0.strftime("%Y-%m-%d"), ", ".join(f"{n} sample(s) of {i}" for i, n in sorted(dropped.items())),
                    ", ".join(sorted({f for i in dropped for f in holders.get(i, [])})))
    return _trim(stream, t0, t1), notes


def drop_duplicate_samples(stream: Stream) -> tuple[Stream, dict[str, int]]:
    """``stream`` with identical overlapping data kept once, and the samples dropped per trace id.

    ObsPy's cleanup merge (``Stream.merge(method=-1)``): traces of one id and rate that
    overlap with identical samples, or touch, are joined; overlaps holding different
    data stay apart (preprocessing merges them as gaps and overlaps).
    """
    before: dict[str, int] = {}
    for tr in stream:
        before[tr.id] = before.get(tr.id, 0) + tr.stats.npts
    stream.merge(method=-1)
    after: dict[str, int] = {}
    for tr in stream:
        after[tr.id] = after.get(tr.id, 0) + tr.stats.npts
    return stream, {i: n - after.get(i, 0) for i, n in before.items() if n > after.get(i, 0)}


def _read_source_file(path: str, t0: UTCDateTime, t1: UTCDateTime) -> tuple[Stream, str]:
    """A user's file read strictly, trimmed to ``[t0, t1)``; ``(empty, note)`` if it is damaged."""
    try:
        stream = read_checked(path)
    except WaveformReadError as exc:
        return Stream(), f"skipped: {exc}"[:400]
    return stream.trim(t0, t1, nearest_sample=False), ""


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


def index_mseed_dir(directory: str, cache: str | None = None, progress_every: int = 500) -> pd.DataFrame:
    """Header index of every file under ``directory`` (one row per trace).

    Columns :data:`INDEX_COLUMNS`; times are epoch seconds; ``error`` is empty
    for readable miniSEED and names the reason otherwise (such rows have no
    codes). Files unchanged since ``cache`` was written (same path, size and
    modification time) are not read again; the refreshed index is written
    back to ``cache`` atomically. Progress is logged every ``progress_every``
    files read.
    """
    root = Path(directory)
    if not root.is_dir():
        raise SourceError(f"mseed_dir: {directory!r} is not a directory")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    old = pd.read_parquet(cache) if cache and Path(cache).exists() else pd.DataFrame(columns=INDEX_COLUMNS)
    known = {(r.path, r.size, r.mtime) for r in old[["path", "size", "mtime"]].itertuples()}
    log.info("%s: %d files, %d indexed before", directory, len(files), len(known))
    keys = [(str(f), int(f.stat().st_size), float(f.stat().st_mtime)) for f in files]
    reused = [k for k in keys if k in known]
    fresh = [Path(k[0]) for k in keys if k not in known]
    rows = index_files(fresh, progress_every, log_summary=False)
    read_count = len(fresh)
    keep = old.set_index(["path", "size", "mtime"]).index.isin(reused) if len(old) else []
    frames = [df for df in (old[keep] if len(old) else None, rows) if df is not None and len(df)]
    index = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDEX_COLUMNS)
    index = index.astype({"size": "int64", "mtime": "float64", "starttime": "float64", "endtime": "float64",
                          "sampling_rate": "float64", "npts": "int64", "error": "string"})
    index = index.sort_values(["path", "channel", "starttime"], ignore_index=True)
    skipped = index[index["error"] != ""]
    log.info("%d files read, %d reused; %d traces; %d files skipped", read_count, len(reused),
             int((index["error"] == "").sum()), skipped["path"].nunique())
    for row in skipped.itertuples():
        log.warning("%s: %s", row.path, row.error)
    if cache and (len(rows) or len(index) != len(old)):
        write_parquet(index, cache)
    return index


def index_files(files: list[Path], progress_every: int = 500, log_summary: bool = True) -> pd.DataFrame:
    """Header index of ``files`` (:data:`INDEX_COLUMNS`, one row per trace or one per damaged file)."""
    rows = []
    for number, path in enumerate(files, start=1):
        stat = Path(path).stat()
        rows += _index_file(Path(path), int(stat.st_size), float(stat.st_mtime))
        if number % progress_every == 0:
            log.info("indexed %d of %d files", number, len(files))
    index = pd.DataFrame(rows, columns=INDEX_COLUMNS)
    if log_summary:
        log.info("%d files: %d traces, %d skipped", len(files), int((index["error"] == "").sum()),
                 index.loc[index["error"] != "", "path"].nunique())
    return index


def directory_signature(directory: str) -> str:
    """A digest of the paths, sizes and modification times of the files under ``directory``.

    Cheap (file metadata only, no reading); changes when a file is added,
    removed or modified, so the index job reruns exactly then.
    """
    root = Path(directory)
    digest = hashlib.sha1()
    if root.is_dir():
        for f in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
            st = f.stat()
            digest.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def directory_key(directory: str) -> str:
    """A short stable name of a directory (for file names)."""
    return hashlib.sha1(str(Path(directory).resolve()).encode()).hexdigest()[:12]


def _index_file(path: Path, size: int, mtime: float) -> list[dict]:
    """Index rows of one file: one per trace, or one row naming why the file is skipped."""
    base = {"path": str(path), "size": size, "mtime": mtime, "network": "", "station": "",
            "location": "", "channel": "", "starttime": np.nan, "endtime": np.nan,
            "sampling_rate": np.nan, "npts": 0, "error": ""}
    if size == 0:
        return [{**base, "error": "empty file (0 bytes)"}]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            stream = read(str(path), format="MSEED", headonly=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is recorded, not fatal
            return [{**base, "error": f"not readable as miniSEED: {type(exc).__name__}: {exc}"[:300]}]
    problems = [str(w.message) for w in caught if "SEED record" in str(w.message) or "skip" in str(w.message)]
    if problems:
        return [{**base, "error": f"corrupt miniSEED ({len(problems)} problem(s), first: {problems[0]})"[:300]}]
    records = sum(tr.stats.mseed.number_of_records * tr.stats.mseed.record_length for tr in stream)
    if records < size:
        return [{**base, "error": f"truncated miniSEED: {size - records} trailing byte(s) after the last "
                                  "complete record"}]
    bad_codes = sorted({tr.id for tr in stream if not valid_codes(tr.stats)})
    if bad_codes:
        return [{**base, "error": f"invalid SEED codes {bad_codes[:3]} (letters and digits only; "
                                  "network 1-2, station 1-5, location 0-2 characters)"}]
    return [
        {**base, "network": tr.stats.network, "station": tr.stats.station, "location": tr.stats.location,
         "channel": tr.stats.channel, "starttime": tr.stats.starttime.timestamp,
         "endtime": tr.stats.endtime.timestamp + tr.stats.delta, "sampling_rate": tr.stats.sampling_rate,
         "npts": tr.stats.npts}
        for tr in stream
    ]


def valid_codes(stats) -> bool:
    """Network, station, location and channel codes follow the SEED rules (no path characters)."""
    return bool(SEED_CODES["network"].fullmatch(stats.network) and SEED_CODES["station"].fullmatch(stats.station)
                and SEED_CODES["location"].fullmatch(stats.location)
                and SEED_CODES["channels"].fullmatch(stats.channel[:2] + "?") and len(stats.channel) == 3)


def stations_from_index(index: pd.DataFrame, exclude: set[str] = frozenset()) -> list[Station]:
    """One ``mseed_dir`` station per (network, station, location) of the index of the config's ``mseed_dir``.

    The band (first two channel letters) with the most data (seconds) is
    chosen; ties go to the higher sampling rate. Coordinates are unknown (NaN)
    unless StationXML provides them. Stations whose id is in ``exclude`` (rows
    of the station table) are left out. The stations carry no ``path`` option
    (their directory is the config key, :func:`seisclass.acquire.planning.mseed_dir_of`),
    so the path may hold any character, ``;`` (the option separator) included.
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
            longitude=float("nan"), elevation=float("nan"),  # no path option: any character in a path
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
        & index["channel"].isin([c for c in pd.unique(index["channel"]) if fnmatch.fnmatchcase(c, station.channels)])
        & (index["starttime"] < t1)
        & (index["endtime"] > t0)
    )
    return index[match]


def days_with_data(index: pd.DataFrame, station: Station, t0: float = -np.inf, t1: float = np.inf) -> list[str]:
    """The UTC days (``YYYY-MM-DD``) on which the index holds data of ``station`` inside ``[t0, t1)`` (epoch s)."""
    rows = select_index(index, station, t0, t1)
    if rows.empty:
        return []
    first = np.floor(np.maximum(rows["starttime"].to_numpy(), t0) / 86400).astype(np.int64)
    last = np.floor((np.minimum(rows["endtime"].to_numpy(), t1) - 1e-6) / 86400).astype(np.int64)
    days = np.unique(np.concatenate([np.arange(a, b + 1) for a, b in zip(first, last, strict=True)]))
    return [str(np.datetime64(int(d), "D")) for d in days]


def read_mseed_dir_day(
    index: pd.DataFrame, station: Station, t0: UTCDateTime, t1: UTCDateTime
) -> tuple[Stream, list[str]]:
    """Waveforms of ``station`` in ``[t0, t1)`` from the indexed files, and notes.

    Each overlapping file is read strictly (whole file, so truncation is
    detected) and trimmed; a corrupt or truncated file is skipped with a
    note naming it and the reason, never used silently.
    """
    return read_station_files(select_index(index, station, t0.timestamp, t1.timestamp)["path"], station, t0, t1)


def read_archive_chunk(days: list[StationDay], stations: dict[str, Station], read_day
                       ) -> tuple[Stream, list[dict]]:
    """Waveforms and status records of a chunk's station-days from a local archive.

    ``stations`` maps a station id to its table row; ``read_day(station, t0, t1)``
    returns ``(stream, notes)`` (for example :func:`read_mseed_dir_day` with its
    index bound, or :func:`read_sds_day` with its root). A station-day is ``ok``,
    ``partial`` (data, but some files skipped: the notes say which and why),
    ``no_data`` or ``unreadable`` (files, but none usable).
    """
    stream, records = Stream(), []
    for day in days:
        t0, t1 = (UTCDateTime(t) for t in day.span)
        part, notes = read_day(stations[day.id], t0, t1)
        status = ("partial" if notes else "ok") if len(part) else ("unreadable" if notes else "no_data")
        message = "; ".join(notes) if notes else ("" if len(part) else f"no data between {t0} and {t1}")
        for note in notes:
            log.warning("%s: %s", day, note)
        log.info("%s: %d traces (%s)", day, len(part), status)
        records.append({"station": day.id, "day": day.day, "source": day.source, "status": status,
                        "message": message, "traces": len(part)})
        stream += part
    return stream, records
