"""Exploration without labels: embeddings, clusters, their stability, and hypotheses.

All windows (labelled or not) enter one standardized feature matrix. The
costly steps are fitted on a random *fit subsample* of ``fit_subsample``
windows and then applied to every window: the scaling and cluster space
(:mod:`.scaling`), PCA and UMAP (:mod:`.embedding`; UMAP fitted on the
subsample, the rest placed with ``UMAP.transform``), k-means (fitted on the
subsample, the rest assigned to the nearest centre) and HDBSCAN (run on the
subsample's UMAP coordinates, the rest take the cluster of their nearest
subsample neighbour in that embedding; :mod:`.clustering`). UMAP's neighbour
graph and layout cost grows faster than linearly, so fitting on ~20,000
windows and transforming the others keeps 200,000 windows within minutes on
two cores, while 20,000 windows still resolve any group above ~0.1 % of the data.

Both clusterings are repeated over ``n_seeds`` seeds (the fit subsample stays
fixed; only the algorithms' random state changes): k-means on the cluster
space, and UMAP followed by HDBSCAN on the 2-D embedding. Stability is the
pairwise adjusted Rand index between runs, and the consensus the majority vote
of the runs aligned to the medoid run (:mod:`.consensus`).

Missing values (band features above a station's original Nyquist frequency,
see :func:`seisclass.signal.features.mask_unmeasured_bands`) are imputed with
the feature's median over the fit subsample (logged per feature, counted in
``stability.json``). Zero-inflated features (exactly zero in most windows:
duration, rise, decay, log_asc_desc) enter the clusterings as a non-zero part
plus a down-weighted indicator (:class:`~.scaling.ClusterSpace`), so they
cannot split the data by themselves; effect sizes and hypotheses
(:mod:`.effects`, :mod:`.hypotheses`) still use every feature as it is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import UNLABELED
from seisclass.explain.clustering import (
    METHODS,
    NOISE,
    choose_k,
    hdbscan_labels,
    kmeans_run,
    propagate,
)
from seisclass.explain.consensus import RepeatedClustering, consensus, pairwise_ari, relabel_by_size
from seisclass.explain.effects import cluster_effects, label_agreement
from seisclass.explain.embedding import fit_umap, pca_embedding, umap_all
from seisclass.explain.errors import ExploreError
from seisclass.explain.hypotheses import hypotheses
from seisclass.explain.scaling import ClusterSpace, Scaling, fit_cluster_space, fit_scaling

log = logging.getLogger(__name__)

__all__ = ["METHODS", "ExploreError", "ExploreParameters", "Exploration", "explore"]


@config_section("explore")
class ExploreParameters(ConfigSection):
    """Config section ``explore`` (see config/README.md for every key)."""

    error = ExploreError

    fit_subsample: int
    n_seeds: int
    method: str
    kmeans_k: int | None
    k_range: tuple[int, int]
    kmeans_n_init: int
    silhouette_sample: int
    hdbscan_min_cluster_fraction: float
    hdbscan_min_samples: int | None
    umap_n_neighbors: int
    umap_min_dist: float
    log_span: float
    correlation_threshold: float
    correlation_sample: int
    hypothesis_features: int
    min_effect_size: float
    zero_inflated_fraction: float | None
    zero_indicator_weight: float
    confound_share: float
    confound_association: float
    confound_drivers: int

    def _check(self) -> None:
        if self.k_range[0] > self.k_range[1]:
            raise self.error(f"explore.k_range: need [k_min, k_max] with k_min <= k_max, got {list(self.k_range)}")


@dataclass
class Exploration:
    """Everything :func:`explore` computes (tables ready to write)."""

    embedding: pd.DataFrame
    stability: dict
    agreement: dict
    contingency: pd.DataFrame
    effects: pd.DataFrame
    hypotheses: pd.DataFrame
    silhouette: pd.Series | None
    ari: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Features:
    """The windows' features in the three spaces: ``raw`` (n x p), standardized ``z`` (n x p), cluster space ``x``."""

    raw: np.ndarray
    fit: np.ndarray  # sorted row indices of the fit subsample
    scaling: Scaling
    z: np.ndarray
    space: ClusterSpace
    x: np.ndarray
    missing: dict[str, int]  # feature -> missing values imputed


def explore(table: pd.DataFrame, names: list[str], key_columns: list[str], classes: list[str],
            groups: pd.DataFrame, units: dict[str, str], p: ExploreParameters, seed: int) -> Exploration:
    """Embed, cluster (with stability over seeds ``seed, seed+1, ...``) and explain ``table``'s windows."""
    _check_table(table, names, key_columns, p)
    timer = _Timer()
    f = prepare_features(table, names, p, seed)
    pca, variance = pca_embedding(f.x, f.fit)
    timer.lap("scaling + PCA")
    seeds = [seed + i for i in range(p.n_seeds)]
    k, silhouette = number_of_clusters(f, p, seed)
    kmeans = kmeans_clustering(f, k, p, seeds)
    timer.lap(f"k-means x{p.n_seeds}")
    hdbscan, umap_xy = umap_hdbscan_clustering(f, p, seeds, timer)
    clusterings = {"kmeans": kmeans, "umap_hdbscan": hdbscan}

    embedding = embedding_table(table, key_columns, f, pca, umap_xy, clusterings, p.method)
    labels = embedding["label"].to_numpy(dtype=object)
    agreement, contingency = label_agreement(embedding["cluster"].to_numpy(), labels, classes)
    agreement = {"method": p.method, **agreement, "per_method": {
        m: label_agreement(c.labels, labels, classes)[0] for m, c in clusterings.items()}}
    effects, statements = explain_clusters(f, clusterings, labels, names, classes, groups, units, p, seed)
    timer.lap("label agreement + hypotheses")

    stability = stability_report(f, names, clusterings, k, silhouette, variance, seeds, p)
    log.info("run time per step (s): %s", timer.laps)  # logged, not stored: result files are reproducible
    log.info("stability (%s): ARI mean %.3f, min %.3f", p.method, stability["ari_mean"], stability["ari_min"])
    return Exploration(embedding, stability, agreement, contingency, effects, statements, silhouette,
                       {m: c.ari for m, c in clusterings.items()})


def subsample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``min(n, size)`` distinct rows drawn with ``seed``."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def prepare_features(table: pd.DataFrame, names: list[str], p: ExploreParameters, seed: int) -> Features:
    """Draw the fit subsample, fit the scaling and cluster space on it and apply both to every window."""
    raw = table[names].to_numpy(dtype=float)
    fit = subsample(len(table), p.fit_subsample, seed)
    scaling = fit_scaling(raw[fit], p.log_span)
    z = scaling.apply(raw)
    log.info("%d windows, %d features (%d log10-transformed), fit subsample %d",
             len(z), len(names), int(scaling.log_columns.sum()), len(fit))
    missing = {n: int(c) for n, c in zip(names, np.isnan(raw).sum(axis=0), strict=True) if c}
    for name, count in missing.items():  # e.g. bands above a station's original Nyquist frequency
        log.info("%s: %d missing value(s) imputed with the fit subsample's median %.4g", name, count,
                 scaling.fill[names.index(name)])
    space = fit_cluster_space(raw[fit], names, p.zero_inflated_fraction, p.log_span, p.zero_indicator_weight)
    log.info("cluster space: %s", space.describe())
    x = space.apply(raw, z)  # embeddings and clusterings; effect sizes stay on z (one column per feature)
    return Features(raw, fit, scaling, z, space, x, missing)


def number_of_clusters(f: Features, p: ExploreParameters, seed: int) -> tuple[int, pd.Series | None]:
    """k of the k-means: ``kmeans_k``, or the best silhouette over ``k_range`` (then also the silhouettes)."""
    silhouette = None
    k = p.kmeans_k
    if k is None:
        k, silhouette = choose_k(f.x[f.fit], p.k_range, p.kmeans_n_init, p.silhouette_sample, seed)
        log.info("silhouette per k: %s -> k=%d", silhouette.round(3).to_dict(), k)
    if k >= len(f.fit):
        raise ExploreError(f"explore.kmeans_k: k={k} needs more than {len(f.fit)} windows")
    return k, silhouette


def kmeans_clustering(f: Features, k: int, p: ExploreParameters, seeds: list[int]) -> RepeatedClustering:
    """k-means over ``seeds`` in the cluster space; ARI on the fit subsample, consensus over all windows."""
    runs = np.stack([kmeans_run(f.x, f.fit, k, p.kmeans_n_init, s) for s in seeds])
    ari = pairwise_ari(runs[:, f.fit])
    labels, agreement, medoid = consensus(runs, ari)
    return RepeatedClustering(runs, ari, medoid, relabel_by_size(labels), agreement)


def umap_hdbscan_clustering(f: Features, p: ExploreParameters, seeds: list[int],
                            timer: _Timer) -> tuple[RepeatedClustering, np.ndarray]:
    """UMAP + HDBSCAN over ``seeds`` on the fit subsample, extended to every window through the medoid's UMAP.

    Returns the clustering and the UMAP coordinates (n x 2) of the medoid run.
    """
    models = [fit_umap(f.x[f.fit], s, p.umap_n_neighbors, p.umap_min_dist) for s in seeds]
    runs = np.stack([hdbscan_labels(m.embedding_, p.hdbscan_min_cluster_fraction, p.hdbscan_min_samples)
                     for m in models])
    timer.lap(f"UMAP + HDBSCAN x{p.n_seeds} on {len(f.fit)} windows")
    ari = pairwise_ari(runs)
    fit_labels, fit_agreement, medoid = consensus(runs, ari)
    umap_xy = umap_all(models[medoid], f.x, f.fit)
    timer.lap(f"UMAP transform of {len(f.x) - len(f.fit)} windows")
    labels, agreement = propagate(umap_xy, f.fit, fit_labels, fit_agreement)
    return RepeatedClustering(runs, ari, medoid, relabel_by_size(labels), agreement), umap_xy


def embedding_table(table: pd.DataFrame, key_columns: list[str], f: Features, pca: np.ndarray,
                    umap_xy: np.ndarray, clusterings: dict[str, RepeatedClustering], method: str) -> pd.DataFrame:
    """One row per window: keys, label, PCA and UMAP coordinates, consensus clusters of both methods."""
    primary = clusterings[method]
    embedding = table[key_columns].reset_index(drop=True).copy()
    embedding["label"] = table["label"].astype(str).to_numpy() if "label" in table else UNLABELED
    embedding["pca_1"], embedding["pca_2"] = pca[:, 0], pca[:, 1]
    embedding["umap_1"], embedding["umap_2"] = umap_xy[:, 0], umap_xy[:, 1]
    embedding["cluster"], embedding["agreement"] = primary.labels, primary.agreement
    embedding["cluster_kmeans"] = clusterings["kmeans"].labels
    embedding["cluster_umap_hdbscan"] = clusterings["umap_hdbscan"].labels
    embedding["in_fit_subsample"] = np.isin(np.arange(len(f.z)), f.fit)
    return embedding


def explain_clusters(f: Features, clusterings: dict[str, RepeatedClustering], labels: np.ndarray, names: list[str],
                     classes: list[str], groups: pd.DataFrame, units: dict[str, str], p: ExploreParameters,
                     seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Effect sizes and hypotheses of both clusterings (column ``method``), the configured method first."""
    effects, statements = [], []
    for method in sorted(METHODS, key=lambda m: m != p.method):
        cluster = clusterings[method].labels
        table = cluster_effects(f.z, f.raw, cluster, names, seed=seed)
        counts = label_agreement(cluster, labels, classes)[1]
        stated = hypotheses(table, groups, units, counts, p.hypothesis_features, p.min_effect_size, method)
        effects.append(table.assign(method=method))
        statements.append(stated.assign(method=method))
    effects = pd.concat(effects, ignore_index=True)
    statements = pd.concat(statements, ignore_index=True)
    return effects, statements[["method", *[c for c in statements.columns if c != "method"]]]


def stability_report(f: Features, names: list[str], clusterings: dict[str, RepeatedClustering], k: int,
                     silhouette: pd.Series | None, variance: np.ndarray, seeds: list[int],
                     p: ExploreParameters) -> dict:
    """``stability.json``: ARI summaries and verdicts per method, the configured one at the top, and the inputs."""
    kmeans, hdbscan = clusterings["kmeans"], clusterings["umap_hdbscan"]
    per_method = {
        "kmeans": {**kmeans.summary(seeds), "k": int(k), "n_init": p.kmeans_n_init,
                   "space": "standardized features (zero-inflated ones split, see cluster_space)"},
        "umap_hdbscan": {**hdbscan.summary(seeds), "space": "2-D UMAP of the fit subsample",
                         "noise_fraction_per_run": [float((r == NOISE).mean()) for r in hdbscan.runs]},
    }
    primary = per_method[p.method]
    space = f.space
    return {
        "method": p.method, "n_seeds": p.n_seeds, "seeds": seeds,
        "ari_mean": primary["ari_mean"], "ari_min": primary["ari_min"], "verdict": primary["verdict"],
        "n_windows": int(len(f.z)), "n_fit": int(len(f.fit)), "n_features": len(names),
        "log10_features": [n for n, flag in zip(names, f.scaling.log_columns, strict=True) if flag],
        "imputed": {"method": "median of the fit subsample, per feature", "missing_values": f.missing},
        "cluster_space": {"description": space.describe(), "n_columns": len(space.columns),
                          "zero_inflated_fraction": p.zero_inflated_fraction,
                          "indicator_weight": space.weight,
                          "zero_inflated_features": [n for n, z in zip(names, space.zero_inflated, strict=True) if z],
                          "indicators": [group for _, group in space.indicators]},
        "pca_explained_variance": [float(v) for v in variance],
        "ari_computed_on": "fit subsample windows",
        "silhouette": None if silhouette is None else {str(kk): v for kk, v in silhouette.items()},
        "per_method": per_method,
    }


def _check_table(table: pd.DataFrame, names: list[str], key_columns: list[str], p: ExploreParameters) -> None:
    missing = [c for c in [*key_columns, *names] if c not in table.columns]
    if missing:
        raise ExploreError(f"feature table: missing column(s) {missing[:10]}")
    if not names:
        raise ExploreError("feature table: no feature columns")
    need = max(p.k_range[0] if p.kmeans_k is None else p.kmeans_k, p.umap_n_neighbors, 10) + 1
    if len(table) < need:
        raise ExploreError(f"feature table: {len(table)} windows, exploration needs at least {need}")
    empty = [n for n in names if not np.isfinite(table[n].to_numpy(dtype=float)).any()]
    if empty:
        raise ExploreError(f"feature table: feature(s) without any finite value: {empty[:10]}")


class _Timer:
    """Wall-clock laps (s) for the log."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now
        log.info("%s: %.1f s", name, self.laps[name])
