"""Metrics against a hand-computed confusion matrix."""

import pytest

from seisclass.learn.metrics import classification_metrics, evaluate_windows, recall_by_snr

pytestmark = pytest.mark.unit

CLASSES = ["silence", "tourists", "earthquake"]


def test_metrics_of_a_hand_computed_case():
    # true:  6 silence, 3 tourists, 1 earthquake
    y_true = ["silence"] * 6 + ["tourists"] * 3 + ["earthquake"]
    y_pred = (["silence"] * 5 + ["tourists"]) + (["tourists"] * 2 + ["silence"]) + ["silence"]
    m = classification_metrics(y_true, y_pred, CLASSES)
    assert m["confusion_matrix"]["matrix"] == [[5, 1, 0], [1, 2, 0], [1, 0, 0]]
    assert m["accuracy"] == pytest.approx(7 / 10)
    # recalls 5/6, 2/3, 0 -> balanced accuracy 1/2
    assert m["balanced_accuracy"] == pytest.approx((5 / 6 + 2 / 3 + 0) / 3)
    # precision silence 5/7, tourists 2/3, earthquake 0 (no prediction)
    assert m["per_class"]["silence"]["precision"] == pytest.approx(5 / 7)
    assert m["per_class"]["tourists"]["recall"] == pytest.approx(2 / 3)
    f1_silence = 2 * (5 / 7) * (5 / 6) / (5 / 7 + 5 / 6)
    f1_tourists = 2 * (2 / 3) * (2 / 3) / (4 / 3)
    assert m["f1_macro"] == pytest.approx((f1_silence + f1_tourists + 0) / 3)
    # Jaccard = TP / (TP + FP + FN): silence 5/8, tourists 2/4, earthquake 0/1
    assert m["jaccard_macro"] == pytest.approx((5 / 8 + 2 / 4 + 0) / 3)
    assert m["per_class"]["earthquake"]["support"] == 1
    assert m["n_windows"] == 10


def test_recall_by_snr_bins():
    y_true = ["earthquake"] * 4
    y_pred = ["silence", "earthquake", "earthquake", "earthquake"]
    table = recall_by_snr(y_true, y_pred, [1.0, 2.0, 12.0, 15.0], CLASSES, [0, 10, 20])
    eq = table[table["class"] == "earthquake"]
    assert eq["recall"].tolist() == [0.5, 1.0]
    assert eq["n"].tolist() == [2, 2]


def test_evaluate_windows_builds_predictions_in_class_order():
    import numpy as np
    import pandas as pd

    windows = pd.DataFrame({
        "network": "XX", "station": "A", "location": "", "channel": "HH?",
        "start": pd.to_datetime([0, 5], unit="s", utc=True), "end": pd.to_datetime([10, 15], unit="s", utc=True),
        "label": ["tourists", "earthquake"], "snr": [3.0, 12.0],
    })
    proba = np.array([[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]])
    metrics, predictions = evaluate_windows(windows, proba, CLASSES)
    assert predictions["predicted"].tolist() == ["tourists", "silence"]
    assert predictions["p_earthquake"].tolist() == [0.2, 0.4]
    assert metrics["accuracy"] == 0.5
