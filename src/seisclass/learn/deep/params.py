"""Config section ``deep``: data preparation, architectures and training of the CNN and LSTM.

The section holds the CPU defaults; ``preset: gpu`` applies the overrides under
``deep.gpu`` (larger models, full-rate input, more epochs) on top of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar

from seisclass.config import ConfigError, ConfigSection

MODEL_KINDS = ("cnn", "lstm")
NORMALIZATIONS = ("std", "peak")
CLASS_WEIGHTS = ("balanced", "none")
PRESETS = ("cpu", "gpu")


class DeepConfigError(ConfigError):
    """The ``deep`` config section is inconsistent; the message names the key."""


def _channels_tuple(section: dict) -> dict:
    if section.get("channels") is not None:
        section["channels"] = tuple(section["channels"])
    return section


@dataclass(frozen=True)
class CNNParameters(ConfigSection):
    """1-D CNN on the waveform: conv blocks (conv, batch norm, ReLU, max pool), global pooling, dropout."""

    section = "deep.cnn"
    error = DeepConfigError

    channels: tuple[int, ...] = (16, 32, 64)
    kernel_size: int = 7
    pool: int = 4
    dropout: float = 0.3

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        return _channels_tuple(section)

    def _check(self) -> None:
        if not self.channels or any(c < 1 for c in self.channels):
            raise self.error(f"{self.section}.channels: need one or more positive channel counts, "
                             f"got {list(self.channels)}")
        if self.kernel_size < 1 or self.pool < 1:
            raise self.error(f"{self.section}.kernel_size, pool: must be >= 1, got {self.kernel_size}, {self.pool}")
        if not 0 <= self.dropout < 1:
            raise self.error(f"{self.section}.dropout: must be in [0, 1), got {self.dropout}")


@dataclass(frozen=True)
class LSTMParameters(ConfigSection):
    """LSTM over short-time log band-power frames of every component."""

    section = "deep.lstm"
    error = DeepConfigError

    frame_s: float = 0.5  # frame length (s)
    hop_s: float = 0.25  # frame step (s)
    n_bands: int = 12  # linear frequency bands per frame, 0 Hz to Nyquist
    hidden: int = 32
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.2

    def _check(self) -> None:
        if not 0 < self.hop_s <= self.frame_s:
            raise self.error(f"{self.section}.hop_s: must be positive and at most {self.section}.frame_s "
                             f"({self.frame_s}), got {self.hop_s}")
        for name in ("n_bands", "hidden", "layers"):
            if getattr(self, name) < 1:
                raise self.error(f"{self.section}.{name}: must be >= 1, got {getattr(self, name)}")
        if not 0 <= self.dropout < 1:
            raise self.error(f"{self.section}.dropout: must be in [0, 1), got {self.dropout}")


@dataclass(frozen=True)
class ExplainParameters(ConfigSection):
    """SHAP (GradientExplainer) for the deep models (config section ``deep.explain``)."""

    section = "deep.explain"
    error = DeepConfigError

    per_class: int = 2  # representative test windows per class
    background: int = 60  # background windows drawn from the train split
    samples: int = 100  # GradientExplainer samples per explained window

    def _check(self) -> None:
        if self.per_class < 1 or self.samples < 1:
            raise self.error(f"deep.explain.per_class, samples: must be >= 1, got {self.per_class}, {self.samples}")
        if self.background < 2:
            raise self.error(f"deep.explain.background: need at least 2 windows, got {self.background}")


class _Overrides:
    """Mixin for the ``deep.gpu`` override sections: a field in ``inherited`` left at None keeps the
    value of the same key outside ``gpu``."""

    inherited: ClassVar[tuple[str, ...]] = ()

    def overrides(self) -> dict:
        """The values ``preset: gpu`` puts over the section (nested sections as dicts)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in self.inherited and value is None:
                continue
            out[f.name] = value.overrides() if isinstance(value, _Overrides) else value
        return out


@dataclass(frozen=True)
class GpuCNNParameters(_Overrides, ConfigSection):
    """``deep.gpu.cnn``: CNN settings of the GPU preset; None keeps ``deep.cnn``'s value."""

    section = "deep.gpu.cnn"
    error = DeepConfigError
    inherited = ("pool", "dropout")

    channels: tuple[int, ...] = (32, 64, 128, 128)
    kernel_size: int = 9
    pool: int | None = None
    dropout: float | None = None

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        return _channels_tuple(section)


@dataclass(frozen=True)
class GpuLSTMParameters(_Overrides, ConfigSection):
    """``deep.gpu.lstm``: LSTM settings of the GPU preset; None keeps ``deep.lstm``'s value."""

    section = "deep.gpu.lstm"
    error = DeepConfigError
    inherited = ("frame_s", "hop_s", "dropout")

    frame_s: float | None = None
    hop_s: float | None = None
    n_bands: int = 24
    hidden: int = 128
    layers: int = 2
    bidirectional: bool = True
    dropout: float | None = None

    def _check(self) -> None:
        if self.frame_s is not None and self.hop_s is not None and self.hop_s > self.frame_s:
            raise self.error(f"deep.gpu.lstm.hop_s: must be at most deep.gpu.lstm.frame_s ({self.frame_s}), "
                             f"got {self.hop_s}")


@dataclass(frozen=True)
class GpuParameters(_Overrides, ConfigSection):
    """``deep.gpu``: what ``preset: gpu`` puts over the ``deep`` section (full rate, all training
    windows, larger models, longer training); a key left at None keeps the ``deep`` value."""

    section = "deep.gpu"
    error = DeepConfigError
    inherited = ("normalization", "learning_rate", "weight_decay", "class_weight")

    decimate: int = 1
    normalization: str | None = None
    max_train_per_class: int | None = None  # None here means all windows (not inherited)
    batch_size: int = 256
    epochs: int = 60
    patience: int = 8
    learning_rate: float | None = None
    weight_decay: float | None = None
    class_weight: str | None = None
    cnn: GpuCNNParameters = field(default_factory=GpuCNNParameters)
    lstm: GpuLSTMParameters = field(default_factory=GpuLSTMParameters)

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        for key, kind in (("cnn", GpuCNNParameters), ("lstm", GpuLSTMParameters)):
            if key in section and not isinstance(section[key], kind):
                section[key] = kind.from_config(section[key])
        return section


@dataclass(frozen=True)
class DeepParameters(ConfigSection):
    """Config section ``deep``, resolved: with ``preset: gpu`` the ``gpu`` overrides are applied."""

    section = "deep"
    error = DeepConfigError

    preset: str = "cpu"
    decimate: int = 2  # integer decimation factor applied to the preprocessed waveforms
    context_s: float = 0.0  # seconds of waveform added before and after each grid window (event context)
    normalization: str = "std"  # per window: "std" (demean, divide by std) or "peak" (max |x|)
    max_train_per_class: int | None = 8000  # cap on training windows per class (None: all)
    batch_size: int = 64
    epochs: int = 20
    patience: int = 4  # epochs without a lower validation loss before stopping
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    class_weight: str = "balanced"  # "balanced" (inverse frequency) or "none"
    cnn: CNNParameters = field(default_factory=CNNParameters)
    lstm: LSTMParameters = field(default_factory=LSTMParameters)
    explain: ExplainParameters = field(default_factory=ExplainParameters)
    gpu: GpuParameters = field(default_factory=GpuParameters)  # the overrides (already applied with preset gpu)

    @classmethod
    def _prepare(cls, section: dict) -> dict:
        """``preset: gpu`` merges ``section['gpu']`` (with the GPU preset's defaults) over the section."""
        gpu = section.get("gpu")
        gpu = gpu if isinstance(gpu, GpuParameters) else GpuParameters.from_config(gpu)
        section["gpu"] = gpu
        if section.get("preset", "cpu") == "gpu":
            section = _merge({k: v for k, v in section.items() if k != "gpu"}, gpu.overrides())
            section["gpu"] = gpu
        nested = {"cnn": CNNParameters, "lstm": LSTMParameters, "explain": ExplainParameters}
        for key, kind in nested.items():
            if key in section and not isinstance(section[key], kind):
                value = section[key]
                if isinstance(value, ConfigSection):  # a resolved section merged with overrides
                    value = asdict(value)
                section[key] = kind.from_config(value)
        return section

    def _check(self) -> None:
        """Raise :class:`DeepConfigError` naming the key of an invalid value."""
        if self.preset not in PRESETS:
            raise self.error(f"deep.preset: expected 'cpu' or 'gpu', got {self.preset!r}")
        if self.normalization not in NORMALIZATIONS:
            raise self.error(f"deep.normalization: expected one of {NORMALIZATIONS}, got {self.normalization!r}")
        if self.class_weight not in CLASS_WEIGHTS:
            raise self.error(f"deep.class_weight: expected 'balanced' or 'none', got {self.class_weight!r}")
        if self.decimate < 1:
            raise self.error(f"deep.decimate: must be >= 1, got {self.decimate}")
        if self.max_train_per_class is not None and self.max_train_per_class < 1:
            raise self.error(f"deep.max_train_per_class: must be >= 1 or null, got {self.max_train_per_class}")
        for name in ("batch_size", "epochs", "patience"):
            if getattr(self, name) < 1:
                raise self.error(f"deep.{name}: must be >= 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise self.error(f"deep.learning_rate: must be positive, got {self.learning_rate}")
        if self.weight_decay < 0:
            raise self.error(f"deep.weight_decay: must not be negative, got {self.weight_decay}")
        if self.preset == "cpu":  # the GPU combination must be valid too, before anyone switches
            try:
                DeepParameters.from_config({**asdict(self), "preset": "gpu", "gpu": self.gpu})
            except DeepConfigError as exc:
                raise self.error(f"deep.gpu (checked as preset gpu): {exc}") from None

    def _check_settings(self, settings) -> None:
        length = settings["windows"].length_s
        if self.lstm.frame_s > length:
            raise self.error(f"deep.lstm.frame_s: {self.lstm.frame_s:g} s is longer than windows.length_s "
                             f"({length:g} s)")

    def as_dict(self) -> dict:
        """Plain nested dict (lists, numbers, strings) for metadata and logs."""
        return asdict(self)


def _merge(base: dict, override: dict) -> dict:
    """Recursive dict merge: ``override`` wins, nested dicts merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
