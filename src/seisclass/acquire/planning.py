"""Work units: which station-days exist and which job processes them.

A *chunk* is the unit of work of every per-data job (acquire, preprocess,
features, labels, probabilities): a list of station-days of one source. Jobs
are sized by data volume, not by file count:

- continuous archives (``demo``, ``fdsn``, ``sds``) get one chunk per
  station-day, since a day of continuous data is already a good job size;
- a miniSEED directory (``mseed_dir``), often thousands of short event
  files, is packed into chunks of up to ``max_samples`` samples (from its
  header index), station-days of one station kept together.

A chunk id is ``{first station}/{first day}``, with ``+{n}`` appended when
the chunk holds ``n`` more station-days, so a continuous archive's files
keep the ``{station}/{day}`` layout.

The plan is built from the station table and the configured span (no I/O)
plus, for miniSEED directories, their header index (built by a job, see
:func:`seisclass.acquire.archives.index_mseed_dir`, never while the workflow
is parsed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from obspy import UTCDateTime

from seisclass.acquire.archives import (
    SourceError,
    days_with_data,
    select_index,
    stations_from_index,
)
from seisclass.acquire.fdsn import check_provider, provider_of
from seisclass.acquire.stations import Station, chunk_span
from seisclass.core.config import ConfigSection, config_section
from seisclass.core.records import StationDay

CONTINUOUS_SOURCES = ("demo", "fdsn", "sds")


@config_section("work")
class WorkParameters(ConfigSection):
    """Config section ``work``: how data are cut into jobs."""

    # Raw samples per miniSEED-directory job (about 4.6 h of 3-component data at 100 Hz).
    max_samples_per_job: int


@dataclass(frozen=True)
class Chunk:
    """Station-days of one source processed by one job."""

    id: str
    source: str
    members: tuple[tuple[str, str], ...]  # (station id, day YYYY-MM-DD)
    samples: int = 0  # samples of the raw data (index) or 0 when unknown

    @property
    def stations(self) -> list[str]:
        """The station ids of the chunk, in order of first appearance."""
        return list(dict.fromkeys(s for s, _ in self.members))


def chunk_id(members: list[tuple[str, str]]) -> str:
    """``{station}/{day}`` of the first member, ``+{n}`` for ``n`` further members."""
    station, day = members[0]
    return f"{station}/{day}" + (f"+{len(members) - 1}" if len(members) > 1 else "")


def pack_chunks(station_days: list[tuple[str, str, int]], source: str, max_samples: int) -> list[Chunk]:
    """Pack ``(station, day, samples)`` into chunks of at most ``max_samples`` samples.

    Station-days are taken in (station, day) order; a station-day larger
    than the budget gets a chunk of its own. Deterministic for a given input.
    """
    chunks, members, total = [], [], 0
    for station, day, samples in sorted(station_days):
        if members and total + samples > max_samples:
            chunks.append(Chunk(chunk_id(members), source, tuple(members), total))
            members, total = [], 0
        members.append((station, day))
        total += int(samples)
    if members:
        chunks.append(Chunk(chunk_id(members), source, tuple(members), total))
    return chunks


@dataclass
class Plan:
    """Stations (table rows plus those found in miniSEED directories) and the chunks of work."""

    stations: dict[str, Station]
    chunks: dict[str, Chunk] = field(default_factory=dict)
    stationxml: set[str] = field(default_factory=set)  # stations with StationXML (fdsn or configured)

    def days(self, station: str) -> list[str]:
        """The days processed for ``station``."""
        return sorted({d for c in self.chunks.values() for s, d in c.members if s == station})

    def chunks_of(self, station: str) -> list[str]:
        """Ids of the chunks holding data of ``station``."""
        return [c.id for c in self.chunks.values() if station in c.stations]

    def station_days(self) -> list[tuple[str, str, str]]:
        """``(station, day, chunk id)`` of every station-day, in chunk order."""
        return [(s, d, c.id) for c in self.chunks.values() for s, d in c.members]

    def records(self, chunk: str, start: str, end: str) -> list[StationDay]:
        """The station-days of ``chunk`` as records, each span cut to ``[start, end)`` (the study span)."""
        out = []
        for sid, day in self.chunks[chunk].members:
            station = self.stations[sid]
            t0, t1 = chunk_span(day, start, end)
            out.append(StationDay(station.network, station.station, station.location, station.band_code, day,
                                  t0.timestamp, t1.timestamp, station.source))
        return out

    def single_day_chunks(self) -> list[str]:
        """Chunks of exactly one station-day (continuous data: per-day figures make sense)."""
        return [c.id for c in self.chunks.values() if len(c.members) == 1]


def mseed_dir_of(station: Station, default: str | None) -> str:
    """The directory of an ``mseed_dir`` station: its ``path`` option, else ``default`` (config ``mseed_dir``)."""
    directory = station.option("path") or default
    if not directory:
        raise SourceError(f"station {station.id}: source mseed_dir needs the option path=DIR "
                          "in the station table or the config key mseed_dir")
    return str(Path(directory).resolve())


def mseed_directories(stations: dict[str, Station], mseed_dir: str | None) -> list[str]:
    """Every miniSEED directory the configuration reads (absolute paths, sorted)."""
    found = {mseed_dir_of(s, mseed_dir) for s in stations.values() if s.source == "mseed_dir"}
    if mseed_dir:
        found.add(str(Path(mseed_dir).resolve()))
    return sorted(found)


def continuous_plan(stations: dict[str, Station], days: list[str], fdsn_provider: str,
                    stationxml_configured: bool) -> Plan:
    """The plan of the ``demo``, ``fdsn`` and ``sds`` stations: one chunk per station-day.

    FDSN providers are checked (known name or URL) here, before any job runs.
    ``mseed_dir`` rows of the table are kept as stations; their chunks come
    from :func:`add_mseed_dirs`.
    """
    plan = Plan(stations=dict(stations))
    for s in stations.values():
        if s.source == "fdsn":
            check_provider(provider_of(s, fdsn_provider), s.id)
            plan.stationxml.add(s.id)
        elif s.source in ("sds", "mseed_dir") and (s.option("stationxml") or stationxml_configured):
            plan.stationxml.add(s.id)
        if s.source in CONTINUOUS_SOURCES:
            for day in days:
                plan.chunks[f"{s.id}/{day}"] = Chunk(f"{s.id}/{day}", s.source, ((s.id, day),))
    return plan


def add_mseed_dirs(plan: Plan, indexes: dict[str, pd.DataFrame], mseed_dir: str | None,
                   start: str, end: str, max_samples: int, stationxml_configured: bool) -> Plan:
    """Add the stations and chunks of the miniSEED directories from their header ``indexes``.

    Stations found in the config's ``mseed_dir`` that the table does not list
    are added; every ``mseed_dir`` station gets the days on which its files
    hold data inside ``[start, end)``, packed into chunks of at most
    ``max_samples`` samples. Raises :class:`SourceError` for a table station
    without data, or a configured directory without any data in the span.
    """
    table_ids = set(plan.stations)
    if mseed_dir:
        directory = str(Path(mseed_dir).resolve())
        for s in stations_from_index(indexes[directory], exclude=table_ids):
            plan.stations[s.id] = s
    station_days = []
    for s in [s for s in plan.stations.values() if s.source == "mseed_dir"]:
        index = indexes[mseed_dir_of(s, mseed_dir)]
        found = days_with_data(index, s, UTCDateTime(start).timestamp, UTCDateTime(end).timestamp)
        if not found:
            if s.id in table_ids:
                raise SourceError(f"station {s.id} ({s.channels}): no data in {mseed_dir_of(s, mseed_dir)} "
                                  f"between {start} and {end}")
            del plan.stations[s.id]  # derived station outside the configured span
            continue
        if stationxml_configured or s.option("stationxml"):
            plan.stationxml.add(s.id)
        station_days += [(s.id, d, _samples(index, s, d, start, end)) for d in found]
    if mseed_dir and not station_days:
        raise SourceError(f"mseed_dir {mseed_dir}: no miniSEED data between "
                          f"{UTCDateTime(start)} and {UTCDateTime(end)}")
    for chunk in pack_chunks(station_days, "mseed_dir", max_samples):
        plan.chunks[chunk.id] = chunk
    if not plan.stations:
        raise SourceError("no stations: the station table is empty and no mseed_dir is configured")
    return plan


def _samples(index: pd.DataFrame, station: Station, day: str, start: str, end: str) -> int:
    """Samples of ``station`` on ``day`` (inside the span), from the index (traces prorated by overlap)."""
    t0, t1 = chunk_span(day, start, end)
    rows = select_index(index, station, t0.timestamp, t1.timestamp)
    if rows.empty:
        return 0
    overlap = (np.minimum(rows["endtime"], t1.timestamp) - np.maximum(rows["starttime"], t0.timestamp)).clip(0)
    return int(np.round((overlap * rows["sampling_rate"]).sum()))
