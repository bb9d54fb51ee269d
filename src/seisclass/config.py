"""Config sections as frozen dataclasses, built the same way everywhere.

The JSON schema (``workflow/schemas/config.schema.yaml``) owns every key and
its default: the Snakefile validates the config against it with
``set_default=True``, which rejects unknown keys and wrong types and fills in
every missing key. :class:`ConfigSection` maps a section onto its dataclass
with the same strictness for library callers (whose defaults equal the
schema's; ``tests/test_config_sections.py`` checks them key by key) and offers
three hooks: ``_prepare`` to convert values (lists to tuples, aliases),
``_check`` for rules the schema cannot express inside one section, and
``_check_settings`` for rules across sections.

:func:`load_settings` builds every section (registry :data:`SECTIONS`) and
runs all checks; the Snakefile calls it at parse time, so a bad config stops
before any job with a :class:`ConfigError` naming the key.

This module stays import-light (standard library only at import time): the
section classes are imported lazily from the modules that use them.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
SEED_MAX = 2**32 - 1  # numpy's legacy seeding range (np.random.seed, RandomState)


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key (``section.key``)."""


class ConfigSection:
    """Mixin for a frozen dataclass that mirrors one section of the config.

    Subclasses set ``section`` (the dotted config key, used in messages),
    optionally ``read_elsewhere`` (keys of the section that another part of
    the library reads) and ``error`` (the exception type raised, a
    ``ValueError``; :class:`ConfigError` by default).
    """

    section: ClassVar[str] = ""
    read_elsewhere: ClassVar[tuple[str, ...]] = ()
    error: ClassVar[type[ValueError]] = ConfigError

    @classmethod
    def from_config(cls, section: Mapping | None) -> Self:
        """Build from a config section; an unknown key raises ``cls.error`` naming it."""
        if section is not None and not isinstance(section, Mapping):
            raise cls.error(f"{cls.section or 'config'}: expected a mapping of keys, got {section!r}")
        values = cls._prepare(dict(section or {}))
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names - set(cls.read_elsewhere))
        if unknown:
            raise cls.error(f"{cls.section or 'config'}: unknown key(s) {unknown}; known: {sorted(names)}")
        instance = cls(**{k: v for k, v in values.items() if k in names})
        instance._check()
        return instance

    @classmethod
    def key(cls, name: str) -> str:
        """Dotted config key of field ``name`` (e.g. ``windows.step_s``), for messages."""
        return f"{cls.section}.{name}" if cls.section else name

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        """Convert raw config values (override where needed)."""
        return section

    def _check(self) -> None:
        """Raise ``cls.error`` naming the key for values the schema cannot rule out."""

    def _check_settings(self, settings: Mapping[str, ConfigSection]) -> None:
        """Raise ``cls.error`` naming the key for rules across sections (``settings``: all sections)."""


# --------------------------------------------------------------------------- shared checks


def check_band(owner: type[ConfigSection], name: str, band, *, low_min: float = 0.0,
               low_inclusive: bool = True) -> None:
    """Raise ``owner.error`` unless ``band`` is ``[low, high]`` with ``low_min <=/< low < high``."""
    key = owner.key(name)
    if len(band) != 2:
        raise owner.error(f"{key}: need [low, high], got {list(band)}")
    low, high = band
    if not (math.isfinite(low) and math.isfinite(high)):
        raise owner.error(f"{key}: band edges must be finite numbers, got {list(band)}")
    if low < low_min or (low == low_min and not low_inclusive):
        relation = ">=" if low_inclusive else ">"
        raise owner.error(f"{key}: low edge must be {relation} {low_min:g} Hz, got {list(band)}")
    if not low < high:
        raise owner.error(f"{key}: low edge must be below the high edge, got {list(band)}")


def parse_time(owner: type[ConfigSection], name: str, value) -> datetime:
    """``value`` (ISO 8601, UTC) as an aware datetime; ``owner.error`` names the key if it is no valid date."""
    key = owner.key(name)
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise owner.error(f"{key}: {value!r} is not a valid date and time ({exc}); "
                              "use ISO 8601 UTC, e.g. 2024-06-01 or 2024-06-01T12:00:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- top-level keys


@dataclasses.dataclass(frozen=True)
class StudyParameters(ConfigSection):
    """The top-level keys of the config (stations, time span, classes, annotations, seed, sources)."""

    section = ""

    stations: str | None = "config/stations.tsv"
    start: str = "2024-06-01T00:00:00"
    end: str = "2024-06-02T00:00:00"
    classes: tuple[str, ...] = ("silence", "tourists", "earthquake")
    annotations: tuple[str, ...] = ()
    seed: int = 42
    mseed_dir: str | None = None
    stationxml: str | None = None

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        if "classes" in section:
            section["classes"] = tuple(section["classes"] or ())
        if "annotations" in section:
            value = section["annotations"] or ()
            section["annotations"] = (value,) if isinstance(value, str) else tuple(value)
        return section

    @property
    def span_s(self) -> float:
        """Length of ``[start, end)`` in seconds."""
        return (parse_time(type(self), "end", self.end) - parse_time(type(self), "start", self.start)).total_seconds()

    def _check(self) -> None:
        t0 = parse_time(type(self), "start", self.start)
        t1 = parse_time(type(self), "end", self.end)
        if t1 <= t0:
            raise self.error(f"end: {self.end} must be after start ({self.start})")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed <= SEED_MAX:
            raise self.error(f"seed: must be an integer from 0 to 2**32 - 1 ({SEED_MAX}), got {self.seed!r}")
        if len(self.classes) < 2:
            raise self.error(f"classes: need at least two classes, got {list(self.classes)}")
        repeated = sorted({c for c in self.classes if self.classes.count(c) > 1})
        if repeated:
            raise self.error(f"classes: {repeated} given more than once")
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
            read_station_table(self.stations)
        except ValueError as exc:  # StationTableError, or a table pandas cannot parse
            raise self.error(f"stations: {exc}") from None


# --------------------------------------------------------------------------- registry

# Section name -> "module:class". "study" holds the top-level keys (STUDY_KEYS); every other name
# is a top-level section of the config. Classes are imported on first use.
SECTIONS: dict[str, str] = {
    "study": "seisclass.config:StudyParameters",
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
    "detections": "seisclass.learn.detections:DetectionParameters",
    "classify": "seisclass.learn.detections:ClassifyParameters",
    "deep": "seisclass.learn.deep.params:DeepParameters",
    "explore": "seisclass.explain.exploration:ExploreParameters",
    "fdsn": "seisclass.acquire.fdsn:FdsnParameters",
    "catalogue": "seisclass.acquire.catalogue:CatalogueParameters",
    "work": "seisclass.acquire.planning:WorkParameters",
    "quality": "seisclass.acquire.station_quality:QualityParameters",
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
    with _as_config_error():
        for name in SECTIONS:
            settings[name] = section_class(name).from_config(section_values(config, name))
        for section in settings.values():
            section._check_settings(settings)
    return settings


class _as_config_error:
    """Context manager: any ``ValueError`` (a section's own error type) becomes a :class:`ConfigError`."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if error is None or isinstance(error, ConfigError) or not isinstance(error, ValueError):
            return False
        raise ConfigError(str(error)) from None


# --------------------------------------------------------------------------- schema


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    """The config schema as a dict (a fresh copy; the file is parsed once)."""
    import copy

    return copy.deepcopy(_parsed_schema(str(path)))


@functools.lru_cache(maxsize=4)
def _parsed_schema(path: str) -> dict:
    import yaml

    return yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def apply_schema_defaults(config: dict, schema: dict | None = None) -> dict:
    """Validate ``config`` in place against the schema and fill in every default (as Snakemake does).

    Raises ``jsonschema.ValidationError`` for a config the schema rejects.
    """
    import copy

    from jsonschema import Draft202012Validator, validators

    schema = copy.deepcopy(schema) if schema is not None else load_schema()
    properties = Draft202012Validator.VALIDATORS["properties"]

    def set_defaults(validator, props, instance, subschema):
        if isinstance(instance, dict):
            for name, child in props.items():
                if "default" in child:
                    instance.setdefault(name, copy.deepcopy(child["default"]))
        yield from properties(validator, props, instance, subschema)

    validator = validators.extend(Draft202012Validator, {"properties": set_defaults})
    validator(schema).validate(config)
    return config


def schema_defaults(schema: dict | None = None) -> dict:
    """The complete default config: every key of the schema with its default."""
    return apply_schema_defaults({}, schema)


def config_error_message(error: BaseException) -> str:
    """One message naming the key, for a :class:`ConfigError` or Snakemake's schema ``WorkflowError``."""
    from jsonschema import ValidationError

    found = error
    while found is not None and not isinstance(found, ValidationError):
        found = found.__cause__ or found.__context__  # Snakemake raises its WorkflowError while handling it
    if found is None:
        return f"Invalid configuration: {error}"
    path = list(found.absolute_path)
    key = _dotted(path) or "config"
    where = "".join(f"[{p!r}]" for p in path)
    return f"Error validating config file: {key}: {found.message} (at config{where})"


def _dotted(path: list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
