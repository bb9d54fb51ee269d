"""Active learning measured: the simulation on tiny separable data, and its summary on hand-made curves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seisclass.learn.active_learning import LearningCurveParameters, SimulationParameters
from seisclass.learn.active_simulation import (
    CURVE_COLUMNS,
    SimulationError,
    balanced_accuracy,
    budgets,
    cluster_order,
    farthest_points,
    forest_fit,
    labels_to_reach,
    learning_curve,
    prepare_pool,
    simulate,
    spread,
    summarize,
    winner,
)
from seisclass.learn.forest import ForestParameters
from seisclass.learn.metrics import classification_metrics

pytestmark = pytest.mark.unit

CLASSES = ["noise", "quake", "slide"]
BLOCK_S = 3600.0


def separable_table(intervals_per_class: int = 10, windows: int = 4, seed: int = 0) -> pd.DataFrame:
    """Each interval alone in its hour block; two features, class means 0, 5, 10 (noise sd 0.5)."""
    rng = np.random.default_rng(seed)
    rows = []
    block = 0
    for j, name in enumerate(CLASSES):
        for i in range(intervals_per_class):
            t0 = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(hours=block)
            for w in range(windows):
                start = t0 + pd.Timedelta(seconds=5 * w)
                rows.append({"start": start, "end": start + pd.Timedelta(seconds=10), "label": name,
                             "interval": f"XX.A/{name}/{i}", "f1": 5.0 * j + rng.normal(0, 0.5),
                             "f2": rng.normal(0, 1)})
            block += 1
    rows.append({"start": t0, "end": t0 + pd.Timedelta(seconds=10), "label": "unlabeled", "interval": "",
                 "f1": 0.0, "f2": 0.0})  # never enters the pool
    return pd.DataFrame(rows)


PARAMS = SimulationParameters.from_config({"seeds": 2, "initial_per_class": 1, "rounds": 3, "max_intervals": 12,
                                           "n_estimators": 10, "n_clusters": 3})
FIT = forest_fit(ForestParameters.from_config({}), 10, len(CLASSES))


@pytest.fixture(scope="module")
def pool():
    return prepare_pool(separable_table(), ["f1", "f2"], CLASSES, BLOCK_S, k=3, seed=1)


@pytest.fixture(scope="module")
def curve(pool):
    return simulate(pool, FIT, PARAMS)


def test_pool_keeps_whole_labelled_intervals(pool):
    assert len(pool.interval_class) == 30 and pool.features.shape == (120, 2)
    assert (pool.interval_windows == 4).all()
    assert np.bincount(pool.interval_class).tolist() == [10, 10, 10]
    assert pool.folds == [0, 1, 2]


def test_simulation_counts_grow_and_learns_separable_data(curve):
    assert list(curve.columns[:len(CURVE_COLUMNS)]) == CURVE_COLUMNS
    assert set(curve["strategy"]) == set(PARAMS.strategies)
    assert len(curve) == 5 * 2 * 3 * 4  # strategies x seeds x folds x (start + 3 rounds)
    for _, run in curve.groupby(["strategy", "seed", "fold"]):
        assert run["n_labelled_intervals"].tolist() == [3, 5, 8, 12]  # budgets(3, 12, 3), one per class at start
        assert (run["n_labelled_windows"] == 4 * run["n_labelled_intervals"]).all()  # whole intervals
    last = curve[curve["round"] == 3]
    assert (last["interval_bacc"] == 1.0).all() and (last["window_bacc"] >= 0.9).all()
    assert (curve["event_bacc"] == curve["interval_bacc"]).all()  # one interval per time block here


def test_strategies_share_the_initial_intervals_and_runs_are_deterministic(pool, curve):
    start = curve[curve["round"] == 0].set_index(["strategy", "seed", "fold"])["window_bacc"].unstack("strategy")
    assert (start.nunique(axis=1) == 1).all()  # same start, same forest seed: same score
    again = simulate(pool, FIT, PARAMS)
    pd.testing.assert_frame_equal(curve, again)


def test_budgets_are_geometric():
    assert budgets(6, 48, 3).tolist() == [6, 12, 24, 48]
    assert budgets(3, 4, 5).tolist() == [3, 4]  # rounded steps collapse, never repeat
    assert budgets(10, 5, 2).tolist() == [10]  # a pool smaller than the start


def test_labels_to_reach_by_hand():
    n, skill = [10, 20, 40], [0.80, 0.88, 0.92]
    assert labels_to_reach(n, skill, 0.90) == pytest.approx(30.0)  # halfway from 0.88 to 0.92
    assert labels_to_reach(n, skill, 0.75) == 10.0
    assert labels_to_reach(n, skill, 0.95) == float("inf")
    assert labels_to_reach([10, 20, 40], [0.91, 0.85, 0.95], 0.90) == 10.0  # first crossing


def test_spread_with_curves_that_never_arrive():
    assert spread(np.array([10.0, 20.0, 30.0, 40.0, 50.0])) == (30.0, 20.0, 40.0)
    assert spread(np.array([10.0, 20.0, np.inf])) == (20.0, 15.0, np.inf)
    assert spread(np.array([-np.inf, 0.0, 10.0])) == (0.0, -np.inf, 5.0)


def _hand_curve(strategy: str, skills: list[list[float]]) -> pd.DataFrame:
    rows = [{"strategy": strategy, "seed": 0, "fold": fold, "round": r, "n_labelled_intervals": n,
             "n_labelled_windows": 2 * n, "interval_bacc": s, "window_bacc": s}
            for fold, curve in enumerate(skills) for r, (n, s) in enumerate(zip([10, 20, 40], curve, strict=True))]
    return pd.DataFrame(rows)


def test_summary_and_winner_by_hand():
    curve = pd.concat([
        _hand_curve("random", [[0.8, 0.88, 0.92], [0.8, 0.86, 0.90], [0.8, 0.85, 0.89]]),  # 30, 40, never
        _hand_curve("entropy", [[0.8, 0.90, 0.95], [0.8, 1.0, 1.0], [0.9, 0.92, 0.96]]),  # 20, 15, 10
    ], ignore_index=True)
    summary = summarize(curve, (0.90,)).set_index("strategy")
    assert summary.loc["random", ["intervals_median", "intervals_q25", "reached"]].tolist() == [40.0, 35.0, 2]
    assert summary.loc["random", "windows_median"] == 80.0
    entropy = summary.loc["entropy"]
    assert entropy["intervals_median"] == 15.0 and entropy["reached"] == 3
    assert entropy["saving_vs_random"] == pytest.approx(1 - 15 / 40)
    assert entropy["fewer_than_random"] == 1.0 and bool(entropy["beats_random"])
    assert winner(summary.reset_index(), 0.90) == "entropy"
    tie = pd.concat([_hand_curve("random", [[0.8, 0.9, 0.9]] * 3), _hand_curve("margin", [[0.8, 0.9, 0.9]] * 3)])
    assert winner(summarize(tie, (0.90,)), 0.90) is None


def test_farthest_points_by_hand():
    points = np.array([[0.0], [1.0], [2.0], [10.0]])
    assert farthest_points(points, np.array([0]), np.array([1, 2, 3]), 2).tolist() == [3, 2]


def test_cluster_order_takes_each_cluster_in_turn():
    clusters = np.array([0, 0, 0, 1, 1])
    uncertainty = np.array([0.1, 0.9, 0.5, 0.2, 0.3])
    # cluster 1 has two labelled intervals already, so cluster 0 gets two turns first
    assert cluster_order(clusters, uncertainty, np.array([0, 2])).tolist() == [1, 2, 4, 0, 3]
    assert cluster_order(clusters, uncertainty, np.array([0, 0])).tolist() == [1, 4, 2, 3, 0]


def test_balanced_accuracy_agrees_with_metrics():
    rng = np.random.default_rng(3)
    true, predicted = rng.integers(0, 2, 50), rng.integers(0, 3, 50)  # class 2 absent from the truth
    expected = classification_metrics(np.array(CLASSES)[true], np.array(CLASSES)[predicted], CLASSES)
    assert balanced_accuracy(true, predicted, 3) == pytest.approx(expected["balanced_accuracy"])


def test_learning_curve_is_nested_by_event(pool):
    table = learning_curve(pool, FIT, LearningCurveParameters.from_config({"events_per_class": [1, 2, 100],
                                                                            "seeds": 1}))
    for _, run in table.groupby("fold"):
        assert run["events_per_class"].tolist() == [1, 2, 100]
        assert run["n_labelled_intervals"].tolist()[:2] == [3, 6]  # one interval per event here
        assert run["n_labelled_intervals"].iloc[-1] == 20  # the two other folds, all of them
    assert {"recall_noise", "recall_quake", "recall_slide", "interval_bacc"} <= set(table.columns)


def test_bad_input_names_the_problem():
    table = separable_table()
    with pytest.raises(SimulationError, match="interval"):
        prepare_pool(table.drop(columns="interval"), ["f1"], CLASSES, BLOCK_S, 3, 1)
    few = table[~((table["label"] == "slide") & (table["interval"] != "XX.A/slide/0"))]
    with pytest.raises(SimulationError, match="'slide' has 1 labelled interval"):
        prepare_pool(few, ["f1"], CLASSES, BLOCK_S, 3, 1)


def test_figures_draw_every_strategy_and_class(pool, curve):
    from seisclass.learn.active_simulation import headline
    from seisclass.plots.active_learning import learning_curve_figure, simulation_figure

    summary = summarize(curve, PARAMS.targets)
    fig = simulation_figure(curve, summary, PARAMS.targets, headline(summary, 0.9))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert len(labels) == 5 and all(" to 0.9 " in t for t in labels)
    table = learning_curve(pool, FIT, LearningCurveParameters.from_config({"events_per_class": [1, 2], "seeds": 1}))
    fig = learning_curve_figure(table, CLASSES)
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == CLASSES


def test_headline_states_the_result_or_its_absence():
    from seisclass.learn.active_simulation import headline

    curve = pd.concat([_hand_curve("random", [[0.8, 0.88, 0.92]] * 3), _hand_curve("entropy", [[0.9, 0.95, 0.95]] * 3)])
    text = headline(summarize(curve, (0.90,)), 0.90)
    assert "random needs 30 intervals" in text and "entropy needs 10 intervals" in text and "67 % fewer" in text
    tie = pd.concat([_hand_curve("random", [[0.8, 0.9, 0.9]] * 3), _hand_curve("margin", [[0.8, 0.9, 0.9]] * 3)])
    assert "no strategy beats random" in headline(summarize(tie, (0.90,)), 0.90)


def test_headline_names_a_strategy_that_reaches_what_random_never_does():
    from seisclass.learn.active_simulation import headline

    curve = pd.concat([_hand_curve("random", [[0.8, 0.85, 0.89]] * 3),
                       _hand_curve("margin", [[0.8, 0.85, 0.96], [0.8, 0.85, 0.89], [0.8, 0.85, 0.89]])])
    text = headline(summarize(curve, (0.95,)), 0.95)
    assert "no strategy beats random" in text and "margin reaches it in 1/3 runs, random in 0/3" in text


def test_score_votes_per_window_interval_and_event_by_hand():
    from seisclass.learn.active_simulation import Pool, score

    # block 0: intervals 0 and 1 of class a (one window each), block 1: interval 2 of class b
    pool = Pool(features=np.zeros((3, 1)), window_class=np.array([0, 0, 1]), window_interval=np.array([0, 1, 2]),
                interval_class=np.array([0, 0, 1]), interval_fold=np.zeros(3, int), interval_block=np.array([0, 0, 1]),
                interval_windows=np.ones(3, int), classes=("a", "b"))
    proba = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8]])
    out = score(pool, proba, np.arange(3))
    assert out["interval_bacc"] == 0.75 and out["window_bacc"] == 0.75  # a: 1 of 2, b: 1 of 1
    assert out["event_bacc"] == 1.0  # block 0 votes (0.65, 0.35): a
    assert (out["recall_a"], out["recall_b"]) == (0.5, 1.0)
