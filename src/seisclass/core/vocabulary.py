"""The vocabulary shared by every stage: key columns, labels, splits, models, station ids, times.

One owner per concept: other modules import these names, never spell the
values again.

- A window is identified everywhere (features, labels, probabilities,
  predictions) by :data:`KEY_COLUMNS`, with ``start``/``end`` as UTC
  timestamps and ``channel`` the band pattern shared by the components
  (``HH?``).
- :data:`UNLABELED` marks windows that no annotation covers.
- :data:`SPLITS` are the sides of the time-blocked split; :data:`NO_SPLIT`
  (unlabelled windows) and :data:`PURGED` (windows straddling two sides) are
  used by none.
- Class probabilities are columns ``p_<class>`` (:func:`probability_columns`).
- A station id is ``NET.STA`` with ``.LOC`` when a location code is set
  (:func:`station_id`); it names stations in file paths and wildcards.
- Times in text files are ISO 8601 UTC with microseconds (:data:`TIME_FORMAT`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY_COLUMNS = ["network", "station", "location", "channel", "start", "end"]
ANNOTATION_COLUMNS = ("network", "station", "location", "channel", "start", "end", "label")
UNLABELED = "unlabeled"
# Columns of the assembled dataset that describe a window but are not features. ``health`` is ``ok`` or
# the bad stretches (dead, clipped, nan) a window touches (seisclass.signal.health).
WINDOW_COLUMNS = ("label", "interval", "snr", "split", "health")

SPLITS = ("train", "validation", "test")
NO_SPLIT = "none"
PURGED = "purged"

FOREST = "rf"
DEEP_MODELS = ("cnn", "lstm")
MODELS = (FOREST, *DEEP_MODELS)

PROBABILITY_PREFIX = "p_"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # UTC times in CSV files, interval names and model cards
DAY_FORMAT = "%Y-%m-%d"


def probability_column(name: str) -> str:
    """Column of the probability of class ``name`` (``p_<class>``)."""
    return f"{PROBABILITY_PREFIX}{name}"


def probability_columns(classes: list[str]) -> list[str]:
    """Columns ``p_<class>`` in class order."""
    return [probability_column(c) for c in classes]


def to_timestamps(seconds) -> pd.Series:
    """Epoch seconds to UTC timestamps, rounded to the microsecond."""
    micro = np.round(np.asarray(seconds, dtype=float) * 1e6).astype("int64")
    return pd.Series(pd.to_datetime(micro, unit="us", utc=True))


def epoch_seconds(times) -> np.ndarray:
    """UTC timestamps (a Series, or anything ``pd.to_datetime`` reads) to epoch seconds (float)."""
    times = pd.Series(pd.to_datetime(times, utc=True))
    return (times - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()


def format_times(times) -> pd.Series:
    """UTC timestamps (anything ``pd.to_datetime`` reads) as text in :data:`TIME_FORMAT`."""
    return pd.Series(pd.to_datetime(times, utc=True)).dt.strftime(TIME_FORMAT)


def format_time(time) -> str:
    """One UTC timestamp as text in :data:`TIME_FORMAT`."""
    return pd.Timestamp(time).tz_convert("UTC").strftime(TIME_FORMAT)


def station_id(network: str, station: str, location: str = "") -> str:
    """The station id ``NET.STA`` or ``NET.STA.LOC``."""
    return f"{network}.{station}" + (f".{location}" if location else "")


def station_day_key(network: str, station: str, location: str, time) -> str:
    """``NET.STA[.LOC]/YYYY-MM-DD``: the station-day holding ``time`` (a timestamp or ``YYYY-MM-DD``)."""
    return f"{station_id(network, station, location)}/{pd.Timestamp(time).strftime(DAY_FORMAT)}"


def station_ids(table: pd.DataFrame) -> pd.Series:
    """Station id ``NET.STA[.LOC]`` of every row of a table with the key columns."""
    sid = table["network"] + "." + table["station"]
    return sid.where(table["location"] == "", sid + "." + table["location"])
