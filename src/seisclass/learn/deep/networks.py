"""The deep models (PyTorch): a 1-D CNN on the waveform and an LSTM on spectral frames.

Both take the same input, windows of shape ``(batch, components, samples)``
prepared by :func:`seisclass.learn.deep.inputs.prepare_windows`, and return class
logits in the order of the configured classes. :class:`DeepClassifier` puts them
behind the common model interface (:mod:`seisclass.learn.classifier`). Saved models are a
plain dict (format marker, model card, ``state_dict``) that :func:`torch.load` reads
with ``weights_only=True``, so loading cannot run code from the file.
"""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import torch
from torch import nn

from seisclass.core.vocabulary import epoch_seconds, station_ids
from seisclass.core.waveforms import select_stations
from seisclass.learn.card import FORMAT, model_card, plain, training_summary
from seisclass.learn.classifier import ModelFileError, ModelMismatchError, WindowClassifier
from seisclass.learn.deep.inputs import iterate_batches, prepare_windows
from seisclass.learn.integrity import bundle_digest, check_bundle
from seisclass.signal.recipe import Recipe, same


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

    Every band averages one or more frequency bins of the frame's spectrum, never
    none: a frame of ``frame`` samples has ``frame // 2 + 1`` bins, and when that is
    fewer than the ``n_bands`` asked for (short frames at low sampling rates, e.g.
    0.5 s at 20 Hz: 6 bins), the bank has one band per bin instead, so
    ``self.n_bands`` (the bands used) can be smaller than the argument. See
    :func:`band_matrix`.
    """

    def __init__(self, frame: int, hop: int, n_bands: int):
        super().__init__()
        self.frame, self.hop = frame, hop
        bands = band_matrix(frame // 2 + 1, n_bands)
        self.requested_bands, self.n_bands = n_bands, bands.shape[1]
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


def band_matrix(n_freq: int, n_bands: int) -> np.ndarray:
    """Averaging weights ``(n_freq, bands)`` of linear bands from 0 Hz to Nyquist; no band is empty.

    With ``n_bands <= n_freq`` there are ``n_bands`` bands of consecutive bins between
    the rounded edges ``linspace(0, n_freq, n_bands + 1)``: these edges are strictly
    increasing then, so each band holds at least one bin. With more bands than bins,
    a band per bin (``n_freq`` bands): empty bands would average nothing (0 / 0, a NaN
    loss) and repeated bins would add nothing but copies. Each column sums to 1.
    """
    if n_freq < 1 or n_bands < 1:
        raise ValueError(f"band_matrix: need at least one frequency bin and one band, got {n_freq} and {n_bands}")
    n_used = min(n_bands, n_freq)
    edges = np.linspace(0, n_freq, n_used + 1).round().astype(int)
    bands = np.zeros((n_freq, n_used), np.float32)
    for b in range(n_used):
        bands[edges[b] : edges[b + 1], b] = 1.0
    counts = bands.sum(axis=0)
    if (counts == 0).any():  # cannot happen (see above); never divide by zero silently
        raise AssertionError(f"band_matrix({n_freq}, {n_bands}): empty bands {np.flatnonzero(counts == 0).tolist()}")
    return bands / counts


class SpectralLSTM(nn.Module):
    """LSTM over :class:`FrameSpectrum` frames; mean and max of its outputs over time, dropout, linear."""

    def __init__(self, n_components: int, n_classes: int, sampling_rate: float, frame_s: float = 0.5,
                 hop_s: float = 0.25, n_bands: int = 12, hidden: int = 32, layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.2):
        super().__init__()
        frame = max(4, int(round(frame_s * sampling_rate)))
        hop = max(1, int(round(hop_s * sampling_rate)))
        self.frontend = FrameSpectrum(frame, hop, n_bands)  # frontend.n_bands: at most one band per bin
        n_in = n_components * self.frontend.n_bands
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


@torch.inference_mode()
def predict_proba(model: nn.Module, array: np.ndarray, batch_size: int = 256,
                  device: str | torch.device = "cpu", prepare=None) -> np.ndarray:
    """Class probabilities ``(windows, classes)`` of ``array`` streamed in batches.

    ``prepare`` optionally maps each raw numpy batch to model input. Inference mode: no
    autograd bookkeeping at all (faster than ``no_grad``); the CPU threads are PyTorch's
    (``torch.set_num_threads``, the CLI's ``--jobs``), CUDA is used where the model was placed.
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


def _n_outputs(model: nn.Module) -> int:
    return model.head[-1].out_features


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return int(sum(math.prod(p.shape) for p in model.parameters() if p.requires_grad))


class DeepClassifier(WindowClassifier):
    """A CNN or LSTM behind the common model interface; it reads raw waveform windows.

    ``predict_proba(windows)`` takes windows ``(n, components, samples)`` cut at the
    model's ``sampling_rate`` on its ``components`` (raw preprocessed samples; they
    are decimated and normalized as in training), or model input with ``prepared=True``.
    """

    reads = "waveforms"
    block = 4096  # windows cut and classified at a time

    def __init__(self, module: nn.Module, metadata: dict, path=None, device: str = "cpu"):
        super().__init__(metadata, path)
        self.device = device
        self.module = module.to(device).eval()

    @property
    def kind(self) -> str:
        """``cnn`` or ``lstm``."""
        return str(self.metadata["kind"])

    @property
    def input_spec(self) -> dict:
        """Input description: components, rates (Hz), decimation, samples, normalization."""
        return dict(self.metadata["input"])

    def predict_proba(self, windows, prepared: bool = False, batch_size: int = 256) -> np.ndarray:
        """Probabilities ``(windows, classes)``, streamed through the network in batches."""
        spec = self.input_spec
        n = spec["n_samples"] if prepared else spec["n_source_samples"]
        expected = (len(spec["components"]), n)
        if np.ndim(windows) != 3 or tuple(np.shape(windows)[1:]) != expected:
            raise ModelMismatchError(
                f"{self.path}: windows must have shape (n, {expected[0]}, {expected[1]}) (components "
                f"{spec['components']}, {n} samples at "
                f"{spec['sampling_rate' if prepared else 'source_sampling_rate']:g} Hz), "
                f"got {np.shape(windows)}")
        prepare = None if prepared else (lambda x: prepare_windows(x, spec["decimate"], spec["normalization"]))
        return predict_proba(self.module, windows, batch_size, self.device, prepare).astype(np.float64)

    def model_inputs(self, table: pd.DataFrame, stream) -> tuple[np.ndarray, np.ndarray]:
        """The table's windows cut from ``stream`` station by station; rows whose window is incomplete are unusable."""
        from seisclass.signal.windows import cut_stream_windows, traces_by_component

        if stream is None:
            raise ValueError(f"{self.path}: a {self.kind} reads waveforms: pass the preprocessed stream of the windows")
        spec = self.input_spec
        usable = np.zeros(len(table), bool)
        parts = []
        for sid, rows in table.groupby(station_ids(table).to_numpy(), sort=False):
            array, keep = cut_stream_windows(traces_by_component(select_stations(stream, [sid])), self.components,
                                             epoch_seconds(rows["start"]), self.window_length_s,
                                             self.sampling_rate, spec.get("context_s", 0.0))
            position = table.index.get_indexer(rows.index)
            usable[position[keep]] = True
            parts.append((position[keep], array))
        x = np.zeros((int(usable.sum()), len(self.components), spec["n_source_samples"]), np.float32)
        order = np.cumsum(usable) - 1
        for position, array in parts:
            x[order[position]] = array
        return x, usable

    def write(self, path) -> None:
        """Format marker, model card and ``state_dict`` (loadable with ``weights_only=True``)."""
        bundle = {"format": FORMAT, "metadata": plain(self.metadata),
                  "state_dict": {k: v.detach().cpu() for k, v in self.module.state_dict().items()}}
        bundle["checksum"] = bundle_digest(bundle["metadata"], bundle["state_dict"])
        torch.save(bundle, path)

    @classmethod
    def read(cls, path, device: str | None = None, **options) -> DeepClassifier:
        """Load a file written by :meth:`save`; anything else raises :class:`ModelFileError`."""
        from seisclass.learn.deep.training import choose_device

        bundle = _torch_load(path)
        if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a seisclass model of this version (no format marker {FORMAT!r})")
        check_bundle(bundle, path)
        metadata = bundle["metadata"]
        _check_card(metadata, path)
        try:
            module = build_model(metadata["kind"], metadata["input"], len(metadata["classes"]),
                                 metadata["architecture"])
            module.load_state_dict(bundle["state_dict"])
        except (RuntimeError, ValueError, TypeError, KeyError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelFileError(f"{path}: the weights do not fit the architecture in the model card "
                                 f"({reason}); the file was altered or is damaged") from None
        return cls(module, metadata, path, device or choose_device())


def _torch_load(path) -> object:
    """``torch.load(weights_only=True)`` with errors that name the file and the reason."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        reason = next((line for line in lines if "Unsupported" in line or "WeightsUnpickler" in line),
                      lines[0] if lines else "")
        raise ModelFileError(
            f"{path}: refused: the file holds Python objects other than tensors and plain data ({reason}); "
            "it is not a seisclass model or was altered, and loading it could run code") from None
    except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError, EOFError, zip errors ...
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ModelFileError(f"{path}: corrupt or not a PyTorch file ({type(exc).__name__}: {reason})") from None


def _check_card(meta: dict, path) -> None:
    """Raise :class:`ModelFileError` when the card is incomplete or contradicts itself."""
    try:
        spec, recipe = meta["input"], meta["recipe"]
        rate, windows = float(recipe["preprocess"]["sampling_rate"]), recipe["windows"]
        n_source = (int(round(float(spec["window_length_s"]) * rate))
                    + 2 * int(round(float(spec.get("context_s", 0.0)) * rate)))  # the window and its context
        checks = [
            ("kind", meta["kind"] in ("cnn", "lstm"), meta["kind"], "cnn or lstm"),
            ("classes", isinstance(meta["classes"], list) and len(meta["classes"]) >= 2, meta["classes"], ">= 2 names"),
            ("input.source_sampling_rate", same(spec["source_sampling_rate"], rate), spec["source_sampling_rate"],
             f"recipe.preprocess.sampling_rate {rate:g}"),
            ("input.sampling_rate", same(spec["sampling_rate"], rate / spec["decimate"]), spec["sampling_rate"],
             f"{rate:g} / decimate {spec['decimate']}"),
            ("input.components", spec["components"] == windows["components"], spec["components"],
             f"recipe.windows.components {windows['components']}"),
            ("input.window_length_s", same(spec["window_length_s"], windows["length_s"]),
             spec["window_length_s"], f"recipe.windows.length_s {windows['length_s']}"),
            ("input.n_source_samples", spec["n_source_samples"] == n_source, spec["n_source_samples"], n_source),
            ("input.n_samples", spec["n_samples"] == math.ceil(n_source / spec["decimate"]), spec["n_samples"],
             math.ceil(n_source / spec["decimate"])),
        ]
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise ModelFileError(f"{path}: incomplete model card ({type(exc).__name__}: {exc})") from None
    bad = [f"{key} is {have!r}, expected {want}" for key, ok, have, want in checks if not ok]
    if bad:
        raise ModelFileError(f"{path}: inconsistent model card: {'; '.join(bad)} (file altered?)")


def deep_model_card(kind: str, classes: list[str], spec: dict, arch: dict, recipe: Recipe, train_rows: pd.DataFrame,
                    training: dict, **extra) -> dict:
    """Model card of a trained CNN/LSTM (``recipe``: its windows' ``preprocess`` and ``windows``; no features)."""
    training = {k: v for k, v in training.items() if k != "training_time_s"}  # no timings: files are reproducible
    if "history" in training:
        training["history"] = [{k: v for k, v in epoch.items() if k != "seconds"} for epoch in training["history"]]
    recipe = Recipe(recipe.preprocess, recipe.windows)  # a waveform model reads no features
    return model_card(kind, classes, recipe, training_summary(train_rows, classes), ("torch",), kind=kind, input=spec,
                      architecture=arch, training=training, **extra)
