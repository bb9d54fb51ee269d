"""The interface every trained model shares: :class:`WindowClassifier`, in the style of
scikit-learn and SeisBench.

- ``classes_``, ``name``, ``metadata`` (the model card, :mod:`seisclass.learn.card`) and
  ``recipe`` (the :class:`~seisclass.signal.recipe.Recipe` of the card);
- ``predict_proba(x)``: class probabilities ``(windows, classes)`` of the model's own input
  (a feature table for the forest, waveform windows for the deep models);
- ``table_probabilities(table, stream)``: the windows of a window table;
- ``window_probabilities(stream)``, ``annotate(stream)`` and ``classify(stream)``: any raw
  ObsPy stream, at any sampling rate, made into windows by the card's recipe, exactly
  as the workflow makes them. Their window tables carry ``health``: ``ok``, or the bad
  stretches of the raw data (``dead``, ``clipped``, ``nan``; :mod:`seisclass.signal.health`,
  thresholds in ``health_parameters``) a window touches; such a station-day is warned
  about, naming the station, the channel and the problem.

A concrete class implements the named hooks :meth:`~WindowClassifier.predict_proba`,
:meth:`~WindowClassifier.model_inputs` (its input for the rows of a window table),
:meth:`~WindowClassifier.write` (its file format) and :meth:`~WindowClassifier.read`
(loading itself). Reading the format of a file and choosing the class is
:func:`seisclass.learn.loading.load_classifier`'s job.
"""

from __future__ import annotations

import abc
import functools
import logging
import math
from pathlib import Path
from typing import ClassVar, NamedTuple

import numpy as np
import pandas as pd

from seisclass.core.io import atomic_path
from seisclass.core.records import StationDay
from seisclass.core.vocabulary import DAY_FORMAT, KEY_COLUMNS, probability_columns
from seisclass.learn.card import describe
from seisclass.learn.domain import domain_counts, domain_scores, flag_messages, station_domain
from seisclass.learn.errors import ModelFileError, ModelMismatchError
from seisclass.signal.recipe import Recipe

log = logging.getLogger(__name__)

__all__ = ["ModelFileError", "ModelMismatchError", "StationPart", "WindowClassifier", "station_days"]

DAY_S = 86400.0
PROBABILITY_TOLERANCE = 1e-6  # rows of predict_proba must sum to 1 within this


class StationPart(NamedTuple):
    """What classifying one station and band of a raw stream gives."""

    table: pd.DataFrame  # key columns, p_<class> (and domain_score, for a model with a training domain)
    processed: object  # the preprocessed ObsPy Stream
    domain: pd.DataFrame | None  # seisclass.learn.domain.domain_counts of its windows (None: no domain)


class WindowClassifier(abc.ABC):
    """A trained window classifier with its model card (``metadata``); see the module doc."""

    reads: ClassVar[str] = "features"  # or "waveforms"
    block: ClassVar[int | None] = None  # windows per call of the model (None: a table at once)

    def __init__(self, metadata: dict, path: str | Path | None = None):
        self.metadata = metadata
        self.path = str(path) if path is not None else f"<{metadata.get('name')} model>"
        self._warned_slow: set[str] = set()  # channels already warned about (below the model's rate)
        self._health = None

    @property
    def health_parameters(self):
        """Thresholds of the sensor health checks of raw streams (``health`` section; default: the schema's)."""
        from seisclass.signal.health import HealthParameters

        if self._health is None:
            self._health = HealthParameters()
        return self._health

    @health_parameters.setter
    def health_parameters(self, value) -> None:
        self._health = value

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, classes={self.classes_}, path={self.path!r})"

    # ---------------------------------------------------- the card

    @property
    def name(self) -> str:
        """Model name (``rf``, ``cnn``, ``lstm``), used in output columns and trace ids."""
        return str(self.metadata["name"])

    @property
    def classes_(self) -> list[str]:
        """Class names in the order of the probability columns."""
        return list(self.metadata["classes"])

    @functools.cached_property
    def recipe(self) -> Recipe:
        """How raw waveforms become this model's windows (from the card)."""
        return Recipe.from_card(self.metadata["recipe"])

    @property
    def sampling_rate(self) -> float:
        """Sampling rate (Hz) the model's windows are cut at (after preprocessing)."""
        return self.recipe.preprocess.sampling_rate

    @property
    def window_length_s(self) -> float:
        return self.recipe.windows.length_s

    @property
    def step_s(self) -> float:
        """Step of the window grid (s) used by :meth:`annotate` and :meth:`classify`."""
        return self.recipe.windows.step_s

    @property
    def components(self) -> list[str]:
        return self.recipe.components

    def describe(self) -> str:
        """The model card as text."""
        return describe(self.metadata, self.path)

    # ---------------------------------------------------- hooks

    @abc.abstractmethod
    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities ``(windows, classes)`` of the model's own input."""

    @abc.abstractmethod
    def model_inputs(self, table: pd.DataFrame, stream) -> tuple[object, np.ndarray]:
        """``(x, usable)``: the model input of the usable rows of a window table and the mask of those rows.

        ``stream`` is the preprocessed waveform of the table's windows (read by the
        waveform models).
        """

    @abc.abstractmethod
    def write(self, path: Path) -> None:
        """Write the model and its card to ``path`` (a temporary file of :meth:`save`)."""

    @classmethod
    @abc.abstractmethod
    def read(cls, path, **options) -> WindowClassifier:
        """Load a file written by :meth:`write`; anything else raises :class:`ModelFileError`."""

    def save(self, path) -> None:
        """Write the model and its card atomically (``path`` becomes the model's file)."""
        with atomic_path(path) as tmp:
            self.write(tmp)
        self.path = str(path)

    # ---------------------------------------------------- checks

    def check_classes(self, classes: list[str] | None = None) -> list[str]:
        """The classes to use: the model's, or ``classes`` when it is exactly the model's list."""
        if classes is None or list(classes) == self.classes_:
            return self.classes_
        raise ModelMismatchError(
            f"{self.path}: classes differ: model {self.classes_}, configuration {list(classes)} "
            "(the order counts: it fixes the probability columns); configure the model's classes "
            "or use a model trained on yours")

    def check_recipe(self, recipe: Recipe, classes: list[str] | None = None) -> list[str]:
        """Raise :class:`ModelMismatchError` where ``recipe`` would give other inputs than the card's.

        The card's recipe is compared as a whole (:meth:`Recipe.differences`); returns
        the classes (``classes=None``: the model's).
        """
        differences = self.recipe.differences(recipe)
        if differences:
            text = "; ".join(f"{key}: model {m!r}, configuration {c!r}" for key, m, c in differences)
            raise ModelMismatchError(
                f"{self.path}: the model was trained with other settings than the configuration: {text}. "
                "Set these keys to the model's values (or use a model trained with yours)")
        return self.check_classes(classes)

    def checked_probabilities(self, proba: np.ndarray) -> np.ndarray:
        """``proba`` if every row is finite, in [0, 1] and sums to 1; else :class:`ModelFileError`."""
        proba = np.asarray(proba, np.float64)
        bad = ~np.isfinite(proba).all(axis=1) | (np.abs(proba.sum(axis=1) - 1.0) > PROBABILITY_TOLERANCE) \
            | (proba < -PROBABILITY_TOLERANCE).any(axis=1)
        if bad.any():
            row = proba[int(np.argmax(bad))]
            raise ModelFileError(f"{self.path}: the model gave invalid probabilities for {int(bad.sum())} of "
                                 f"{len(proba)} window(s) (first: {row.round(4).tolist()}): the file is damaged; "
                                 "nothing was written")
        return proba

    # ---------------------------------------------------- windows of a table

    def table_probabilities(self, table: pd.DataFrame, stream=None) -> pd.DataFrame:
        """Key columns plus ``p_<class>`` for every row of a window table (NaN where not computable).

        ``stream`` is the preprocessed waveform of the table's windows (needed by
        the waveform models, which cut the windows from it). The model name is kept
        in ``.attrs["model"]`` (stored in Parquet files).
        """
        table = table.reset_index(drop=True)
        proba = np.full((len(table), len(self.classes_)), np.nan)
        size = self.block or max(len(table), 1)
        for start in range(0, len(table), size):
            rows = table.iloc[start:start + size]
            x, usable = self.model_inputs(rows, stream)
            if usable.any():
                proba[start + np.flatnonzero(usable)] = self.checked_probabilities(self.predict_proba(x))
        out = self.probability_table(table[KEY_COLUMNS], proba)
        if self.has_domain_inputs(table):
            out["domain_score"] = domain_scores(table, self.domain)
        return out

    # ---------------------------------------------------- training domain

    @property
    def domain(self) -> dict | None:
        """The card's description of the training windows (:mod:`seisclass.learn.domain`), if any."""
        return self.metadata.get("domain") or None

    def has_domain_inputs(self, table: pd.DataFrame) -> bool:
        """Whether ``table`` holds every feature of the card's training domain."""
        return self.domain is not None and set(self.domain["features"]) <= set(table.columns)

    def station_domain(self, parts: list[StationPart]) -> pd.DataFrame:
        """Per station and band: the domain score and the features outside the training range most often."""
        counts = [p.domain for p in parts if p.domain is not None]
        return station_domain(counts, self.domain or {"features": []})

    def probability_table(self, keys: pd.DataFrame, proba: np.ndarray) -> pd.DataFrame:
        """Key columns and ``p_<class>`` columns, the model name in ``attrs``."""
        out = keys.reset_index(drop=True).copy()
        for column, values in zip(probability_columns(self.classes_), np.asarray(proba).T, strict=True):
            out[column] = values.astype(np.float64)
        out.attrs["model"] = self.name
        return out

    # ---------------------------------------------------- raw streams

    def window_probabilities(self, stream, inventory=None) -> pd.DataFrame:
        """Key columns, ``p_<class>`` and ``health`` of every complete grid window of a raw stream.

        Each station and band (``network, station, location`` and the first two
        channel letters) is made into windows on its own, UTC day by UTC day,
        by the card's recipe (as the workflow does); ``channel`` is the band
        pattern (``HH?``). ``inventory`` (ObsPy Inventory) is required when the
        model was trained on data with the instrument response removed.
        """
        return self._merged([part.table for part in self.station_probabilities(stream, inventory)])

    def station_probabilities(self, stream, inventory=None) -> list[StationPart]:
        """Probability table, preprocessed stream and domain counts per station and band of a raw stream."""
        output = self.recipe.preprocess.remove_response
        if output and inventory is None:
            raise ModelMismatchError(
                f"{self.path}: the model was trained on data with the instrument response removed "
                f"(preprocess.remove_response: {output}); pass a StationXML inventory (CLI: --inventory)")
        out = [self._station_probabilities(part, days, inventory) for part, days in station_days(stream)]
        return [part for part in out if len(part.table)]

    def _merged(self, tables: list[pd.DataFrame]) -> pd.DataFrame:
        if not tables:
            empty = self.probability_table(pd.DataFrame({c: [] for c in KEY_COLUMNS}),
                                           np.zeros((0, len(self.classes_))))
            empty["health"] = pd.Series([], dtype=object)
            return empty
        out = pd.concat(tables, ignore_index=True)
        out.attrs["model"] = self.name
        return out

    def _station_probabilities(self, raw, days: list[StationDay], inventory) -> StationPart:
        from seisclass.signal.windows import with_components

        # only the components the model reads are preprocessed and health-checked (a Z model: a third of the work)
        raw, complete = with_components(raw, self.components), raw
        if len(complete):
            self._check_components(raw, complete, days)
        slow = sorted({tr.id for tr in raw if tr.stats.sampling_rate < self.sampling_rate * (1 - 1e-9)}
                      - self._warned_slow)
        self._warned_slow.update(slow)  # one warning per channel, not one per file of it
        if slow:
            log.warning("%s sampled below the model's preprocess.sampling_rate %g Hz: upsampled; content above "
                        "their Nyquist frequency is missing (as for such stations in training)",
                        ", ".join(slow), self.sampling_rate)
        processed, notes = self.recipe.preprocess_days(raw, days, {"--inventory": inventory} if inventory else {})
        for note in notes:
            log.warning(note)
        if not len(processed):
            return StationPart(pd.DataFrame(), processed, None)
        self._check_components(processed, complete, days)
        table, _ = self.recipe.window_table(processed, days, self.recipe.native_rates(raw, days))
        probabilities = self.table_probabilities(table, processed)
        domain = None
        if self.has_domain_inputs(table):
            domain = domain_counts(table, self.domain, probabilities["domain_score"].to_numpy())
        return StationPart(self.with_health(probabilities, raw, days), processed, domain)

    def _check_components(self, stream, complete, days: list[StationDay]) -> None:
        """Raise :class:`ModelMismatchError` when ``stream`` lacks a component the model reads."""
        from seisclass.signal.windows import available_components

        missing = [c for c in self.components if c not in available_components(stream, self.components)]
        if missing:
            raise ModelMismatchError(
                f"{self.path}: {days[0].id}.{days[0].band} has no {missing} component(s); windows.components: "
                f"model {self.components}, data {available_components(complete, ['Z', 'N', 'E'])}")

    def with_health(self, table: pd.DataFrame, raw, days: list[StationDay]) -> pd.DataFrame:
        """``table`` with ``health`` per window from the raw samples; one warning per unhealthy channel-day."""
        from seisclass.signal.health import (
            HEALTHY,
            WINDOW_KINDS,
            describe,
            station_day_health,
            window_health,
        )

        records, intervals = station_day_health(raw, days, self.health_parameters)
        out = table.copy()
        out["health"] = window_health(out, intervals).astype(str)
        for record in records:
            if record["health"] == HEALTHY:
                continue
            kinds = [k for k in record["health"].split("+") if k in WINDOW_KINDS]
            marked = int(out["health"].str.contains("|".join(kinds)).sum()) if kinds else 0
            what = (f"{marked} of {len(out)} window(s) marked in the health column, their classes are not to be "
                    "trusted" if kinds else "counted, no window marked")
            log.warning(f"{record['station']}.{record['channel']} {record['day']}: {describe(record)}: {what}")
        out.attrs["model"] = self.name
        return out

    def annotate(self, stream, inventory=None):
        """Probability traces of a raw stream (SeisBench convention), one per class and run of windows.

        Channel is ``<model name>_<class>`` (e.g. ``rf_earthquake``); samples
        are spaced by the window step; **sample i is the probability of the
        window centred on** ``starttime + i * step`` (so the first sample sits
        half a window after the first window's start). A gap in the windows
        starts a new trace. ``stats.seisclass`` holds the band, window length
        and model. Names longer than three letters cannot be written to miniSEED.
        """
        from seisclass.events.segments import probability_stream

        return probability_stream(self.window_probabilities(stream, inventory), self.classes_, self.name,
                                  self.window_length_s, self.step_s)

    @property
    def background_classes(self) -> list[str]:
        """The classes that are not events: the card's, else ``silence``/``noise``, else the first class."""
        from seisclass.events.detect import EventParameters

        card = [c for c in self.metadata.get("background_classes") or [] if c in self.classes_]
        default = [c for c in self.classes_ if c in EventParameters().background_classes]
        return card or default or self.classes_[:1]

    def event_parameters(self, events=None):
        """The ``events`` settings (default: the schema's) with this model's background classes."""
        import dataclasses

        from seisclass.events.detect import EventParameters

        return dataclasses.replace(events or EventParameters(), background_classes=tuple(self.background_classes))

    def station_events(self, table: pd.DataFrame, processed, events=None) -> pd.DataFrame:
        """Per-station events (:mod:`seisclass.events.detect`) of one station's probability table.

        ``processed`` is the station's preprocessed stream (its envelope gives each
        event's extent); ``events`` the ``events`` settings (default: the schema's).
        """
        from seisclass.events.detect import chunk_events

        return chunk_events(table, processed, self.classes_, self.event_parameters(events), self.window_length_s,
                            self.step_s, self.recipe.preprocess.bandpass_hz)

    def classify(self, stream, inventory=None, events=None, smoothing_windows: int = 3):
        """The event catalogue of a raw stream (:class:`seisclass.events.catalogue.Catalogue`).

        Per-station events with their extent and class, associated across stations
        (travel-time aware with the coordinates of ``inventory``, a StationXML
        Inventory), QuakeML on demand; the window probabilities and the segments
        (:mod:`seisclass.events.segments`, ``smoothing_windows``) are kept on it.
        ``events`` are the ``events`` settings (default: the schema's).
        """
        from seisclass.events.catalogue import build_catalogue
        from seisclass.events.segments import detect_segments
        events = self.event_parameters(events)
        parts = self.station_probabilities(stream, inventory)
        for message in flag_messages(self.station_domain(parts)) if self.domain else []:
            log.warning(message)
        windows = self._merged([part.table for part in parts])
        station_events = [self.station_events(part.table, part.processed, events) for part in parts]
        station_events = pd.concat(station_events, ignore_index=True) if station_events else None
        segments = detect_segments(windows, self.classes_, self.step_s, smoothing_windows, (), self.name)
        return build_catalogue(station_events if station_events is not None else pd.DataFrame(), self.classes_,
                               events, inventory_coordinates(inventory), self.name, windows, segments)


def inventory_coordinates(inventory) -> dict[str, tuple[float, float]]:
    """Station id -> (latitude, longitude) of an ObsPy Inventory (empty without one)."""
    from seisclass.core.vocabulary import station_id

    out: dict[str, tuple[float, float]] = {}
    for network in inventory or []:
        for station in network:
            for channel in station.channels or [None]:
                location = channel.location_code if channel is not None else ""
                lat = channel.latitude if channel is not None and channel.latitude is not None else station.latitude
                lon = channel.longitude if channel is not None and channel.longitude is not None else station.longitude
                out.setdefault(station_id(network.code, station.code, location), (float(lat), float(lon)))
    return out


def station_days(stream) -> list[tuple[object, list[StationDay]]]:
    """``(traces, station-days)`` per network, station, location and band (first two channel letters).

    One :class:`StationDay` per UTC day the traces touch (the whole day: preprocessing
    cuts the traces at midnight, as the workflow's station-days do). Traces whose
    last channel letter is not a component (Z, N, E, 1, 2, 3) are left out.
    """
    from obspy import Stream

    from seisclass.signal.windows import ORIENTATION_ALIASES

    groups: dict[tuple, Stream] = {}
    for tr in stream:
        if tr.stats.channel[-1:] in ORIENTATION_ALIASES:
            s = tr.stats
            groups.setdefault((s.network, s.station, s.location, s.channel[:-1] + "?"), Stream()).append(tr)
    out = []
    for key in sorted(groups):
        traces = groups[key]
        t0 = min(tr.stats.starttime.timestamp for tr in traces)
        t1 = max(tr.stats.endtime.timestamp + tr.stats.delta for tr in traces)
        days = [StationDay(*key, pd.Timestamp(day, unit="s", tz="UTC").strftime(DAY_FORMAT), float(day),
                           float(day) + DAY_S)
                for day in np.arange(math.floor(t0 / DAY_S) * DAY_S, t1, DAY_S)]
        out.append((traces, days))
    return out
