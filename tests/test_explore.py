"""Exploration: clusters, stability over seeds, consensus, hypotheses and correlated groups."""

import json
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from seisclass.core.vocabulary import KEY_COLUMNS, WINDOW_COLUMNS
from seisclass.explain.clustering import choose_k, kmeans_run
from seisclass.explain.consensus import (
    RepeatedClustering,
    align,
    consensus,
    pairwise_ari,
    relabel_by_size,
    summarize_ari,
)
from seisclass.explain.correlation import clustered_order, correlated_groups, spearman_matrix
from seisclass.explain.effects import cluster_effects
from seisclass.explain.exploration import ExploreError, ExploreParameters, explore
from seisclass.explain.hypotheses import hypotheses
from seisclass.explain.scaling import fit_cluster_space, fit_scaling

CLASSES = ["silence", "tourists", "earthquake"]


def blobs(n=600, dim=8, centers=4, seed=3):
    return make_blobs(n, n_features=dim, centers=centers, cluster_std=1.0, center_box=(-10, 10), random_state=seed)


def kmeans_stability(z, k, seeds=range(5)):
    runs = np.stack([kmeans_run(z, np.arange(len(z)), k, 1, s) for s in seeds])
    return runs, summarize_ari(pairwise_ari(runs))


def test_kmeans_recovers_blobs_and_silhouette_picks_their_number():
    z, truth = blobs()
    k, silhouette = choose_k(z, (2, 7), n_init=2, sample=600, seed=0)
    assert k == 4
    assert list(silhouette.index) == [2, 3, 4, 5, 6, 7]
    runs, stability = kmeans_stability(z, k)
    assert stability["ari_mean"] == pytest.approx(1.0, abs=1e-9)
    assert adjusted_rand_score(truth, runs[0]) > 0.99


def test_stability_drops_when_the_structure_is_noise():
    z_blobs, _ = blobs()
    z_noise = np.random.default_rng(0).normal(size=z_blobs.shape)
    _, on_blobs = kmeans_stability(z_blobs, 4)
    _, on_noise = kmeans_stability(z_noise, 4)
    assert on_blobs["ari_min"] > 0.99
    assert on_noise["ari_mean"] < 0.5
    assert on_noise["ari_min"] <= on_noise["ari_mean"] < on_blobs["ari_mean"]


def test_consensus_aligns_permuted_runs_and_takes_the_majority():
    truth = np.array([0, 0, 1, 1, 2, 2, 2])
    runs = np.stack([
        truth,
        np.array([1, 1, 2, 2, 0, 0, 0]),  # same partition, renamed
        np.array([2, 2, 0, 0, 1, 1, 0]),  # renamed, last window moved to the first cluster
    ])
    ari = pairwise_ari(runs)
    assert ari[0, 1] == pytest.approx(1.0)
    labels, agreement, medoid = consensus(runs, ari)
    assert adjusted_rand_score(truth, labels) == pytest.approx(1.0)
    assert medoid in (0, 1)
    np.testing.assert_allclose(agreement, [1, 1, 1, 1, 1, 1, 2 / 3])


def test_align_maps_unmatched_clusters_to_noise_and_relabel_orders_by_size():
    reference = np.array([0, 0, 0, 1, 1, 1, 0])
    labels = np.array([5, 5, 5, 9, 9, 7, -1])  # 5 -> 0; 9 overlaps cluster 1 most; 7 has no partner left
    np.testing.assert_array_equal(align(labels, reference), [0, 0, 0, 1, 1, -1, -1])
    np.testing.assert_array_equal(relabel_by_size(np.array([3, 8, 8, -1, 8, 3, 1])), [1, 0, 0, -1, 0, 1, 2])


def test_repeated_clustering_summary_counts_clusters_without_noise():
    runs = np.array([[0, 0, 1, 1, -1], [1, 1, 0, 0, 0]])
    ari = pairwise_ari(runs)
    labels, agreement, medoid = consensus(runs, ari)
    summary = RepeatedClustering(runs, ari, medoid, relabel_by_size(labels), agreement).summary([7, 8])
    assert summary["n_clusters_per_run"] == [2, 2] and summary["n_clusters"] == 2
    assert summary["medoid_seed"] in (7, 8) and summary["ari_min"] == summary["ari_mean"] == ari[0, 1]
    assert summary["verdict"].startswith(("stable", "moderately", "unstable"))
    assert summary["consensus_agreement_mean"] == pytest.approx(agreement.mean())


def test_scaling_logs_features_spanning_decades_and_keeps_constants_finite():
    rng = np.random.default_rng(1)
    energy = 10 ** rng.uniform(0, 6, 500)  # six decades
    ratio = rng.uniform(0.2, 0.8, 500)
    values = np.column_stack([energy, ratio, np.full(500, 3.0)])
    values[0, 1] = np.nan
    scaling = fit_scaling(values, log_span=1000)
    np.testing.assert_array_equal(scaling.log_columns, [True, False, False])
    z = scaling.apply(values)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[:, 0], (np.log10(energy) - np.log10(energy).mean()) / np.log10(energy).std())
    assert np.all(z[:, 2] == 0)


def zero_inflated_table(n=600, seed=0):
    """Two blobs in f0, f1 and four features zero together in 65 % of the windows, independent of the blobs."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, n)
    f = rng.normal(size=(n, 2)) + np.where(truth[:, None] == 1, 1.6, -1.6)
    active = rng.uniform(size=n) < 0.35
    durations = np.where(active[:, None], rng.exponential(2.0, size=(n, 4)) + 0.1, 0.0)
    return np.column_stack([f, durations]), truth, ["f0", "f1", "duration_s", "rise_s", "decay_s", "other_s"]


def test_zero_inflated_features_no_longer_define_the_clusters():
    """Standardized as they are, four features zero together split the data by themselves (k-means finds
    "zero or not"); split into a non-zero part and one down-weighted indicator, the blobs come back."""
    raw, truth, names = zero_inflated_table()
    fit = np.arange(len(raw))
    z = fit_scaling(raw, log_span=1000).apply(raw)
    plain = kmeans_run(z, fit, 2, 4, 0)
    active = raw[:, 2] != 0
    assert adjusted_rand_score(active, plain) > 0.5 and adjusted_rand_score(truth, plain) < 0.1
    space = fit_cluster_space(raw, names, zero_inflated_fraction=0.5, log_span=1000, indicator_weight=0.5)
    assert space.zero_inflated.tolist() == [False, False, True, True, True, True]
    assert [group for _, group in space.indicators] == [["duration_s", "rise_s", "decay_s", "other_s"]]  # one
    x = space.apply(raw, z)
    assert x.shape == (len(raw), 2 + 4 + 1) and np.isfinite(x).all()
    np.testing.assert_allclose(x[~active, 2:6], 0.0)  # zeros sit at the non-zero part's mean
    np.testing.assert_allclose(x[active, 2:6].mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(x[:, 6].std(), 0.5)  # the indicator, z-scored and weighted
    treated = kmeans_run(x, fit, 2, 4, 0)
    assert adjusted_rand_score(truth, treated) > 0.9
    off = fit_cluster_space(raw, names, zero_inflated_fraction=None, log_span=1000, indicator_weight=0.25)
    np.testing.assert_array_equal(off.apply(raw, z), z)
    assert "zero-inflated" not in off.describe() or off.describe().startswith("no zero-inflated")


def shifted_clusters(n=400, shift=3.0, seed=0):
    """Five independent features; the second half has feature f3 shifted by ``shift`` standard deviations."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, 5))
    cluster = np.repeat([0, 1], n // 2)
    raw[cluster == 1, 3] += shift
    return raw, cluster, [f"f{i}" for i in range(5)]


def singleton_groups(names):
    return pd.DataFrame({"group": range(1, len(names) + 1), "feature": names, "group_size": 1})


def test_effects_and_hypotheses_name_the_feature_that_was_made_to_differ():
    raw, cluster, names = shifted_clusters()
    z = (raw - raw.mean(0)) / raw.std(0)
    effects = cluster_effects(z, raw, cluster, names)
    top = effects[effects["rank"] == 1].set_index("cluster")
    assert list(top["feature"]) == ["f3", "f3"]
    # Cohen's d of a 3-sd shift between two unit-variance halves is about 3.
    assert top.loc[1, "effect_size"] == pytest.approx(3.0, abs=0.35)
    assert top.loc[0, "effect_size"] == pytest.approx(-top.loc[1, "effect_size"])
    assert effects.loc[(effects["cluster"] == 1) & (effects["feature"] != "f3"), "effect_size"].abs().max() < 0.4
    counts = pd.DataFrame({"silence": [200, 0], "tourists": [0, 200]}, index=[0, 1])
    table = hypotheses(effects, singleton_groups(names), {"f3": "Hz"}, counts, n_features=3, min_effect=0.5)
    assert list(table["features"]) == ["f3", "f3"]  # nothing else reaches |d| >= 0.5
    assert "low f3" in table.loc[0, "statement"] and "high f3" in table.loc[1, "statement"]
    assert "Hz" in table.loc[1, "statement"] and "tourists 100%" in table.loc[1, "statement"]
    assert (table["warning"] == "").all()


def test_hypothesis_uses_one_member_per_correlated_group_and_warns():
    raw, cluster, names = shifted_clusters()
    raw = np.column_stack([raw, 2 * raw[:, 3] + 0.01])  # f5 duplicates f3
    names = [*names, "f5"]
    z = (raw - raw.mean(0)) / raw.std(0)
    groups = correlated_groups(spearman_matrix(raw), names, 0.8)
    effects = cluster_effects(z, raw, cluster, names)
    table = hypotheses(effects, groups, {}, pd.DataFrame(), n_features=3, min_effect=0.5)
    chosen = table.loc[1, "features"].split(";")
    assert len(chosen) == 1 and chosen[0] in ("f3", "f5")
    other = "f5" if chosen[0] == "f3" else "f3"
    assert other in table.loc[1, "warning"] and "correlated" in table.loc[1, "warning"]


def test_correlated_groups_found_on_constructed_data():
    rng = np.random.default_rng(2)
    a = rng.normal(size=2000)
    values = np.column_stack([
        a,
        np.exp(a),                                # monotone in a: rho = 1
        -a + 0.1 * rng.normal(size=2000),         # anti-correlated: |rho| ~ 0.99
        rng.normal(size=2000),                    # independent
        rng.normal(size=2000),                    # independent
        np.full(2000, 1.0),                       # constant
    ])
    names = ["a", "exp_a", "minus_a", "b", "c", "const"]
    rho = spearman_matrix(values)
    assert rho[0, 1] == pytest.approx(1.0)
    assert rho[0, 2] < -0.95
    assert rho[5, 0] == 0 and rho[5, 5] == 1
    groups = correlated_groups(rho, names, 0.8)
    assert sorted(groups["feature"]) == sorted(names)  # one row per feature
    assert sorted(groups.loc[groups["group"] == 1, "feature"]) == ["a", "exp_a", "minus_a"]
    assert (groups.loc[groups["group"] == 1, "group_size"] == 3).all()
    assert (groups.loc[groups["group"] != 1, "group_size"] == 1).all()
    order = list(clustered_order(rho))
    positions = sorted(order.index(i) for i in (0, 1, 2))
    assert positions[-1] - positions[0] == 2  # the group is contiguous in the plotted order


def test_every_pair_inside_a_group_reaches_the_threshold():
    rng = np.random.default_rng(4)
    base = rng.normal(size=(1000, 3))
    # A chain: x0 ~ x1 ~ x2 each with rho ~0.85, but x0 and x2 less correlated.
    x1 = base[:, 0] + 0.6 * base[:, 1]
    values = np.column_stack([base[:, 0], x1, x1 + 0.6 * base[:, 2]])
    rho = spearman_matrix(values)
    groups = correlated_groups(rho, ["x0", "x1", "x2"], 0.8)
    for _, members in groups.groupby("group")["feature"]:
        idx = [int(m[1]) for m in members]
        assert all(abs(rho[i, j]) >= 0.8 for i, j in combinations(idx, 2))


def test_bad_settings_and_input_are_named():
    with pytest.raises(ExploreError, match="explore.method"):
        ExploreParameters.from_config({"method": "dbscan"})
    with pytest.raises(ExploreError, match="explore.n_seeds"):
        ExploreParameters.from_config({"n_seeds": 1})
    with pytest.raises(ExploreError, match="explore.k_range"):
        ExploreParameters.from_config({"k_range": [5, 3]})
    with pytest.raises(ExploreError, match="unknown key.*n_seed"):
        ExploreParameters.from_config({"n_seed": 3})
    with pytest.raises(ValueError, match="correlation_threshold"):
        correlated_groups(np.eye(2), ["a", "b"], 1.5)
    table = blob_table(60)
    table["f2"] = np.nan
    with pytest.raises(ExploreError, match="f2"):
        explore(table, ["f0", "f1", "f2"], KEY_COLUMNS, CLASSES, singleton_groups(["f0", "f1", "f2"]), {},
                ExploreParameters(n_seeds=2), 0)
    with pytest.raises(ExploreError, match="missing column.*f9"):
        explore(table, ["f0", "f9"], KEY_COLUMNS, CLASSES, singleton_groups(["f0"]), {},
                ExploreParameters(n_seeds=2), 0)


def blob_table(n, seed=5):
    z, truth = make_blobs(n, n_features=6, centers=3, cluster_std=0.6, center_box=(-8, 8), random_state=seed)
    start = pd.Timestamp("2024-06-01", tz="UTC") + pd.to_timedelta(np.arange(n) * 5, unit="s")
    table = pd.DataFrame({
        "network": "XX", "station": "SYN", "location": "", "channel": "HH?", "start": start,
        "end": start + pd.Timedelta(seconds=10),
        "label": np.where(truth == 2, "unlabeled", np.array(CLASSES)[truth]),
    })
    for j in range(z.shape[1]):
        table[f"f{j}"] = z[:, j]
    table.attrs["truth"] = truth
    return table


@pytest.mark.slow
def test_explore_end_to_end_on_blobs_with_a_fit_subsample():
    """Both methods recover three blobs; windows outside the fit subsample are transformed."""
    table = blob_table(360)
    names = [f"f{j}" for j in range(6)]
    p = ExploreParameters(fit_subsample=240, n_seeds=2, k_range=(2, 5), silhouette_sample=240,
                          hdbscan_min_cluster_fraction=0.1, umap_n_neighbors=10)
    result = explore(table, names, KEY_COLUMNS, CLASSES, singleton_groups(names), {}, p, seed=11)
    emb = result.embedding
    truth = table.attrs["truth"]
    assert list(emb.columns[:6]) == KEY_COLUMNS
    assert {"pca_1", "pca_2", "umap_1", "umap_2", "cluster"} <= set(emb.columns)
    assert emb["in_fit_subsample"].sum() == 240
    assert np.isfinite(emb[["pca_1", "pca_2", "umap_1", "umap_2"]].to_numpy()).all()
    assert adjusted_rand_score(truth, emb["cluster"]) > 0.98
    assert adjusted_rand_score(truth, emb["cluster_umap_hdbscan"]) > 0.9
    s = result.stability
    assert s["n_seeds"] == 2 and s["seeds"] == [11, 12] and s["per_method"]["kmeans"]["k"] == 3
    assert s["ari_mean"] > 0.98 and s["verdict"].startswith("stable")
    # The blob labelled "earthquake" is absent (class 2 is unlabelled), labels match clusters exactly.
    assert result.agreement["ari"] == pytest.approx(1.0)
    assert result.contingency.to_numpy().sum() == len(table)
    assert set(result.hypotheses["method"]) == {"kmeans", "umap_hdbscan"}
    assert result.hypotheses["method"].iloc[0] == "kmeans"
    json.dumps(s)  # serializable as stability.json


@pytest.mark.workflow
def test_tiny_run_exploration_outputs(tiny_run):
    results = tiny_run / "results"
    features = pd.read_parquet(results / "features" / "features.parquet")
    emb = pd.read_parquet(results / "explore" / "embedding.parquet")
    assert len(emb) == len(features)
    pd.testing.assert_frame_equal(emb[KEY_COLUMNS], features[KEY_COLUMNS].reset_index(drop=True),
                                  check_dtype=False)
    assert {"pca_1", "pca_2", "umap_1", "umap_2", "cluster"} <= set(emb.columns)
    assert np.isfinite(emb[["pca_1", "pca_2", "umap_1", "umap_2"]].to_numpy()).all()
    stability = json.loads((results / "explore" / "stability.json").read_text())
    assert stability["n_seeds"] == 3
    assert 0 <= stability["ari_min"] <= stability["ari_mean"] <= 1
    assert set(stability["per_method"]) == {"kmeans", "umap_hdbscan"}
    assert stability["imputed"]["missing_values"] == {}  # one 100 Hz station: no band above its Nyquist
    assert stability["cluster_space"]["n_columns"] >= stability["n_features"]  # zero-inflated ones split in two
    hypotheses_table = pd.read_csv(results / "explore" / "hypotheses.tsv", sep="\t")
    assert "confound" in hypotheses_table.columns
    clusters = set(emb["cluster"]) - {-1}
    primary = hypotheses_table[hypotheses_table["method"] == stability["method"]]
    assert set(primary["cluster"]) == clusters
    assert primary["statement"].str.startswith(f"{stability['method']} cluster").all()
    groups = pd.read_csv(results / "explore" / "feature_groups.tsv", sep="\t")
    feature_names = [c for c in features.columns if c not in {*KEY_COLUMNS, *WINDOW_COLUMNS}]
    assert sorted(groups["feature"]) == sorted(feature_names)
    assert (groups.groupby("group")["feature"].transform("size") == groups["group_size"]).all()
    for name in ("embedding_labels", "embedding_clusters", "stability", "label_agreement", "correlation"):
        assert (results / "explore" / f"{name}.png").stat().st_size > 10_000
