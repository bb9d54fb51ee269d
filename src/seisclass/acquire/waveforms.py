"""Strict reading of station-day miniSEED chunks: defined behaviour on bad files.

:func:`read_day_file` is :func:`seisclass.acquire.archives.read_waveforms` (which owns
the chunk convention) plus integrity checks:

* A **corrupt** file (bytes that are not miniSEED records, an unparsable
  header) or a **truncated** one (a last record cut short, detected as
  trailing bytes after the last complete record) raises
  :class:`WaveformReadError` naming the file, the station and the day. ObsPy
  would otherwise skip the bad bytes with a warning, or drop the incomplete
  record silently, and the day would go on with unnoticed holes.
* **No data** is a valid state (a station that was down): an empty chunk
  (0 bytes, see :mod:`seisclass.acquire.archives`) is read as an empty stream. Traces
  of other stations in a day file are ignored with a warning; if none is
  left, the station-day has no data.

The truncation check assumes fixed-length records per trace (what ObsPy and
data centres write).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

from obspy import Stream, read

log = logging.getLogger(__name__)


class WaveformReadError(ValueError):
    """A day file cannot be read reliably; the message names the file, station and day."""


def read_day_file(path: str | os.PathLike, station: str, day: str) -> Stream:
    """Read the miniSEED day file of ``station`` (``NET.STA[.LOC]``) and ``day`` (``YYYY-MM-DD``).

    Returns the traces of that station (possibly none). Raises
    :class:`WaveformReadError` on a corrupt or truncated file.
    """
    path = Path(path)
    where = f"{path} (station {station}, day {day})"
    if not path.exists():
        raise WaveformReadError(f"{where}: file does not exist")
    size = path.stat().st_size
    if size == 0:
        log.warning("%s: empty file, no data", where)
        return Stream()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            stream = read(str(path), format="MSEED")
        except Exception as exc:  # ObsPy raises bare Exception and its own types
            raise WaveformReadError(f"{where}: not readable as miniSEED ({type(exc).__name__}: {exc})") from exc
    problems = [str(w.message) for w in caught if _is_corruption(str(w.message))]
    if problems:
        raise WaveformReadError(f"{where}: corrupt miniSEED, {len(problems)} problem(s), first: {problems[0]}")
    read_bytes = sum(tr.stats.mseed.number_of_records * tr.stats.mseed.record_length for tr in stream)
    if read_bytes < size:
        raise WaveformReadError(
            f"{where}: truncated miniSEED, {size - read_bytes} trailing byte(s) after the last complete record"
        )
    return _select_station(stream, station, where)


def _is_corruption(message: str) -> bool:
    """Reader warnings that mean bytes were skipped or misread."""
    markers = ("Not a SEED record", "Unexpected end of file", "Failed to decode", "skip", "corrupt")
    return any(m.lower() in message.lower() for m in markers)


def _select_station(stream: Stream, station: str, where: str) -> Stream:
    parts = station.split(".")
    network, code = parts[0], parts[1]
    location = parts[2] if len(parts) > 2 else ""
    kept = Stream([tr for tr in stream if (tr.stats.network, tr.stats.station, tr.stats.location)
                   == (network, code, location)])
    others = sorted({tr.id for tr in stream} - {tr.id for tr in kept})
    if others:
        log.warning("%s: ignoring traces of other stations: %s", where, others)
    if not len(kept):
        log.warning("%s: no data for this station", where)
    return kept
