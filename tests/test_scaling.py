"""The exploration's scaling (scikit-learn pipeline) gives what the hand-written transform gave.

``reference_*`` below is the transform as it was written by hand before the
pipeline (NaN -> median, log10 where heavy-tailed, z-score), kept here as the oracle.
"""

import warnings

import numpy as np
import pytest

from seisclass.explain.scaling import fit_cluster_space, fit_scaling

pytestmark = pytest.mark.unit


def reference_fit(values, log_span):
    """(log_columns, fill, mean, scale) as the hand-written ``fit_scaling`` computed them."""
    x = np.asarray(values, float)
    x = np.where(np.isfinite(x), x, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column: nanmedian warns, the fill is 0
        fill = np.nan_to_num(np.nanmedian(x, axis=0))
    x = np.where(np.isnan(x), fill[None, :], x)
    low, high = np.percentile(x, [1, 99], axis=0)
    log_columns = (x.min(axis=0) > 0) & (high > log_span * low)
    x[:, log_columns] = np.log10(x[:, log_columns])
    mean, std = x.mean(axis=0), x.std(axis=0)
    return log_columns, fill, mean, np.where(std > 0, std, 1.0)


def reference_apply(fitted, values):
    log_columns, fill, mean, scale = fitted
    x = np.array(values, dtype=float)
    x = np.where(np.isfinite(x), x, fill[None, :])
    x[:, log_columns] = np.log10(np.maximum(x[:, log_columns], 1e-300))
    return (x - mean) / scale


def feature_matrix(n=3000, seed=0):
    """Columns of every kind the features have; rows past n // 2 play the windows outside the fit subsample."""
    rng = np.random.default_rng(seed)
    columns = {
        "energy": 10 ** rng.uniform(-3, 5, n),             # positive, eight decades: log10
        "amplitude": rng.lognormal(0, 2.5, n),              # positive, heavy tail: log10
        "ratio": rng.uniform(0.2, 0.8, n),                  # positive, narrow: z-score only
        "kurtosis": rng.normal(0, 3, n),                    # signed: z-score only
        "duration": np.where(rng.uniform(size=n) < 0.7, 0.0, rng.exponential(3, n)),  # zero-inflated
        "rise": np.where(rng.uniform(size=n) < 0.7, 0.0, 10 ** rng.uniform(-2, 3, n)),  # zero-inflated, decades
        "constant": np.full(n, 3.0),                       # constant: scale 1, all 0
        "band_energy": 10 ** rng.uniform(0, 6, n),           # missing in some windows (above a Nyquist)
    }
    values = np.column_stack(list(columns.values()))
    values[rng.uniform(size=n) < 0.2, 7] = np.nan
    values[rng.integers(0, n, 30), 3] = np.inf
    values[rng.integers(0, n, 30), 2] = -np.inf
    values[n // 2 + rng.integers(0, n // 2, 20), 0] = 0.0  # outside the fit rows: non-positive in a log10 column
    values[n // 2 + rng.integers(0, n // 2, 20), 1] = -1.0
    return values, list(columns)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pipeline_scaling_matches_the_hand_written_transform(seed):
    values, names = feature_matrix(seed=seed)
    fit_rows = values[: len(values) // 2]
    scaling = fit_scaling(fit_rows, log_span=1000)
    reference = reference_fit(fit_rows, 1000)
    np.testing.assert_array_equal(scaling.log_columns, reference[0])
    logged = [name for name, flag in zip(names, scaling.log_columns, strict=True) if flag]
    assert logged == ["energy", "amplitude", "band_energy"]
    for got, want in zip((scaling.fill, scaling.mean, scaling.scale), reference[1:], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    z, z_reference = scaling.apply(values), reference_apply(reference, values)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z, z_reference, rtol=1e-12, atol=1e-12)


def test_pipeline_scaling_keeps_a_column_missing_in_every_fit_row_at_zero():
    values, _ = feature_matrix()
    fit_rows = values[:1000].copy()
    fit_rows[:, 7] = np.nan  # e.g. a band above the Nyquist frequency of every station in the subsample
    scaling = fit_scaling(fit_rows, log_span=1000)
    reference = reference_fit(fit_rows, 1000)
    assert scaling.fill[7] == reference[1][7] == 0.0
    np.testing.assert_allclose(scaling.apply(values), reference_apply(reference, values), rtol=1e-12, atol=1e-12)


def test_a_constant_column_whose_mean_is_inexact_stays_zero():
    """0.1 repeated has a mean off by a rounding error: the hand-written z-score divided that error by
    itself (a column of -1, or huge values outside the fit rows); the StandardScaler calls it constant."""
    values = np.column_stack([np.full(500, 0.1), np.linspace(0, 1, 500)])
    reference = reference_fit(values, 1000)
    assert 0 < reference[3][0] < 1e-15  # the old transform's scale
    scaling = fit_scaling(values, log_span=1000)
    assert scaling.scale[0] == 1.0
    assert np.abs(scaling.apply(np.array([[0.1, 0.5], [0.2, 0.5]]))[:, 0]).max() < 0.2


@pytest.mark.parametrize("fraction", [0.5, None])
def test_cluster_space_on_the_pipeline_scaling(fraction):
    """The cluster space (zero-inflated features split) of the scaled features is finite, one column per
    plain feature, value part and distinct indicator."""
    values, names = feature_matrix()
    fit_rows = values[: len(values) // 2]
    z = fit_scaling(fit_rows, 1000).apply(values)
    space = fit_cluster_space(fit_rows, names, fraction, log_span=1000, indicator_weight=0.25)
    x = space.apply(values, z)
    assert np.isfinite(x).all() and x.shape == (len(values), len(space.columns))
    if fraction is None:
        np.testing.assert_array_equal(x, z)
    else:
        assert space.zero_inflated.tolist() == [False] * 4 + [True, True] + [False] * 2
        assert space.value_log.tolist() == [False] * 5 + [True, False, False]
        assert len(space.indicators) == 2  # duration and rise are zero in different windows
