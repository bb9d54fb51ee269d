"""Every section of a config, typed and checked: :func:`load_settings` and its registry.

:data:`SECTIONS` names the dataclass of every top-level section (``study`` holds the
top-level keys, :class:`StudyParameters`). :func:`load_settings` builds each one from a
config (schema-validated, defaults filled in) and runs every cross-section check, so a
bad config stops before any job with a :class:`~seisclass.core.config.ConfigError`
naming the key. The Snakefile calls it at parse time; rules hand the typed sections to
their scripts.

This module sits above the stage subpackages (it imports their section classes on
first use), so none of them imports it.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from pathlib import Path

from seisclass.core.config import ConfigError, ConfigSection, config_section, parse_time


@config_section("", partial=True)
class StudyParameters(ConfigSection):
    """The top-level keys of the config (stations, time span, classes, annotations, seed, sources)."""

    stations: str | None
    start: str
    end: str
    classes: tuple[str, ...]
    annotations: tuple[str, ...]
    seed: int
    mseed_dir: str | None
    stationxml: str | None

    @classmethod
    def _prepare(cls, values: dict) -> dict:
        if isinstance(values.get("annotations"), str):
            values["annotations"] = (values["annotations"],)
        elif "annotations" in values:
            values["annotations"] = tuple(values["annotations"] or ())
        return values

    @property
    def span_s(self) -> float:
        """Length of ``[start, end)`` in seconds."""
        return (parse_time(type(self), "end", self.end) - parse_time(type(self), "start", self.start)).total_seconds()

    def _check(self) -> None:
        t0 = parse_time(type(self), "start", self.start)
        t1 = parse_time(type(self), "end", self.end)
        if t1 <= t0:
            raise self.error(f"end: {self.end} must be after start ({self.start})")
        if self.stations is None and not self.mseed_dir:
            raise self.error("stations: null needs mseed_dir (no station table and no miniSEED directory: "
                             "no station to process)")
        for name in ("stations", "mseed_dir", "stationxml"):
            value = getattr(self, name)
            if value is not None and (not str(value).strip() or "\0" in str(value)):
                raise self.error(f"{name}: {value!r} is not a usable path")

    def _check_settings(self, settings: Mapping[str, ConfigSection]) -> None:
        """The paths exist (relative to the working directory) and the station table is valid."""
        where = f"(relative paths start in the working directory {str(Path.cwd())!r})"
        if self.mseed_dir is not None and not Path(self.mseed_dir).is_dir():
            raise self.error(f"mseed_dir: directory {self.mseed_dir!r} not found {where}")
        if self.stationxml is not None and not Path(self.stationxml).exists():
            raise self.error(f"stationxml: file or directory {self.stationxml!r} not found {where}")
        if self.stations is None:
            return
        from seisclass.acquire.stations import read_station_table

        if not Path(self.stations).is_file():
            raise self.error(f"stations: station table {self.stations!r} not found {where}")
        try:
            stations = read_station_table(self.stations)
        except ValueError as exc:  # StationTableError, or a table pandas cannot parse
            raise self.error(f"stations: {exc}") from None
        if not stations and not self.mseed_dir:
            raise self.error(f"stations: {self.stations} has no station (a header only) and there is no mseed_dir: "
                             "nothing to process; add one line per station, or give mseed_dir")


# Section name -> "module:class". "study" holds the top-level keys (STUDY_KEYS); every other name
# is a top-level section of the config. Classes are imported on first use.
SECTIONS: dict[str, str] = {
    "study": "seisclass.settings:StudyParameters",
    "demo": "seisclass.acquire.demo:DemoParameters",
    "preprocess": "seisclass.signal.preprocess:PreprocessParameters",
    "windows": "seisclass.signal.windows:WindowParameters",
    "features": "seisclass.signal.features:FeatureParameters",
    "context": "seisclass.signal.context:ContextParameters",
    "split": "seisclass.data.split:SplitParameters",
    "random_forest": "seisclass.learn.forest:ForestParameters",
    "evaluation": "seisclass.learn.metrics:EvaluationParameters",
    "explain": "seisclass.explain.forest_shap:ExplainParameters",
    "active_learning": "seisclass.learn.active_learning:ActiveLearningParameters",
    "detections": "seisclass.events.segments:DetectionParameters",
    "classify": "seisclass.events.segments:ClassifyParameters",
    "events": "seisclass.events.detect:EventParameters",
    "deep": "seisclass.learn.deep.params:DeepParameters",
    "explore": "seisclass.explain.exploration:ExploreParameters",
    "fdsn": "seisclass.acquire.fdsn:FdsnParameters",
    "catalogue": "seisclass.acquire.catalogue:CatalogueParameters",
    "work": "seisclass.acquire.planning:WorkParameters",
    "quality": "seisclass.quality.stations:QualityParameters",
    "health": "seisclass.signal.health:HealthParameters",
    "variants": "seisclass.data.variants:VariantsParameters",
}
STUDY_KEYS = tuple(f.name for f in dataclasses.fields(StudyParameters))


def section_class(name: str) -> type[ConfigSection]:
    """The dataclass of section ``name`` (a key of :data:`SECTIONS`)."""
    module, _, attribute = SECTIONS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def section_values(config: Mapping, name: str) -> Mapping | None:
    """The raw values of section ``name`` in ``config`` (the top-level keys for ``study``)."""
    if name == "study":
        return {k: config[k] for k in STUDY_KEYS if k in config}
    return config.get(name)


def load_settings(config: Mapping) -> dict[str, ConfigSection]:
    """Every section of ``config`` as its dataclass, checked alone and across sections.

    Returns ``{section name: dataclass}`` in :data:`SECTIONS` order (``study``:
    the top-level keys). Missing keys take their defaults. Raises
    :class:`ConfigError` naming the first bad key (also for an unknown
    top-level key).
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"config: expected a mapping of keys, got {type(config).__name__}")
    unknown = sorted(set(config) - set(SECTIONS) - set(STUDY_KEYS))
    if unknown:
        raise ConfigError(f"config: unknown top-level key(s) {unknown}")
    settings: dict[str, ConfigSection] = {}
    try:
        for name in SECTIONS:
            settings[name] = section_class(name).from_config(section_values(config, name))
        for section in settings.values():
            section._check_settings(settings)
    except ConfigError:
        raise
    except ValueError as error:  # a section's own error type
        raise ConfigError(str(error)) from None
    return settings
