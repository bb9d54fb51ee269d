"""The work units of applying a model: station-days of miniSEED files, an SDS archive or an FDSN service.

Input is grouped as ObsPy and SDS group it: by network, station, location, band (the
first two channel letters) and UTC day. A folder with one file per channel, day files
and short event files all give the same units: one per station, band and day, holding
every file with data of it (each file read strictly, :mod:`seisclass.core.waveforms`).
Memory stays flat: one unit is in memory at a time.

- :func:`file_units` indexes the files' headers (:func:`seisclass.acquire.archives.index_files`);
  damaged files are listed with their reason instead of stopping the run when asked.
- :func:`sds_units` finds the day files of an SDS archive by ObsPy's public naming
  convention (``obspy.clients.filesystem.sds.Client.FMTSTR``).
- :func:`fdsn_units` asks an FDSN station service (or a routing service) which channels
  a station has and picks the band the model can use best.

A selection (stations, channels, time span) that matches nothing raises
:class:`SelectionError` listing what the input holds.
"""

from __future__ import annotations

import fnmatch
import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from obspy import Stream, UTCDateTime

from seisclass.acquire.archives import SourceError, index_files, read_sds_day, read_station_files
from seisclass.acquire.stations import Station
from seisclass.core.records import StationDay
from seisclass.core.vocabulary import DAY_FORMAT, station_id

DAY_S = 86400.0
log = logging.getLogger(__name__)


class SelectionError(ValueError):
    """Stations, channels or times select nothing; the message lists what the input holds."""


@dataclass(frozen=True)
class Selection:
    """What to classify: station ids (``NET.STA[.LOC]``, wildcards allowed), a channel pattern, a time span."""

    stations: tuple[str, ...] = ()
    channels: str | None = None
    start: float = -math.inf  # epoch s
    end: float = math.inf

    @classmethod
    def parse(cls, stations: str | None, channels: str | None, start: str | None, end: str | None) -> Selection:
        """From command-line text; raises :class:`SelectionError` for malformed codes or times."""
        ids = tuple(filter(None, (s.strip() for s in (stations or "").split(","))))
        for code in ids:
            parts = code.split(".")
            if len(parts) not in (2, 3) or not all(p.replace("*", "").replace("?", "").isalnum() or p in ("", "*")
                                                    for p in parts[:2]) or any(not p for p in parts[:2]):
                raise SelectionError(f"--stations: {code!r} is not NET.STA or NET.STA.LOC (letters, digits, * and ?)")
        try:
            t0 = UTCDateTime(start).timestamp if start else -math.inf
            t1 = UTCDateTime(end).timestamp if end else math.inf
        except Exception as exc:  # noqa: BLE001 - ObsPy raises TypeError/ValueError for bad times
            raise SelectionError(f"--start/--end: not a time ({exc}); use ISO 8601 UTC, e.g. 2024-07-01") from None
        if t1 <= t0:
            raise SelectionError(f"--end {end} is not after --start {start}")
        return cls(ids, channels, t0, t1)

    def wants_station(self, sid: str) -> bool:
        return not self.stations or any(fnmatch.fnmatchcase(sid, s) for s in self.stations)

    def wants_channel(self, channel: str) -> bool:
        return not self.channels or any(fnmatch.fnmatchcase(channel, c.strip()) for c in self.channels.split(","))


@dataclass(frozen=True)
class Unit:
    """One station, band and UTC day to classify, with where its data are."""

    day: StationDay
    source: str  # files | sds | fdsn
    files: tuple[str, ...] = ()
    location: str = ""  # sds root or fdsn provider
    samples: int = 0  # raw samples (progress), 0 when unknown

    @property
    def station(self) -> Station:
        d = self.day
        return Station(d.id, d.network, d.station, d.location, d.band, d.source or self.source, float("nan"),
                       float("nan"), float("nan"))

    def __str__(self) -> str:
        return f"{self.day.id}.{self.day.band} {self.day.day}"


def _days(t0: float, t1: float, start: float, end: float) -> list[tuple[str, float, float]]:
    """``(YYYY-MM-DD, a, b)`` of every UTC day that ``[t0, t1)`` and ``[start, end)`` share (whole days)."""
    a, b = max(t0, start), min(t1, end)
    out = []
    for day in np.arange(math.floor(a / DAY_S) * DAY_S, b, DAY_S):
        out.append((pd.Timestamp(day, unit="s", tz="UTC").strftime(DAY_FORMAT), max(float(day), start),
                    min(float(day) + DAY_S, end)))
    return out


def _holdings(index: pd.DataFrame) -> str:
    """What an index holds, in words: stations with their channels and time span."""
    parts = []
    for (net, sta, loc), rows in index.groupby(["network", "station", "location"], sort=True):
        span = (pd.Timestamp(rows["starttime"].min(), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S"),
                pd.Timestamp(rows["endtime"].max(), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S"))
        parts.append(f"{station_id(net, sta, loc)} {','.join(sorted(set(rows['channel'])))} {span[0]} to {span[1]}")
    return "; ".join(parts[:20]) + (f"; ... ({len(parts)} stations)" if len(parts) > 20 else "")


def file_units(paths: list[str], selection: Selection) -> tuple[list[Unit], pd.DataFrame, pd.DataFrame]:
    """Units of miniSEED files and directories (searched recursively), the damaged and the other files.

    Returns ``(units, damaged, ignored)``, both tables ``file, reason``: damaged are
    files meant as data that cannot be used (0 bytes, corrupt, truncated, invalid codes,
    or a named file that is not miniSEED); ignored are other files found in directories
    (text, images, StationXML). A selection matching nothing raises
    :class:`SelectionError` listing the stations and channels found.
    """
    from obspy.io.mseed.core import _is_mseed

    files, found_in_directory = [], set()
    for name in paths:
        path = Path(name)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            files += inside
            found_in_directory |= {str(p) for p in inside}
        elif path.is_file():
            files.append(path)
        else:
            raise SelectionError(f"{path}: no such file or directory")
    index = index_files(distinct_files(files))
    bad = index[index["error"] != ""].drop_duplicates("path")
    other = np.array([p in found_in_directory and size > 0 and not _is_mseed(p)
                      for p, size in zip(bad["path"].astype(str), bad["size"], strict=True)], bool)
    table = pd.DataFrame({"file": bad["path"].astype(str).to_numpy(), "reason": bad["error"].astype(str).to_numpy()})
    damaged, ignored = table[~other].reset_index(drop=True), table[other].reset_index(drop=True)
    good = index[index["error"] == ""].copy()
    if good.empty:
        first = pd.concat([damaged, ignored]).iloc[:1]
        raise SelectionError(f"{', '.join(paths)}: no readable miniSEED file"
                             + (f" (skipped: {first['file'].iloc[0]}: {first['reason'].iloc[0]})"
                                if len(first) else ""))
    return _units_of_index(good, selection, "files"), damaged, ignored


def distinct_files(files: list[Path]) -> list[Path]:
    """``files`` without repeats of one file (the same path resolved, or a link to it), in order; a warning
    names each file given more than once (its data would otherwise be read twice)."""
    seen: dict[Path, list[Path]] = {}
    for path in files:
        seen.setdefault(path.resolve(), []).append(path)
    for names in seen.values():
        if len(names) > 1:
            log.warning("%s: given %d times (%s): read once", names[0], len(names), ", ".join(map(str, names)))
    return [names[0] for names in seen.values()]


def _units_of_index(good: pd.DataFrame, selection: Selection, source: str, location: str = "") -> list[Unit]:
    good = good.drop_duplicates(["path", "network", "station", "location", "channel", "starttime"])
    sid = [station_id(n, s, loc) for n, s, loc in zip(good["network"], good["station"], good["location"],
                                                         strict=True)]
    keep_station = np.array([selection.wants_station(s) for s in sid], bool)
    if not keep_station.any():
        raise SelectionError(f"--stations {','.join(selection.stations)}: no such station in the input; it holds "
                             f"{_holdings(good)}")
    keep_channel = good["channel"].map(selection.wants_channel).to_numpy(bool)
    if not (keep_station & keep_channel).any():
        raise SelectionError(f"--channels {selection.channels}: no such channel in the input; it holds "
                             f"{_holdings(good[keep_station])}")
    chosen = good[keep_station & keep_channel]
    in_time = (chosen["endtime"] > selection.start) & (chosen["starttime"] < selection.end)
    if not in_time.any():
        raise SelectionError(f"--start/--end: no data of the selected stations and channels in that span; the input "
                             f"holds {_holdings(chosen)}")
    chosen = chosen[in_time].assign(band=chosen["channel"].str[:2] + "?")
    units = []
    for (net, sta, loc, band), rows in chosen.groupby(["network", "station", "location", "band"], sort=True):
        days: dict[str, list] = {}
        for row in rows.itertuples():  # one row per trace of a file: the index, not the samples
            for day, a, b in _days(row.starttime, row.endtime, selection.start, selection.end):
                entry = days.setdefault(day, [a, b, set(), 0])
                entry[2].add(row.path)
                share = (min(row.endtime, b) - max(row.starttime, a)) / max(row.endtime - row.starttime, 1e-9)
                entry[3] += int(row.npts * max(share, 0.0))
        for day, (a, b, paths, samples) in sorted(days.items()):
            record = StationDay(net, sta, loc, band, day, a, b, source)
            units.append(Unit(record, source, tuple(sorted(paths)), location, samples))
    return units


def sds_units(root: str, selection: Selection) -> list[Unit]:
    """Units of an SDS archive for the selected stations and span (day files found by ObsPy's naming)."""
    from obspy.clients.filesystem.sds import Client

    if not Path(root).is_dir():
        raise SelectionError(f"--sds {root}: not a directory")
    if not selection.stations or not math.isfinite(selection.start) or not math.isfinite(selection.end):
        raise SelectionError("--sds needs --stations, --start and --end")
    client = Client(root)
    available = client.get_all_nslc()  # [(net, sta, loc, cha)], public API
    units = []
    for net, sta, loc, cha in available:
        sid = station_id(net, sta, loc)
        if not (selection.wants_station(sid) and selection.wants_channel(cha)):
            continue
        for day, a, b in _days(selection.start, selection.end, selection.start, selection.end):
            path = Path(root) / client.FMTSTR.format(
                year=day[:4], doy=pd.Timestamp(day).day_of_year, network=net, station=sta, location=loc, channel=cha,
                sds_type=client.sds_type)
            if path.exists():
                units.append((net, sta, loc, cha[:2] + "?", day, a, b))
    if not units:
        holdings = "; ".join(f"{station_id(n, s, loc)}.{c}" for n, s, loc, c in available[:30]) or "nothing"
        raise SelectionError(f"--sds {root}: no day file of --stations {','.join(selection.stations)}"
                             + (f" --channels {selection.channels}" if selection.channels else "")
                             + f" between --start and --end; the archive holds {holdings}")
    return [Unit(StationDay(n, s, loc, band, day, a, b, "sds"), "sds", (), root)
            for n, s, loc, band, day, a, b in sorted(set(units))]


def read_unit(unit: Unit, fdsn=None, cache: Path | None = None) -> tuple[Stream, list[str]]:
    """``(stream, notes)`` of a unit, every file read strictly; notes name the files skipped as damaged."""
    t0, t1 = UTCDateTime(unit.day.t0), UTCDateTime(unit.day.t1)
    if unit.source == "sds":
        return read_sds_day(unit.location, unit.station, t0, t1)
    if unit.source == "fdsn":
        return read_fdsn_day(unit, fdsn, cache)
    return read_station_files(unit.files, unit.station, t0, t1)


# ----------------------------------------------------------------- FDSN


def fdsn_units(provider: str, selection: Selection, fdsn, sampling_rate: float) -> tuple[list[Unit], dict]:
    """Units of stations of an FDSN service, and the stations' coordinates (id -> (lat, lon)).

    The station service is asked which channels each selected station has in the span;
    without ``--channels`` the band whose vertical channel has the lowest sampling rate
    at or above the model's (else the highest) is used.
    """
    from seisclass.acquire.fdsn import make_client, with_retries

    if not selection.stations or not math.isfinite(selection.start) or not math.isfinite(selection.end):
        raise SelectionError("--fdsn needs --stations, --start and --end")
    client = make_client(provider, fdsn)
    units, coordinates = [], {}
    t0, t1 = UTCDateTime(selection.start), UTCDateTime(selection.end)
    for code in selection.stations:
        net, sta, loc = (*code.split("."), "*")[:3]
        try:
            inventory = with_retries(lambda n=net, s=sta, lo=loc: client.get_stations(
                network=n, station=s, location=lo if lo != "*" else "*", channel=selection.channels or "*",
                starttime=t0, endtime=t1, level="channel"), fdsn, f"station {code}")
        except Exception as exc:  # noqa: BLE001 - NoData or SourceError: named below
            raise SelectionError(f"--stations {code}: the station service {provider} knows no such station"
                                 + (f" with channels {selection.channels}" if selection.channels else "")
                                 + f" between {t0} and {t1} ({type(exc).__name__})") from None
        for network in inventory:
            for station in network:
                bands = _bands(station.channels, sampling_rate, selection.channels is not None)
                for location, band in bands:
                    sid = station_id(network.code, station.code, location)
                    coordinates[sid] = (float(station.latitude), float(station.longitude))
                    for day, a, b in _days(selection.start, selection.end, selection.start, selection.end):
                        units.append(Unit(StationDay(network.code, station.code, location, band, day, a, b, "fdsn"),
                                          "fdsn", (), provider))
    if not units:
        raise SelectionError(f"--fdsn {provider}: no channel of --stations {','.join(selection.stations)}")
    counts = Counter(units)  # overlapping --stations patterns: each station-day downloaded once
    if len(counts) < len(units):
        repeated = sorted(str(u) for u, n in counts.items() if n > 1)
        log.warning("--stations %s: %s selected more than once: downloaded and classified once",
                    ",".join(selection.stations), ", ".join(repeated))
    return list(counts), coordinates


def _bands(channels, sampling_rate: float, every: bool) -> list[tuple[str, str]]:
    """``(location, band pattern)`` to download: every band given, else the best one per location."""
    found: dict[tuple[str, str], float] = {}
    for ch in channels:
        key = (ch.location_code, ch.code[:2] + "?")
        if ch.code[-1:] in ("Z", "3") or every:
            found[key] = max(found.get(key, 0.0), float(ch.sample_rate or 0.0))
    if every:
        return sorted(found)
    best: dict[str, tuple[str, float]] = {}
    for (location, band), rate in found.items():
        score = (0, rate) if rate >= sampling_rate * (1 - 1e-9) else (1, -rate)  # lowest adequate, else highest
        if location not in best or score < best[location][1]:
            best[location] = (band, score)
    return sorted((loc, band) for loc, (band, _) in best.items())


def read_fdsn_day(unit: Unit, fdsn, cache: Path) -> tuple[Stream, list[str]]:
    """Download a unit's station-day (retries, 204 = no data) into ``cache`` and read it strictly."""
    from seisclass.acquire.fdsn import download_waveforms, make_client
    from seisclass.core.waveforms import read_checked

    path = Path(cache) / f"{unit.day.id}.{unit.day.band[:2]}.{unit.day.day}.mseed"
    result = download_waveforms(make_client(unit.location, fdsn, unit.day.id), unit.station,
                                UTCDateTime(unit.day.t0), UTCDateTime(unit.day.t1), path, fdsn)
    try:
        stream = read_checked(path)
    finally:
        path.unlink(missing_ok=True)
    return stream, [] if result["status"] == "ok" else [result["message"]]


__all__ = ["SelectionError", "Selection", "SourceError", "Unit", "fdsn_units", "file_units", "read_unit", "sds_units"]
