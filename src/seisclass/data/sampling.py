"""A bounded, class-stratified, seeded training sample (``random_forest.max_training_windows``).

The tree models' memory grows with the windows they are fitted on: the feature matrix
and, for a forest with ``min_samples_leaf: 1``, every tree (its nodes grow with the
windows). A station-year of 10-s windows every 5 s is 6.3 million windows; fitted on a
bounded sample instead, training needs the same memory for a month or a decade.

The sample is stratified by class with the rare classes kept whole: each class keeps
``min(its windows, cap)``, ``cap`` the largest count that keeps the total within the
bound (water-filling), so an abundant background class is thinned first and an
earthquake class of a few thousand windows is never touched. Within a class, windows are
drawn without replacement with the seed; the indices come back in their original order.
"""

from __future__ import annotations

import numpy as np


def class_quotas(counts: np.ndarray, max_windows: int) -> np.ndarray:
    """Windows kept per class: ``min(count, cap)`` with the largest ``cap`` whose total is <= ``max_windows``.

    What is left below the bound by the integer cap goes, one window each, to the classes
    that were capped (largest first), so the total is exactly ``min(sum(counts), max_windows)``.
    """
    counts = np.asarray(counts, np.int64)
    if counts.sum() <= max_windows:
        return counts.copy()
    order = np.sort(counts)
    # total kept with cap c is sum(min(counts, c)); find the largest c with total <= max_windows
    cap, below = 0, 0
    for i, c in enumerate(order):
        remaining = len(order) - i  # classes with count >= c
        if below + c * remaining > max_windows:
            cap = (max_windows - below) // remaining
            break
        below += c
    quotas = np.minimum(counts, cap)
    leftover = max_windows - quotas.sum()
    capped = np.flatnonzero(counts > cap)
    for j in capped[np.argsort(-counts[capped], kind="stable")][:leftover]:
        quotas[j] += 1
    return quotas


def bounded_sample(labels: np.ndarray, max_windows: int | None, seed: int) -> np.ndarray | None:
    """Sorted row indices of a class-stratified sample of at most ``max_windows`` rows of ``labels``.

    ``None`` when no sample is needed (no bound, or all rows fit): callers then use every row.
    The same labels, bound and seed always give the same rows.
    """
    labels = np.asarray(labels)
    if max_windows is None or len(labels) <= max_windows:
        return None
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    quotas = class_quotas(counts, int(max_windows))
    rng = np.random.default_rng(seed)
    order = np.argsort(inverse, kind="stable")  # rows grouped by class, original order within a class
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    keep = [order[s + rng.choice(n, q, replace=False)] for s, n, q in zip(starts, counts, quotas, strict=True)
            if q]
    return np.sort(np.concatenate(keep))


def sample_record(labels: np.ndarray, rows: np.ndarray | None, max_windows: int | None, seed: int,
                  classes: list[str]) -> dict:
    """What a model card says of the windows a model was fitted on (``training_data.fitted``)."""
    fitted = np.asarray(labels) if rows is None else np.asarray(labels)[rows]
    values, counts = np.unique(fitted.astype(str), return_counts=True)
    per_class = dict(zip(values.tolist(), counts.tolist(), strict=True))
    return {"n_windows": int(len(fitted)), "windows_per_class": {c: int(per_class.get(c, 0)) for c in classes},
            "max_training_windows": None if max_windows is None else int(max_windows),
            "sampled": rows is not None, "seed": int(seed)}
