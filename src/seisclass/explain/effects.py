"""What sets each cluster apart: effect sizes per feature, and how the clusters meet the labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from seisclass.core.vocabulary import UNLABELED
from seisclass.explain.clustering import NOISE

EFFECT_COLUMNS = ["cluster", "n_windows", "feature", "effect_size", "q25", "median", "q75", "median_rest",
                  "distance_rho"]


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
    totals = z.sum(axis=0), (z**2).sum(axis=0)
    for c in np.unique(cluster[cluster != NOISE]):
        inside = cluster == c
        d, centre = cohens_d(z, inside, *totals)
        q25, med, q75, med_rest = quartiles(raw, inside)
        pick = np.flatnonzero(inside)
        if len(pick) > max_rows:
            pick = np.sort(rng.choice(pick, max_rows, replace=False))
        rho = distance_rho(z[pick], centre)
        n_in = int(inside.sum())
        for j, name in enumerate(names):
            rows.append((int(c), n_in, name, float(d[j]), float(q25[j]), float(med[j]), float(q75[j]),
                         float(med_rest[j]), float(rho[j])))
    table = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    table["rank"] = (table["effect_size"].abs().groupby(table["cluster"])
                     .rank(method="first", ascending=False).astype(int))
    return table.sort_values(["cluster", "rank"], ignore_index=True)


def cohens_d(z: np.ndarray, inside: np.ndarray, total_sum: np.ndarray,
             total_sq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's d (p,) of rows ``inside`` against the others, and the inside mean (p,).

    ``total_sum`` and ``total_sq`` are the column sums of ``z`` and ``z**2``
    (shared by every cluster); d is 0 where the pooled deviation is.
    """
    n = len(z)
    n_in, n_out = int(inside.sum()), int(n - inside.sum())
    zc = z[inside]
    s_in, q_in = zc.sum(axis=0), (zc**2).sum(axis=0)
    mean_in, mean_out = s_in / n_in, (total_sum - s_in) / max(n_out, 1)
    var_in = np.maximum(q_in / n_in - mean_in**2, 0) * n_in / max(n_in - 1, 1)
    var_out = np.maximum((total_sq - q_in) / max(n_out, 1) - mean_out**2, 0) * n_out / max(n_out - 1, 1)
    pooled = np.sqrt(((n_in - 1) * var_in + (n_out - 1) * var_out) / max(n_in + n_out - 2, 1))
    d = np.where(pooled > 0, (mean_in - mean_out) / np.where(pooled > 0, pooled, 1), 0.0)
    return d, mean_in


def quartiles(raw: np.ndarray, inside: np.ndarray) -> tuple[np.ndarray, ...]:
    """25th, 50th, 75th percentile (p,) of rows ``inside`` and the median (p,) of the others (NaN-aware)."""
    q25, med, q75 = np.nanpercentile(raw[inside], [25, 50, 75], axis=0)
    med_rest = np.nanmedian(raw[~inside], axis=0) if (~inside).any() else np.full(raw.shape[1], np.nan)
    return q25, med, q75, med_rest


def distance_rho(zc: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Spearman rho (p,) of each column of ``zc`` with the row's distance to ``centre``; 0 under 3 rows."""
    if len(zc) < 3:
        return np.zeros(zc.shape[1])
    distance = np.sqrt(((zc - centre) ** 2).sum(axis=1))
    ranks = rankdata(zc, axis=0)
    ranks -= ranks.mean(axis=0)
    rd = rankdata(distance)
    rd -= rd.mean()
    denominator = np.sqrt((ranks**2).sum(axis=0) * (rd**2).sum())
    return np.where(denominator > 0, ranks.T @ rd / np.where(denominator > 0, denominator, 1), 0.0)
