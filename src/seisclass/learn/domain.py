"""Is a station like the training data? A compact description of the training domain and scores against it.

A forest file keeps, in its card, the ``domain``: for each of its features the
0.5 % and 99.5 % quantiles of the training windows (all classes). A window's
**domain score** is the share of features outside that range, widened by a
tenth of the inter-quantile range (0 = every feature inside, 1 = none). A
window of the training distribution scores about 0.01-0.05; a window from
another instrument, site or sampling regime scores far higher.

A **station** (``NET.STA[.LOC]`` and band) is flagged when its mean window score
exceeds :data:`STATION_THRESHOLD`; the features outside most often say where it
differs. The thresholds were chosen on the real-data study (README, "Domain
checks"): they flag the synthetic demo station and few real-dev stations in
leave-events-out folds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = (0.005, 0.995)
MARGIN = 0.1  # of the inter-quantile range, on each side
STATION_THRESHOLD = 0.15  # mean window score above which a station is flagged
TOP_FEATURES = 5
STATION_KEYS = ["network", "station", "location", "channel"]


def describe_domain(features: pd.DataFrame) -> dict:
    """The card's ``domain`` entry: feature names and their training range (plain types)."""
    values = features.to_numpy(np.float64)
    low, high = np.nanquantile(values, QUANTILES, axis=0) if len(values) else (np.zeros(0), np.zeros(0))
    return {"features": list(features.columns), "quantiles": list(QUANTILES), "margin": MARGIN,
            "low": [float(v) for v in low], "high": [float(v) for v in high],
            "station_threshold": STATION_THRESHOLD}


def outside(features: pd.DataFrame, domain: dict) -> np.ndarray:
    """``(windows, features)`` bool: the feature lies outside the (widened) training range; NaN is outside."""
    values = features[domain["features"]].to_numpy(np.float64)
    low, high = np.asarray(domain["low"]), np.asarray(domain["high"])
    pad = float(domain.get("margin", MARGIN)) * (high - low)
    with np.errstate(invalid="ignore"):
        return ~((values >= low - pad) & (values <= high + pad))


def domain_scores(features: pd.DataFrame, domain: dict) -> np.ndarray:
    """Per window, the share (0-1) of the domain's features outside their training range."""
    flags = outside(features, domain)
    return flags.mean(axis=1) if flags.shape[1] else np.zeros(len(flags))


def domain_counts(table: pd.DataFrame, domain: dict) -> pd.DataFrame:
    """Per station and band: windows, summed window score and, per feature, windows outside (summable).

    ``table`` holds the key columns and the domain's feature columns; counts of
    several tables (station-days) add up, so a long run never holds all windows.
    """
    flags = outside(table, domain)
    counts = pd.DataFrame(flags.astype(np.int64), columns=domain["features"])
    counts["windows"] = 1
    counts["score_sum"] = flags.mean(axis=1) if flags.shape[1] else 0.0
    keys = table[STATION_KEYS].reset_index(drop=True).astype(str)
    return pd.concat([keys, counts], axis=1).groupby(STATION_KEYS, as_index=False).sum()


def station_domain(counts: pd.DataFrame, domain: dict) -> pd.DataFrame:
    """One row per station and band: windows, mean score, flagged and the features outside most often.

    ``counts``: :func:`domain_counts` of one or several tables (summed again here).
    Columns: key columns, ``windows``, ``domain_score`` (mean window score),
    ``flagged`` (above the card's station threshold) and ``differs_most``
    (``feature (share of windows outside)``, the :data:`TOP_FEATURES` largest).
    """
    columns = [*STATION_KEYS, "windows", "domain_score", "flagged", "differs_most"]
    if not len(counts):
        return pd.DataFrame({c: [] for c in columns})
    total = counts.groupby(STATION_KEYS, as_index=False).sum()
    share = total[domain["features"]].to_numpy(np.float64) / total[["windows"]].to_numpy(np.float64)
    order = np.argsort(-share, axis=1, kind="stable")[:, :TOP_FEATURES]
    names = np.asarray(domain["features"])
    differs = [", ".join(f"{names[j]} ({row[j]:.0%})" for j in top if row[j] > 0) for row, top in zip(share, order,
                                                                                                       strict=True)]
    out = total[STATION_KEYS + ["windows"]].copy()
    out["domain_score"] = total["score_sum"] / total["windows"]
    out["flagged"] = out["domain_score"] > float(domain.get("station_threshold", STATION_THRESHOLD))
    out["differs_most"] = differs
    return out[columns]


def flag_messages(stations: pd.DataFrame) -> list[str]:
    """One warning line per flagged station, naming its score and the features that differ most."""
    return [f"{r.network}.{r.station}{'.' + r.location if r.location else ''}.{r.channel}: unlike the model's "
            f"training data (domain score {r.domain_score:.2f} over {r.windows} windows; outside the training "
            f"range most often: {r.differs_most}); treat its classes with caution"
            for r in stations[stations["flagged"].astype(bool)].itertuples()]


def domain_summary(stations: pd.DataFrame, predictions: pd.DataFrame, threshold: float = STATION_THRESHOLD) -> dict:
    """How the domain check behaves out of fold: stations flagged, and whether flagged windows err more.

    ``stations``: :func:`station_domain` of held-out windows, each scored against its
    own fold's training domain; ``predictions``: the labelled out-of-fold windows with
    ``label``, ``predicted`` and ``domain_score``. A window counts as flagged above ``threshold``.
    """
    flagged = predictions["domain_score"].to_numpy() > threshold
    wrong = (predictions["label"] != predictions["predicted"]).to_numpy()
    return {"threshold": threshold, "stations": int(len(stations)), "flagged_stations": int(stations["flagged"].sum()),
            "flagged_station_share": float(stations["flagged"].mean()) if len(stations) else 0.0,
            "flagged": stations[stations["flagged"].astype(bool)].drop(columns="flagged").to_dict("records"),
            "windows": int(len(predictions)), "flagged_windows": int(flagged.sum()),
            "error_rate_flagged": float(wrong[flagged].mean()) if flagged.any() else None,
            "error_rate_unflagged": float(wrong[~flagged].mean()) if (~flagged).any() else None,
            "median_window_score": float(np.median(predictions["domain_score"])) if len(predictions) else None}
