"""Is a station like the training data? A compact description of the training domain and scores against it.

A forest file keeps, in its card, the ``domain`` of its training windows:

- a **reference sample** of :data:`REFERENCE_WINDOWS` training windows in robust units
  (feature minus its training median, over its inter-quartile range, clipped to
  +-20; a missing value is the median), stored as base64 float32;
- the **distance threshold**: the 99th percentile of the distance of a reference
  window to its :data:`NEIGHBOURS`-th nearest other reference window;
- per feature the 0.5 % and 99.5 % quantiles, which name the features that differ.

A window's **domain score** is its distance to its :data:`NEIGHBOURS`-th nearest
reference window over that threshold: below 1 like 99 % of the training windows,
above 1 outside ("isolated"). Joint, not per feature: a station whose features
each lie in the training range but combine in ways the training data never do is
caught too. A **station** (``NET.STA[.LOC]`` and band) is flagged when more than
:data:`STATION_THRESHOLD` of its windows are outside (1 % are by construction).

Measured on the real-data study (README, "Domain check"): out of fold it flags
4 of 526 real-dev stations, and a synthetic demo day (71 % of its windows outside);
scoring a station-day of 17,279 windows takes 0.2-0.7 s on one core.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd

QUANTILES = (0.005, 0.995)
REFERENCE_WINDOWS = 1000
NEIGHBOURS = 5
DISTANCE_QUANTILE = 0.99
STATION_THRESHOLD = 0.3  # share of a station's windows outside, above which it is flagged
CLIP = 20.0  # robust units
TOP_FEATURES = 5
STATION_KEYS = ["network", "station", "location", "channel"]
BLOCK = 4096  # windows per distance block (bounds memory: BLOCK x REFERENCE_WINDOWS floats)


def describe_domain(features: pd.DataFrame, seed: int = 0) -> dict:
    """The card's ``domain`` entry of the training windows ``features`` (plain types)."""
    values = features.to_numpy(np.float64)
    n = len(values)
    if n < NEIGHBOURS + 2:
        raise ValueError(f"a training domain needs at least {NEIGHBOURS + 2} windows, got {n}")
    center = np.nanmedian(values, axis=0)
    q1, q3 = np.nanquantile(values, [0.25, 0.75], axis=0)
    scale = np.where(q3 - q1 > 0, q3 - q1, 1.0)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    center = np.where(np.isfinite(center), center, 0.0)
    rows = np.sort(np.random.default_rng(seed).choice(n, min(n, REFERENCE_WINDOWS), replace=False))
    reference = _robust(values[rows], center, scale)
    own = _kth_distance(reference, reference, NEIGHBOURS + 1)  # the nearest is the window itself
    low, high = np.nanquantile(values, QUANTILES, axis=0)
    return {"features": list(features.columns), "center": center.tolist(), "scale": scale.tolist(),
            "reference": base64.b64encode(reference.astype("<f4").tobytes()).decode("ascii"),
            "reference_windows": int(len(rows)), "neighbours": NEIGHBOURS,
            "distance_threshold": float(np.quantile(own, DISTANCE_QUANTILE)),
            "quantiles": list(QUANTILES), "low": low.tolist(), "high": high.tolist(),
            "station_threshold": STATION_THRESHOLD}


def domain_scores(features: pd.DataFrame, domain: dict) -> np.ndarray:
    """Per window, the distance to the training windows over the card's threshold (> 1: outside)."""
    values = features[domain["features"]].to_numpy(np.float64)
    if not len(values):
        return np.zeros(0)
    reference = np.frombuffer(base64.b64decode(domain["reference"]), "<f4").reshape(
        int(domain["reference_windows"]), len(domain["features"]))
    z = _robust(values, np.asarray(domain["center"]), np.asarray(domain["scale"]))
    return _kth_distance(z, reference, int(domain["neighbours"])) / float(domain["distance_threshold"])


def outside_range(features: pd.DataFrame, domain: dict) -> np.ndarray:
    """``(windows, features)`` bool: the feature lies outside its training quantiles (NaN: not outside)."""
    values = features[domain["features"]].to_numpy(np.float64)
    with np.errstate(invalid="ignore"):
        return (values < np.asarray(domain["low"])) | (values > np.asarray(domain["high"]))


def domain_counts(table: pd.DataFrame, domain: dict, scores: np.ndarray | None = None) -> pd.DataFrame:
    """Per station and band: windows, windows outside and, per feature, windows outside its range (summable).

    ``table`` holds the key columns and the domain's feature columns (``scores``:
    :func:`domain_scores` of it, computed when not given); counts of several
    tables (station-days) add up, so a long run never holds all windows.
    """
    scores = domain_scores(table, domain) if scores is None else scores
    counts = pd.DataFrame(outside_range(table, domain).astype(np.int64), columns=domain["features"])
    counts["windows"] = 1
    counts["outside"] = (scores > 1).astype(np.int64)
    keys = table[STATION_KEYS].reset_index(drop=True).astype(str)
    return pd.concat([keys, counts], axis=1).groupby(STATION_KEYS, as_index=False).sum()


def station_domain(counts: pd.DataFrame | list[pd.DataFrame], domain: dict) -> pd.DataFrame:
    """One row per station and band: windows, share outside, flagged and the features that differ most.

    ``counts``: :func:`domain_counts` of one table, or a list of them (summed here; empty: no rows).
    Columns: key columns, ``windows``, ``domain_score`` (share of windows outside
    the training domain, 0-1), ``flagged`` (above the card's station threshold) and
    ``differs_most`` (``feature (share of windows outside its training range)``,
    the :data:`TOP_FEATURES` largest).
    """
    columns = [*STATION_KEYS, "windows", "domain_score", "flagged", "differs_most"]
    if isinstance(counts, list):
        counts = pd.concat(counts, ignore_index=True) if counts else pd.DataFrame()
    if not len(counts):
        return pd.DataFrame({c: [] for c in columns})
    total = counts.groupby(STATION_KEYS, as_index=False).sum()
    names = [f for f in domain["features"] if f in total.columns]
    share = total[names].to_numpy(np.float64) / total[["windows"]].to_numpy(np.float64)
    order = np.argsort(-share, axis=1, kind="stable")[:, :TOP_FEATURES]
    differs = [", ".join(f"{names[j]} ({row[j]:.0%})" for j in top if row[j] > 0)
               for row, top in zip(share, order, strict=True)]
    out = total[STATION_KEYS + ["windows"]].copy()
    out["domain_score"] = total["outside"] / total["windows"]
    out["flagged"] = out["domain_score"] > float(domain.get("station_threshold", STATION_THRESHOLD))
    out["differs_most"] = differs
    return out[columns]


def flag_messages(stations: pd.DataFrame) -> list[str]:
    """One warning line per flagged station, naming its score and the features that differ most."""
    return [f"{r.network}.{r.station}{'.' + r.location if r.location else ''}.{r.channel}: unlike the model's "
            f"training data ({r.domain_score:.0%} of {r.windows} windows outside it, 1% expected; outside the "
            f"training range most often: {r.differs_most or 'no single feature'}); treat its classes with caution"
            for r in stations[stations["flagged"].astype(bool)].itertuples()]


def domain_summary(stations: pd.DataFrame, predictions: pd.DataFrame, threshold: float = STATION_THRESHOLD) -> dict:
    """How the domain check behaves out of fold: stations flagged, and whether windows outside err more.

    ``stations``: :func:`station_domain` of held-out windows, each scored against its
    own fold's training domain; ``predictions``: the labelled out-of-fold windows with
    ``label``, ``predicted`` and ``domain_score`` (a window is outside above 1).
    """
    outside = predictions["domain_score"].to_numpy() > 1
    wrong = (predictions["label"] != predictions["predicted"]).to_numpy()
    flagged = stations["flagged"].astype(bool)
    return {"threshold": threshold, "stations": int(len(stations)), "flagged_stations": int(flagged.sum()),
            "flagged_station_share": float(flagged.mean()) if len(stations) else 0.0,
            "flagged": stations[flagged].drop(columns="flagged").to_dict("records"),
            "windows": int(len(predictions)), "outside_windows": int(outside.sum()),
            "error_rate_outside": float(wrong[outside].mean()) if outside.any() else None,
            "error_rate_inside": float(wrong[~outside].mean()) if (~outside).any() else None}


def _robust(values: np.ndarray, center: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Robust units (float32): ``(value - median) / IQR`` clipped to +-:data:`CLIP`, missing -> 0."""
    z = (values - center) / scale
    return np.clip(np.nan_to_num(z, nan=0.0, posinf=CLIP, neginf=-CLIP), -CLIP, CLIP).astype(np.float32)


def _kth_distance(x: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Euclidean distance of every row of ``x`` to its ``k``-th nearest row of ``reference`` (blocks of rows)."""
    reference = np.asarray(reference, np.float32)
    ref_sq = (reference**2).sum(axis=1)
    out = np.empty(len(x))
    for start in range(0, len(x), BLOCK):
        block = np.asarray(x[start:start + BLOCK], np.float32)
        d2 = (block**2).sum(axis=1)[:, None] + ref_sq[None, :] - np.float32(2.0) * (block @ reference.T)
        out[start:start + BLOCK] = np.sqrt(np.maximum(np.partition(d2, k - 1, axis=1)[:, k - 1], 0.0))
    return out
