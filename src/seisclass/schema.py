"""The vocabulary shared by every stage: key columns, labels, splits, models, times.

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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY_COLUMNS = ["network", "station", "location", "channel", "start", "end"]
ANNOTATION_COLUMNS = ("network", "station", "location", "channel", "start", "end", "label")
UNLABELED = "unlabeled"
# Columns of the assembled dataset that describe a window but are not features.
WINDOW_COLUMNS = ("label", "interval", "snr", "split")

SPLITS = ("train", "validation", "test")
NO_SPLIT = "none"
PURGED = "purged"

FOREST = "rf"
DEEP_MODELS = ("cnn", "lstm")
MODELS = (FOREST, *DEEP_MODELS)

PROBABILITY_PREFIX = "p_"


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


def station_day_key(network: str, station: str, location: str, time) -> str:
    """``NET.STA[.LOC]/YYYY-MM-DD``: the station-day holding ``time`` (a timestamp or ``YYYY-MM-DD``)."""
    day = pd.Timestamp(time).strftime("%Y-%m-%d")
    return f"{network}.{station}" + (f".{location}" if location else "") + f"/{day}"


def station_ids(table: pd.DataFrame) -> pd.Series:
    """Station id ``NET.STA[.LOC]`` of every row of a table with the key columns."""
    sid = table["network"] + "." + table["station"]
    return sid.where(table["location"] == "", sid + "." + table["location"])
