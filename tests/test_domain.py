"""The training-domain check (seisclass.learn.domain): analytic scores, station summaries, the model path."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from seisclass.learn.domain import (
    STATION_THRESHOLD,
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


def uniform_domain() -> dict:
    """The domain of 100,000 windows with four features uniform on [0, 1]."""
    values = np.random.default_rng(0).uniform(0, 1, (100_000, 4))
    return describe_domain(pd.DataFrame(values, columns=NAMES))


def keyed(values: np.ndarray, station: str) -> pd.DataFrame:
    table = pd.DataFrame(values, columns=NAMES)
    return table.assign(network="XX", station=station, location="", channel="HH?")


def test_the_training_range_is_the_quantiles_and_scores_count_features_outside():
    domain = uniform_domain()
    np.testing.assert_allclose(domain["low"], 0.005, atol=0.002)
    np.testing.assert_allclose(domain["high"], 0.995, atol=0.002)
    windows = pd.DataFrame([[0.5, 0.5, 0.5, 0.5],  # inside
                            [1.05, 0.5, -0.05, 0.5],  # within the 10 % margin: inside
                            [5.0, 0.5, 0.5, -3.0],  # two of four outside
                            [np.nan, 0.5, 0.5, 0.5]], columns=NAMES)  # NaN counts as outside
    np.testing.assert_allclose(domain_scores(windows, domain), [0.0, 0.0, 0.5, 0.25])


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
    assert stations.loc["ODD", "windows"] == 400 and stations.loc["ODD", "domain_score"] == pytest.approx(0.25, abs=0.01)
    assert stations.loc["ODD", "flagged"] and not stations.loc["SAME", "flagged"]
    assert stations.loc["SAME", "domain_score"] < 0.02
    assert stations.loc["ODD", "differs_most"].startswith("c (100%)")
    (message,) = flag_messages(stations.reset_index())
    assert message.startswith("XX.ODD.HH?: unlike the model's training data (domain score 0.25") and "c (100%)" in message


def test_the_out_of_fold_summary_compares_errors_of_flagged_and_other_windows():
    stations = pd.DataFrame({"network": ["XX", "XX"], "station": ["A", "B"], "location": "", "channel": "HH?",
                             "windows": [3, 2], "domain_score": [0.05, 0.6], "flagged": [False, True],
                             "differs_most": ["", "c (100%)"]})
    predictions = pd.DataFrame({"label": ["q", "q", "b", "q", "b"], "predicted": ["q", "b", "b", "b", "b"],
                                "domain_score": [0.0, 0.1, 0.0, 0.6, 0.7]})
    summary = domain_summary(stations, predictions, threshold=0.5)
    assert summary["flagged_stations"] == 1 and summary["flagged_station_share"] == 0.5
    assert summary["flagged"][0]["station"] == "B"
    assert summary["flagged_windows"] == 2 and summary["error_rate_flagged"] == 0.5
    assert summary["error_rate_unflagged"] == pytest.approx(1 / 3)


def test_the_model_flags_a_foreign_station_and_not_its_own(caplog):
    from seisclass.learn.forest import ForestParameters, fit_forest
    from tests.test_models import CLASSES, RECIPE, labelled_features

    model = fit_forest(labelled_features(synthetic_stream(50.0)), CLASSES, ForestParameters(n_estimators=10), seed=1,
                       recipe=RECIPE)
    assert model.domain["features"] == model.feature_names and 0 < STATION_THRESHOLD < 1
    own = synthetic_stream(50.0, seed=5, station="OWN")  # the same kind of station, other noise
    foreign = synthetic_stream(50.0, bursts=[], seed=6, station="ALIEN")
    for trace in foreign:  # a strongly coloured, 1000x louder noise: unlike any training window
        trace.data = (np.cumsum(trace.data) * 1000).astype(np.float32)
    parts = model.station_probabilities(own + foreign)
    stations = model.station_domain(parts).set_index("station")
    assert not stations.loc["OWN", "flagged"] and stations.loc["ALIEN", "flagged"]
    assert stations.loc["ALIEN", "domain_score"] > 0.3 > 0.1 > stations.loc["OWN", "domain_score"]
    table = model._merged([p.table for p in parts])
    assert table["domain_score"].between(0, 1).all()
    with caplog.at_level(logging.WARNING):
        model.classify(foreign)
    assert any("XX.ALIEN.HH?: unlike the model's training data" in r.getMessage() for r in caplog.records)
