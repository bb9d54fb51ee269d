"""The shipped real-data model loads safely, describes itself and classifies real recordings."""

from pathlib import Path

import numpy as np
import obspy
import pytest
from conftest import REAL_DATA, REPO

import seisclass

pytestmark = pytest.mark.unit
MODEL = REPO / "resources" / "models" / "real_dev.skops"


def test_shipped_model_is_small_safe_and_self_describing():
    assert MODEL.stat().st_size <= 20 * 2**20
    model = seisclass.load_classifier(MODEL)
    assert model.classes_ == ["silence", "surface", "earthquake"]
    card = model.metadata
    assert card["recipe"]["preprocess"]["sampling_rate"] == 40.0 and model.recipe.context.enabled
    assert card["calibration"]["method"] == "vector" and not card["decision_weights"]  # calibrated, not weighted
    assert card["domain"]["reference_windows"] == 1000 and card["domain"]["features"] == model.feature_names
    assert card["skill"]  # the cross-validated figures travel with the file
    assert Path(REPO / "resources" / "models" / "real_dev.md").exists()


def test_shipped_model_classifies_a_real_earthquake_file():
    model = seisclass.load_classifier(MODEL)
    stream = obspy.read(str(REAL_DATA / "pnsn" / "uw10551388_UW.AUG.EHZ.mseed"))
    table = model.window_probabilities(stream)
    proba = table[[f"p_{c}" for c in model.classes_]].to_numpy()
    assert len(table) > 10 and np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == 2).any()  # the catalogued earthquake is found
    assert (proba.argmax(axis=1) == 0).any()  # and the quiet part before it
