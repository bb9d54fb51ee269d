"""The station table (``config/stations.tsv``) and the station-day chunks.

A *station id* is ``NET.STA`` (with ``.LOC`` appended when a location code is
set); it names the station in file paths and in Snakemake wildcards. Work is
cut into *station-days*: UTC calendar days intersected with the configured
time span, so every job covers at most one day of one station.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from obspy import UTCDateTime

from seisclass.core.vocabulary import station_id

REQUIRED_COLUMNS = ("network", "station", "location", "channels", "source")
SOURCES = ("demo", "fdsn", "sds", "mseed_dir")
# SEED codes: letters and digits only (no path or shell characters), network 1-2, station 1-5,
# location 0-2 characters; channels: band and instrument code, then '?' for the component.
SEED_CODES = {
    "network": re.compile(r"[A-Za-z0-9]{1,2}"),
    "station": re.compile(r"[A-Za-z0-9]{1,5}"),
    "location": re.compile(r"[A-Za-z0-9]{0,2}"),
    "channels": re.compile(r"[A-Za-z0-9]{2}\?"),
}
SEED_RULES = {
    "network": "1-2 letters or digits",
    "station": "1-5 letters or digits",
    "location": "0-2 letters or digits (empty for none)",
    "channels": "a band and instrument code followed by '?', like 'HH?'",
}


class StationTableError(ValueError):
    """The station table is malformed; the message names the row and column."""


@dataclass(frozen=True)
class Station:
    """One row of the station table."""

    id: str
    network: str
    station: str
    location: str
    channels: str
    source: str
    latitude: float
    longitude: float
    elevation: float
    options: str = ""

    @property
    def band_code(self) -> str:
        """Channel pattern shared by the components, e.g. ``HH?``."""
        return self.channels[:2] + "?"

    def option(self, key: str, default: str | None = None) -> str | None:
        """Value of ``key`` in the ``options`` column (``key=value;key=value``)."""
        return parse_options(self.options, self.id).get(key, default)


# Keys allowed in the ``options`` column, per source; (required keys, optional keys).
SOURCE_OPTIONS = {
    "demo": (set(), set()),
    "fdsn": (set(), {"provider"}),
    "sds": ({"root"}, {"stationxml"}),
    "mseed_dir": (set(), {"path", "stationxml"}),
}


def parse_options(text: str, where: str = "options") -> dict[str, str]:
    """Parse the ``options`` column: ``key=value`` pairs separated by ``;``.

    Whitespace around keys and values is ignored; an empty text gives ``{}``.
    Raises :class:`StationTableError` naming ``where`` for a pair without ``=``
    or a repeated key.
    """
    options: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in (text or "").split(";"))):
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise StationTableError(f"{where}: option {pair!r} is not of the form key=value")
        if key in options:
            raise StationTableError(f"{where}: option {key!r} given twice")
        options[key] = value
    return options


def check_options(source: str, options: dict[str, str], where: str) -> None:
    """Raise :class:`StationTableError` for unknown or missing option keys of ``source``."""
    required, optional = SOURCE_OPTIONS[source]
    unknown = sorted(set(options) - required - optional)
    if unknown:
        raise StationTableError(
            f"{where}: unknown option(s) {unknown} for source {source!r}; "
            f"allowed: {sorted(required | optional)}"
        )
    missing = sorted(required - set(options))
    if missing:
        raise StationTableError(f"{where}: source {source!r} needs option(s) {missing} (e.g. root=/data/sds)")


def read_station_table(path: str) -> list[Station]:
    """Read and check ``stations.tsv``; raise :class:`StationTableError` on an empty file or bad rows."""
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment="#")
    except pd.errors.EmptyDataError:
        raise StationTableError(f"{path}: empty file; a station table is a header line (columns "
                                f"{', '.join(REQUIRED_COLUMNS)}, ..., separated by tabs) and one line per station"
                                ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise StationTableError(f"{path}: not a tab-separated station table ({str(exc).strip()[:120]})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise StationTableError(f"{path}: missing column(s) {missing}; required: {list(REQUIRED_COLUMNS)}")
    stations = []
    for row_number, row in enumerate(table.to_dict("records"), start=2):
        if row["source"] not in SOURCES:
            raise StationTableError(
                f"{path} line {row_number}: source {row['source']!r} is not one of {list(SOURCES)}"
            )
        for column, pattern in SEED_CODES.items():
            if not pattern.fullmatch(row[column]):
                raise StationTableError(
                    f"{path} line {row_number}: {column} {row[column]!r} is not a SEED code: "
                    f"{SEED_RULES[column]}"
                )
        where = f"{path} line {row_number}"
        check_options(row["source"], parse_options(row.get("options", ""), where), where)
        stations.append(
            Station(
                id=station_id(row["network"], row["station"], row["location"]),
                network=row["network"],
                station=row["station"],
                location=row["location"],
                channels=row["channels"],
                source=row["source"],
                latitude=_float(row, "latitude", path, row_number),
                longitude=_float(row, "longitude", path, row_number),
                elevation=_float(row, "elevation", path, row_number),
                options=row.get("options", ""),
            )
        )
    ids = [s.id for s in stations]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise StationTableError(f"{path}: duplicated station id(s) {duplicated}")
    return stations


def _float(row: dict, key: str, path: str, row_number: int) -> float:
    value = row.get(key, "")
    if value == "":
        return float("nan")
    try:
        return float(value)
    except ValueError:
        raise StationTableError(f"{path} line {row_number}: {key} {value!r} is not a number") from None


def day_chunks(start: str, end: str) -> list[str]:
    """UTC days (``YYYY-MM-DD``) that intersect ``[start, end)``."""
    t0, t1 = UTCDateTime(start), UTCDateTime(end)
    if t1 <= t0:
        raise ValueError(f"end ({end}) must be after start ({start})")
    day = UTCDateTime(t0.date)
    days = []
    while day < t1:
        days.append(day.strftime("%Y-%m-%d"))
        day += 86400
    return days


def chunk_span(day: str, start: str, end: str) -> tuple[UTCDateTime, UTCDateTime]:
    """The part of ``day`` inside ``[start, end)``, as UTC times."""
    d0 = UTCDateTime(day)
    return max(d0, UTCDateTime(start)), min(d0 + 86400, UTCDateTime(end))
