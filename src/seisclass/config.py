"""Config sections as frozen dataclasses, built the same way everywhere.

The JSON schema (``workflow/schemas/config.schema.yaml``) already rejects
unknown keys and wrong types before any job runs; :class:`ConfigSection`
only maps a section onto its dataclass, with two hooks: ``_prepare`` to
convert values (lists to tuples, aliases) and ``_check`` for rules the schema
cannot express.
"""

from __future__ import annotations

import dataclasses
from typing import Self


class ConfigSection:
    """Mixin for a frozen dataclass that mirrors one section of the config."""

    @classmethod
    def from_config(cls, section: dict | None) -> Self:
        """Build from a config section; keys that are not fields are ignored."""
        values = cls._prepare(dict(section or {}))
        names = {f.name for f in dataclasses.fields(cls)}
        instance = cls(**{k: v for k, v in values.items() if k in names})
        instance._check()
        return instance

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        """Convert raw config values (override where needed)."""
        return section

    def _check(self) -> None:
        """Raise ``ValueError`` naming the key for values the schema cannot rule out."""
