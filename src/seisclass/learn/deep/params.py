"""Config section ``deep``: data preparation, architectures and training of the CNN and LSTM.

The section holds the CPU defaults; ``preset: gpu`` applies the overrides under
``deep.gpu`` (larger models, full-rate input, more epochs) on top of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

MODEL_KINDS = ("cnn", "lstm")
NORMALIZATIONS = ("std", "peak")


class DeepConfigError(ValueError):
    """The ``deep`` config section is inconsistent; the message names the key."""


@dataclass(frozen=True)
class CNNParameters:
    """1-D CNN on the waveform: conv blocks (conv, batch norm, ReLU, max pool), global pooling, dropout."""

    channels: tuple[int, ...] = (16, 32, 64)
    kernel_size: int = 7
    pool: int = 4
    dropout: float = 0.3


@dataclass(frozen=True)
class LSTMParameters:
    """LSTM over short-time log band-power frames of every component."""

    frame_s: float = 0.5  # frame length (s)
    hop_s: float = 0.25  # frame step (s)
    n_bands: int = 12  # linear frequency bands per frame, 0 Hz to Nyquist
    hidden: int = 32
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.2


@dataclass(frozen=True)
class ExplainParameters:
    """SHAP (GradientExplainer) for the deep models."""

    per_class: int = 2  # representative test windows per class
    background: int = 64  # background windows drawn from the train split
    samples: int = 100  # GradientExplainer samples per explained window


@dataclass(frozen=True)
class DeepParameters:
    """Resolved ``deep`` section (after applying the preset)."""

    preset: str = "cpu"
    decimate: int = 2  # integer decimation factor applied to the preprocessed waveforms
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

    @classmethod
    def from_config(cls, section: dict | None) -> DeepParameters:
        """Build from the config section; ``preset: gpu`` merges ``section['gpu']`` over it."""
        section = dict(section or {})
        gpu = section.pop("gpu", None) or {}
        preset = section.get("preset", "cpu")
        if preset not in ("cpu", "gpu"):
            raise DeepConfigError(f"deep.preset: expected 'cpu' or 'gpu', got {preset!r}")
        if preset == "gpu":
            section = _merge(section, gpu)
        nested = {"cnn": CNNParameters, "lstm": LSTMParameters, "explain": ExplainParameters}
        known = {f.name for f in fields(cls)}
        unknown = set(section) - known
        if unknown:
            raise DeepConfigError(f"deep: unknown key(s) {sorted(unknown)}")
        values = {}
        for key, value in section.items():
            if key in nested:
                values[key] = _build(nested[key], value, f"deep.{key}")
            else:
                values[key] = value
        p = cls(**values)
        p.check()
        return p

    def check(self) -> None:
        """Raise :class:`DeepConfigError` naming the key of an invalid value."""
        if self.normalization not in NORMALIZATIONS:
            raise DeepConfigError(f"deep.normalization: expected one of {NORMALIZATIONS}, got {self.normalization!r}")
        if self.class_weight not in ("balanced", "none"):
            raise DeepConfigError(f"deep.class_weight: expected 'balanced' or 'none', got {self.class_weight!r}")
        if self.decimate < 1:
            raise DeepConfigError(f"deep.decimate: must be >= 1, got {self.decimate}")
        if self.lstm.hop_s > self.lstm.frame_s:
            raise DeepConfigError("deep.lstm.hop_s: must not exceed deep.lstm.frame_s")

    def as_dict(self) -> dict:
        """Plain nested dict (lists, numbers, strings) for metadata and logs."""
        return asdict(self)


def _build(kind, value: dict | None, where: str):
    value = dict(value or {})
    names = {f.name for f in fields(kind)}
    unknown = set(value) - names
    if unknown:
        raise DeepConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    if "channels" in value:
        value["channels"] = tuple(value["channels"])
    return kind(**value)


def _merge(base: dict, override: dict) -> dict:
    """Recursive dict merge: ``override`` wins, nested dicts merged key by key."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
