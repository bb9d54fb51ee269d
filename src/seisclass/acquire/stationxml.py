"""StationXML for local archives: select one station from configured files."""

from __future__ import annotations

from pathlib import Path

from obspy import Inventory, read_inventory

from seisclass.acquire.archives import SourceError
from seisclass.acquire.stations import Station


def read_stationxml(path: str) -> Inventory:
    """One inventory from a StationXML file or every ``*.xml`` under a directory."""
    p = Path(path)
    files = sorted(p.rglob("*.xml")) if p.is_dir() else [p]
    if not files or not files[0].exists():
        raise SourceError(f"stationxml {path!r}: no such file, or no *.xml under that directory")
    inventory = Inventory(networks=[], source="seisclass")
    for f in files:
        inventory += read_inventory(str(f), format="STATIONXML")
    return inventory


def select_station_inventory(path: str | None, station: Station) -> Inventory:
    """The part of the StationXML at ``path`` describing ``station`` (its channel pattern).

    Raises :class:`SourceError` naming the station when ``path`` is not set
    or holds no matching channel.
    """
    if not path:
        raise SourceError(f"station {station.id}: no StationXML configured (option stationxml=PATH "
                          "or config key stationxml)")
    selected = read_stationxml(path).select(network=station.network, station=station.station,
                                            location=station.location, channel=station.channels)
    if not selected.get_contents()["channels"]:
        raise SourceError(f"station {station.id}: no channel {station.channels} in StationXML {path}")
    return selected
