"""The exploration's feature space, fitted on the fit subsample and applied to every window.

:class:`Scaling` is a scikit-learn pipeline: ``inf`` -> NaN, NaN -> the fit
subsample's median (:class:`~sklearn.impute.SimpleImputer`), log10 of the
heavy-tailed positive columns (:class:`~sklearn.preprocessing.FunctionTransformer`),
z-score (:class:`~sklearn.preprocessing.StandardScaler`). Effect sizes use it as it is.

:class:`ClusterSpace` is what the embeddings and clusterings see: the scaled
features, with each *zero-inflated* feature replaced by its standardized
non-zero part and a down-weighted non-zero indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

TINY = 1e-300  # floor before log10: a window outside the fit subsample may be <= 0 in a log10 column


def finite_or_nan(values: np.ndarray) -> np.ndarray:
    """Float64 copy of ``values`` with +-inf as NaN (missing)."""
    x = np.array(values, dtype=float)
    x[np.isinf(x)] = np.nan
    return x


def log10_columns(values: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Copy of ``values`` (n x p) with log10 of ``max(x, TINY)`` in the ``columns`` (p,) bool."""
    x = np.array(values, dtype=float)
    x[:, columns] = np.log10(np.maximum(x[:, columns], TINY))
    return x


def heavy_tailed(values: np.ndarray, log_span: float) -> np.ndarray:
    """Columns (p,) bool positive everywhere whose 99th percentile exceeds ``log_span`` times their 1st."""
    x = np.asarray(values, float)
    low, high = np.percentile(x, [1, 99], axis=0)
    return (x.min(axis=0) > 0) & (high > log_span * low)


@dataclass
class Scaling:
    """Column transform fitted on the fit subsample: NaN -> median, log10 where heavy-tailed, z-score."""

    pipeline: Pipeline
    log_columns: np.ndarray  # (p,) bool

    @property
    def fill(self) -> np.ndarray:
        """Value (p,) replacing a missing one: the fit subsample's median (0 for a column without any)."""
        return self.pipeline.named_steps["impute"].statistics_

    @property
    def mean(self) -> np.ndarray:
        """Mean (p,) of each column after imputation and log10."""
        return self.pipeline.named_steps["zscore"].mean_

    @property
    def scale(self) -> np.ndarray:
        """Standard deviation (p,) of each column after imputation and log10; 1 for constant columns."""
        return self.pipeline.named_steps["zscore"].scale_

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Standardized copy of ``values`` (n x p), float64, laid out in memory as ``values`` is.

        (The layout changes the last bits of the BLAS products downstream, e.g. the PCA.)
        """
        out = np.empty_like(values, dtype=float)
        out[...] = self.pipeline.transform(values)
        return out


def fit_scaling(values: np.ndarray, log_span: float) -> Scaling:
    """Fit :class:`Scaling` on ``values`` (n x p).

    A column is log10-transformed when, after imputation, it is positive
    everywhere and its 99th percentile exceeds ``log_span`` times its 1st
    (energies, amplitudes spanning decades); otherwise it is only z-scored.
    Constant columns get scale 1 (all 0).
    """
    x = finite_or_nan(values)
    impute = SimpleImputer(strategy="median", keep_empty_features=True)
    log_columns = heavy_tailed(impute.fit_transform(x), log_span)
    pipeline = Pipeline([
        ("finite", FunctionTransformer(finite_or_nan)),
        ("impute", impute),
        ("log10", FunctionTransformer(log10_columns, kw_args={"columns": log_columns})),
        ("zscore", StandardScaler()),
    ]).fit(x)
    return Scaling(pipeline, log_columns)


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
    indicator instead of a jump repeated in a dozen columns. A missing value
    counts as zero.
    """

    columns: list[str]
    zero_inflated: np.ndarray  # (p,) bool
    value_log: np.ndarray  # (p,) bool: log10 of the non-zero part
    value_mean: np.ndarray  # (p,)
    value_scale: np.ndarray  # (p,)
    indicators: list[tuple[int, list[str]]]  # (source column, features it stands for)
    indicator_mean: np.ndarray  # share of non-zero windows per indicator
    indicator_scale: np.ndarray  # its standard deviation sqrt(share (1 - share))
    weight: float

    def apply(self, raw: np.ndarray, z: np.ndarray) -> np.ndarray:
        """Coordinates (n x len(columns)) of windows with features ``raw`` and standardized ``z``."""
        keep = z[:, ~self.zero_inflated]
        if not self.zero_inflated.any():
            return keep
        j = np.flatnonzero(self.zero_inflated)
        x = np.nan_to_num(np.asarray(raw, float)[:, j], nan=0.0)
        v = np.where(self.value_log[j], np.log10(np.maximum(np.abs(x), TINY)), x)
        values = np.where(x != 0, (v - self.value_mean[j]) / self.value_scale[j], 0.0)
        if not self.indicators:
            return np.column_stack([keep, values])
        return np.column_stack([keep, values, self._flags(raw)])

    def _flags(self, raw: np.ndarray) -> np.ndarray:
        """The distinct non-zero indicators of ``raw`` (n x len(indicators)), z-scored and weighted."""
        raw = np.asarray(raw, float)
        flags = np.column_stack([np.nan_to_num(raw[:, i], nan=0.0) != 0 for i, _ in self.indicators]).astype(float)
        return (flags - self.indicator_mean) / self.indicator_scale * self.weight

    def describe(self) -> str:
        """What was done, in words (for the log and stability.json)."""
        if not self.zero_inflated.any():
            return "no zero-inflated feature: every feature enters standardized"
        names = [c.removeprefix("nonzero:") for c in self.columns if c.startswith("nonzero:")]
        return (f"{int(self.zero_inflated.sum())} zero-inflated feature(s) replaced by their standardized non-zero "
                f"part (0 where zero) plus {len(self.indicators)} distinct non-zero indicator(s) weighted "
                f"{self.weight:g}: {', '.join(names)}")


def zero_inflated(nonzero: np.ndarray, fraction: float | None) -> np.ndarray:
    """Columns (p,) bool zero in at least ``fraction`` of the rows of ``nonzero`` (n x p) with >= 2 non-zeros."""
    n, p = nonzero.shape
    if fraction is None:
        return np.zeros(p, bool)
    zero_fraction = 1.0 - nonzero.mean(axis=0) if n else np.zeros(p)
    return (zero_fraction >= fraction) & (nonzero.sum(axis=0) >= 2)


def nonzero_scaling(v: np.ndarray, log_span: float) -> tuple[bool, float, float]:
    """``(log10, mean, scale)`` of a column's non-zero values ``v`` (log10 when positive and heavy-tailed)."""
    low, high = np.percentile(v, [1, 99])
    use_log = bool(v.min() > 0 and high > log_span * low)
    v = np.log10(v) if use_log else v
    return use_log, v.mean(), v.std() if v.std() > 0 else 1.0


def distinct_indicators(nonzero: np.ndarray, columns: np.ndarray, names: list[str]) -> list[tuple[int, list[str]]]:
    """One ``(source column, [features])`` per distinct non-zero pattern among ``columns`` of ``nonzero``."""
    indicators: list[tuple[int, list[str]]] = []
    seen: dict[bytes, int] = {}
    for j in columns:
        key = np.packbits(nonzero[:, j]).tobytes()
        if key in seen:
            indicators[seen[key]][1].append(names[j])
        else:
            seen[key] = len(indicators)
            indicators.append((int(j), [names[j]]))
    return indicators


def fit_cluster_space(raw_fit: np.ndarray, names: list[str], zero_inflated_fraction: float | None,
                      log_span: float, indicator_weight: float) -> ClusterSpace:
    """Fit :class:`ClusterSpace` on the fit subsample's features ``raw_fit`` (n x p).

    ``zero_inflated_fraction`` (0-1, or None: no feature is treated), ``log_span``
    (99th/1st percentile ratio) and ``indicator_weight`` are the ``explore`` settings.
    """
    x = np.nan_to_num(np.asarray(raw_fit, float), nan=0.0)
    n_features = x.shape[1]
    nonzero = x != 0
    inflated = zero_inflated(nonzero, zero_inflated_fraction)
    value_log = np.zeros(n_features, bool)
    mean, scale = np.zeros(n_features), np.ones(n_features)
    for j in np.flatnonzero(inflated):  # a handful of columns
        value_log[j], mean[j], scale[j] = nonzero_scaling(x[nonzero[:, j], j], log_span)
    indicators = distinct_indicators(nonzero, np.flatnonzero(inflated), names)
    share = np.array([nonzero[:, i].mean() for i, _ in indicators])
    columns = ([name for name, flag in zip(names, inflated, strict=True) if not flag]
               + [f"value:{names[j]}" for j in np.flatnonzero(inflated)]
               + [f"nonzero:{'+'.join(group)}" for _, group in indicators])
    return ClusterSpace(columns, inflated, value_log, mean, scale, indicators, share,
                        np.sqrt(np.maximum(share * (1 - share), 1e-12)), indicator_weight)
