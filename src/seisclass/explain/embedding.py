"""2-D embeddings of the cluster space: PCA and UMAP, fitted on the fit subsample, applied to every window.

UMAP's neighbour graph and layout cost grows faster than linearly, so it is
fitted on the fit subsample and places the other windows with ``transform``.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.decomposition import PCA


def pca_embedding(x: np.ndarray, fit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2-D PCA of ``x`` fitted on rows ``fit``: (coordinates (n x 2), explained variance ratio (2,))."""
    pca = PCA(n_components=2, svd_solver="full").fit(x[fit])
    return pca.transform(x), pca.explained_variance_ratio_


def fit_umap(x_fit: np.ndarray, seed: int, n_neighbors: int, min_dist: float):
    """UMAP (2-D) fitted on ``x_fit`` with ``seed``; single-threaded, hence reproducible.

    ``n_neighbors`` is capped at the number of rows minus one; ``min_dist`` is in embedding units.
    """
    import umap  # imported here: numba compilation makes the import slow

    model = umap.UMAP(
        n_components=2, n_neighbors=min(n_neighbors, len(x_fit) - 1), min_dist=min_dist,
        random_state=seed, n_jobs=1, transform_seed=seed,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
        model.fit(x_fit)
    return model


def umap_all(model, x: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Coordinates (n x 2) of every row: the fitted layout for ``fit`` rows, ``transform`` for the rest."""
    out = np.empty((len(x), 2))
    out[fit] = model.embedding_
    rest = np.setdiff1d(np.arange(len(x)), fit)
    if len(rest):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs.*overridden.*")
            out[rest] = model.transform(x[rest])
    return out
