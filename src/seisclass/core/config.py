"""Config sections as frozen dataclasses whose keys, defaults and ranges come from one schema.

The JSON schema shipped in this package (``config.schema.yaml``, linked from
``workflow/schemas/``) is the one owner of every config key: its type, range and
default. The Snakefile validates the config against it with ``set_default=True``.

A section class declares only names and types::

    @config_section("windows")
    class WindowParameters(ConfigSection):
        length_s: float
        step_s: float

:func:`config_section` reads the section's properties from the schema, gives every
field the schema's default (``None`` where the schema has none), refuses a field the
schema lacks or a schema key the class lacks, and makes the class a frozen dataclass.
:meth:`ConfigSection.from_config` validates values against the same schema (so the
library and the workflow refuse the same values, with a message naming the key),
converts them to the annotated types (lists to tuples, nested sections to their
classes) and runs ``_check``: the rules a schema cannot express (one key against
another). ``_check_settings`` holds rules across sections (see :mod:`seisclass.settings`).
:meth:`ConfigSection.to_config` gives the plain values back (lists, numbers, strings).

This module imports only the standard library at import time; PyYAML reads the schema
once, and ``jsonschema`` is imported on the first validation.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Self

SCHEMA_PATH = Path(__file__).with_name("config.schema.yaml")
SEED_MAX = 2**32 - 1  # numpy's legacy seeding range (np.random.seed, RandomState)


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the key (``section.key``)."""


# --------------------------------------------------------------------------- the schema


def load_schema(path: str | Path = SCHEMA_PATH) -> dict:
    """The config schema as a dict (a fresh copy; the file is parsed once)."""
    return copy.deepcopy(_parsed_schema(str(path)))


@functools.cache
def _parsed_schema(path: str) -> dict:
    import yaml

    return yaml.load(Path(path).read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def resolve(node: Any, root: dict | None = None) -> Any:
    """``node`` with a local ``$ref`` (``#/definitions/...``) merged in (its own keys win)."""
    root = _parsed_schema(str(SCHEMA_PATH)) if root is None else root
    if isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return {**resolve(target, root), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def section_schema(section: str) -> dict:
    """The schema of a section (dotted path: ``""`` top level, ``windows``, ``deep.gpu.cnn``)."""
    root = _parsed_schema(str(SCHEMA_PATH))
    node = root
    for part in filter(None, section.split(".")):
        node = resolve(node.get("properties", {})[part], root)
    return resolve(node, root)


def section_defaults(section: str) -> dict:
    """Default of every key of a section: the key's own, else the section's default object, else None."""
    node = section_schema(section)
    inherited = node.get("default") if isinstance(node.get("default"), dict) else {}
    out = {}
    for name, child in node.get("properties", {}).items():
        child = resolve(child)
        out[name] = copy.deepcopy(child["default"] if "default" in child else inherited.get(name))
    return out


def apply_schema_defaults(config: dict, schema: dict | None = None) -> dict:
    """Validate ``config`` in place against the schema and fill in every default (as Snakemake does).

    Raises ``jsonschema.ValidationError`` for a config the schema rejects.
    """
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


@functools.cache
def _validator(section: str):
    from jsonschema import Draft202012Validator

    root = _parsed_schema(str(SCHEMA_PATH))
    node = dict(section_schema(section))
    node.pop("default", None)
    if not section:  # the top-level keys only: sections are validated by their own classes
        node = {**node, "required": [], "additionalProperties": True}
    return Draft202012Validator({**node, "definitions": root.get("definitions", {})})


def schema_error(section: str, values: Mapping) -> str | None:
    """The first schema violation of a section's values, naming the key; None when valid."""
    from jsonschema.exceptions import best_match

    error = best_match(_validator(section).iter_errors(values))
    if error is None:
        return None
    key = dotted([*filter(None, section.split(".")), *error.absolute_path]) or section or "config"
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(known))
        if known and unknown:
            return f"{key}: unknown key(s) {unknown}; known: {known}"
    return f"{key}: {error.message}"


def config_error_message(error: BaseException) -> str:
    """One message naming the key, for a :class:`ConfigError` or Snakemake's schema ``WorkflowError``."""
    from jsonschema import ValidationError

    found = error
    while found is not None and not isinstance(found, ValidationError):
        found = found.__cause__ or found.__context__  # Snakemake raises its WorkflowError while handling it
    if found is None:
        return f"Invalid configuration: {error}"
    path = list(found.absolute_path)
    key = dotted(path) or "config"
    where = "".join(f"[{p!r}]" for p in path)
    return f"Error validating config file: {key}: {found.message} (at config{where})"


def dotted(path: list[Any]) -> str:
    """``["features", "bands_hz", 0]`` -> ``features.bands_hz[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --------------------------------------------------------------------------- sections


class ConfigSection:
    """Base of a frozen dataclass that mirrors one section of the config (see the module doc).

    Class attributes: ``section`` (the dotted config key, set by :func:`config_section`),
    ``error`` (the ``ValueError`` type raised; :class:`ConfigError` by default).
    """

    section: ClassVar[str] = ""
    error: ClassVar[type[ValueError]] = ConfigError

    @classmethod
    def from_config(cls, values: Mapping | None = None) -> Self:
        """Build from config values: validated by the schema, missing keys at their defaults.

        Raises ``cls.error`` naming the key for an unknown key, a value the schema
        refuses or one that breaks a rule of ``_check``.
        """
        if values is not None and not isinstance(values, Mapping):
            raise cls.error(f"{cls.section or 'config'}: expected a mapping of keys, got {values!r}")
        values = {k: v.to_config() if isinstance(v, ConfigSection) else v for k, v in (values or {}).items()}
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise cls.error(f"{cls.section or 'config'}: unknown key(s) {unknown}; known: {sorted(names)}")
        problem = schema_error(cls.section, values)
        if problem:
            raise cls.error(problem)
        values = cls._prepare(values)
        hints = typing.get_type_hints(cls)
        instance = cls(**{k: _typed(hints[k], v) for k, v in values.items()})
        instance._check()
        return instance

    def to_config(self) -> dict:
        """The section as plain config values (nested sections as dicts, tuples as lists)."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def key(cls, name: str) -> str:
        """Dotted config key of field ``name`` (e.g. ``windows.step_s``), for messages."""
        return f"{cls.section}.{name}" if cls.section else name

    @classmethod
    def _prepare(cls, values: dict) -> dict:
        """Convert validated raw values before typing (override for aliases and merges)."""
        return values

    def _check(self) -> None:
        """Raise ``cls.error`` naming the key for a rule between keys that the schema cannot express."""

    def _check_settings(self, settings: Mapping[str, ConfigSection]) -> None:
        """Raise ``cls.error`` naming the key for rules across sections (``settings``: all sections)."""


def config_section(section: str, *, partial: bool = False):
    """Class decorator: a frozen dataclass of config section ``section`` with the schema's defaults.

    Every annotated field must be a key of the section in the schema and, unless
    ``partial`` (the top-level keys, whose other keys are sections), every key a field.
    Tuple-typed fields get tuple defaults, nested sections their class's default.
    """

    def wrap(cls: type) -> type:
        defaults = section_defaults(section)
        fields = [name for name in cls.__dict__.get("__annotations__", {}) if not _is_classvar(cls, name)]
        missing = sorted(set(fields) - set(defaults))
        extra = sorted(set(defaults) - set(fields)) if not partial else []
        if missing or extra:
            raise TypeError(f"{cls.__name__} (config section {section!r}) does not match the schema: "
                            f"fields not in the schema {missing}, schema keys without a field {extra}")
        cls.section = section
        hints = typing.get_type_hints(cls, include_extras=False)
        for name in fields:
            hint = hints[name]
            if isinstance(hint, type) and issubclass(hint, ConfigSection):
                setattr(cls, name, dataclasses.field(default_factory=_nested_default(hint, defaults[name])))
            elif isinstance(defaults[name], dict):
                setattr(cls, name, dataclasses.field(default_factory=functools.partial(copy.deepcopy,
                                                                                       defaults[name])))
            else:
                setattr(cls, name, _typed(hint, defaults[name]))
        return dataclasses.dataclass(frozen=True)(cls)

    return wrap


def _nested_default(kind: type[ConfigSection], default: dict | None):
    return lambda: kind.from_config(default or {})


def _is_classvar(cls: type, name: str) -> bool:
    annotation = cls.__dict__["__annotations__"][name]
    return "ClassVar" in str(annotation)


def _typed(hint, value):
    """``value`` converted to the annotated type: lists to tuples, ints to floats, dicts to sections."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        arms = [a for a in typing.get_args(hint) if a is not type(None)]
        for arm in arms:
            if isinstance(value, Mapping) == (_is_section(arm) or typing.get_origin(arm) is dict):
                return _typed(arm, value)
        return value
    if origin is tuple and isinstance(value, list | tuple):
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_typed(args[0], v) for v in value)
        if args and len(args) == len(value):
            return tuple(_typed(a, v) for a, v in zip(args, value, strict=True))
        return tuple(value)
    if _is_section(hint) and isinstance(value, Mapping):
        return hint.from_config(value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _is_section(hint) -> bool:
    return isinstance(hint, type) and issubclass(hint, ConfigSection)


def _plain(value):
    if isinstance(value, ConfigSection):
        return value.to_config()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- shared checks


def check_band(owner: type[ConfigSection], name: str, band, *, low_min: float = 0.0,
               low_inclusive: bool = True) -> None:
    """Raise ``owner.error`` unless ``band`` is ``[low, high]`` with ``low_min <=/< low < high``."""
    key = owner.key(name)
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
