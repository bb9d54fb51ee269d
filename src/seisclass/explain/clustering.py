"""The two clusterings of the exploration: k-means on the cluster space, HDBSCAN on the 2-D UMAP.

Both are fitted on the fit subsample: k-means assigns every other window to
its nearest centre, HDBSCAN's clusters reach the other windows through their
nearest fit-subsample neighbour in the embedding (:func:`propagate`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.metrics import silhouette_score
from sklearn.neighbors import NearestNeighbors

from seisclass.explain.errors import ExploreError

METHODS = ("kmeans", "umap_hdbscan")
NOISE = -1  # label of windows in no cluster


def choose_k(x_fit: np.ndarray, k_range: tuple[int, int], n_init: int, sample: int, seed: int) -> tuple[int, pd.Series]:
    """k with the largest silhouette (on ``sample`` rows) over ``k_range``; returns (k, silhouette per k)."""
    k_max = min(k_range[1], len(x_fit) - 1)
    if k_max < k_range[0]:
        raise ExploreError(f"explore.k_range: {list(k_range)} needs more than {len(x_fit)} windows")
    scores = {}
    for k in range(k_range[0], k_max + 1):
        labels = KMeans(k, n_init=n_init, random_state=seed).fit_predict(x_fit)
        scores[k] = float(silhouette_score(x_fit, labels, sample_size=min(sample, len(x_fit)), random_state=seed))
    series = pd.Series(scores, name="silhouette").rename_axis("k")
    return int(series.idxmax()), series


def kmeans_run(x: np.ndarray, fit: np.ndarray, k: int, n_init: int, seed: int) -> np.ndarray:
    """k-means fitted on rows ``fit`` with ``seed``; every row assigned to its nearest centre."""
    return KMeans(k, n_init=n_init, random_state=seed).fit(x[fit]).predict(x)


def hdbscan_labels(coords: np.ndarray, min_cluster_fraction: float, min_samples: int | None) -> np.ndarray:
    """HDBSCAN (scikit-learn) clusters of 2-D coordinates; ``NOISE`` (-1) for unclustered rows.

    The smallest cluster is ``min_cluster_fraction`` of the rows (at least 5);
    ``min_samples`` None means the smallest cluster size.
    """
    size = max(5, int(round(min_cluster_fraction * len(coords))))
    return HDBSCAN(min_cluster_size=size, min_samples=min_samples, copy=True).fit_predict(coords)


def nearest_index(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Index of the nearest ``reference`` row of each ``query`` row (Euclidean, k-d tree)."""
    return NearestNeighbors(n_neighbors=1).fit(reference).kneighbors(query, return_distance=False)[:, 0]


def propagate(coords: np.ndarray, fit: np.ndarray, *values: np.ndarray) -> list[np.ndarray]:
    """Each of ``values`` (one entry per ``fit`` row) extended to every row of ``coords``.

    A row takes the entry of its nearest fit row in ``coords`` (a fit row its own, up to ties).
    """
    position = nearest_index(coords[fit], coords)
    return [v[position] for v in values]
