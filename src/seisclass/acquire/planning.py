"""Which station-days exist and where their raw data and StationXML come from.

Called once when the workflow is parsed (``workflow/rules/common.smk``):

- ``demo``, ``fdsn`` and ``sds`` stations get every configured day; a day
  without data becomes an empty chunk recorded in the availability table;
- ``mseed_dir`` directories are indexed by header (cached under
  ``results/raw/mseed_dir/index/``); stations found there that the station
  table does not list are added (codes and band from the headers), and
  ``mseed_dir`` stations get only the days on which their files hold data;
- FDSN providers are checked (known name or URL) before any job runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from obspy import UTCDateTime

from seisclass.acquire.archives import (
    SourceError,
    days_with_data,
    index_mseed_dir,
    index_path,
    stations_from_index,
)
from seisclass.acquire.fdsn import check_provider, provider_of
from seisclass.acquire.stations import Station

log = logging.getLogger(__name__)


@dataclass
class SourcePlan:
    """Stations (table rows plus derived ones), their days and their files."""

    stations: dict[str, Station]
    days: dict[str, list[str]] = field(default_factory=dict)
    stationxml: dict[str, str] = field(default_factory=dict)
    mseed_index: dict[str, str] = field(default_factory=dict)
    mseed_dirs: dict[str, str] = field(default_factory=dict)


def annotation_csvs(config: dict) -> list[str]:
    """``annotations`` as a list of paths (a single string, e.g. from ``--config``, is one path)."""
    value = config.get("annotations") or []
    return [value] if isinstance(value, str) else list(value)


def mseed_dir_of(station: Station, config: dict) -> str:
    """The directory of an ``mseed_dir`` station: its ``path`` option, else config ``mseed_dir``."""
    directory = station.option("path") or config.get("mseed_dir")
    if not directory:
        raise SourceError(f"station {station.id}: source mseed_dir needs the option path=DIR "
                          "in the station table or the config key mseed_dir")
    return str(Path(directory).resolve())


def plan_sources(stations: dict[str, Station], days: list[str], config: dict) -> SourcePlan:
    """Plan the station-days of all sources; raise :class:`SourceError` naming the culprit."""
    plan = SourcePlan(stations=dict(stations))
    fdsn_provider = config.get("fdsn", {}).get("provider", "IRIS")
    indexes = {}
    directories = {mseed_dir_of(s, config) for s in stations.values() if s.source == "mseed_dir"}
    if config.get("mseed_dir"):
        directories.add(str(Path(config["mseed_dir"]).resolve()))
    for directory in sorted(directories):
        indexes[directory] = index_mseed_dir(directory, cache=index_path(directory))
    if config.get("mseed_dir"):
        directory = str(Path(config["mseed_dir"]).resolve())
        for s in stations_from_index(indexes[directory], directory, exclude=set(stations)):
            plan.stations[s.id] = s
    for s in list(plan.stations.values()):
        if s.source == "mseed_dir":
            directory = mseed_dir_of(s, config)
            plan.mseed_dirs[s.id] = directory
            plan.mseed_index[s.id] = index_path(directory)
            plan.days[s.id] = days_with_data(indexes[directory], s, days)
            if not plan.days[s.id]:
                if s.id in stations:
                    raise SourceError(
                        f"station {s.id} ({s.channels}): no data in {directory} between "
                        f"{config['start']} and {config['end']}")
                del plan.stations[s.id]  # derived station outside the configured span
                continue
        else:
            plan.days[s.id] = list(days)
        if s.source == "fdsn":
            check_provider(provider_of(s, fdsn_provider), s.id)
        if s.source == "fdsn" or (s.source in ("sds", "mseed_dir")
                                  and (s.option("stationxml") or config.get("stationxml"))):
            plan.stationxml[s.id] = f"results/raw/{s.source}/{s.id}/station.xml"
    if config.get("mseed_dir") and not any(s.source == "mseed_dir" for s in plan.stations.values()):
        raise SourceError(f"mseed_dir {config['mseed_dir']}: no miniSEED data between "
                          f"{UTCDateTime(config['start'])} and {UTCDateTime(config['end'])}")
    if not plan.stations:
        raise SourceError("no stations: the station table is empty and no mseed_dir is configured")
    return plan
