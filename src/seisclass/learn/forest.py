"""Random forest on window features (scikit-learn), with saving and loading.

Saved models are joblib files holding a dict: the fitted estimator plus the
metadata needed to apply it later (feature names, classes, window length,
sampling rate). Only load model files you produced yourself: joblib, like
pickle, executes code from the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier

from seisclass.config import ConfigSection
from seisclass.io import atomic_path


@dataclass(frozen=True)
class ForestParameters(ConfigSection):
    """Config section ``random_forest``."""

    section = "random_forest"

    n_estimators: int = 300
    max_depth: int | None = None
    min_samples_leaf: int = 1
    max_features: str | float = "sqrt"
    class_weight: str | None = "balanced_subsample"


def train_random_forest(
    features: np.ndarray, labels: np.ndarray, p: ForestParameters, seed: int, n_jobs: int = 1
) -> RandomForestClassifier:
    """Fit a forest; class imbalance handled by ``class_weight`` (default balanced per tree)."""

    model = RandomForestClassifier(
        n_estimators=p.n_estimators,
        max_depth=p.max_depth,
        min_samples_leaf=p.min_samples_leaf,
        max_features=p.max_features,
        class_weight=p.class_weight,
        random_state=seed,
        n_jobs=n_jobs,
    )
    return model.fit(features, labels)


def predict_proba(model: RandomForestClassifier, features: np.ndarray, classes: list[str]) -> np.ndarray:
    """Class probabilities with columns in the order of ``classes`` (0 for unseen classes)."""
    raw = model.predict_proba(features)
    out = np.zeros((len(features), len(classes)))
    for j, c in enumerate(model.classes_):
        if c in classes:
            out[:, classes.index(c)] = raw[:, j]
    return out


def save_model(path, model, feature_names: list[str], classes: list[str], **metadata) -> None:
    """Save the model and its metadata atomically with joblib."""
    bundle = {"model": model, "feature_names": list(feature_names), "classes": list(classes), **metadata}
    with atomic_path(path) as tmp:
        joblib.dump(bundle, tmp, compress=3)


def load_model(path) -> dict:
    """Load a bundle written by :func:`save_model`."""
    bundle = joblib.load(path)
    if not isinstance(bundle, dict) or "model" not in bundle:
        raise ValueError(f"{path}: not a seisclass random-forest bundle")
    return bundle
