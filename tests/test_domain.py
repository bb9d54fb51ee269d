"""The training-domain check (seisclass.learn.domain): distances by hand, station summaries, the model path."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from seisclass.learn import domain as dm
from seisclass.learn.domain import (
    describe_domain,
    domain_counts,
    domain_scores,
    domain_summary,
    flag_messages,
    station_domain,
)
from tests.test_models import synthetic_stream

pytestmark = pytest.mark.unit

NAMES = ["a", "b", "c", "d"]


def uniform_domain(n: int = 20_000) -> dict:
    """The domain of ``n`` windows with four features uniform on [0, 1]."""
    values = np.random.default_rng(0).uniform(0, 1, (n, 4))
    return describe_domain(pd.DataFrame(values, columns=NAMES))


def keyed(values: np.ndarray, station: str) -> pd.DataFrame:
    table = pd.DataFrame(values, columns=NAMES)
    return table.assign(network="XX", station=station, location="", channel="HH?")


def test_the_kth_distance_is_computed_by_hand():
    reference = np.array([[0, 0], [3, 4], [6, 8], [0, 1]], np.float32)
    x = np.array([[0, 0], [6, 8]], np.float32)
    np.testing.assert_allclose(dm._kth_distance(x, reference, 1), [0.0, 0.0])
    np.testing.assert_allclose(dm._kth_distance(x, reference, 2), [1.0, 5.0])  # [0,1]; [3,4]
    np.testing.assert_allclose(dm._kth_distance(x, reference, 3), [5.0, np.hypot(6, 7)], rtol=1e-6)


def test_robust_units_centre_scale_clip_and_fill():
    z = dm._robust(np.array([[2.0, np.nan, 1e9]]), np.array([1.0, 5.0, 0.0]), np.array([0.5, 1.0, 1.0]))
    np.testing.assert_allclose(z, [[2.0, 0.0, dm.CLIP]])


def test_the_domain_stores_a_reference_sample_and_scores_one_percent_outside():
    domain = uniform_domain()
    assert domain["reference_windows"] == dm.REFERENCE_WINDOWS and domain["neighbours"] == dm.NEIGHBOURS
    np.testing.assert_allclose(domain["center"], 0.5, atol=0.02)
    np.testing.assert_allclose(domain["scale"], 0.5, atol=0.02)
    np.testing.assert_allclose(domain["low"], 0.005, atol=0.003)
    fresh = pd.DataFrame(np.random.default_rng(7).uniform(0, 1, (5000, 4)), columns=NAMES)
    scores = domain_scores(fresh, domain)
    assert 0.003 < np.mean(scores > 1) < 0.03  # about the 1 % of the 99th-percentile threshold
    far = pd.DataFrame([[0.5, 0.5, 0.5, 4.0], [3.0, -2.0, 0.5, 0.5]], columns=NAMES)
    assert (domain_scores(far, domain) > 3).all()
    with pytest.raises(ValueError, match="at least 7 windows"):
        describe_domain(pd.DataFrame(np.zeros((3, 4)), columns=NAMES))


def test_a_combination_never_seen_in_training_is_outside_although_each_feature_is_in_range():
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 1, 20_000)  # training: b follows a closely
    domain = describe_domain(pd.DataFrame({"a": a, "b": a + rng.normal(0, 0.01, len(a))}))
    swapped = pd.DataFrame({"a": [0.1, 0.5], "b": [0.9, 0.5]})  # both in range; the first breaks b = a
    outside = dm.outside_range(swapped, domain)
    assert not outside.any()
    scores = domain_scores(swapped, domain)
    assert scores[0] > 5 and scores[1] < 1


def test_a_shifted_station_is_flagged_naming_the_feature_and_counts_add_up():
    domain = uniform_domain()
    rng = np.random.default_rng(1)
    same = keyed(rng.uniform(0, 1, (400, 4)), "SAME")
    shifted = rng.uniform(0, 1, (400, 4))
    shifted[:, 2] += 3.0  # feature c far outside for every window
    other = keyed(shifted, "ODD")
    counts = domain_counts(pd.concat([same, other], ignore_index=True), domain)
    halves = pd.concat([domain_counts(other.iloc[:150], domain), domain_counts(other.iloc[150:], domain),
                        domain_counts(same, domain)], ignore_index=True)
    stations = station_domain(counts, domain).set_index("station")
    pd.testing.assert_frame_equal(station_domain(halves, domain).set_index("station"), stations)
    assert stations.loc["ODD", "windows"] == 400 and stations.loc["ODD", "domain_score"] == 1.0
    assert stations.loc["ODD", "flagged"] and not stations.loc["SAME", "flagged"]
    assert stations.loc["SAME", "domain_score"] < 0.05
    assert stations.loc["ODD", "differs_most"].startswith("c (100%)")
    (message,) = flag_messages(stations.reset_index())
    assert message.startswith("XX.ODD.HH?: unlike the model's training data (100% of 400 windows outside it")
    assert "c (100%)" in message


def test_the_out_of_fold_summary_compares_errors_outside_and_inside():
    stations = pd.DataFrame({"network": ["XX", "XX"], "station": ["A", "B"], "location": "", "channel": "HH?",
                             "windows": [3, 2], "domain_score": [0.0, 1.0], "flagged": [False, True],
                             "differs_most": ["", "c (100%)"]})
    predictions = pd.DataFrame({"label": ["q", "q", "b", "q", "b"], "predicted": ["q", "b", "b", "b", "b"],
                                "domain_score": [0.2, 0.5, 0.1, 1.6, 2.7]})
    summary = domain_summary(stations, predictions)
    assert summary["flagged_stations"] == 1 and summary["flagged_station_share"] == 0.5
    assert summary["flagged"][0]["station"] == "B"
    assert summary["outside_windows"] == 2 and summary["error_rate_outside"] == 0.5
    assert summary["error_rate_inside"] == pytest.approx(1 / 3)


def test_the_model_flags_a_foreign_station_and_not_its_own(caplog):
    from seisclass.learn.forest import ForestParameters, fit_forest
    from tests.test_models import CLASSES, RECIPE, labelled_features

    model = fit_forest(labelled_features(synthetic_stream(50.0)), CLASSES, ForestParameters(n_estimators=10), seed=1,
                       recipe=RECIPE)
    assert model.domain["features"] == model.feature_names
    own = synthetic_stream(50.0, seed=5, station="OWN")  # the same kind of station, other noise
    foreign = synthetic_stream(50.0, bursts=[], seed=6, station="ALIEN")
    for trace in foreign:  # a strongly coloured, 1000x louder noise: unlike any training window
        trace.data = (np.cumsum(trace.data) * 1000).astype(np.float32)
    parts = model.station_probabilities(own + foreign)
    stations = model.station_domain(parts).set_index("station")
    assert not stations.loc["OWN", "flagged"] and stations.loc["ALIEN", "flagged"]
    assert stations.loc["ALIEN", "domain_score"] > 0.9 and stations.loc["OWN", "domain_score"] < 0.1
    table = model._merged([p.table for p in parts])
    assert (table["domain_score"] >= 0).all()
    with caplog.at_level(logging.WARNING):
        model.classify(foreign)
    assert any("XX.ALIEN.HH?: unlike the model's training data" in r.getMessage() for r in caplog.records)
