"""Features against analytic signals."""

import numpy as np
import pandas as pd
import pytest

from seisclass.signal.features import (
    FeatureParameters,
    compute_features,
    feature_names,
    feature_table,
)

pytestmark = pytest.mark.unit

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


# ---------------------------------------------------------------- cadence range and station bandwidth


@pytest.mark.parametrize(("fs", "envelope_rate"), [(40.0, 10.0), (100.0, 20.0), (100.0, 12.0)])
def test_cadence_never_leaves_the_configured_range(fs, envelope_rate):
    """White noise has no cadence: whatever lag wins, rate / lag stays inside cadence_hz (was 5 Hz > 4 Hz)."""
    from seisclass.signal.features import cadence_lags

    p = FeatureParameters(envelope_rate_hz=envelope_rate, bands_hz=((1.0, 5.0),))
    rng = np.random.default_rng(1)
    windows = rng.standard_normal((300, 1, int(10 * fs))).astype(np.float32)
    values, _ = compute_features(windows, fs, ["Z"], p)
    cadence = values[:, feature_names(["Z"], p).index("Z_cadence_hz")]
    low, high = p.cadence_hz
    assert cadence.min() >= low - 1e-6 and cadence.max() <= high + 1e-6
    rate = fs / round(fs / envelope_rate)
    first, last = cadence_lags(rate, p.cadence_hz, 1000)
    assert rate / first <= high < rate / (first - 1)  # the shortest lag allowed, and no shorter one
    assert rate / last >= low > rate / (last + 1)


def test_cadence_lags_of_a_range_without_a_whole_lag():
    from seisclass.signal.features import cadence_lags

    assert cadence_lags(10.0, (0.8, 4.0), 100) == (3, 12)  # 3.33 Hz .. 0.83 Hz
    assert cadence_lags(10.0, (3.5, 4.0), 100) == (3, 3)  # 2.86 lags only: kept, cadence clipped later


def _band_table(stations, n=3):
    start = pd.Timestamp("2024-06-01T10:00:00", tz="UTC") + pd.to_timedelta(np.arange(n) * 5, unit="s")
    p = FeatureParameters(bands_hz=((1.0, 5.0), (5.0, 10.0), (10.0, 20.0)))
    names = feature_names(["Z"], p)
    parts = []
    for network, station in stations:
        head = pd.DataFrame({"network": network, "station": station, "location": "", "channel": "HH?",
                             "start": start, "end": start + pd.Timedelta(seconds=10)})
        parts.append(pd.concat([head, pd.DataFrame(np.ones((n, len(names)), np.float32), columns=names)], axis=1))
    return pd.concat(parts, ignore_index=True), p


def test_bands_above_the_original_nyquist_are_missing_not_zero():
    from seisclass.signal.features import band_columns, mask_unmeasured_bands

    table, p = _band_table([("XX", "SLOW"), ("XX", "FAST"), ("XX", "NONE")])
    rates = pd.DataFrame({"station": ["XX.SLOW", "XX.FAST"], "day": "2024-06-01", "channel": ["EHZ", "HHZ"],
                          "component": "Z", "sampling_rate": [20.0, 100.0]})
    masked, summary = mask_unmeasured_bands(table, rates, ["Z"], p)
    slow = masked["station"] == "SLOW"
    # 20 Hz: Nyquist 10 Hz. 1-5 and 5-10 Hz were recorded, 10-20 Hz never was.
    for column in ("Z_energy_10_20hz", "Z_ratio_10_20hz"):
        assert masked.loc[slow, column].isna().all() and masked.loc[~slow, column].notna().all()
    assert masked.loc[:, ["Z_energy_5_10hz", "Z_rms", "Z_cadence_hz"]].notna().all().all()
    assert masked.loc[~slow].equals(table.loc[~slow])  # 100 Hz and unknown rate: untouched
    assert set(summary["column"]) == {"Z_energy_10_20hz", "Z_ratio_10_20hz"}
    assert (summary["windows"] == 3).all() and (summary["sampling_rate"] == 20.0).all()
    assert set(band_columns(["Z"], p)["column"]) == {c for c in table.columns if "hz" in c and c[2:6] in (
        "ener", "rati")}


def test_feature_table_states_the_bandwidth_rule_and_dataset_accepts_only_band_nan():
    from seisclass.data.dataset import DatasetError, check_finite
    from seisclass.signal.features import is_band_column

    table = feature_table(["Z"], P).set_index("name")
    assert "NaN (missing)" in table.loc["Z_energy_20_45hz", "definition"]
    assert "Nyquist" in table.loc["Z_ratio_1_5hz", "definition"]
    assert is_band_column("Z_energy_1p5_3hz") and is_band_column("ratio_10_20hz")
    assert not is_band_column("Z_energy") and not is_band_column("Z_centroid_hz")
    frame = pd.DataFrame({"network": "XX", "station": "A", "start": [0, 1], "Z_energy_20_45hz": [np.nan, 1.0],
                          "Z_energy": [1.0, 2.0]})
    check_finite(frame, ["Z_energy_20_45hz", "Z_energy"])
    frame.loc[0, "Z_energy"] = np.nan
    with pytest.raises(DatasetError, match="'Z_energy' is nan in 1 window"):
        check_finite(frame, ["Z_energy"])
    frame.loc[1, "Z_energy_20_45hz"] = np.inf
    with pytest.raises(DatasetError, match="Z_energy_20_45hz"):
        check_finite(frame, ["Z_energy_20_45hz"])


def test_preprocessing_records_the_original_sampling_rates(tmp_path):
    """The notes of a chunk carry each channel's rate before resampling; the features read them back."""
    import json

    from obspy import Stream, Trace, UTCDateTime

    from seisclass.signal.preprocess import (
        ORIGINAL_RATE_COLUMNS,
        original_sampling_rates,
        read_original_rates,
    )

    t0 = UTCDateTime("2024-06-01T00:00:00")
    stream = Stream([Trace(np.zeros(1200, np.float32), header={"network": "XX", "station": "A", "channel": "EHZ",
                                                                "sampling_rate": 20.0, "starttime": t0}),
                     Trace(np.zeros(100, np.float32), header={"network": "XX", "station": "A", "channel": "EHZ",
                                                               "sampling_rate": 50.0, "starttime": t0 + 60}),
                     Trace(np.zeros(6000, np.float32), header={"network": "XX", "station": "B", "channel": "HH1",
                                                                "sampling_rate": 100.0, "starttime": t0})])
    from seisclass.core.records import StationDay

    members = [StationDay("XX", code, "", "HH?", "2024-06-01", t0.timestamp, t0.timestamp + 86400)
               for code in ("A", "B", "C")]
    rates = original_sampling_rates(stream, members)
    assert [(r["station"], r["channel"], r["component"], r["sampling_rate"]) for r in rates] == [
        ("XX.A", "EHZ", "Z", 20.0), ("XX.B", "HH1", "N", 100.0)]  # majority rate by duration; 1 read as N
    notes = tmp_path / "chunk.notes.json"
    notes.write_text(json.dumps({"notes": [], "original_sampling_rates": rates}))
    old = tmp_path / "old.notes.json"
    old.write_text(json.dumps({"notes": []}))
    table = read_original_rates([notes, old])
    assert list(table.columns) == ORIGINAL_RATE_COLUMNS and len(table) == 2
