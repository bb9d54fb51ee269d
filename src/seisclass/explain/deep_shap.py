"""SHAP for the deep models: expected-gradients attributions (``shap.GradientExplainer``).

The CNN is explained on its waveform input: one value per component and
sample. The LSTM is explained on its (fixed, not learned) spectral frames:
one value per frame and component band, i.e. over time and frequency. Both
are summed into attribution over time for plotting over the waveform.
Attributions are for the logit of the explained class; positive values push
the window towards that class, relative to a background of training windows.
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
import torch
from torch import nn

from seisclass.learn.deep.networks import SpectralLSTM

log = logging.getLogger(__name__)


class _SequenceHead(nn.Module):
    """The LSTM model from its frame sequence on (what SHAP explains for the LSTM)."""

    def __init__(self, model: SpectralLSTM):
        super().__init__()
        self.model = model

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.model.classify_sequence(s)


def network(model) -> nn.Module:
    """The PyTorch module of a :class:`seisclass.learn.deep.networks.DeepClassifier` (or the module itself)."""
    from seisclass.learn.classifier import WindowClassifier

    return model.module if isinstance(model, WindowClassifier) else model


def explained_input(model: nn.Module, x: np.ndarray) -> tuple[nn.Module, torch.Tensor]:
    """The module and input SHAP explains: waveform for the CNN, frame sequence for the LSTM."""
    model = network(model)
    tensor = torch.from_numpy(np.array(x, np.float32))
    if isinstance(model, SpectralLSTM):
        with torch.no_grad():
            return _SequenceHead(model).eval(), model.sequence(tensor)
    return model, tensor


def shap_values(model: nn.Module, background: np.ndarray, x: np.ndarray, classes: np.ndarray,
                samples: int = 100, seed: int = 0) -> np.ndarray:
    """Attributions of ``x`` for the logit of ``classes[i]`` (class index per window).

    Returns the shape of the explained input: ``(windows, components, samples)``
    for the CNN, ``(windows, frames, components * bands)`` for the LSTM.
    ``model``: a deep classifier or its module.
    """
    import shap

    model = network(model).eval()
    started = time.perf_counter()
    log.info("SHAP (expected gradients): %d windows, %d background windows, %d samples each",
             len(x), len(background), samples)
    module, bg = explained_input(model, background)
    _, inputs = explained_input(model, x)
    explainer = shap.GradientExplainer(module, bg, batch_size=50)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        values = explainer.shap_values(inputs, nsamples=samples, rseed=seed)
    values = np.asarray(values)  # (windows, ..., n_outputs)
    picked = np.take_along_axis(values, np.asarray(classes)[(...,) + (None,) * (values.ndim - 1)], axis=-1)
    log.info("SHAP done in %.1f s", time.perf_counter() - started)
    return picked[..., 0].astype(np.float32)


def attribution_over_time(values: np.ndarray, model: nn.Module, sampling_rate: float,
                          bin_s: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Signed attribution summed per time bin: ``(bin centres (s), (windows, bins))``.

    CNN values are summed over components and ``bin_s`` second bins; LSTM values
    over components and bands, one bin per frame (centre of the frame).
    """
    model = network(model)
    if isinstance(model, SpectralLSTM):
        front = model.frontend
        per_frame = values.sum(axis=-1)
        centres = (np.arange(values.shape[1]) * front.hop + front.frame / 2) / sampling_rate
        return centres, per_frame
    per_sample = values.sum(axis=1)
    n = per_sample.shape[-1]
    width = max(1, int(round(bin_s * sampling_rate)))
    edges = np.arange(0, n, width)
    binned = np.add.reduceat(per_sample, edges, axis=-1)
    return (edges + np.minimum(edges + width, n)) / 2 / sampling_rate, binned


def pick_representatives(index: pd.DataFrame, proba: np.ndarray, classes: list[str],
                         per_class: int) -> pd.DataFrame:
    """Per class, the test windows of that class predicted with the highest probability of it.

    ``index`` rows align with ``proba``. Correctly classified windows come
    first; a class with none still gets its most probable windows. Adds
    ``predicted``, ``probability`` (of the window's class) and ``position``.
    """
    table = index.reset_index(drop=True).copy()
    table["position"] = np.arange(len(table))
    table["predicted"] = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    own = np.array([classes.index(c) for c in table["label"]])
    table["probability"] = proba[np.arange(len(table)), own]
    table["correct"] = table["predicted"] == table["label"]
    picks = [
        table[table["label"] == c].sort_values(["correct", "probability"], ascending=False).head(per_class)
        for c in classes
    ]
    return pd.concat(picks, ignore_index=True)
