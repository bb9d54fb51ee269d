"""Features against analytic signals."""

import numpy as np
import pytest

from seisclass.signal.features import (
    FeatureParameters,
    compute_features,
    feature_names,
    feature_table,
)

FS = 100.0
N = 1000  # 10-s windows
P = FeatureParameters()
COMPONENTS = ["Z", "N", "E"]


def features_of(signal: np.ndarray, reference=None, components=("Z",)) -> dict[str, float]:
    """Feature dict of one single-component window."""
    windows = np.asarray(signal, dtype=np.float32)[None, None, :]
    values, _ = compute_features(windows, FS, list(components), P, reference)
    return dict(zip(feature_names(list(components), P), values[0], strict=True))


def t():
    return np.arange(N) / FS


@pytest.mark.parametrize("frequency", [2.0, 7.0, 13.5, 31.0])
def test_sine_has_dominant_frequency_centroid_and_zero_crossings(frequency):
    f = features_of(np.sin(2 * np.pi * frequency * t() + 0.3))
    assert f["Z_dominant_hz"] == pytest.approx(frequency, abs=0.1)
    assert f["Z_centroid_hz"] == pytest.approx(frequency, abs=0.1)
    assert f["Z_rolloff_hz"] == pytest.approx(frequency, abs=0.1)
    assert f["Z_bandwidth_hz"] < 0.2
    assert f["Z_zero_crossing_rate"] == pytest.approx(2 * frequency, abs=0.15)
    assert f["Z_spectral_entropy"] < 0.05


def test_energy_and_amplitude_of_a_sine():
    amplitude = 3.0
    f = features_of(amplitude * np.sin(2 * np.pi * 7.0 * t()))
    duration = N / FS
    assert f["Z_energy"] == pytest.approx(amplitude**2 / 2 * duration, rel=1e-4)
    assert f["Z_energy_5_10hz"] == pytest.approx(amplitude**2 / 2 * duration, rel=1e-4)
    assert f["Z_ratio_5_10hz"] == pytest.approx(1.0, abs=1e-4)
    assert f["Z_ratio_1_5hz"] < 1e-6
    assert f["Z_rms"] == pytest.approx(amplitude / np.sqrt(2), rel=1e-4)
    assert f["Z_peak"] == pytest.approx(amplitude, rel=1e-3)
    assert f["Z_crest_factor"] == pytest.approx(np.sqrt(2), rel=1e-3)
    assert f["Z_kurtosis"] == pytest.approx(-1.5, abs=1e-3)  # excess kurtosis of a sine
    assert f["Z_env_mean"] == pytest.approx(amplitude, rel=1e-3)


def test_band_energies_split_two_tones():
    x = np.sin(2 * np.pi * 3.0 * t()) + 2.0 * np.sin(2 * np.pi * 25.0 * t())
    f = features_of(x)
    assert f["Z_ratio_1_5hz"] == pytest.approx(1 / 5, abs=1e-3)
    assert f["Z_ratio_20_45hz"] == pytest.approx(4 / 5, abs=1e-3)
    assert f["Z_dominant_hz"] == pytest.approx(25.0, abs=0.1)


def test_white_noise_is_flat_and_gaussian():
    rng = np.random.default_rng(1)
    f = features_of(rng.standard_normal(N))
    assert f["Z_spectral_flatness"] > 0.4
    assert f["Z_spectral_entropy"] > 0.9
    assert abs(f["Z_skewness"]) < 0.25
    assert abs(f["Z_kurtosis"]) < 0.5


def test_duration_rise_and_decay_of_a_box_envelope():
    """A 20 Hz burst from 2 s to 6 s on a quiet background lasts 4 s."""
    rng = np.random.default_rng(2)
    x = 0.01 * rng.standard_normal(N)
    burst = (t() >= 2.0) & (t() < 6.0)
    x[burst] += np.sin(2 * np.pi * 20.0 * t()[burst])
    reference = _reference(noise_envelope=0.01)
    f = features_of(x, reference)
    assert f["Z_duration_s"] == pytest.approx(4.0, abs=0.2)  # +- one envelope sample per edge
    assert f["Z_rise_s"] + f["Z_decay_s"] == pytest.approx(4.0, abs=0.2)
    expected = np.log10((f["Z_rise_s"] + 0.05) / (f["Z_decay_s"] + 0.05))
    assert f["Z_log_asc_desc"] == pytest.approx(expected, abs=1e-5)
    assert abs(f["Z_log_asc_desc"]) < np.log10(4.05 / 0.05)  # bounded by the window length


def test_no_duration_below_threshold():
    rng = np.random.default_rng(3)
    f = features_of(rng.standard_normal(N), _reference(noise_envelope=10.0))
    assert f["Z_duration_s"] == 0.0
    assert f["Z_rise_s"] == 0.0
    assert f["Z_impulse_rate"] == 0.0


@pytest.mark.parametrize("cadence", [1.6, 2.0, 2.5, 3.0])
def test_impulse_train_cadence_is_recovered(cadence):
    """Footstep-like impulses (damped 20 Hz ringing) every 1/cadence s."""
    rng = np.random.default_rng(4)
    x = 0.01 * rng.standard_normal(N)
    ring_t = np.arange(30) / FS
    ring = np.exp(-ring_t / 0.05) * np.sin(2 * np.pi * 20 * ring_t)
    for onset in np.arange(0.2, 9.5, 1.0 / cadence):
        i = int(onset * FS)
        x[i : i + 30] += ring
    f = features_of(x, _reference(noise_envelope=0.01))
    assert f["Z_cadence_hz"] == pytest.approx(cadence, rel=0.1)
    assert f["Z_periodicity"] > 0.5
    assert f["Z_impulse_rate"] == pytest.approx(cadence, rel=0.25)


def test_hv_ratio_and_snr():
    x = np.sin(2 * np.pi * 5.0 * t())
    windows = np.stack([x, 3 * x, 4 * x])[None].astype(np.float32)  # Z, N, E
    values, snr = compute_features(windows, FS, COMPONENTS, P, _reference(rms=[x.std() / 10] * 3))
    f = dict(zip(feature_names(COMPONENTS, P), values[0], strict=True))
    assert f["hv_ratio"] == pytest.approx(5.0, rel=1e-3)
    assert snr[0] == pytest.approx(20 * np.log10(40.0), abs=0.01)  # E rms / reference


def test_all_windows_at_once_equals_one_by_one():
    rng = np.random.default_rng(5)
    windows = rng.standard_normal((7, 3, N)).astype(np.float32)
    together, _ = compute_features(windows, FS, COMPONENTS, P)
    from seisclass.signal.features import noise_reference

    reference = noise_reference(windows, FS, P)
    for i in range(len(windows)):
        alone, _ = compute_features(windows[i : i + 1], FS, COMPONENTS, P, reference)
        np.testing.assert_allclose(alone[0], together[i], rtol=1e-5, atol=1e-6)


def test_flat_window_gives_finite_features():
    values, snr = compute_features(np.zeros((2, 3, N), np.float32), FS, COMPONENTS, P)
    assert np.isfinite(values).all()
    assert np.isfinite(snr).all()


def test_feature_table_documents_every_column():
    table = feature_table(COMPONENTS, P)
    assert list(table["name"]) == feature_names(COMPONENTS, P)
    assert len(table) >= 90
    assert set(table["family"]) == {"amplitude", "energy", "duration", "frequency", "periodicity"}
    assert table["unit"].str.len().gt(0).all() and table["definition"].str.len().gt(10).all()


def _reference(noise_envelope=1.0, rms=(1.0,)):
    from seisclass.signal.features import NoiseReference

    return NoiseReference(rms=np.asarray(rms, float), envelope=np.full(len(rms), noise_envelope))
