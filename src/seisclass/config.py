"""Config sections as frozen dataclasses, built the same way everywhere.

The JSON schema (``workflow/schemas/config.schema.yaml``) rejects unknown
keys and wrong types before any job runs; :class:`ConfigSection` applies the
same strictness to library callers, maps a section onto its dataclass and
offers two hooks: ``_prepare`` to convert values (lists to tuples, aliases)
and ``_check`` for rules the schema cannot express.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Self


class ConfigSection:
    """Mixin for a frozen dataclass that mirrors one section of the config.

    Subclasses set ``section`` (the config key, used in messages),
    optionally ``read_elsewhere`` (keys of the section that another part of
    the library reads) and ``error`` (the exception type raised).
    """

    section: ClassVar[str] = ""
    read_elsewhere: ClassVar[tuple[str, ...]] = ()
    error: ClassVar[type[ValueError]] = ValueError

    @classmethod
    def from_config(cls, section: dict | None) -> Self:
        """Build from a config section; an unknown key raises ``cls.error`` naming it."""
        values = cls._prepare(dict(section or {}))
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names - set(cls.read_elsewhere))
        if unknown:
            raise cls.error(f"{cls.section}: unknown key(s) {unknown}; known: {sorted(names)}")
        instance = cls(**{k: v for k, v in values.items() if k in names})
        instance._check()
        return instance

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        """Convert raw config values (override where needed)."""
        return section

    def _check(self) -> None:
        """Raise ``cls.error`` naming the key for values the schema cannot rule out."""
