"""The status record of a station-day: what a source found (``ok``, ``partial``, ``no_data``, ``unreadable``,
``refused``: an FDSN answer holding only another station's or channel's data).

Every real source writes one record per station-day of its chunk next to the raw
chunk file; the availability table (:mod:`seisclass.quality.availability`) reads them.
"""

from __future__ import annotations

from seisclass.core.io import write_json


def status_record(station: str, day: str, source: str, status: str, message: str = "", **extra) -> dict:
    """Status of one station-day: ``ok``, ``partial``, ``no_data``, ``unreadable`` or ``refused``, with a message."""
    return {"station": station, "day": day, "source": source, "status": status, "message": message, **extra}


def write_status(path, records: list[dict]) -> None:
    """Write the status records of a chunk (one per station-day) as JSON, atomically."""
    write_json({"records": records}, path)
