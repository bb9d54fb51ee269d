"""Loading a saved model: the file's format is read from its content, then its class loads it.

- a **skops** file: the random forest (:class:`seisclass.learn.forest.ForestClassifier`),
  loaded with an explicit list of trusted types, so loading cannot run code;
- a **PyTorch** file: the CNN or LSTM (:class:`seisclass.learn.deep.networks.DeepClassifier`),
  read with ``torch.load(weights_only=True)``.

A pickle (joblib) file is refused: unpickling runs whatever code the file holds, and
nothing in seisclass unpickles. Anything else, or a file that was altered, raises
:class:`~seisclass.learn.errors.ModelFileError` naming the file.

Nothing heavy (scikit-learn, skops, torch) is imported before a model is loaded.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from seisclass.learn.errors import ModelFileError

if TYPE_CHECKING:
    from seisclass.learn.classifier import WindowClassifier


def file_format(path: Path) -> str:
    """``skops``, ``torch``, ``pickle`` (joblib or pickle: would run code) or ``unknown``, from the content."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            names = zipfile.ZipFile(path).namelist()
        except zipfile.BadZipFile:  # damaged: let the loader of the suffix report it
            return {".skops": "skops", ".pt": "torch"}.get(path.suffix, "unknown")
        if "schema.json" in names:
            return "skops"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        return "unknown"
    if path.suffix == ".pt" and head[:1] == b"\x80":
        return "torch"  # PyTorch's legacy format; torch.load(weights_only=True) is still safe
    if head[:1] == b"\x80" or head[:1] == b"x":  # pickle protocol 2+, or joblib's zlib stream
        return "pickle"
    return "unknown"


def load_classifier(path, device: str | None = None) -> WindowClassifier:
    """Load a saved model (forest ``.skops``, CNN/LSTM ``.pt``).

    Raises :class:`ModelFileError`, naming the file, for a missing, foreign, corrupt
    or altered file, and for a pickle. ``device`` places a deep model (default: CUDA
    when available, else CPU).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    kind = file_format(path)
    if kind == "skops":
        from seisclass.learn.forest import ForestClassifier

        return ForestClassifier.read(path)
    if kind == "torch":
        from seisclass.learn.deep.networks import DeepClassifier

        return DeepClassifier.read(path, device)
    if kind == "pickle":
        raise ModelFileError(
            f"{path}: a pickle (joblib) file; loading it would run any code it holds, so it is refused "
            "(nothing in seisclass unpickles). Retrain the model with this version (snakemake, or "
            "seisclass.learn.forest.fit_forest): forests are saved as .skops files, which load without running code")
    raise ModelFileError(f"{path}: not a seisclass model file (expected a .skops forest or a .pt CNN/LSTM)")
