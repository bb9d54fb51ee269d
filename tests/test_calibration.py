"""Calibration (seisclass.learn.calibration): ECE against hand-computed cases, fits that recover a known
distortion, and plain JSON that applies the same way everywhere."""

import json

import numpy as np
import pytest

from seisclass.learn.calibration import (
    apply_calibration,
    calibration_errors,
    fit_calibration,
    reliability_table,
)

pytestmark = pytest.mark.unit

CLASSES = ["a", "b", "c"]


def test_ece_of_a_hand_computed_case():
    # top-label confidences 0.9, 0.9 (one right, one wrong) and 0.6 (right); bins of width 0.1:
    # bin 0.9: |0.5 - 0.9| = 0.4 over 2 windows, bin 0.6: |1 - 0.6| = 0.4 over 1: ECE = 0.4
    p = np.array([[0.9, 0.05, 0.05], [0.9, 0.05, 0.05], [0.2, 0.6, 0.2]])
    labels = np.array(["a", "b", "b"])
    ece = calibration_errors(p, labels, CLASSES, bins=10)
    assert ece["top_label"] == pytest.approx(0.4)
    # class a: p_a 0.9 (x2, one is a) -> |0.5 - 0.9| x 2/3 ; 0.2 (not a) -> |0 - 0.2| x 1/3
    assert ece["per_class"]["a"] == pytest.approx(0.4 * 2 / 3 + 0.2 / 3)
    table = reliability_table(p, labels, CLASSES, bins=10)
    assert table["windows"].tolist() == [1, 2] and table["accuracy"].tolist() == [1.0, 0.5]


def test_perfectly_calibrated_predictions_have_small_ece():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, size=(20000, 3))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert calibration_errors(p, np.array(CLASSES)[y], CLASSES)["top_label"] < 0.015


def test_fits_recover_a_known_distortion_and_lower_the_ece():
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 2, size=(20000, 3))
    true = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.array(CLASSES)[[rng.choice(3, p=row) for row in true]]
    # an under-confident model with a prior shift: p ∝ true^(1/2) * (1, 2, 1)
    shown = true**0.5 * np.array([1.0, 2.0, 1.0])
    shown /= shown.sum(axis=1, keepdims=True)
    before = calibration_errors(shown, y, CLASSES)["top_label"]
    temperature = fit_calibration(shown, y, CLASSES, "temperature")
    vector = fit_calibration(shown, y, CLASSES, "vector")
    assert temperature["bias"] == [0.0, 0.0, 0.0] and temperature["scale"] > 1.2  # sharper, no shift
    assert vector["scale"] == pytest.approx(2.0, rel=0.05)
    assert vector["bias"][1] - vector["bias"][0] == pytest.approx(-2 * np.log(2.0), abs=0.1)
    after = calibration_errors(apply_calibration(shown, vector), y, CLASSES)["top_label"]
    assert before > 0.05 and after < 0.01
    assert json.loads(json.dumps(vector)) == vector  # plain JSON: stored in the model card


def test_none_leaves_probabilities_alone_and_unknown_methods_are_refused():
    p = np.array([[0.2, 0.3, 0.5]])
    assert apply_calibration(p, None) is p
    assert apply_calibration(p, fit_calibration(p, np.array(["c"]), CLASSES, "none")) is p
    with pytest.raises(ValueError, match="isotonic"):
        fit_calibration(p, np.array(["c"]), CLASSES, "isotonic")
    rows = apply_calibration(np.array([[1.0, 0.0, 0.0], [0.3, 0.3, 0.4]]), {"method": "vector", "scale": 1.5,
                                                                           "bias": [0.0, 0.2, -0.1]})
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
