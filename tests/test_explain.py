"""SHAP explanations of the random forest (seisclass.explain.forest_shap)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from seisclass.explain import forest_shap as explain
from seisclass.learn.forest import predict_proba

CLASSES = ["quiet", "loud", "odd"]  # deliberately not the alphabetical order of model.classes_


@pytest.fixture(scope="module")
def decided_by_feature_2():
    """Forest on 5 noise features where feature 2 alone decides the class (thresholds -0.5, 0.5)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    y = np.where(x[:, 2] < -0.5, "quiet", np.where(x[:, 2] > 0.5, "loud", "odd"))
    model = RandomForestClassifier(n_estimators=40, random_state=0).fit(x, y)
    return model, x[:150]


def test_deciding_feature_ranks_first(decided_by_feature_2):
    model, x = decided_by_feature_2
    names = [f"f{i}" for i in range(5)]
    values, _ = explain.tree_shap_values(model, x, CLASSES)
    table = explain.global_importance(values, names, CLASSES)
    assert table["feature"].iloc[0] == "f2"
    for c in CLASSES:  # first for every class, far ahead of the noise features
        assert table.set_index("feature")[c].idxmax() == "f2"
    assert table.set_index("feature").loc["f2", "all"] > 5 * table["all"].iloc[1]


def test_values_are_additive_in_configured_class_order(decided_by_feature_2):
    model, x = decided_by_feature_2
    values, base = explain.tree_shap_values(model, x, CLASSES)
    assert values.shape == (len(x), 5, 3)
    np.testing.assert_allclose(base + values.sum(axis=1), predict_proba(model, x, CLASSES), atol=1e-6)


def test_values_in_logged_blocks_equal_one_call_and_accept_the_classifier(decided_by_feature_2):
    from seisclass.learn.forest import ForestClassifier

    model, x = decided_by_feature_2
    one, _ = explain.tree_shap_values(model, x, CLASSES, progress_steps=1)
    wrapped = ForestClassifier(model, {"name": "rf", "classes": CLASSES, "feature_names": [f"f{i}" for i in range(5)]})
    blocks, _ = explain.tree_shap_values(wrapped, x, CLASSES, progress_steps=7)
    np.testing.assert_array_equal(blocks, one)


def test_direction_and_summary(decided_by_feature_2):
    model, x = decided_by_feature_2
    names = [f"f{i}" for i in range(5)]
    values, _ = explain.tree_shap_values(model, x, CLASSES)
    summary = explain.driver_summary(values, x, names, CLASSES, top=2)
    first = summary[summary["rank"] == 1].set_index("class")
    assert (first["feature"] == "f2").all()
    assert first.loc["loud", "direction"] > 0.5 and first.loc["loud", "text"] == "high f2 pushes towards loud"
    assert first.loc["quiet", "direction"] < -0.5 and first.loc["quiet", "text"] == "low f2 pushes towards quiet"
    assert "**odd**" in explain.summary_text(summary, CLASSES)


def test_group_importance_sums_members_before_abs():
    values = np.zeros((2, 3, 2))
    values[:, 0, 0] = [0.2, -0.2]
    values[:, 1, 0] = [0.1, 0.3]   # group {a, b}: sums 0.3 and 0.1 -> mean |.| 0.2
    values[:, 2, 1] = [0.5, -0.5]  # c alone
    groups = pd.DataFrame({"group": [1, 1], "feature": ["a", "b"], "representative": ["a", "a"]})
    members = explain.group_members(["a", "b", "c"], groups)
    assert members == {"G1: a": ["a", "b"], "c": ["c"]}
    table = explain.group_importance(values, ["a", "b", "c"], ["x", "y"], members).set_index("group")
    assert table.loc["G1: a", "x"] == pytest.approx(0.2)
    assert table.loc["G1: a", "n_features"] == 2
    assert table.loc["c", "y"] == pytest.approx(0.5)


def test_group_table_without_columns_is_an_error():
    with pytest.raises(ValueError, match="feature"):
        explain.group_members(["a"], pd.DataFrame({"group": [1]}))


def test_sample_windows_is_stratified_and_names_the_split():
    table = pd.DataFrame({"start": range(10), "label": ["a"] * 8 + ["b"] * 2, "split": ["test"] * 10})
    sample = explain.sample_windows(table, ["a", "b"], "test", per_class=3, seed=0)
    assert sample["label"].value_counts().to_dict() == {"a": 3, "b": 2}
    with pytest.raises(ValueError, match="validation"):
        explain.sample_windows(table, ["a", "b"], "validation", per_class=3, seed=0)


@pytest.mark.workflow
def test_tiny_run_explanations(tiny_run):
    out = tiny_run / "results" / "explain"
    importance = pd.read_csv(out / "rf_shap_importance.tsv", sep="\t")
    classes = ["silence", "tourists", "earthquake"]
    assert list(importance.columns) == ["feature", *classes, "all"]
    assert importance["all"].is_monotonic_decreasing and (importance["all"] >= 0).all()
    values = pd.read_parquet(out / "rf_shap_values.parquet")
    assert len(values) > 0 and f"shap_earthquake__{importance['feature'].iloc[0]}" in values.columns
    groups = pd.read_csv(out / "rf_shap_group_importance.tsv", sep="\t")
    assert groups["n_features"].sum() == len(importance)  # every feature in exactly one group
    summary = pd.read_csv(out / "rf_shap_summary.tsv", sep="\t")
    assert set(summary["class"]) == set(classes)
    for name in ("rf_shap_beeswarm.png", "rf_shap_dependence.png", "rf_shap_groups.png"):
        assert (out / name).stat().st_size > 10_000


def test_boosting_is_explained_in_log_odds_that_add_up_to_its_probabilities():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 5))
    y = np.where(x[:, 2] < -0.5, "quiet", np.where(x[:, 2] > 0.5, "loud", "odd"))
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(x, y)
    assert explain.shap_units(model) == "log-odds"
    values, base = explain.tree_shap_values(model, x[:100], CLASSES)
    logits = base + values.sum(axis=1)  # softmax of the summed values: the model's probabilities
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, predict_proba(model, x[:100], CLASSES), atol=1e-6)
    table = explain.global_importance(values, [f"f{i}" for i in range(5)], CLASSES)
    assert table["feature"].iloc[0] == "f2"
    binary = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(x, np.where(x[:, 1] > 0, "loud", "quiet"))
    values, base = explain.tree_shap_values(binary, x[:50], ["quiet", "loud"])
    logits = base + values.sum(axis=1)  # each class's log-odds against the other
    np.testing.assert_allclose(logits[:, 0], -logits[:, 1])
    np.testing.assert_allclose(1 / (1 + np.exp(-logits)), predict_proba(binary, x[:50], ["quiet", "loud"]), atol=1e-6)


def test_forest_is_explained_in_probability(decided_by_feature_2):
    model, _ = decided_by_feature_2
    assert explain.shap_units(model) == "probability"
