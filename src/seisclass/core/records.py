"""The station-day: the record every per-data job works on.

Work is cut into *station-days*: one station's data on one UTC calendar day,
intersected with the study span. A chunk (one job, see
:mod:`seisclass.acquire.planning`) holds one or more of them. The record is the
same object everywhere: the workflow plans it, the rules pass it to their
scripts, and the library (preprocessing, features, labels, models) reads its
fields, never a dict.
"""

from __future__ import annotations

from dataclasses import dataclass

from seisclass.core.vocabulary import station_id


@dataclass(frozen=True)
class StationDay:
    """One station's data on one UTC day: SEED codes, the day and its span ``[t0, t1)`` (epoch s).

    ``band`` is the channel pattern shared by the components (``HH?``); ``source``
    the acquisition source (``demo``, ``fdsn``, ``sds``, ``mseed_dir``, or ``""``
    for data handed in directly, e.g. by the command line).
    """

    network: str
    station: str
    location: str
    band: str
    day: str
    t0: float
    t1: float
    source: str = ""

    @property
    def id(self) -> str:
        """The station id ``NET.STA[.LOC]``."""
        return station_id(self.network, self.station, self.location)

    @property
    def keys(self) -> dict[str, str]:
        """The station key columns of window tables: ``network, station, location, channel`` (the band)."""
        return {"network": self.network, "station": self.station, "location": self.location, "channel": self.band}

    @property
    def span(self) -> tuple[float, float]:
        """``(t0, t1)`` in epoch seconds."""
        return self.t0, self.t1

    def __str__(self) -> str:
        return f"{self.id} {self.day}"
