"""Exploration without labels: embeddings, clusters, their stability, and hypotheses.

All windows (labelled or not) enter one standardized feature matrix. The
costly steps are fitted on a random *fit subsample* of ``fit_subsample``
windows and then applied to every window: the scaling, PCA, UMAP (fitted on
the subsample, the rest placed with ``UMAP.transform``), k-means (fitted on
the subsample, the rest assigned to the nearest centre) and HDBSCAN (run on
the subsample's UMAP coordinates, the rest take the cluster of their nearest
subsample neighbour in that embedding). UMAP's neighbour graph and layout
cost grows faster than linearly, so fitting on ~20,000 windows and
transforming the others keeps 200,000 windows within minutes on two cores,
while 20,000 windows still resolve any group above ~0.1 % of the data.

Both clusterings are repeated over ``n_seeds`` seeds (the fit subsample stays
fixed; only the algorithms' random state changes): k-means on the
standardized features, and UMAP followed by HDBSCAN on the 2-D embedding.
Stability is the pairwise adjusted Rand index (ARI) between runs. The
consensus clustering aligns every run to the *medoid run* (the run with the
highest mean ARI to the others) by an optimal one-to-one matching of clusters
(Hungarian algorithm on the contingency table) and takes each window's
majority vote; ``agreement`` is the fraction of runs that voted for the
consensus cluster.

Missing values (band features above a station's original Nyquist frequency,
see :func:`seisclass.signal.features.mask_unmeasured_bands`) are imputed with
the feature's median over the fit subsample (logged per feature, counted in
``stability.json``). Zero-inflated features (exactly zero in most windows:
duration, rise, decay, log_asc_desc) enter the clusterings as a non-zero part
plus a down-weighted indicator (:class:`ClusterSpace`), so they cannot split
the data by themselves; effect sizes and hypotheses still use every feature
as it is.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score
from sklearn.neighbors import NearestNeighbors

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import UNLABELED

log = logging.getLogger(__name__)

METHODS = ("kmeans", "umap_hdbscan")
NOISE = -1


class ExploreError(ValueError):
    """Bad exploration input or settings; the message names the culprit."""


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

# ------------------------------------------------------------------ feature matrix


@dataclass
class Scaling:
    """Column transform fitted on the fit subsample: NaN -> median, log10 where heavy-tailed, z-score."""

    log_columns: np.ndarray
    fill: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Standardized copy of ``values`` (n x p), float64."""
        x = np.array(values, dtype=float)
        x = np.where(np.isfinite(x), x, self.fill[None, :])
        x[:, self.log_columns] = np.log10(np.maximum(x[:, self.log_columns], 1e-300))
        return (x - self.mean) / self.scale


def fit_scaling(values: np.ndarray, log_span: float) -> Scaling:
    """Fit :class:`Scaling` on ``values`` (n x p).

    A column is log10-transformed when it is positive everywhere and its 99th
    percentile exceeds ``log_span`` times its 1st (energies, amplitudes spanning
    decades); otherwise it is only z-scored. Constant columns get scale 1 (all 0).
    """
    x = np.asarray(values, float)
    x = np.where(np.isfinite(x), x, np.nan)
    fill = np.nan_to_num(np.nanmedian(x, axis=0)) if len(x) else np.zeros(x.shape[1])
    x = np.where(np.isnan(x), fill[None, :], x)
    low, high = np.percentile(x, [1, 99], axis=0)
    log_columns = (x.min(axis=0) > 0) & (high > log_span * low)
    x[:, log_columns] = np.log10(x[:, log_columns])
    mean, std = x.mean(axis=0), x.std(axis=0)
    return Scaling(log_columns, fill, mean, np.where(std > 0, std, 1.0))


@dataclass
class ClusterSpace:
    """The space the embeddings and clusterings work in (fitted on the fit subsample).

    Every feature enters standardized (:class:`Scaling`), except the
    *zero-inflated* ones: exactly zero in at least ``zero_inflated_fraction`` of
    the windows (duration, rise, decay and log_asc_desc are 0 in every window
    whose envelope never crosses the duration threshold). Standardized as they
    are, their zeros form one dense point and the rest a tail, and since they
    are zero together (all four, often on all components) that jump alone
    splits the data into "nothing above threshold" and "something". Each is
    therefore replaced by

    - its non-zero part: the non-zero values standardized among themselves
      (log10 first when positive and spanning ``log_span``), 0 (their mean)
      in windows where the feature is zero, so zeros sit in the middle of
      the non-zero values instead of far from them; and
    - an indicator "non-zero" (0/1), z-scored and multiplied by
      ``zero_indicator_weight``; identical indicators (the same windows are
      zero, e.g. Z_duration_s, Z_rise_s and Z_decay_s) are kept once.

    So "above threshold or not" is one weighted direction per distinct
    indicator instead of a jump repeated in a dozen columns.
    """

    columns: list[str]
    zero_inflated: np.ndarray  # (p,) bool
    value_log: np.ndarray  # (p,) bool: log10 of the non-zero part
    value_mean: np.ndarray  # (p,)
    value_scale: np.ndarray  # (p,)
    indicators: list[tuple[int, list[str]]]  # (source column, features it stands for)
    indicator_mean: np.ndarray
    indicator_scale: np.ndarray
    weight: float

    def apply(self, raw: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Coordinates (n x len(columns)) of windows with features ``raw`` and standardized ``z``."""
        keep = z[:, ~self.zero_inflated]
        if not self.zero_inflated.any():
            return keep
        j = np.flatnonzero(self.zero_inflated)
        x = np.nan_to_num(np.asarray(raw, float)[:, j], nan=0.0)  # a missing value counts as zero
        nonzero = x != 0
        v = np.where(self.value_log[j], np.log10(np.maximum(np.abs(x), 1e-300)), x)
        values = np.where(nonzero, (v - self.value_mean[j]) / self.value_scale[j], 0.0)
        if not self.indicators:
            return np.column_stack([keep, values])
        flags = np.column_stack([np.nan_to_num(np.asarray(raw, float)[:, i], nan=0.0) != 0
                                 for i, _ in self.indicators]).astype(float)
        flags = (flags - self.indicator_mean) / self.indicator_scale * self.weight
        return np.column_stack([keep, values, flags])

    def describe(self) -> str:
        """What was done, in words (for the log and stability.json)."""
        if not self.zero_inflated.any():
            return "no zero-inflated feature: every feature enters standardized"
        names = [c.removeprefix("nonzero:") for c in self.columns if c.startswith("nonzero:")]
        return (f"{int(self.zero_inflated.sum())} zero-inflated feature(s) replaced by their standardized non-zero "
                f"part (0 where zero) plus {len(self.indicators)} distinct non-zero indicator(s) weighted "
                f"{self.weight:g}: {', '.join(names)}")


def fit_cluster_space(raw_fit: np.ndarray, names: list[str], p: ExploreParameters) -> ClusterSpace:
    """Fit :class:`ClusterSpace` on the fit subsample's features ``raw_fit`` (n x p)."""
    x = np.nan_to_num(np.asarray(raw_fit, float), nan=0.0)
    n, n_features = x.shape
    nonzero = x != 0
    zero_fraction = 1.0 - nonzero.mean(axis=0) if n else np.zeros(n_features)
    threshold = p.zero_inflated_fraction
    inflated = np.zeros(n_features, bool) if threshold is None else (
        (zero_fraction >= threshold) & (nonzero.sum(axis=0) >= 2))
    value_log = np.zeros(n_features, bool)
    mean, scale = np.zeros(n_features), np.ones(n_features)
    for j in np.flatnonzero(inflated):  # one column at a time: a handful of columns, not windows
        v = x[nonzero[:, j], j]
        low, high = np.percentile(v, [1, 99])
        value_log[j] = bool(v.min() > 0 and high > p.log_span * low)
        v = np.log10(v) if value_log[j] else v
        mean[j], scale[j] = v.mean(), v.std() if v.std() > 0 else 1.0
    indicators: list[tuple[int, list[str]]] = []
    seen: dict[bytes, int] = {}
    for j in np.flatnonzero(inflated):
        key = np.packbits(nonzero[:, j]).tobytes()
        if key in seen:
            indicators[seen[key]][1].append(names[j])
        else:
            seen[key] = len(indicators)
            indicators.append((int(j), [names[j]]))
    share = np.array([nonzero[:, i].mean() for i, _ in indicators])
    columns = ([n_ for n_, flag in zip(names, inflated, strict=True) if not flag]
               + [f"value:{names[j]}" for j in np.flatnonzero(inflated)]
               + [f"nonzero:{'+'.join(group)}" for _, group in indicators])
    return ClusterSpace(columns, inflated, value_log, mean, scale, indicators, share,
                        np.sqrt(np.maximum(share * (1 - share), 1e-12)), p.zero_indicator_weight)


def subsample(n: int, size: int, seed: int) -> np.ndarray:
    """Sorted indices of ``min(n, size)`` distinct rows drawn with ``seed``."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


# ------------------------------------------------------------------ embeddings


def pca_embedding(z: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2-D PCA of ``z`` fitted on rows ``fit``: (coordinates (n x 2), explained variance ratio (2,))."""
    pca = PCA(n_components=2, svd_solver="full").fit(z[fit])
    return pca.transform(z), pca.explained_variance_ratio_


def fit_umap(z_fit: np.ndarray, seed: int, p: ExploreParameters):
    """UMAP (2-D) fitted on ``z_fit`` with ``seed``; single-threaded, hence reproducible."""
    import umap  # imported here: numba compilation makes the import slow

    model = umap.UMAP(
        n_components=2, n_neighbors=min(p.umap_n_neighbors, len(z_fit) - 1), min_dist=p.umap_min_dist,
        random_state=seed, n_jobs=1, transform_seed=seed,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
        model.fit(z_fit)
    return model


def umap_all(model, z: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Coordinates of every row: the fitted layout for ``fit`` rows, ``transform`` for the rest."""
    out = np.empty((len(z), 2))
    out[fit] = model.embedding_
    rest = np.setdiff1d(np.arange(len(z)), fit)
    if len(rest):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
            out[rest] = model.transform(z[rest])
    return out


# ------------------------------------------------------------------ clustering


def choose_k(z_fit: np.ndarray, k_range: tuple[int, int], n_init: int, sample: int, seed: int) -> tuple[int, pd.Series]:
    """k with the largest silhouette (on ``sample`` rows) over ``k_range``; returns (k, silhouette per k)."""
    k_max = min(k_range[1], len(z_fit) - 1)
    if k_max < k_range[0]:
        raise ExploreError(f"explore.k_range: {list(k_range)} needs more than {len(z_fit)} windows")
    scores = {}
    for k in range(k_range[0], k_max + 1):
        labels = KMeans(k, n_init=n_init, random_state=seed).fit_predict(z_fit)
        scores[k] = float(silhouette_score(z_fit, labels, sample_size=min(sample, len(z_fit)), random_state=seed))
    series = pd.Series(scores, name="silhouette").rename_axis("k")
    return int(series.idxmax()), series


def kmeans_run(z: np.ndarray, fit: np.ndarray, k: int, n_init: int, seed: int) -> np.ndarray:
    """k-means fitted on rows ``fit`` with ``seed``; every row assigned to its nearest centre."""
    return KMeans(k, n_init=n_init, random_state=seed).fit(z[fit]).predict(z)


def hdbscan_labels(coords: np.ndarray, p: ExploreParameters) -> np.ndarray:
    """HDBSCAN (scikit-learn) clusters of 2-D coordinates; ``NOISE`` (-1) for unclustered rows."""
    size = max(5, int(round(p.hdbscan_min_cluster_fraction * len(coords))))
    return HDBSCAN(min_cluster_size=size, min_samples=p.hdbscan_min_samples, copy=True).fit_predict(coords)


def nearest_index(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of the nearest ``reference`` row of each ``query`` row (Euclidean, k-d tree)."""
    return NearestNeighbors(n_neighbors=1).fit(reference).kneighbors(query, return_distance=False)[:, 0]


def pairwise_ari(runs: np.ndarray) -> np.ndarray:
    """Adjusted Rand index between every pair of runs (rows of ``runs``); 1 on the diagonal."""
    m = len(runs)
    ari = np.eye(m)
    for i in range(m):
        for j in range(i + 1, m):
            ari[i, j] = ari[j, i] = adjusted_rand_score(runs[i], runs[j])
    return ari


def summarize_ari(ari: np.ndarray) -> dict:
    """Mean and minimum of the off-diagonal ARIs."""
    off = ari[~np.eye(len(ari), dtype=bool)]
    return {"ari_mean": float(off.mean()), "ari_min": float(off.min())}


def align(labels: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Rename the clusters of ``labels`` to the ``reference`` clusters they overlap most (one-to-one).

    Hungarian matching on the contingency table; noise stays noise and
    clusters left without a partner become noise (they vote for nothing).
    """
    own = np.unique(labels[labels != NOISE])
    ref = np.unique(reference[reference != NOISE])
    out = np.full_like(labels, NOISE)
    if len(own) == 0 or len(ref) == 0:
        return out
    both = (labels != NOISE) & (reference != NOISE)
    table = np.zeros((len(own), len(ref)))
    np.add.at(table, (np.searchsorted(own, labels[both]), np.searchsorted(ref, reference[both])), 1)
    rows, cols = linear_sum_assignment(-table)
    mapping = dict(zip(own[rows], ref[cols], strict=True))
    lookup = np.array([mapping.get(v, NOISE) for v in own])
    hit = labels != NOISE
    out[hit] = lookup[np.searchsorted(own, labels[hit])]
    return out


def consensus(runs: np.ndarray, ari: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Majority vote of runs aligned to the medoid run.

    Returns ``(labels, agreement, medoid)``: ``agreement`` is the fraction of
    runs whose aligned cluster equals the consensus (0-1]. Ties go to the
    medoid's own cluster.
    """
    medoid = int(np.argmax(ari.sum(axis=1)))
    reference = runs[medoid]
    aligned = np.stack([align(r, reference) for r in runs])
    values = np.unique(aligned)
    counts = np.stack([(aligned == v).sum(axis=0) for v in values]).astype(float)
    counts += 0.5 * (values[:, None] == reference[None, :])
    winner = values[np.argmax(counts, axis=0)]
    agreement = (aligned == winner[None, :]).mean(axis=0)
    return winner, agreement, medoid


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0, 1, ... from the largest to the smallest; noise stays -1."""
    out = np.full_like(labels, NOISE)
    values, counts = np.unique(labels[labels != NOISE], return_counts=True)
    for new, old in enumerate(values[np.argsort(-counts, kind="stable")]):
        out[labels == old] = new
    return out


def stability_verdict(ari_mean: float, ari_min: float) -> str:
    """Plain words for an ARI summary (thresholds: 0.9 and 0.75 on the mean, min above 0.8 / 0.5)."""
    if ari_mean >= 0.9 and ari_min >= 0.8:
        return "stable: runs with different seeds find the same clusters"
    if ari_mean >= 0.75 and ari_min >= 0.5:
        return "moderately stable: the main clusters recur, their borders move between seeds"
    return "unstable: the clusters depend on the seed; treat them as one possible partition, not as structure"


# ------------------------------------------------------------------ labels and hypotheses


def label_agreement(cluster: np.ndarray, labels: np.ndarray, classes: list[str]) -> tuple[dict, pd.DataFrame]:
    """ARI and NMI between clusters and labels (labelled windows only) and the contingency table.

    The table has one row per cluster and one column per class plus
    ``unlabeled`` (window counts).
    """
    labels = np.asarray(labels, dtype=object)
    labelled = labels != UNLABELED
    scores = {"n_labelled": int(labelled.sum()), "ari": None, "nmi": None}
    if labelled.sum() >= 2:
        scores["ari"] = float(adjusted_rand_score(labels[labelled], cluster[labelled]))
        scores["nmi"] = float(normalized_mutual_info_score(labels[labelled], cluster[labelled]))
    columns = [*classes, UNLABELED]
    table = pd.crosstab(pd.Series(cluster, name="cluster"), pd.Categorical(labels, columns), dropna=False)
    table = table.reindex(columns=columns, fill_value=0)
    table.columns = columns
    return scores, table


def cluster_effects(z: np.ndarray, raw: np.ndarray, cluster: np.ndarray, names: list[str],
                    max_rows: int = 20000, seed: int = 0) -> pd.DataFrame:
    """Per cluster and feature: effect size against the rest and correlation with distance to centre.

    ``effect_size`` is Cohen's d of the standardized (log10 where applied)
    feature, cluster against all other windows (noise included);
    ``median``/``q25``/``q75`` are in the feature's own unit for the cluster,
    ``median_rest`` for the other windows; ``distance_rho`` is Spearman's rho
    between the feature and the Euclidean distance (standardized space) to the
    cluster's mean, over at most ``max_rows`` of the cluster's windows.
    """
    rng = np.random.default_rng(seed)
    rows = []
    total_sum, total_sq, n = z.sum(axis=0), (z**2).sum(axis=0), len(z)
    for c in np.unique(cluster[cluster != NOISE]):
        inside = cluster == c
        n_in, n_out = int(inside.sum()), int(n - inside.sum())
        zc = z[inside]
        s_in, q_in = zc.sum(axis=0), (zc**2).sum(axis=0)
        mean_in, mean_out = s_in / n_in, (total_sum - s_in) / max(n_out, 1)
        var_in = np.maximum(q_in / n_in - mean_in**2, 0) * n_in / max(n_in - 1, 1)
        var_out = np.maximum((total_sq - q_in) / max(n_out, 1) - mean_out**2, 0) * n_out / max(n_out - 1, 1)
        pooled = np.sqrt(((n_in - 1) * var_in + (n_out - 1) * var_out) / max(n_in + n_out - 2, 1))
        d = np.where(pooled > 0, (mean_in - mean_out) / np.where(pooled > 0, pooled, 1), 0.0)
        q25, med, q75 = np.nanpercentile(raw[inside], [25, 50, 75], axis=0)
        med_rest = np.nanmedian(raw[~inside], axis=0) if n_out else np.full(len(names), np.nan)
        pick = np.flatnonzero(inside)
        if len(pick) > max_rows:
            pick = np.sort(rng.choice(pick, max_rows, replace=False))
        rho = _distance_rho(z[pick], mean_in)
        for j, name in enumerate(names):
            rows.append((int(c), n_in, name, float(d[j]), float(q25[j]), float(med[j]), float(q75[j]),
                         float(med_rest[j]), float(rho[j])))
    table = pd.DataFrame(rows, columns=["cluster", "n_windows", "feature", "effect_size", "q25", "median",
                                        "q75", "median_rest", "distance_rho"])
    table["rank"] = (table["effect_size"].abs().groupby(table["cluster"])
                     .rank(method="first", ascending=False).astype(int))
    return table.sort_values(["cluster", "rank"], ignore_index=True)


def _distance_rho(zc: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Spearman rho of each column of ``zc`` with the row's distance to ``centre``."""
    if len(zc) < 3:
        return np.zeros(zc.shape[1])
    distance = np.sqrt(((zc - centre) ** 2).sum(axis=1))
    ranks = rankdata(zc, axis=0)
    ranks -= ranks.mean(axis=0)
    rd = rankdata(distance)
    rd -= rd.mean()
    denominator = np.sqrt((ranks**2).sum(axis=0) * (rd**2).sum())
    return np.where(denominator > 0, ranks.T @ rd / np.where(denominator > 0, denominator, 1), 0.0)


def hypotheses(effects: pd.DataFrame, groups: pd.DataFrame, units: dict[str, str], composition: pd.DataFrame,
               n_features: int, min_effect: float, method: str = "") -> pd.DataFrame:
    """One readable statement per cluster from its largest effect sizes.

    Features are taken in order of ``|effect_size|``, at most one per
    correlated group (``groups``: feature -> group), keeping those with
    ``|d| >= min_effect``. ``warning`` names the correlated group a chosen
    feature stands for. ``composition`` is the clusters x labels count table;
    ``method`` prefixes each statement (``"kmeans cluster 2 ..."``).
    """
    group_of = dict(zip(groups["feature"], groups["group"], strict=True))
    members = groups.groupby("group")["feature"].apply(list).to_dict()
    rows = []
    for c, table in effects.groupby("cluster", sort=True):
        n_windows = int(table["n_windows"].iloc[0])
        chosen, seen = [], set()
        for row in table.sort_values("rank").itertuples():
            if abs(row.effect_size) < min_effect or len(chosen) == n_features:
                break
            g = group_of.get(row.feature, row.feature)
            if g not in seen:
                seen.add(g)
                chosen.append(row)
        labels = _composition_text(composition.loc[c]) if c in composition.index else ""
        head = f"{method + ' ' if method else ''}cluster {c} ({n_windows} windows{'; ' + labels if labels else ''})"
        if chosen:
            parts = [_feature_text(r, units.get(r.feature, "")) for r in chosen]
            statement = f"{head}: " + "; ".join(parts)
        else:
            statement = f"{head}: no feature differs from the rest by |d| >= {min_effect:g}; not a distinct group"
        spread = table.loc[table["distance_rho"].abs().idxmax()]
        if abs(spread["distance_rho"]) >= 0.3:
            statement += (f". Within the cluster, windows far from its centre have "
                          f"{'higher' if spread['distance_rho'] > 0 else 'lower'} {spread['feature']} "
                          f"(rho={spread['distance_rho']:+.2f})")
        warning = " ".join(_group_warning(r.feature, group_of, members) for r in chosen).strip()
        rows.append({
            "cluster": int(c), "n_windows": n_windows,
            "features": ";".join(r.feature for r in chosen),
            "effect_sizes": ";".join(f"{r.effect_size:+.2f}" for r in chosen),
            "distance_feature": spread["feature"], "distance_rho": round(float(spread["distance_rho"]), 3),
            "statement": statement, "warning": warning,
        })
    return pd.DataFrame(rows, columns=["cluster", "n_windows", "features", "effect_sizes", "distance_feature",
                                       "distance_rho", "statement", "warning"])


def _feature_text(row, unit: str) -> str:
    unit = "" if unit in ("", "1") else f" {unit}"
    direction = "high" if row.effect_size > 0 else "low"
    return (f"{direction} {row.feature} (median {row.median:.3g}{unit}, IQR {row.q25:.3g}-{row.q75:.3g}; "
            f"rest {row.median_rest:.3g}{unit}; d={row.effect_size:+.2f})")


def _composition_text(counts: pd.Series, top: int = 3) -> str:
    total = counts.sum()
    if total == 0:
        return ""
    shares = (counts / total).sort_values(ascending=False)
    return ", ".join(f"{name} {share:.0%}" for name, share in shares.head(top).items() if share > 0)


def _group_warning(feature: str, group_of: dict, members: dict) -> str:
    group = group_of.get(feature)
    others = [f for f in members.get(group, []) if f != feature]
    if not others:
        return ""
    listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return (f"{feature} is one of {len(others) + 1} strongly correlated features (group {group}: also {listed}); "
            f"the data cannot tell which of them matters.")


# ------------------------------------------------------------------ orchestration


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


def explore(table: pd.DataFrame, names: list[str], key_columns: list[str], classes: list[str],
            groups: pd.DataFrame, units: dict[str, str], p: ExploreParameters, seed: int) -> Exploration:
    """Embed, cluster (with stability over seeds ``seed, seed+1, ...``) and explain ``table``'s windows."""
    _check_table(table, names, key_columns, p)
    timer = _Timer()
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
    space = fit_cluster_space(raw[fit], names, p)
    log.info("cluster space: %s", space.describe())
    x = space.apply(raw, z)  # embeddings and clusterings; effect sizes stay on z (one column per feature)
    pca, variance = pca_embedding(x, fit)
    timer.lap("scaling + PCA")
    seeds = [seed + i for i in range(p.n_seeds)]

    silhouette = None
    k = p.kmeans_k
    if k is None:
        k, silhouette = choose_k(x[fit], p.k_range, p.kmeans_n_init, p.silhouette_sample, seed)
        log.info("silhouette per k: %s -> k=%d", silhouette.round(3).to_dict(), k)
    if k >= len(fit):
        raise ExploreError(f"explore.kmeans_k: k={k} needs more than {len(fit)} windows")
    kmeans_runs = np.stack([kmeans_run(x, fit, k, p.kmeans_n_init, s) for s in seeds])
    timer.lap(f"k-means x{p.n_seeds}")

    models = [fit_umap(x[fit], s, p) for s in seeds]
    hdbscan_runs = np.stack([hdbscan_labels(m.embedding_, p) for m in models])
    timer.lap(f"UMAP + HDBSCAN x{p.n_seeds} on {len(fit)} windows")

    ari = {"kmeans": pairwise_ari(kmeans_runs[:, fit]), "umap_hdbscan": pairwise_ari(hdbscan_runs)}
    km_labels, km_agree, km_medoid = consensus(kmeans_runs, ari["kmeans"])
    hd_fit, hd_fit_agree, hd_medoid = consensus(hdbscan_runs, ari["umap_hdbscan"])
    umap_xy = umap_all(models[hd_medoid], x, fit)
    timer.lap(f"UMAP transform of {len(z) - len(fit)} windows")
    nearest = fit[nearest_index(umap_xy[fit], umap_xy)]
    position = np.searchsorted(fit, nearest)
    hd_labels, hd_agree = hd_fit[position], hd_fit_agree[position]
    km_labels, hd_labels = relabel_by_size(km_labels), relabel_by_size(hd_labels)

    primary = {"kmeans": (km_labels, km_agree), "umap_hdbscan": (hd_labels, hd_agree)}[p.method]
    embedding = table[key_columns].reset_index(drop=True).copy()
    embedding["label"] = table["label"].astype(str).to_numpy() if "label" in table else UNLABELED
    embedding["pca_1"], embedding["pca_2"] = pca[:, 0], pca[:, 1]
    embedding["umap_1"], embedding["umap_2"] = umap_xy[:, 0], umap_xy[:, 1]
    embedding["cluster"], embedding["agreement"] = primary[0], primary[1]
    embedding["cluster_kmeans"], embedding["cluster_umap_hdbscan"] = km_labels, hd_labels
    embedding["in_fit_subsample"] = np.isin(np.arange(len(z)), fit)

    labels = embedding["label"].to_numpy(dtype=object)
    agreement, contingency = label_agreement(primary[0], labels, classes)
    agreement = {"method": p.method, **agreement, "per_method": {
        "kmeans": label_agreement(km_labels, labels, classes)[0],
        "umap_hdbscan": label_agreement(hd_labels, labels, classes)[0],
    }}
    # Hypotheses for both clusterings, the configured method first.
    effects, statements = [], []
    for method in sorted(METHODS, key=lambda m: m != p.method):
        cluster = embedding[f"cluster_{method}"].to_numpy()
        table_m = cluster_effects(z, raw, cluster, names, seed=seed)
        counts = label_agreement(cluster, labels, classes)[1]
        stated = hypotheses(table_m, groups, units, counts, p.hypothesis_features, p.min_effect_size, method)
        effects.append(table_m.assign(method=method))
        statements.append(stated.assign(method=method))
    effects = pd.concat(effects, ignore_index=True)
    statements = pd.concat(statements, ignore_index=True)
    statements = statements[["method", *[c for c in statements.columns if c != "method"]]]
    timer.lap("label agreement + hypotheses")

    per_method = {
        "kmeans": {
            **summarize_ari(ari["kmeans"]), "k": int(k), "n_init": p.kmeans_n_init,
            "space": "standardized features (zero-inflated ones split, see cluster_space)",
            "n_clusters": int(len(np.unique(km_labels[km_labels != NOISE]))),
            "n_clusters_per_run": [int(len(np.unique(r))) for r in kmeans_runs],
            "medoid_seed": seeds[km_medoid], "consensus_agreement_mean": float(km_agree.mean()),
            "pairwise_ari": ari["kmeans"].round(4).tolist(),
        },
        "umap_hdbscan": {
            **summarize_ari(ari["umap_hdbscan"]), "space": "2-D UMAP of the fit subsample",
            "n_clusters": int(len(np.unique(hd_labels[hd_labels != NOISE]))),
            "n_clusters_per_run": [int(len(np.unique(r[r != NOISE]))) for r in hdbscan_runs],
            "noise_fraction_per_run": [float((r == NOISE).mean()) for r in hdbscan_runs],
            "medoid_seed": seeds[hd_medoid], "consensus_agreement_mean": float(hd_agree.mean()),
            "pairwise_ari": ari["umap_hdbscan"].round(4).tolist(),
        },
    }
    for detail in per_method.values():
        detail["verdict"] = stability_verdict(detail["ari_mean"], detail["ari_min"])
    stability = {
        "method": p.method, "n_seeds": p.n_seeds, "seeds": seeds,
        "ari_mean": per_method[p.method]["ari_mean"], "ari_min": per_method[p.method]["ari_min"],
        "verdict": per_method[p.method]["verdict"],
        "n_windows": int(len(z)), "n_fit": int(len(fit)), "n_features": len(names),
        "log10_features": [n for n, flag in zip(names, scaling.log_columns, strict=True) if flag],
        "imputed": {"method": "median of the fit subsample, per feature", "missing_values": missing},
        "cluster_space": {"description": space.describe(), "n_columns": len(space.columns),
                          "zero_inflated_fraction": p.zero_inflated_fraction,
                          "indicator_weight": space.weight,
                          "zero_inflated_features": [n for n, f in zip(names, space.zero_inflated, strict=True) if f],
                          "indicators": [group for _, group in space.indicators]},
        "pca_explained_variance": [float(v) for v in variance],
        "ari_computed_on": "fit subsample windows",
        "silhouette": None if silhouette is None else {str(kk): v for kk, v in silhouette.items()},
        "per_method": per_method,
    }
    log.info("run time per step (s): %s", timer.laps)  # logged, not stored: result files are reproducible
    log.info("stability (%s): ARI mean %.3f, min %.3f", p.method, stability["ari_mean"], stability["ari_min"])
    return Exploration(embedding, stability, agreement, contingency, effects, statements, silhouette, ari)


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
    """Wall-clock laps (s) for the log and stability.json."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now
        log.info("%s: %.1f s", name, self.laps[name])
