"""Config section ``deep``: data preparation, architectures and training of the CNN and LSTM.

The section holds the CPU defaults; ``preset: gpu`` applies the overrides under
``deep.gpu`` (larger models, full-rate input, more epochs) on top of them. Keys,
defaults and ranges are the schema's (:mod:`seisclass.core.config`).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from seisclass.core.config import ConfigError, ConfigSection, config_section

MODEL_KINDS = ("cnn", "lstm")


class DeepConfigError(ConfigError):
    """The ``deep`` config section is inconsistent; the message names the key."""


@config_section("deep.cnn")
class CNNParameters(ConfigSection):
    """1-D CNN on the waveform: conv blocks (conv, batch norm, ReLU, max pool), global pooling, dropout."""

    error = DeepConfigError

    channels: tuple[int, ...]  # output channels per conv block
    kernel_size: int  # samples
    pool: int  # max-pool factor per block
    dropout: float


@config_section("deep.lstm")
class LSTMParameters(ConfigSection):
    """LSTM over short-time log band-power frames of every component."""

    error = DeepConfigError

    frame_s: float  # frame length (s)
    hop_s: float  # frame step (s)
    n_bands: int  # linear frequency bands per frame, 0 Hz to Nyquist
    hidden: int
    layers: int
    bidirectional: bool
    dropout: float

    def _check(self) -> None:
        if self.hop_s > self.frame_s:
            raise self.error(f"{self.section}.hop_s: must be at most {self.section}.frame_s ({self.frame_s}), "
                             f"got {self.hop_s}")


@config_section("deep.explain")
class DeepExplainParameters(ConfigSection):
    """SHAP (GradientExplainer) for the deep models (config section ``deep.explain``)."""

    error = DeepConfigError

    per_class: int  # representative test windows per class
    background: int  # background windows drawn from the train split
    samples: int  # GradientExplainer samples per explained window


class _Overrides:
    """Mixin for the ``deep.gpu`` override sections: a field in ``inherited`` left at None keeps the
    value of the same key outside ``gpu``."""

    inherited: ClassVar[tuple[str, ...]] = ()

    def overrides(self) -> dict:
        """The values ``preset: gpu`` puts over the section (nested sections as dicts, plain values)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in self.inherited and value is None:
                continue
            out[f.name] = value.overrides() if isinstance(value, _Overrides) else value
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


@config_section("deep.gpu.cnn")
class GpuCNNParameters(_Overrides, ConfigSection):
    """``deep.gpu.cnn``: CNN settings of the GPU preset; None keeps ``deep.cnn``'s value."""

    error = DeepConfigError
    inherited = ("pool", "dropout")

    channels: tuple[int, ...]
    kernel_size: int
    pool: int | None
    dropout: float | None


@config_section("deep.gpu.lstm")
class GpuLSTMParameters(_Overrides, ConfigSection):
    """``deep.gpu.lstm``: LSTM settings of the GPU preset; None keeps ``deep.lstm``'s value."""

    error = DeepConfigError
    inherited = ("frame_s", "hop_s", "dropout")

    frame_s: float | None
    hop_s: float | None
    n_bands: int
    hidden: int
    layers: int
    bidirectional: bool
    dropout: float | None

    def _check(self) -> None:
        if self.frame_s is not None and self.hop_s is not None and self.hop_s > self.frame_s:
            raise self.error(f"deep.gpu.lstm.hop_s: must be at most deep.gpu.lstm.frame_s ({self.frame_s}), "
                             f"got {self.hop_s}")


@config_section("deep.gpu")
class GpuParameters(_Overrides, ConfigSection):
    """``deep.gpu``: what ``preset: gpu`` puts over the ``deep`` section (full rate, all training
    windows, larger models, longer training); a key left at None keeps the ``deep`` value."""

    error = DeepConfigError
    inherited = ("normalization", "learning_rate", "weight_decay", "class_weight")

    decimate: int
    normalization: str | None
    max_train_per_class: int | None  # None here means all windows (not inherited)
    batch_size: int
    epochs: int
    patience: int
    learning_rate: float | None
    weight_decay: float | None
    class_weight: str | None
    cnn: GpuCNNParameters
    lstm: GpuLSTMParameters


@config_section("deep")
class DeepParameters(ConfigSection):
    """Config section ``deep``, resolved: with ``preset: gpu`` the ``gpu`` overrides are applied."""

    error = DeepConfigError

    preset: str  # cpu | gpu
    decimate: int  # integer decimation factor applied to the preprocessed waveforms
    context_s: float  # seconds of waveform added before and after each grid window (event context)
    normalization: str  # per window: "std" (demean, divide by std) or "peak" (max |x|)
    max_train_per_class: int | None  # cap on training windows per class (None: all)
    batch_size: int
    epochs: int
    patience: int  # epochs without a lower validation loss before stopping
    learning_rate: float
    weight_decay: float
    class_weight: str  # "balanced" (inverse frequency) or "none"
    cnn: CNNParameters
    lstm: LSTMParameters
    explain: DeepExplainParameters
    gpu: GpuParameters  # the overrides (already applied with preset gpu)

    @classmethod
    def _prepare(cls, values: dict) -> dict:
        """``preset: gpu`` merges ``values['gpu']`` (with the GPU preset's defaults) over the section."""
        if values.get("preset") != "gpu":
            return values
        gpu = GpuParameters.from_config(values.get("gpu"))
        merged = _merge({k: v for k, v in values.items() if k != "gpu"}, gpu.overrides())
        return {**merged, "gpu": values.get("gpu") or {}}

    def _check(self) -> None:
        if self.preset == "cpu":  # the GPU combination must be valid too, before anyone switches
            try:
                DeepParameters.from_config({**self.to_config(), "preset": "gpu", "gpu": self.gpu.overrides()})
            except DeepConfigError as exc:
                raise self.error(f"deep.gpu (checked as preset gpu): {exc}") from None

    def _check_settings(self, settings) -> None:
        length = settings["windows"].length_s
        if self.lstm.frame_s > length:
            raise self.error(f"deep.lstm.frame_s: {self.lstm.frame_s:g} s is longer than windows.length_s "
                             f"({length:g} s)")


def _merge(base: dict, override: dict) -> dict:
    """Recursive dict merge: ``override`` wins, nested dicts merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
