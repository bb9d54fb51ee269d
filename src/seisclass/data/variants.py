"""Preprocessing variants: named alternatives of the preprocess/windows/features settings, compared in one run.

The config section ``variants`` maps a name to overrides of the sections
``preprocess``, ``windows`` and ``features`` (keys not given keep the base
config's values)::

    variants:
      band_1_15:
        preprocess: {bandpass_hz: [1, 15]}
      band_5_45:
        preprocess: {bandpass_hz: [5, 45]}

The workflow runs its own preprocessing, feature and label rules for each variant
(with :func:`merged_settings`), then the random forest and the exploration on the
same split as the base run (:func:`variant_table`, :func:`transfer_split`): the
test windows of a variant are the base run's test windows (same time blocks),
so differences in the scores come from the settings, not from another split.
:func:`variant_comparison_table` sets the variants side by side.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigError, ConfigSection, schema_error
from seisclass.core.vocabulary import KEY_COLUMNS, NO_SPLIT, PURGED, SPLITS, epoch_seconds

log = logging.getLogger(__name__)

VARIANT_SECTIONS = ("preprocess", "windows", "features")


@dataclass(frozen=True)
class Variant:
    """One named alternative: overrides per section (plain dicts of config values)."""

    name: str
    preprocess: Mapping = dataclasses.field(default_factory=dict)
    windows: Mapping = dataclasses.field(default_factory=dict)
    features: Mapping = dataclasses.field(default_factory=dict)

    def overrides(self) -> dict[str, dict]:
        """``{section: overrides}`` of the sections this variant changes."""
        return {s: dict(getattr(self, s)) for s in VARIANT_SECTIONS if getattr(self, s)}

    def describe(self) -> str:
        """The overrides in words, e.g. ``preprocess.bandpass_hz=[1, 15]``."""
        parts = [f"{s}.{k}={v}" for s, values in self.overrides().items() for k, v in values.items()]
        return "; ".join(parts) or "base settings"


@dataclass(frozen=True)
class VariantsParameters(ConfigSection):
    """Config section ``variants``: name -> overrides (see the module docstring).

    The section's keys are free names, so they are gathered into
    ``alternatives`` (one :class:`Variant` each, in config order).
    """

    section = "variants"

    alternatives: tuple[Variant, ...] = ()

    @classmethod
    def from_config(cls, values: Mapping | None = None) -> VariantsParameters:
        """Variants in config order; the schema checks names, sections and keys."""
        values = dict(values or {})
        problem = schema_error(cls.section, values)
        if problem:
            raise cls.error(problem)
        return cls(tuple(Variant(str(name), **{s: dict(overrides.get(s) or {}) for s in VARIANT_SECTIONS})
                         for name, overrides in values.items()))

    def to_config(self) -> dict:
        return {v.name: v.overrides() for v in self.alternatives}

    def _check_settings(self, settings: Mapping[str, ConfigSection]) -> None:
        """Every variant, merged into the base settings, passes the sections' own checks."""
        for v in self.alternatives:
            try:
                merged = merged_settings(settings, v)
                for name in (*VARIANT_SECTIONS, "split"):
                    merged[name]._check_settings(merged)
            except ValueError as error:
                raise self.error(f"variants.{v.name}: {error}") from None

    def names(self) -> list[str]:
        return [v.name for v in self.alternatives]

    def get(self, name: str) -> Variant:
        for v in self.alternatives:
            if v.name == name:
                return v
        raise ConfigError(f"variants: no variant {name!r}; configured: {self.names()}")


def merged_settings(settings: Mapping[str, ConfigSection], variant: Variant) -> dict[str, ConfigSection]:
    """All sections with ``variant``'s overrides applied to ``preprocess``, ``windows`` and ``features``."""
    out = dict(settings)
    for name, overrides in variant.overrides().items():
        base = settings[name]
        out[name] = type(base).from_config({**base.to_config(), **overrides})
    return out


# ------------------------------------------------------------------ the same split as the base run


def transfer_split(base: pd.DataFrame, table: pd.DataFrame, block_s: float) -> np.ndarray:
    """The base run's split for the windows of ``table`` (a variant's windows).

    A window with the base run's key and label takes its split. Any other
    labelled window (another grid, or a label that changed) takes the split of
    the time block(s) it lies in, read from the base run's labelled windows
    (whole blocks go to one side): ``purged`` when its start and end blocks went
    to different sides, ``none`` when no base window tells the side of its block
    (it is used by no split). Unlabelled windows get ``none``.
    """
    from seisclass.core.vocabulary import UNLABELED
    from seisclass.data.split import block_index

    keyed = table[[*KEY_COLUMNS, "label"]].merge(base[[*KEY_COLUMNS, "label", "split"]], on=KEY_COLUMNS,
                                                 how="left", suffixes=("", "_base"), validate="one_to_one")
    same = (keyed["label"] == keyed["label_base"]).fillna(False).to_numpy(bool)
    out = np.where(same, keyed["split"].fillna(NO_SPLIT).to_numpy(object), NO_SPLIT).astype(object)
    labelled = (table["label"].astype(str) != UNLABELED).to_numpy()
    todo = labelled & ~same
    if todo.any():
        used = base[base["split"].isin(SPLITS)]
        blocks = block_index(epoch_seconds(used["start"]), block_s)
        side = pd.Series(used["split"].astype(str).to_numpy(), index=blocks)
        side = side[~side.index.duplicated()]  # whole blocks went to one side
        first = block_index(epoch_seconds(table["start"][todo]), block_s)
        last = block_index(epoch_seconds(table["end"][todo]) - 1e-6, block_s)
        a = pd.Series(first).map(side).fillna(NO_SPLIT).to_numpy(object)
        b = pd.Series(last).map(side).fillna(NO_SPLIT).to_numpy(object)
        b = np.where(b == NO_SPLIT, a, b)
        out[todo] = np.where(a == b, a, np.where((a == NO_SPLIT) | (b == NO_SPLIT), NO_SPLIT, PURGED))
    out[~labelled] = NO_SPLIT
    return out


# ------------------------------------------------------------------ one variant's dataset


def variant_table(feature_tables: list[pd.DataFrame], label_tables: list[pd.DataFrame], base: pd.DataFrame,
                  block_s: float) -> pd.DataFrame:
    """A variant's assembled windows (:func:`seisclass.data.dataset.assemble`) on the base run's split."""
    from seisclass.data.dataset import assemble

    table = assemble(feature_tables, label_tables)
    table.insert(table.columns.get_loc("snr") + 1, "split", transfer_split(base, table, block_s))
    table["split"] = table["split"].astype("string")
    return table


# ------------------------------------------------------------------ comparison


def variant_comparison_table(results: Mapping[str, dict], classes: list[str]) -> pd.DataFrame:
    """One row per variant: ``variant, balanced_accuracy, f1_macro, recall_<class>..., ari_mean`` and more.

    ``results`` maps a variant name to ``{"metrics": rf metrics (test split),
    "stability": the exploration's stability.json, "settings": text,
    "n_windows": int}``. Extra columns: ``ari_min``, ``n_clusters`` (of the
    reported clustering), ``n_test`` (test windows), ``n_windows`` and
    ``settings``; ``rank`` orders by balanced accuracy (1 = best).
    """
    rows = []
    for name, r in results.items():
        metrics, stability = r["metrics"], r["stability"]
        per_class = metrics.get("per_class", {})
        method = stability.get("method")
        detail = stability.get("per_method", {}).get(method, {})
        rows.append({
            "variant": name, "balanced_accuracy": metrics.get("balanced_accuracy"),
            "f1_macro": metrics.get("f1_macro"),
            **{f"recall_{c}": per_class.get(c, {}).get("recall") for c in classes},
            "ari_mean": stability.get("ari_mean"), "ari_min": stability.get("ari_min"),
            "n_clusters": detail.get("n_clusters"),
            "n_test": int(np.sum(metrics.get("confusion_matrix", {}).get("matrix", [[0]]))),
            "n_windows": r.get("n_windows"), "settings": r.get("settings", ""),
        })
    table = pd.DataFrame(rows)
    if len(table):
        table["rank"] = table["balanced_accuracy"].rank(ascending=False, method="min").astype(int)
    return table
