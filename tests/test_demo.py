"""The demo generator: physics checks and agreement of signals with annotations."""

import numpy as np
import pandas as pd
import pytest
from obspy import UTCDateTime
from obspy.signal.spectral_estimation import get_nhnm, get_nlnm
from scipy.signal import welch

from seisclass.acquire.demo import (
    DemoParameters,
    add_earthquakes,
    add_tourists,
    ambient_noise,
    brune_corner_frequency,
    earthquake_catalogue,
    generate_station_day,
)

pytestmark = pytest.mark.unit

FS = 100.0
T0 = UTCDateTime("2024-06-01T12:00:00")


def test_noise_spectrum_lies_between_peterson_models():
    p = DemoParameters(noise_level_night=0.3, noise_level_day=0.5)
    noise = ambient_noise(T0.timestamp, int(1800 * FS), p, np.random.default_rng(0))[0]
    freqs, psd = welch(noise, fs=FS, nperseg=8192)
    band = (freqs > 0.1) & (freqs < 40)
    accel_db = 10 * np.log10(psd[band] * (2 * np.pi * freqs[band]) ** 2)
    log_period = np.log10(1 / freqs[band])
    low = np.interp(log_period, np.log10(get_nlnm()[0][::-1]), get_nlnm()[1][::-1])
    high = np.interp(log_period, np.log10(get_nhnm()[0][::-1]), get_nhnm()[1][::-1])
    assert np.all(accel_db > low - 3) and np.all(accel_db < high + 3)
    # the microseism peak (0.1-0.3 Hz) dominates the velocity spectrum below 1 Hz
    micro = (freqs > 0.1) & (freqs < 0.35)
    assert psd[micro].max() > 10 * psd[(freqs > 0.6) & (freqs < 1.0)].max()


def test_gutenberg_richter_b_value_is_recovered():
    p = DemoParameters(earthquakes_per_day=20000, magnitude_min=1.0, magnitude_max=6.0, b_value=1.0)
    magnitudes = earthquake_catalogue("2024-06-01", p, seed=1, center=(46.5, 8.0))["magnitude"]
    b_mle = np.log10(np.e) / (magnitudes.mean() - (1.0 - 0.005))  # Aki (1965), 0.01 binning
    assert b_mle == pytest.approx(1.0, abs=0.05)


def test_corner_frequency_falls_with_magnitude():
    fc = [brune_corner_frequency(m, 3.0, 3.5) for m in (1.0, 2.0, 3.0, 4.0)]
    assert fc == sorted(fc, reverse=True)
    assert fc[1] / fc[2] == pytest.approx(10**0.5, rel=1e-6)  # M0 x 10^1.5 -> fc / 10^0.5


def test_earthquake_starts_at_the_p_arrival_and_s_p_time_follows_distance():
    p = DemoParameters()
    origin = T0.timestamp + 100.0
    event = pd.DataFrame({"origin_time": [origin], "latitude": [46.5 + 30 / 111.19],
                          "longitude": [8.0], "depth_km": [10.0], "magnitude": [3.0]})
    data = np.zeros((3, int(600 * FS)))
    (tp, end, magnitude, r), = add_earthquakes(data, T0.timestamp, event, 46.5, 8.0, p,
                                               np.random.default_rng(0))
    assert r == pytest.approx(np.hypot(30.0, 10.0), rel=1e-3)
    assert tp == pytest.approx(origin + r / p.vp_km_s)
    first = np.flatnonzero(np.abs(data).max(axis=0) > 0)[0]
    assert first / FS == pytest.approx(tp - T0.timestamp, abs=0.02)
    ts = origin + r / p.vs_km_s
    envelope = np.abs(data[1])
    s_index = int((ts - T0.timestamp) * FS)
    assert envelope[s_index : s_index + 300].max() > 2 * envelope[first : s_index - 10].max()
    assert end > ts


def test_tourist_bursts_lie_inside_their_annotations():
    p = DemoParameters(tourist_bursts_per_day=2000)
    data = np.zeros((3, int(3600 * FS)))
    bursts = add_tourists(data, T0.timestamp, p, np.random.default_rng(3))
    assert len(bursts) > 20
    active = np.zeros(data.shape[1], bool)
    for start, end, _ in bursts:
        active[int((start - T0.timestamp) * FS) : int((end - T0.timestamp) * FS) + 1] = True
    energy = np.square(data).sum(axis=0)
    assert energy[~active].sum() < 0.01 * energy.sum()  # ringing tails only


def test_station_day_is_reproducible_and_annotations_match_truth():
    p = DemoParameters(earthquakes_per_day=500, tourist_bursts_per_day=300)
    catalogue = earthquake_catalogue("2024-06-01", p, seed=5, center=(46.5, 8.0))
    args = ("XX", "A", "", "HH?", 46.5, 8.0, T0, T0 + 1800, catalogue, p, 5)
    st1, ann1, truth1 = generate_station_day(*args)
    st2, ann2, truth2 = generate_station_day(*args)
    assert all(np.array_equal(a.data, b.data) for a, b in zip(st1, st2, strict=True))
    assert ann1.equals(ann2)
    assert [tr.stats.channel for tr in st1] == ["HHZ", "HHN", "HHE"]
    events = ann1[ann1["label"] != "silence"]
    assert (set(zip(events["start"], events["label"], strict=True))
            <= set(zip(truth1["start"], truth1["label"], strict=True)))
    silence = ann1[ann1["label"] == "silence"]
    starts, ends = pd.to_datetime(truth1["start"]), pd.to_datetime(truth1["end"])
    for a, b in zip(pd.to_datetime(silence["start"]), pd.to_datetime(silence["end"]), strict=True):
        assert not ((starts < b) & (ends > a)).any()  # silence never overlaps an event


def test_event_visibility_is_the_band_power_of_the_event_over_the_background():
    from seisclass.acquire.demo import event_snr_db

    fs, t0 = 100.0, 0.0
    t = np.arange(int(60 * fs)) / fs
    background = np.random.default_rng(0).normal(size=len(t))
    signal = np.where((t >= 20) & (t < 30), 3.0 * np.sin(2 * np.pi * 10.0 * t), 0.0)
    events = pd.DataFrame({"t0": [20.0, 40.0], "t1": [30.0, 50.0]})
    snr = event_snr_db(signal, background, events, t0, fs)
    # a 10 Hz sine of amplitude 3 (power 4.5) over white noise of variance 1, of which 44/50 lies in 1-45 Hz
    assert snr[0] == pytest.approx(10 * np.log10(4.5 / (44 / 50)), abs=0.5)
    assert snr[1] < -100  # no event signal in the second span


def test_truth_records_each_events_visibility():
    p = DemoParameters(earthquakes_per_day=500, tourist_bursts_per_day=300)
    catalogue = earthquake_catalogue("2024-06-01", p, seed=5, center=(46.5, 8.0))
    _, _, truth = generate_station_day("XX", "A", "", "HH?", 46.5, 8.0, T0, T0 + 1800, catalogue, p, 5)
    assert "snr_db" in truth and np.isfinite(truth["snr_db"]).all()
    quakes = truth[truth["label"] == "earthquake"]
    magnitude = quakes["detail"].str.extract(r"M([\d.]+)")[0].astype(float)
    assert np.corrcoef(magnitude, quakes["snr_db"])[0, 1] > 0.3  # larger events are seen better
