"""Confound checks: is a cluster, or a driver of the forest, really about how the data were recorded?

A cluster of windows, or a feature the forest leans on, may stand for a source
(tourists, earthquakes) or for the recording: one network, one station, one
original sampling rate (a 20 Hz station has nothing above 10 Hz, whatever the
ground did), one instrument (band and instrument code, the first two letters of
the channel: ``HH``, ``EH``, ``BH``), one time of day, or simply loud windows
(SNR). This module measures, for every cluster of both clusterings and for the
top SHAP drivers of every class, the association with each of these metadata
(:data:`METADATA`) of every window (:func:`window_metadata`).

Clusters (categorical against categorical): for each cluster the
*dominant value* of a metadata column (its most frequent value among the
cluster's windows), its ``share`` of the cluster, its ``base_share`` among all
windows, and ``association``: the bias-corrected Cramér's V (Bergsma 2013)
between "in this cluster or not" and the metadata, over all windows.

SHAP drivers (continuous against categorical): for class ``c`` and one of its
top features (largest mean |SHAP| for ``c``), the SHAP values of that feature
for that class over the explained windows. The dominant value is the metadata
value whose windows carry the largest part of the feature's total |SHAP|
(``share``), ``base_share`` its share of the explained windows, and
``association`` the bias-corrected correlation ratio (square root of
epsilon-squared, the analysis-of-variance effect size corrected for the
number of groups like an adjusted R^2): how much of the SHAP values' variance
the metadata explain.

A row is *flagged* as a confound when

- ``share >= share_min`` (default 0.8) while ``base_share < BASE_SHARE_MAX``
  (0.5): the cluster (or the credit) sits on a value that most windows do not
  have; or
- ``association >= association_min`` (default 0.5): a strong association
  (Cramér's V or correlation ratio, both 0-1) whatever the shares. Not for
  ``snr_bin``: events are louder than the background by nature, so clusters
  of events and drivers of event classes always go with the SNR; there only
  dominance flags (a cluster of one rare SNR bin describes loudness).

A metadata column with a single value (one network, one hour) can flag
nothing. The thresholds are config keys (``explore.confound_share``,
``explore.confound_association``); :func:`confound_text` words a flag.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import KEY_COLUMNS, station_ids

METADATA = ("network", "station", "sampling_rate", "band_code", "hour_utc", "snr_bin")
CONFOUND_COLUMNS = ["method", "cluster", "metadata", "dominant_value", "share", "base_share", "association",
                    "measure", "n_windows", "flagged", "reason"]
BASE_SHARE_MAX = 0.5  # a dominant value shared by most windows is no confound (the data are like that)
DOMINANCE_ONLY = ("snr_bin",)  # metadata flagged by dominance only (see the module docstring)
UNKNOWN = "unknown"
NOISE = -1


# ------------------------------------------------------------------ metadata of every window


def window_metadata(table: pd.DataFrame, original_rates: pd.DataFrame | None,
                    snr_bins_db: list[float]) -> pd.DataFrame:
    """Metadata (:data:`METADATA`, strings) of every window of ``table``, same row order.

    ``table`` has the key columns and ``snr`` (dB); ``original_rates`` the
    columns ``station, day, component, sampling_rate`` of
    :func:`seisclass.signal.preprocess.read_original_rates` (the lowest rate of
    a station-day's components stands for its windows; ``unknown`` without a
    record). ``snr_bin`` uses the edges ``snr_bins_db`` (``< first``,
    ``[a, b)``, ``>= last``).
    """
    sid = station_ids(table).to_numpy()
    starts = pd.to_datetime(table["start"], utc=True)
    meta = pd.DataFrame({"network": table["network"].astype(str).to_numpy(), "station": sid}, index=table.index)
    rate = np.full(len(table), np.nan)
    if original_rates is not None and len(original_rates):
        lowest = original_rates.groupby(["station", "day"], as_index=False)["sampling_rate"].min()
        key = pd.DataFrame({"station": sid, "day": starts.dt.strftime("%Y-%m-%d").to_numpy()})
        rate = key.merge(lowest, on=["station", "day"], how="left")["sampling_rate"].to_numpy(float)
    meta["sampling_rate"] = np.where(np.isfinite(rate), pd.Series(rate).map("{:g} Hz".format).to_numpy(), UNKNOWN)
    meta["band_code"] = table["channel"].astype(str).str[:2].to_numpy()
    meta["hour_utc"] = starts.dt.strftime("%H h").to_numpy()
    meta["snr_bin"] = snr_bins(table["snr"].to_numpy(float), snr_bins_db)
    return meta


def snr_bins(snr: np.ndarray, edges: list[float]) -> np.ndarray:
    """SNR bin names (``< -5 dB``, ``[0, 3) dB``, ``>= 60 dB``) of ``snr`` values (dB)."""
    edges = sorted(float(e) for e in edges)
    names = ([f"< {edges[0]:g} dB"] + [f"[{a:g}, {b:g}) dB" for a, b in zip(edges[:-1], edges[1:], strict=True)]
             + [f">= {edges[-1]:g} dB"])
    index = np.searchsorted(np.asarray(edges), np.asarray(snr, float), side="right")
    out = np.asarray(names, dtype=object)[index]
    out[~np.isfinite(snr)] = UNKNOWN
    return out


# ------------------------------------------------------------------ measures


def cramers_v(table: np.ndarray) -> float:
    """Bias-corrected Cramér's V of a contingency table (Bergsma 2013); 0 when a side has one category."""
    table = np.asarray(table, float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    r, k = table.shape
    if r < 2 or k < 2 or n < 2:
        return 0.0
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    phi2 = ((table - expected) ** 2 / expected).sum() / n
    phi2 = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    r_c, k_c = r - (r - 1) ** 2 / (n - 1), k - (k - 1) ** 2 / (n - 1)
    denominator = min(k_c - 1, r_c - 1)
    return float(np.sqrt(phi2 / denominator)) if denominator > 0 else 0.0


def correlation_ratio(values: np.ndarray, groups: np.ndarray) -> float:
    """Bias-corrected correlation ratio (sqrt of epsilon-squared, 0-1) of ``values`` across ``groups``.

    NaN when there are fewer than two groups' worth of spare windows
    (``n - k < 2``) or the values are constant.
    """
    values = np.asarray(values, float)
    codes, _ = pd.factorize(pd.Series(groups))
    n, k = len(values), int(codes.max()) + 1 if len(codes) else 0
    if k < 2 or n - k < 2:
        return float("nan") if k >= 2 else 0.0
    total = ((values - values.mean()) ** 2).sum()
    if total <= 0:
        return 0.0
    sums, counts = np.bincount(codes, values, k), np.bincount(codes, minlength=k)
    within = total - (sums**2 / np.maximum(counts, 1)).sum() + values.sum() ** 2 / n
    epsilon2 = 1.0 - (within / (n - k)) / (total / (n - 1))
    return float(np.sqrt(np.clip(epsilon2, 0.0, 1.0)))


def dominated(share: float, base_share: float, share_min: float) -> bool:
    """One value holds ``share_min`` of the cluster (credit) but less than half of all windows."""
    return bool(share >= share_min and base_share < BASE_SHARE_MAX)


def associated(metadata: str, association: float, association_min: float) -> bool:
    """A strong association (not counted for :data:`DOMINANCE_ONLY` metadata)."""
    return bool(metadata not in DOMINANCE_ONLY and np.isfinite(association) and association >= association_min)


def flag(metadata: str, share: float, base_share: float, association: float, share_min: float,
         association_min: float) -> bool:
    """The confound rule of the module docstring."""
    return dominated(share, base_share, share_min) or associated(metadata, association, association_min)


# ------------------------------------------------------------------ clusters and drivers


def _metadata_codes(meta: pd.DataFrame):
    """Per metadata column: its name, the windows' value codes, the values and each value's share of all windows."""
    for column in meta.columns:
        codes, values = pd.factorize(meta[column].astype(str))
        yield column, codes, values, np.bincount(codes, minlength=len(values)) / max(len(meta), 1)


def cluster_confounds(clusters: dict[str, np.ndarray], meta: pd.DataFrame, share_min: float = 0.8,
                      association_min: float = 0.5) -> pd.DataFrame:
    """One row per method, cluster (noise excluded) and metadata column (:data:`CONFOUND_COLUMNS`).

    ``clusters`` maps a method name to the cluster of every window (rows of ``meta``).
    """
    rows = []
    for column, codes, values, base in _metadata_codes(meta):
        for method, labels in clusters.items():
            labels = np.asarray(labels)
            ids = np.unique(labels[labels != NOISE])
            table = np.zeros((len(ids), len(values)))
            inside = labels != NOISE
            np.add.at(table, (np.searchsorted(ids, labels[inside]), codes[inside]), 1)
            totals = np.bincount(codes, minlength=len(values)).astype(float)
            for i, c in enumerate(ids):
                counts = table[i]
                size = counts.sum()
                top = int(np.argmax(counts))
                share = counts[top] / size
                v = cramers_v(np.vstack([counts, totals - counts]))
                flagged = flag(column, share, base[top], v, share_min, association_min)
                rows.append({"method": method, "cluster": str(int(c)), "metadata": column,
                             "dominant_value": values[top], "share": share, "base_share": base[top],
                             "association": v, "measure": "cramers_v", "n_windows": int(size),
                             "flagged": flagged})
    return _with_reasons(pd.DataFrame(rows, columns=CONFOUND_COLUMNS[:-1]), "cluster", share_min)


def top_drivers(importance: pd.DataFrame, classes: list[str], n_features: int) -> dict[str, list[str]]:
    """The ``n_features`` features of largest mean |SHAP| per class (``importance``: feature + one column per class)."""
    return {c: importance.sort_values(c, ascending=False, kind="stable")["feature"].head(n_features).tolist()
            for c in classes if c in importance.columns}


def driver_confounds(shap_values: pd.DataFrame, meta: pd.DataFrame, drivers: dict[str, list[str]],
                     share_min: float = 0.8, association_min: float = 0.5) -> pd.DataFrame:
    """Rows (:data:`CONFOUND_COLUMNS`) for every class's top SHAP drivers; ``method`` is ``shap:<class>``
    and ``cluster`` holds the feature.

    ``shap_values`` has the columns ``shap_<class>__<feature>`` (the forest's
    ``rf_shap_values.parquet``); ``meta`` the metadata of the same windows, same order.
    """
    rows = []
    n = len(meta)
    for column, codes, values, base in _metadata_codes(meta):
        for cls, features in drivers.items():
            for feature in features:
                name = f"shap_{cls}__{feature}"
                if name not in shap_values.columns:
                    raise KeyError(f"SHAP values: no column {name!r} (class {cls!r}, feature {feature!r})")
                v = shap_values[name].to_numpy(float)
                credit = np.bincount(codes, np.abs(v), minlength=len(values))
                total = credit.sum()
                top = int(np.argmax(credit))
                share = credit[top] / total if total > 0 else 0.0
                eta = correlation_ratio(v, codes)
                rows.append({"method": f"shap:{cls}", "cluster": feature, "metadata": column,
                             "dominant_value": values[top], "share": share, "base_share": base[top],
                             "association": eta, "measure": "correlation_ratio", "n_windows": n,
                             "flagged": flag(column, share, base[top], eta, share_min, association_min)})
    return _with_reasons(pd.DataFrame(rows, columns=CONFOUND_COLUMNS[:-1]), "driver", share_min)


def _with_reasons(table: pd.DataFrame, what: str, share_min: float = 0.8) -> pd.DataFrame:
    table["reason"] = [confound_text(r, what, share_min) if r.flagged else "" for r in table.itertuples()]
    return table


def confound_text(row, what: str = "cluster", share_min: float = 0.8) -> str:
    """A flagged row in words, by the criterion that fired.

    Dominance: ``sampling_rate = 20 Hz holds 100% of the cluster's windows (6% of all windows; V=0.71)``;
    association: ``station goes with the cluster (V=0.56; most common HW.CCRK, 1% of its windows)``.
    """
    measure = "V" if row.measure == "cramers_v" else "eta"
    part = "the cluster's windows" if what == "cluster" else "its |SHAP| credit"
    association = f"{measure}={row.association:.2f}" if np.isfinite(row.association) else f"{measure} n/a"
    if dominated(row.share, row.base_share, share_min):
        return (f"{row.metadata} = {row.dominant_value} holds {row.share:.0%} of {part} "
                f"({row.base_share:.0%} of all windows; {association})")
    target = "the cluster" if what == "cluster" else "the SHAP values"
    return (f"{row.metadata} goes with {target} ({association}; most common {row.dominant_value}, "
            f"{row.share:.0%} of {part})")


def confound_column(hypotheses: pd.DataFrame, confounds: pd.DataFrame) -> pd.Series:
    """The ``confound`` column of ``hypotheses`` (``method, cluster``): flagged metadata in words, "" if none."""
    flagged = confounds[confounds["flagged"] & ~confounds["method"].str.startswith("shap:")]
    words = flagged.groupby(["method", "cluster"])["reason"].apply(
        lambda r: "possible confound: " + "; ".join(r)).to_dict()
    return pd.Series([words.get((m, str(c)), "") for m, c in zip(hypotheses["method"], hypotheses["cluster"],
                                                                  strict=True)],
                     index=hypotheses.index, name="confound", dtype=object)


def check_confounds(embedding: pd.DataFrame, dataset: pd.DataFrame, hypotheses: pd.DataFrame,
                    original_rates: pd.DataFrame | None, snr_bins_db: list[float], methods: list[str],
                    shap_values: pd.DataFrame | None = None, importance: pd.DataFrame | None = None,
                    classes: list[str] | None = None, n_drivers: int = 5, share_min: float = 0.8,
                    association_min: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Confound table (clusters, then SHAP drivers) and the hypotheses with their ``confound`` column.

    ``embedding`` has the key columns and ``cluster_<method>`` for every method;
    ``dataset`` the key columns and ``snr`` of the same windows (any order);
    ``shap_values``/``importance`` the forest's SHAP outputs (optional).
    """
    snr = embedding[KEY_COLUMNS].merge(dataset[[*KEY_COLUMNS, "snr"]], on=KEY_COLUMNS, how="left",
                                       validate="one_to_one")
    meta = window_metadata(snr, original_rates, snr_bins_db)
    parts = [cluster_confounds({m: embedding[f"cluster_{m}"].to_numpy() for m in methods}, meta,
                               share_min, association_min)]
    if shap_values is not None and importance is not None and len(shap_values):
        keys = shap_values[KEY_COLUMNS].merge(dataset[[*KEY_COLUMNS, "snr"]], on=KEY_COLUMNS, how="left",
                                              validate="one_to_one")
        drivers = top_drivers(importance, list(classes or []), n_drivers)
        parts.append(driver_confounds(shap_values, window_metadata(keys, original_rates, snr_bins_db), drivers,
                                      share_min, association_min))
    confounds = pd.concat(parts, ignore_index=True)
    out = hypotheses.copy()
    out["confound"] = confound_column(out, confounds)
    return confounds, out
