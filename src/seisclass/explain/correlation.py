"""Feature correlation: Spearman matrix, clustered order and groups of correlated features.

Strongly correlated features carry the same information: a model (or a
hypothesis) that leans on one of them could as well lean on any other.
:func:`correlated_groups` cuts a complete-linkage tree of ``1 - |rho|`` so
that every pair of features inside a group has ``|rho| >= threshold``; the
groups are written to ``feature_groups.tsv`` for the explanations (SHAP),
which should read importance per group rather than per member.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage, optimal_leaf_ordering
from scipy.spatial.distance import squareform
from scipy.stats import rankdata


def spearman_matrix(values: np.ndarray, max_rows: int | None = None, seed: int = 0) -> np.ndarray:
    """Spearman rank correlation (p x p) of the columns of ``values`` (n x p).

    Computed on at most ``max_rows`` randomly chosen rows. NaNs are ranked as
    the column median; a constant column gets correlation 0 with every other
    column and 1 with itself.
    """
    values = np.asarray(values, float)
    if values.ndim != 2 or values.shape[0] < 3:
        raise ValueError(f"spearman_matrix: need a 2-D array with at least 3 rows, got shape {values.shape}")
    if max_rows is not None and values.shape[0] > max_rows:
        rows = np.random.default_rng(seed).choice(values.shape[0], max_rows, replace=False)
        values = values[np.sort(rows)]
    medians = np.nanmedian(values, axis=0)
    values = np.where(np.isnan(values), np.nan_to_num(medians)[None, :], values)
    ranks = rankdata(values, axis=0)
    ranks -= ranks.mean(axis=0)
    scale = np.sqrt((ranks**2).sum(axis=0))
    constant = scale == 0
    ranks /= np.where(constant, 1.0, scale)
    rho = np.clip(ranks.T @ ranks, -1.0, 1.0)
    rho[constant, :] = 0.0
    rho[:, constant] = 0.0
    np.fill_diagonal(rho, 1.0)
    return rho


def _distance(rho: np.ndarray) -> np.ndarray:
    """Condensed distance ``1 - |rho|`` for scipy's hierarchical clustering."""
    distance = 1.0 - np.abs(rho)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    return squareform(np.clip(distance, 0.0, 1.0), checks=False)


def clustered_order(rho: np.ndarray) -> np.ndarray:
    """Feature order that puts correlated features next to each other.

    Leaves of the complete-linkage tree of ``1 - |rho|`` (optimally ordered),
    the tree :func:`correlated_groups` cuts, so every group is contiguous.
    """
    if len(rho) < 3:
        return np.arange(len(rho))
    condensed = _distance(rho)
    tree = optimal_leaf_ordering(linkage(condensed, method="complete"), condensed)
    return leaves_list(tree)


def correlated_groups(rho: np.ndarray, names: list[str], threshold: float) -> pd.DataFrame:
    """Groups of features whose pairwise ``|rho|`` is at least ``threshold`` (0-1].

    Complete linkage on ``1 - |rho|`` cut at ``1 - threshold``: every pair in a
    group reaches the threshold. Returns one row per feature with
    ``group`` (1 = largest group), ``feature``, ``group_size``,
    ``representative`` (the member most correlated with the rest of its group)
    and ``mean_abs_rho`` (mean ``|rho|`` to the other members; 1 for singletons).
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"explore.correlation_threshold must be in (0, 1], got {threshold}")
    rho = np.asarray(rho, float)
    if rho.shape != (len(names), len(names)):
        raise ValueError(f"correlated_groups: matrix shape {rho.shape} does not match {len(names)} names")
    if len(names) == 1:
        raw = np.array([1])
    else:
        tree = linkage(_distance(rho), method="complete")
        raw = fcluster(tree, t=1.0 - threshold + 1e-12, criterion="distance")
    sizes = pd.Series(raw).value_counts()
    # Number groups by size (largest first), ties by first member in input order.
    first = {g: int(np.flatnonzero(raw == g)[0]) for g in sizes.index}
    order = sorted(sizes.index, key=lambda g: (-sizes[g], first[g]))
    renumber = {g: i + 1 for i, g in enumerate(order)}
    group = np.array([renumber[g] for g in raw])
    absrho = np.abs(rho)
    rows = []
    for g in range(1, len(order) + 1):
        members = np.flatnonzero(group == g)
        inner = absrho[np.ix_(members, members)]
        mean_abs = (inner.sum(axis=1) - 1.0) / max(len(members) - 1, 1) if len(members) > 1 else np.ones(1)
        representative = names[members[int(np.argmax(mean_abs))]]
        for m, value in zip(members, mean_abs, strict=True):
            rows.append((g, names[m], len(members), representative, float(value)))
    return pd.DataFrame(rows, columns=["group", "feature", "group_size", "representative", "mean_abs_rho"])

