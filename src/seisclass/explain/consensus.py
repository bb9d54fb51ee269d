"""Stability of a clustering over seeds and the consensus of its runs.

Stability is the pairwise adjusted Rand index (ARI) between runs. The
consensus aligns every run to the *medoid run* (the highest mean ARI to the
others) by an optimal one-to-one matching of clusters (Hungarian algorithm on
the contingency table) and takes each window's majority vote; ``agreement``
is the fraction of runs that voted for the consensus cluster.
:class:`RepeatedClustering` holds one method's runs and consensus and sums them up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from seisclass.explain.clustering import NOISE


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


def stability_verdict(ari_mean: float, ari_min: float) -> str:
    """Plain words for an ARI summary (thresholds: 0.9 and 0.75 on the mean, min above 0.8 / 0.5)."""
    if ari_mean >= 0.9 and ari_min >= 0.8:
        return "stable: runs with different seeds find the same clusters"
    if ari_mean >= 0.75 and ari_min >= 0.5:
        return "moderately stable: the main clusters recur, their borders move between seeds"
    return "unstable: the clusters depend on the seed; treat them as one possible partition, not as structure"


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


def n_clusters(labels: np.ndarray) -> int:
    """Number of clusters in ``labels`` (noise not counted)."""
    return int(len(np.unique(labels[labels != NOISE])))


@dataclass
class RepeatedClustering:
    """Runs of one clustering method over the seeds, and their consensus for every window."""

    runs: np.ndarray  # seeds x windows (k-means: all windows; HDBSCAN: the fit subsample)
    ari: np.ndarray  # seeds x seeds, on the fit subsample
    medoid: int  # index of the medoid run
    labels: np.ndarray  # consensus cluster of every window, relabelled by size
    agreement: np.ndarray  # fraction of runs (0-1] voting for it

    def summary(self, seeds: list[int]) -> dict:
        """The method's entry of ``stability.json``: ARI mean, min and verdict, clusters, medoid, agreement."""
        ari = summarize_ari(self.ari)
        return {
            **ari, "verdict": stability_verdict(ari["ari_mean"], ari["ari_min"]),
            "n_clusters": n_clusters(self.labels), "n_clusters_per_run": [n_clusters(r) for r in self.runs],
            "medoid_seed": seeds[self.medoid], "consensus_agreement_mean": float(self.agreement.mean()),
            "pairwise_ari": self.ari.round(4).tolist(),
        }
