"""The deep models (PyTorch): a 1-D CNN on the waveform and an LSTM on spectral frames.

Both take the same input, windows of shape ``(batch, components, samples)``
prepared by :func:`seisclass.learn.deep.inputs.prepare_windows`, and return class
logits in the order of the configured classes. Saved models are a plain dict
of a ``state_dict`` and metadata (class list, input spec, architecture) that
:func:`torch.load` reads with ``weights_only=True``.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from seisclass.io import atomic_path
from seisclass.learn.deep.inputs import iterate_batches, prepare_windows

FORMAT = "seisclass-deep-1"


class WaveformCNN(nn.Module):
    """Conv blocks (conv, batch norm, ReLU, max pool), global mean+max pooling, dropout, linear."""

    def __init__(self, n_components: int, n_classes: int, channels=(16, 32, 64), kernel_size: int = 7,
                 pool: int = 4, dropout: float = 0.3):
        super().__init__()
        layers, width = [], n_components
        for out in channels:
            layers += [nn.Conv1d(width, out, kernel_size, padding=kernel_size // 2, bias=False),
                       nn.BatchNorm1d(out), nn.ReLU(), nn.MaxPool1d(pool, ceil_mode=True)]
            width = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * width, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x)
        return self.head(torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1))


class FrameSpectrum(nn.Module):
    """Fixed front-end: Hann-windowed frames -> log power in linear bands, per component.

    ``(batch, components, samples)`` becomes ``(batch, frames, components * n_bands)``
    with ``frames = 1 + (samples - frame) // hop``. Nothing here is learned.
    """

    def __init__(self, frame: int, hop: int, n_bands: int):
        super().__init__()
        self.frame, self.hop = frame, hop
        n_freq = frame // 2 + 1
        edges = np.linspace(0, n_freq, n_bands + 1).round().astype(int)
        bands = np.zeros((n_freq, n_bands), np.float32)
        for b in range(n_bands):
            bands[edges[b] : max(edges[b + 1], edges[b] + 1), b] = 1.0
        bands /= bands.sum(axis=0, keepdims=True)
        self.register_buffer("taper", torch.hann_window(frame, periodic=False), persistent=False)
        self.register_buffer("bands", torch.from_numpy(bands), persistent=False)

    def n_frames(self, n_samples: int) -> int:
        return 1 + (n_samples - self.frame) // self.hop

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        frames = x.unfold(-1, self.frame, self.hop) * self.taper  # (B, C, T, frame)
        spectrum = torch.fft.rfft(frames, dim=-1)
        power = spectrum.real**2 + spectrum.imag**2
        logp = torch.log(power @ self.bands + 1e-6)  # (B, C, T, bands)
        return logp.permute(0, 2, 1, 3).flatten(2)


class SpectralLSTM(nn.Module):
    """LSTM over :class:`FrameSpectrum` frames; mean and max of its outputs over time, dropout, linear."""

    def __init__(self, n_components: int, n_classes: int, sampling_rate: float, frame_s: float = 0.5,
                 hop_s: float = 0.25, n_bands: int = 12, hidden: int = 32, layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.2):
        super().__init__()
        frame = max(4, int(round(frame_s * sampling_rate)))
        hop = max(1, int(round(hop_s * sampling_rate)))
        self.frontend = FrameSpectrum(frame, hop, n_bands)
        n_in = n_components * n_bands
        self.norm = nn.BatchNorm1d(n_in)
        self.lstm = nn.LSTM(n_in, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional,
                            dropout=dropout if layers > 1 else 0.0)
        width = hidden * (2 if bidirectional else 1)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * width, n_classes))

    def sequence(self, x: torch.Tensor) -> torch.Tensor:
        """Normalized frame sequence ``(batch, frames, components * bands)``."""
        s = self.frontend(x)
        return self.norm(s.transpose(1, 2)).transpose(1, 2)

    def classify_sequence(self, s: torch.Tensor) -> torch.Tensor:
        """Logits from a normalized frame sequence (the part SHAP explains over time and band)."""
        out, _ = self.lstm(s)
        return self.head(torch.cat([out.mean(dim=1), out.amax(dim=1)], dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classify_sequence(self.sequence(x))


def architecture(kind: str, p) -> dict:
    """Architecture hyper-parameters of ``kind`` from :class:`DeepParameters` (plain types)."""
    section = {"cnn": p.cnn, "lstm": p.lstm}[kind].__dict__
    return {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}


def build_model(kind: str, spec: dict, n_classes: int, arch: dict) -> nn.Module:
    """A fresh model of ``kind`` (``cnn`` or ``lstm``) for inputs described by ``spec``."""
    n_components = len(spec["components"])
    if kind == "cnn":
        return WaveformCNN(n_components, n_classes, tuple(arch["channels"]), arch["kernel_size"],
                           arch["pool"], arch["dropout"])
    if kind == "lstm":
        model = SpectralLSTM(n_components, n_classes, spec["sampling_rate"], **arch)
        if model.frontend.n_frames(spec["n_samples"]) < 1:
            raise ValueError(f"deep.lstm.frame_s={arch['frame_s']} is longer than the window")
        return model
    raise ValueError(f"model kind: expected 'cnn' or 'lstm', got {kind!r}")


def save_model(path, model: nn.Module, kind: str, classes: list[str], spec: dict, arch: dict,
               **training) -> None:
    """Save ``state_dict`` plus metadata atomically (loadable with ``weights_only=True``)."""
    bundle = plain({
        "format": FORMAT,
        "kind": kind,
        "classes": list(classes),
        "input": dict(spec),
        "architecture": dict(arch),
        "training": dict(training),
        "torch_version": str(torch.__version__),
    })
    bundle["state_dict"] = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        torch.save(bundle, tmp)


def plain(obj):
    """``obj`` with only built-in types (dict, list, str, int, float, bool, None) for ``weights_only``."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, str):
        return str(obj)
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in model metadata")


def load_model(path, device: str | torch.device = "cpu") -> tuple[nn.Module, dict]:
    """Load a model saved by :func:`save_model`; returns ``(model in eval mode, metadata)``."""
    bundle = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise ValueError(f"{path}: not a seisclass deep model (format {FORMAT})")
    model = build_model(bundle["kind"], bundle["input"], len(bundle["classes"]), bundle["architecture"])
    model.load_state_dict(bundle["state_dict"])
    meta = {k: v for k, v in bundle.items() if k != "state_dict"}
    return model.to(device).eval(), meta


@torch.no_grad()
def predict_proba(model: nn.Module, array: np.ndarray, batch_size: int = 256,
                  device: str | torch.device = "cpu", prepare=None) -> np.ndarray:
    """Class probabilities ``(windows, classes)`` of ``array`` streamed in batches.

    ``prepare`` optionally maps each raw numpy batch to model input.
    """
    model.eval()
    out = np.zeros((len(array), _n_outputs(model)), np.float32)
    for idx in iterate_batches(len(array), batch_size):
        x = np.array(array[idx[0] : idx[-1] + 1], np.float32)
        if prepare is not None:
            x = prepare(x)
        logits = model(torch.from_numpy(np.ascontiguousarray(x)).to(device))
        out[idx] = torch.softmax(logits, dim=1).cpu().numpy()
    return out


def predict_windows(model_path, array: np.ndarray, batch_size: int = 256, prepared: bool = False,
                    device: str | None = None) -> np.ndarray:
    """Apply a saved CNN/LSTM to windows; probabilities ``(windows, classes)`` in the model's class order.

    ``array`` holds raw preprocessed windows ``(windows, components, samples)``
    at the model's source sampling rate, cut with the window grid (for example
    :func:`seisclass.data.dataset.windows_at`) on the model's components, in the
    model's order (``meta["input"]["components"]``). They are decimated and
    normalized as in training. With ``prepared=True`` the array is already
    model input (as stored by the ``deep_inputs`` rule). The class list is
    ``load_model(model_path)[1]["classes"]``.
    """
    from seisclass.learn.deep.training import choose_device

    device = device or choose_device()
    model, meta = load_model(model_path, device)
    spec = meta["input"]
    n = spec["n_samples"] if prepared else spec["n_source_samples"]
    expected = (len(spec["components"]), n)
    if np.ndim(array) != 3 or tuple(np.shape(array)[1:]) != expected:
        raise ValueError(
            f"{model_path}: windows must have shape (n, {expected[0]}, {expected[1]}) "
            f"(components {spec['components']}, {n} samples), got {np.shape(array)}"
        )
    prepare = None if prepared else (lambda x: prepare_windows(x, spec["decimate"], spec["normalization"]))
    return predict_proba(model, array, batch_size, device, prepare).astype(np.float64)


def _n_outputs(model: nn.Module) -> int:
    return model.head[-1].out_features


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return int(sum(math.prod(p.shape) for p in model.parameters() if p.requires_grad))
