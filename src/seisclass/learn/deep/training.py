"""Training of the deep models: mini-batches from memory maps, class weights, early stopping.

Runs are reproducible on CPU: seeds are set and PyTorch is told to use
deterministic algorithms only (on CUDA, ``CUBLAS_WORKSPACE_CONFIG`` is set for
the same purpose, best effort). The device is CUDA when available, else CPU.

Training fails loudly instead of saving a broken model: a NaN or infinite loss
stops it at once with a :class:`TrainingError` naming the model, the epoch and the
likely cause (non-finite input windows, or diverging weights: the learning rate),
and so does a run in which no epoch ever gave a best validation loss.
"""

from __future__ import annotations

import copy
import logging
import os
import random
import time

import numpy as np
import torch
from torch import nn

from seisclass.learn.deep.inputs import iterate_batches
from seisclass.learn.deep.params import DeepParameters

log = logging.getLogger(__name__)
KINDS = {"WaveformCNN": "cnn", "SpectralLSTM": "lstm"}  # model class -> kind, for messages


class TrainingError(RuntimeError):
    """Training cannot give a usable model (non-finite loss, no best epoch); the message says why."""


class _NonFiniteLoss(Exception):
    """Raised inside an epoch; :func:`train_model` turns it into a :class:`TrainingError`."""

    def __init__(self, split: str, batch: int, n_batches: int, loss: float, bad_inputs: int):
        super().__init__(split, batch, n_batches, loss, bad_inputs)
        self.split, self.batch, self.n_batches, self.loss, self.bad_inputs = split, batch, n_batches, loss, bad_inputs


def choose_device() -> str:
    """``"cuda"`` when a CUDA device is available, else ``"cpu"``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def configure_torch(seed: int, threads: int | None = None) -> None:
    """Seed every generator, use ``threads`` CPU threads and deterministic algorithms only.

    On CUDA some operations (e.g. weighted cross-entropy) have no deterministic
    kernel; there PyTorch warns instead of failing, so GPU runs are best effort.
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(int(threads))
    torch.use_deterministic_algorithms(True, warn_only=torch.cuda.is_available())
    torch.backends.cudnn.benchmark = False


def class_weights(codes: np.ndarray, n_classes: int, mode: str) -> torch.Tensor:
    """Loss weight per class: ``n / (k * count)`` (``"balanced"``; 0 for absent classes) or ones."""
    if mode == "none":
        return torch.ones(n_classes)
    counts = np.bincount(codes, minlength=n_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(n_classes)
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return torch.tensor(weights, dtype=torch.float32)


def balanced_accuracy(y: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``y`` (as in :func:`seisclass.learn.metrics.classification_metrics`)."""
    counts = np.bincount(y, minlength=n_classes)
    hits = np.bincount(y[predicted == y], minlength=n_classes)
    present = counts > 0
    return float(np.mean(hits[present] / counts[present])) if present.any() else 0.0


class LogStream:
    """File-like object that sends tqdm's progress lines to a logger (one line per refresh)."""

    def __init__(self, logger: logging.Logger):
        self.logger = logger

    def write(self, text: str) -> None:
        text = text.strip("\r\n ")
        if text:
            self.logger.info(text)

    def flush(self) -> None:
        pass


def train_model(model: nn.Module, train_x: np.ndarray, train_y: np.ndarray, val_x: np.ndarray,
                val_y: np.ndarray, p: DeepParameters, seed: int, device: str = "cpu",
                progress=None, name: str | None = None) -> tuple[nn.Module, dict]:
    """Fit ``model`` with Adam on weighted cross-entropy; keep the epoch of lowest validation loss.

    ``train_x``/``val_x`` are (memory-mapped) input arrays, ``train_y``/``val_y``
    class indices. Training stops after ``p.patience`` epochs without a lower
    validation loss. ``progress`` is a file-like object for the tqdm bar
    (``None``: no bar). Returns the model (best weights, eval mode) and a
    summary: per-epoch ``history`` (losses, balanced accuracies, seconds),
    ``best_epoch``, ``epochs_run``, ``training_time_s``.

    Raises :class:`TrainingError` (naming the model, ``name`` or its kind, and the
    epoch) when a training or validation loss is NaN or infinite, or when no epoch
    gave a best validation loss; the half-trained weights are never returned.
    """
    from tqdm import tqdm

    n_classes = model.head[-1].out_features
    weights = class_weights(train_y, n_classes, p.class_weight).to(device)
    criterion = nn.CrossEntropyLoss(weight=weights, reduction="sum")
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=p.learning_rate, weight_decay=p.weight_decay)
    rng = np.random.default_rng(seed)
    n_batches = -(-len(train_x) // p.batch_size)
    bar = tqdm(total=p.epochs * n_batches, file=progress, disable=progress is None, mininterval=5.0,
               ascii=True, unit="batch", dynamic_ncols=False, ncols=100)
    name = name or KINDS.get(type(model).__name__, type(model).__name__)
    history, best_loss, best_state, best_epoch, wait = [], np.inf, None, 0, 0
    started = time.perf_counter()
    for epoch in range(1, p.epochs + 1):
        t0 = time.perf_counter()
        try:
            train_loss, train_pred = _train_epoch(model, train_x, train_y, weights, criterion, optimizer,
                                                  p.batch_size, rng, device, bar)
            val_loss, val_pred = evaluate_loss(model, val_x, val_y, criterion, weights, p.batch_size, device,
                                               check=True)
        except _NonFiniteLoss as bad:
            bar.close()
            raise TrainingError(_non_finite_message(name, epoch, bad, p)) from None
        row = {
            "epoch": epoch, "train_loss": train_loss, "validation_loss": val_loss,
            "train_balanced_accuracy": balanced_accuracy(train_y, train_pred, n_classes),
            "validation_balanced_accuracy": balanced_accuracy(val_y, val_pred, n_classes),
            "seconds": time.perf_counter() - t0,
        }
        history.append(row)
        bar.set_postfix(train_loss=f"{train_loss:.3f}", val_loss=f"{val_loss:.3f}")
        log.info("epoch %d: %s", epoch, {k: round(v, 4) for k, v in row.items() if k != "epoch"})
        if _improves(val_loss, best_loss):
            best_loss, best_epoch, wait = val_loss, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            wait += 1
            if wait >= p.patience:
                log.info("early stop after epoch %d (best epoch %d)", epoch, best_epoch)
                break
    bar.close()
    if best_state is None:
        raise TrainingError(
            f"{name}: training gave no usable model: no epoch of {len(history)} had a validation loss below the "
            f"starting value (validation losses {[round(r['validation_loss'], 4) for r in history]}), so there "
            f"are no best weights to keep; check the validation split ({len(val_x)} windows) and the inputs, or "
            f"lower deep.learning_rate ({p.learning_rate:g})")
    model.load_state_dict(best_state)
    summary = {"history": history, "best_epoch": best_epoch, "epochs_run": len(history),
               "best_validation_loss": best_loss, "training_time_s": time.perf_counter() - started,
               "class_weights": weights.cpu().tolist(), "n_train": len(train_x), "n_validation": len(val_x),
               "device": str(device)}
    return model.eval(), summary


def _improves(loss: float, best: float) -> bool:
    """Whether a validation loss is a new best (lower by more than rounding)."""
    return loss < best - 1e-7


def _check_loss(loss: torch.Tensor, xb: torch.Tensor, split: str, batch: int, n_batches: int) -> None:
    """Raise :class:`_NonFiniteLoss` when ``loss`` is NaN or infinite (with the batch's non-finite inputs)."""
    value = float(loss.detach())
    if not np.isfinite(value):
        raise _NonFiniteLoss(split, batch, n_batches, value, int((~torch.isfinite(xb)).sum()))


def _non_finite_message(name: str, epoch: int, bad: _NonFiniteLoss, p: DeepParameters) -> str:
    where = (f"{name}: training stopped: the {bad.split} loss is {bad.loss} in epoch {epoch} "
             f"(batch {bad.batch} of {bad.n_batches})")
    if bad.bad_inputs:
        return (f"{where}; that batch's input windows hold {bad.bad_inputs} NaN or infinite values: the deep "
                f"inputs (results/deep/inputs/) are damaged or were built from bad samples; rebuild them "
                f"(delete results/deep/inputs/) and check the preprocessed waveforms")
    return (f"{where}, with finite inputs: the weights diverged; lower deep.learning_rate (now {p.learning_rate:g}) "
            f"and check the scale of the inputs (deep.normalization: {p.normalization})")


def _train_epoch(model, x, y, weights, criterion, optimizer, batch_size, rng, device, bar):
    model.train()
    total, weight_sum = 0.0, 0.0
    predicted = np.zeros(len(y), np.int64)
    n_batches = -(-len(x) // batch_size)
    for number, idx in enumerate(iterate_batches(len(x), batch_size, rng), 1):
        xb = torch.from_numpy(np.asarray(x[idx], np.float32)).to(device)
        yb = torch.from_numpy(y[idx]).to(device)
        logits = model(xb)
        loss = criterion(logits, yb)
        _check_loss(loss, xb, "training", number, n_batches)  # before the step spoils the weights
        batch_weight = weights[yb].sum()
        optimizer.zero_grad(set_to_none=True)
        (loss / batch_weight.clamp_min(1e-12)).backward()
        optimizer.step()
        total += float(loss.detach())
        weight_sum += float(batch_weight)
        predicted[idx] = logits.detach().argmax(dim=1).cpu().numpy()
        bar.update(1)
    return total / max(weight_sum, 1e-12), predicted


@torch.no_grad()
def evaluate_loss(model, x, y, criterion, weights, batch_size, device, check: bool = False) -> tuple[float, np.ndarray]:
    """Weighted mean loss and predicted classes over ``x`` (eval mode, batches in order).

    ``check``: raise on a NaN or infinite batch loss (used by :func:`train_model`).
    """
    model.eval()
    total, weight_sum = 0.0, 0.0
    predicted = np.zeros(len(y), np.int64)
    n_batches = -(-len(x) // batch_size)
    for number, idx in enumerate(iterate_batches(len(x), batch_size), 1):
        xb = torch.from_numpy(np.array(x[idx[0] : idx[-1] + 1], np.float32)).to(device)
        yb = torch.from_numpy(y[idx]).to(device)
        logits = model(xb)
        loss = criterion(logits, yb)
        if check:
            _check_loss(loss, xb, "validation", number, n_batches)
        total += float(loss)
        weight_sum += float(weights[yb].sum())
        predicted[idx] = logits.argmax(dim=1).cpu().numpy()
    return total / max(weight_sum, 1e-12), predicted


def windows_per_second(predict, array: np.ndarray, repeats: int = 1) -> float:
    """Inference rate of ``predict(array)`` in windows per second (best of ``repeats`` runs)."""
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        predict(array)
        best = min(best, time.perf_counter() - t0)
    return len(array) / best if best > 0 else float("inf")
