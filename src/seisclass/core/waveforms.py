"""Waveform files: the one way seisclass reads and writes miniSEED.

*Chunk files.* Every source writes one raw chunk file per work unit (see
:mod:`seisclass.acquire.planning`) plus a status record per station-day
(:func:`seisclass.acquire.status.status_record`). A chunk without data is an empty (0-byte) file, so
"no data" is a finished result, never a missing one. Preprocessed chunks use
the same convention.

*Strict reading.* :func:`read_checked` reads any miniSEED file (a chunk, or a
file of a user's archive) and raises :class:`WaveformReadError`, naming the
file, for

* a **corrupt** file (bytes that are not miniSEED records, an unparsable
  header, a record that fails to decode), and
* a **truncated** one (a last record cut short, detected as trailing bytes
  after the last complete record).

ObsPy alone would skip the bad bytes with a warning or drop the incomplete
record silently, and the data would go on with unnoticed holes. The
truncation check assumes fixed-length records per trace (what ObsPy and
data centres write).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import numpy as np
from obspy import Stream, read

from seisclass.core.io import atomic_path
from seisclass.core.vocabulary import station_id

log = logging.getLogger(__name__)


class WaveformReadError(ValueError):
    """A waveform file cannot be read reliably; the message names the file."""


def read_checked(path: str | os.PathLike, where: str = "", **read_kwargs) -> Stream:
    """Read a miniSEED file strictly; an empty (0-byte) file is an empty stream.

    ``where`` is added to messages (e.g. the station and day). Extra keyword
    arguments go to :func:`obspy.read` (``starttime``, ``endtime``).
    """
    path = Path(path)
    where = f"{path}" + (f" ({where})" if where else "")
    if not path.exists():
        raise WaveformReadError(f"{where}: file does not exist")
    size = path.stat().st_size
    if size == 0:
        return Stream()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            stream = read(str(path), format="MSEED", **read_kwargs)
        except Exception as exc:  # ObsPy raises bare Exception and its own types
            raise WaveformReadError(f"{where}: not readable as miniSEED ({type(exc).__name__}: {exc})") from exc
    problems = [str(w.message) for w in caught if _is_corruption(str(w.message))]
    if problems:
        raise WaveformReadError(f"{where}: corrupt miniSEED, {len(problems)} problem(s), first: {problems[0]}")
    if not read_kwargs:  # a time-windowed read skips records, so the byte count only applies to full reads
        read_bytes = sum(tr.stats.mseed.number_of_records * tr.stats.mseed.record_length for tr in stream)
        if read_bytes < size:
            raise WaveformReadError(
                f"{where}: truncated miniSEED, {size - read_bytes} trailing byte(s) after the last complete record"
            )
    return stream


def _is_corruption(message: str) -> bool:
    """Reader warnings that mean bytes were skipped or misread."""
    markers = ("Not a SEED record", "Unexpected end of file", "Failed to decode", "skip", "corrupt",
               "integrity check")
    return any(m.lower() in message.lower() for m in markers)


def select_stations(stream: Stream, stations: list[str]) -> Stream:
    """The traces of ``stations`` (ids ``NET.STA[.LOC]``), in stream order."""
    wanted = set(stations)
    return Stream([tr for tr in stream if trace_station(tr) in wanted])


def trace_station(trace) -> str:
    """Station id ``NET.STA[.LOC]`` of a trace."""
    return station_id(trace.stats.network, trace.stats.station, trace.stats.location)


def read_chunk(path: str | os.PathLike, stations: list[str], where: str = "") -> Stream:
    """Read a chunk file strictly and keep the traces of ``stations``; others are ignored with a warning."""
    stream = read_checked(path, where)
    kept = select_stations(stream, stations)
    others = sorted({tr.id for tr in stream} - {tr.id for tr in kept})
    if others:
        log.warning("%s: ignoring traces of other stations: %s", path, others)
    return kept


def write_chunk(stream: Stream, path: str | os.PathLike) -> None:
    """Write a chunk file atomically (an empty stream gives an empty file).

    Masked (gappy) traces are split first; float data are stored as float32;
    every trace keeps its own sampling rate and encoding.
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
