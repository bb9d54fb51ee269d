"""The station-day recipe: raw waveforms -> preprocessed traces -> grid windows with features and context.

One :class:`Recipe` (the ``preprocess``, ``windows``, ``features`` and ``context``
sections) says how every window a model sees is made. The workflow's preprocess
and features rules, a model applied to an ObsPy stream and the preprocessing
variants all call the same two steps:

1. :meth:`Recipe.preprocess`: per station-day, the instrument response (if
   configured), gaps, detrend, taper, band-pass, resampling
   (:mod:`seisclass.signal.preprocess`); plus :meth:`Recipe.native_rates`, the
   sampling rates recorded before resampling;
2. :meth:`Recipe.window_table`: the grid windows complete on every component
   (:mod:`seisclass.signal.windows`), their features
   (:mod:`seisclass.signal.features`) with the bands a station never recorded
   set to NaN, and the long-context features (:mod:`seisclass.signal.context`)
   when enabled. A recipe without features (deep models, which read the
   waveforms) gives the window keys alone.

A model card stores the recipe it was trained with (:meth:`Recipe.to_card`), and
:meth:`Recipe.differences` compares two recipes as a whole, so a configuration
that would feed a model other inputs than in training is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.core.records import StationDay
from seisclass.core.vocabulary import to_timestamps
from seisclass.core.waveforms import select_stations
from seisclass.signal.context import ContextParameters, chunk_context_features
from seisclass.signal.features import (
    FeatureParameters,
    compute_features,
    feature_names,
    mask_unmeasured_bands,
)
from seisclass.signal.preprocess import (
    ORIGINAL_RATE_COLUMNS,
    PreprocessParameters,
    original_sampling_rates,
    preprocess_chunk,
)
from seisclass.signal.windows import (
    WindowParameters,
    available_components,
    cut_station_day,
    window_starts,
)

log = logging.getLogger(__name__)

SECTIONS = ("preprocess", "windows", "features", "context")
# Keys that do not change what a model sees: the grid step (any step applies the same model),
# the labelling overlap, and gap/taper handling, which only touches segment edges.
NOT_COMPARED = ("windows.step_s", "windows.min_overlap", "preprocess.taper_s", "preprocess.max_gap_s",
                "preprocess.min_segment_s")
_CLASSES = {"preprocess": PreprocessParameters, "windows": WindowParameters, "features": FeatureParameters,
            "context": ContextParameters}


@dataclass(frozen=True)
class Recipe:
    """How a raw station-day becomes model input. ``features``/``context`` are None for waveform models."""

    preprocess: PreprocessParameters
    windows: WindowParameters
    features: FeatureParameters | None = None
    context: ContextParameters | None = None

    # ------------------------------------------------------------ building and comparing

    @classmethod
    def from_settings(cls, settings: Mapping, features: bool = True) -> Recipe:
        """The recipe of typed config sections (``features=False``: a waveform model's)."""
        return cls(settings["preprocess"], settings["windows"],
                   settings["features"] if features else None, settings["context"] if features else None)

    @classmethod
    def from_card(cls, card: Mapping) -> Recipe:
        """The recipe a model card stores (:meth:`to_card`); sections it lacks are None."""
        sections = {name: _CLASSES[name].from_config(card[name]) for name in SECTIONS if card.get(name) is not None}
        return cls(**sections)

    def to_card(self) -> dict:
        """Plain values of every section the recipe uses (what a model card stores)."""
        return {name: getattr(self, name).to_config() for name in SECTIONS if getattr(self, name) is not None}

    def differences(self, other: Recipe) -> list[tuple[str, object, object]]:
        """``(key, this value, other value)`` for every setting that gives a model other inputs.

        Compared: every key of the sections this recipe uses, except :data:`NOT_COMPARED`;
        context settings only when either side enables it.
        """
        mine, theirs = self.to_card(), other.to_card()
        if not (mine.get("context") or {}).get("enabled") and not (theirs.get("context") or {}).get("enabled"):
            mine.pop("context", None)
        out = []
        for section, values in mine.items():
            other_values = theirs.get(section) or {}
            for key, value in values.items():
                name = f"{section}.{key}"
                if name not in NOT_COMPARED and not same(value, other_values.get(key)):
                    out.append((name, value, other_values.get(key)))
        return out

    # ------------------------------------------------------------ the steps

    @property
    def components(self) -> list[str]:
        return list(self.windows.components)

    def feature_units(self) -> dict[str, str]:
        """Unit of every feature column (``1``: dimensionless), amplitudes in the preprocessed data's unit."""
        from seisclass.signal.context import feature_units as context_units
        from seisclass.signal.features import feature_table

        u = self.preprocess.amplitude_unit
        table = feature_table(self.components, self.features) if self.features is not None else None
        units = {} if table is None else dict(zip(table["name"], table["unit"], strict=True))
        units = {name: {"u": u, "u^2 s": f"({u})² s" if "/" in u else f"{u}² s"}.get(unit, unit)
                 for name, unit in units.items()}
        if self.context is not None:
            context = context_units(self.context)
            units.update(zip(context["name"], context["unit"], strict=True))
        return units

    def preprocess_days(self, raw: Stream, days: list[StationDay], inventories: dict | None = None
                        ) -> tuple[Stream, list[str]]:
        """Step 1: the preprocessed traces of ``days`` (float32) and notes on what was dropped."""
        return preprocess_chunk(raw, self.preprocess, days, inventories)

    @staticmethod
    def native_rates(raw: Stream, days: list[StationDay]) -> pd.DataFrame:
        """Sampling rates recorded before resampling (:data:`ORIGINAL_RATE_COLUMNS`), per station-day."""
        return pd.DataFrame(original_sampling_rates(raw, days), columns=ORIGINAL_RATE_COLUMNS)

    def window_table(self, stream: Stream, days: list[StationDay], rates: pd.DataFrame | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Step 2: one row per grid window complete on every component, and the masked-band summary.

        With features: key columns, ``snr`` (dB), the features (bands above a
        station-day's recorded Nyquist frequency NaN, from ``rates``) and the
        context features when enabled. Without: the key columns alone.
        """
        if self.features is None:
            return window_keys(stream, days, self.windows, self.preprocess.sampling_rate), pd.DataFrame()
        table = chunk_features(stream, days, self.windows, self.preprocess.sampling_rate, self.features)
        table, masked = mask_unmeasured_bands(table, rates, self.components, self.features)
        if self.context is not None and self.context.enabled:
            context = chunk_context_features(stream, days, rates if rates is not None else
                                             pd.DataFrame(columns=ORIGINAL_RATE_COLUMNS),
                                             self.windows.length_s, self.windows.step_s, self.context)
            table = add_context(table, context)
        return table, masked

    def apply(self, raw: Stream, days: list[StationDay], inventories: dict | None = None
              ) -> tuple[Stream, pd.DataFrame, list[str]]:
        """Both steps: preprocessed stream, window table and preprocessing notes."""
        stream, notes = self.preprocess_days(raw, days, inventories)
        table, _ = self.window_table(stream, days, self.native_rates(raw, days))
        return stream, table, notes


def same(a, b) -> bool:
    """Equal, with floats compared to a relative 1e-9 (lists element by element)."""
    import math

    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


# ------------------------------------------------------------------ window tables


def station_day_features(stream: Stream, day: StationDay, windows: WindowParameters, sampling_rate: float,
                         p: FeatureParameters) -> pd.DataFrame:
    """One row per complete window of a station-day: key columns, ``snr`` (dB) and the features."""
    components = list(windows.components)
    starts, array = cut_station_day(stream, day.t0, day.t1, windows.length_s, windows.step_s, components,
                                    sampling_rate)
    values, snr = compute_features(array, sampling_rate, components, p)
    table = pd.DataFrame(values, columns=feature_names(components, p))
    head = pd.DataFrame({**day.keys, "start": to_timestamps(starts),
                         "end": to_timestamps(starts + windows.length_s), "snr": snr.astype(np.float32)},
                        index=table.index)
    return pd.concat([head, table], axis=1)


def chunk_features(stream: Stream, days: list[StationDay], windows: WindowParameters, sampling_rate: float,
                   p: FeatureParameters) -> pd.DataFrame:
    """Feature tables of a chunk's station-days, concatenated.

    A station-day without one of the components gives no windows, with a
    warning naming the station and the missing components.
    """
    components = list(windows.components)
    tables = []
    for day in days:
        part = select_stations(stream, [day.id])
        missing = [c for c in components if c not in available_components(part, components)]
        if missing:
            if len(part):
                log.warning("%s: component(s) %s missing: no windows", day, missing)
            day = StationDay(day.network, day.station, day.location, day.band, day.day, day.t0, day.t0)
        tables.append(station_day_features(part, day, windows, sampling_rate, p))
    if tables:
        return pd.concat(tables, ignore_index=True)
    return station_day_features(Stream(), StationDay("", "", "", "", "", 0.0, 0.0), windows, sampling_rate, p)


def window_keys(stream: Stream, days: list[StationDay], windows: WindowParameters, sampling_rate: float
                ) -> pd.DataFrame:
    """Key columns of the grid windows of each station-day complete on every component (as they are cut)."""
    from seisclass.signal.windows import complete_windows

    rows = []
    for day in days:
        starts = window_starts(day.t0, day.t1, windows.length_s, windows.step_s)
        kept = starts[complete_windows(select_stations(stream, [day.id]), starts, windows.length_s,
                                       list(windows.components), sampling_rate)]
        rows.append(pd.DataFrame({**day.keys, "start": to_timestamps(kept),
                                  "end": to_timestamps(kept + windows.length_s)}))
    columns = ["network", "station", "location", "channel", "start", "end"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def add_context(table: pd.DataFrame, context: pd.DataFrame) -> pd.DataFrame:
    """The window table with the context feature columns joined by station and start.

    A window without context values (its component trace shorter than the
    window grid, which cutting normally rules out) gets 0, the value of an
    empty span.
    """
    on = ["network", "station", "location", "start"]
    if not len(context):  # no trace long enough for context: the columns only, with the table's key type
        context = context.astype({"start": table["start"].dtype})
    merged = table.merge(context, on=on, how="left", validate="one_to_one")
    columns = [c for c in context.columns if c not in on]
    values = np.nan_to_num(merged[columns].to_numpy(np.float32), nan=0.0)  # one block, not a column at a time
    return pd.concat([merged.drop(columns=columns), pd.DataFrame(values, columns=columns, index=merged.index)],
                     axis=1)
