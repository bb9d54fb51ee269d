"""Sensor health checks (seisclass.signal.health) on analytic signals: dead, clipped, spiky, NaN runs."""

import numpy as np
import pandas as pd
import pytest
from obspy import Stream, Trace, UTCDateTime

from seisclass.acquire.demo import DemoParameters, ambient_noise
from seisclass.core.records import StationDay
from seisclass.core.vocabulary import to_timestamps
from seisclass.signal.health import (
    HealthParameters,
    channel_health,
    merge_intervals,
    station_day_health,
    window_health,
)

pytestmark = pytest.mark.unit

P = HealthParameters()
T0 = UTCDateTime("2024-06-01T10:00:00")
FS = 20.0
N = int(3600 * FS)  # one hour


def trace(data, fs=FS, channel="HHZ", start=T0) -> Stream:
    return Stream([Trace(np.asarray(data), header={"network": "XX", "station": "A", "channel": channel,
                                                   "sampling_rate": fs, "starttime": start})])


def noise(seed=0, sigma=30.0) -> np.ndarray:
    """Gaussian noise in integer counts (what a digitizer gives)."""
    return np.rint(np.random.default_rng(seed).normal(0.0, sigma, N)).astype(np.int32)


def test_constant_channel_is_dead():
    record, intervals = channel_health(trace(np.full(N, 7, np.int32)), P)
    assert record.flags == ("dead",) and record.health == "dead"
    assert record.dead_s == pytest.approx(3600.0) and record.dead_runs == 1
    assert record.spikes == 0 and record.clipped_samples == 0  # a constant has no extremes to clip at
    dead = intervals[intervals["kind"] == "dead"]
    assert dead[["start", "end"]].to_numpy().tolist() == [[T0.timestamp, T0.timestamp + 3600.0]]


def test_a_dead_stretch_is_measured_and_short_repeats_are_not():
    x = noise().astype(np.float64)
    x[int(600 * FS):int(1500 * FS)] = 12.0  # 900 s stuck: 25 % of the hour, above dead_fraction 0.1
    record, intervals = channel_health(trace(x), P)
    assert record.dead_s == pytest.approx(900.0, abs=0.1) and "dead" in record.flags
    (start, end), = intervals.loc[intervals["kind"] == "dead", ["start", "end"]].to_numpy()
    assert start == pytest.approx(T0.timestamp + 600, abs=0.1) and end == pytest.approx(T0.timestamp + 1500, abs=0.1)
    # 9 s stuck (below dead_run_s = 10 s) is not dead
    y = noise().astype(np.float64)
    y[:int(9 * FS)] = 12.0
    assert channel_health(trace(y), P)[0].dead_s == 0.0


def test_data_clipped_at_50_counts_are_clipped():
    x = noise()
    clipped = np.clip(x, -50, 50)
    record, intervals = channel_health(trace(clipped), P)
    assert "clipped" in record.flags
    assert record.clipped_samples == int((np.abs(x) >= 50).sum())  # every sample at the rails, no other
    assert (intervals["kind"] == "clipped").any()
    # the same data with the digitizer's full scale configured
    full = channel_health(trace(clipped), HealthParameters(full_scale_counts=50.0))[0]
    assert full.clipped_samples == record.clipped_samples and "clipped" in full.flags
    # a sensor stuck at full scale for the whole hour is clipped, not dead
    railed = channel_health(trace(np.full(N, 50, np.int32)), HealthParameters(full_scale_counts=50.0))[0]
    assert railed.flags == ("clipped",) and railed.dead_s == 0.0 and railed.clipped_samples == N


def test_injected_spikes_are_counted():
    x = noise().astype(np.float64)
    at = [1000, 5000, 9000, 20000, 40000]
    x[at] += 30000.0  # 1000 sigma glitches, far apart
    record, _ = channel_health(trace(x), P)
    assert record.spikes == 5 and record.flags == ("spiky",)
    assert channel_health(trace(noise()), P)[0].spikes == 0


def test_a_strong_impulsive_earthquake_is_no_spike():
    """A 15 Hz wavelet (at 100 Hz) 10^4 times the noise with a sudden onset: large, but like its neighbours."""
    fs = 100.0
    t = np.arange(int(600 * fs)) / fs
    x = np.random.default_rng(3).normal(0.0, 1.0, len(t))
    after = np.clip(t - 300.0, 0, None)
    x += np.where(t >= 300.0, 1e4 * np.exp(-after / 5.0) * np.sin(2 * np.pi * 15.0 * after), 0.0)
    record, _ = channel_health(trace(x, fs), P)
    assert record.spikes == 0 and record.flags == ()


def test_nan_run_is_counted_with_its_seconds():
    x = noise().astype(np.float64)
    x[int(600 * FS):int(660 * FS)] = np.nan  # 60 s of NaN
    record, intervals = channel_health(trace(x), P)
    assert record.nan_runs == 1 and record.nan_s == pytest.approx(60.0) and record.flags == ("nan",)
    nan = intervals[intervals["kind"] == "nan"]
    assert nan[["start", "end"]].to_numpy().tolist() == [[T0.timestamp + 600.0, T0.timestamp + 660.0]]
    x[int(600 * FS):int(660 * FS)] = np.inf  # infinities too: a NaN run, neither dead nor spikes
    record, _ = channel_health(trace(x), P)
    assert (record.nan_runs, record.nan_s, record.dead_s, record.spikes) == (1, 60.0, 0.0, 0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clean_noise_is_not_flagged(seed):
    """The demo's ambient noise (float counts and integer counts) and a quiet integer channel: all ok."""
    demo = DemoParameters(sampling_rate=100.0)
    z = ambient_noise(T0.timestamp, 3600 * 100, demo, np.random.default_rng(seed))[0] * demo.sensitivity
    for data in (z.astype(np.float32), np.rint(z).astype(np.int32), noise(seed, sigma=2.0)):
        record, intervals = channel_health(trace(data, 100.0 if len(data) != N else FS), P)
        assert record.flags == () and record.health == "ok", record
        assert record.dead_s == 0 and record.spikes == 0 and record.nan_runs == 0 and record.clipped_samples == 0
        assert intervals.empty


def test_runs_do_not_reach_across_traces():
    """Two traces of one channel, each ending/starting with the same value: no dead run across the gap."""
    a, b = noise(0)[:N // 2], noise(1)[:N // 2]
    a[-int(6 * FS):] = 3
    b[:int(6 * FS)] = 3  # 6 s + 6 s: dead only if joined
    stream = trace(a) + trace(b, start=T0 + 3600)
    assert channel_health(stream, P)[0].dead_s == 0.0


def test_station_day_health_names_each_channel():
    stream = trace(np.full(N, 7, np.int32), channel="HHZ") + trace(noise(), channel="HHN")
    day = StationDay("XX", "A", "", "HH?", "2024-06-01", T0.timestamp - 36000, T0.timestamp + 50400)
    records, intervals = station_day_health(stream, [day], P)
    assert [(r["channel"], r["health"]) for r in records] == [("HHN", "ok"), ("HHZ", "dead")]
    assert set(intervals["channel"]) == {"HHZ"} and set(intervals["station"]) == {"XX.A"}


def test_merge_intervals_joins_close_stretches():
    starts, ends = merge_intervals(np.array([0.0, 10.0, 1.5, 3.0]), np.array([1.0, 11.0, 2.0, 4.0]), 1.0)
    assert starts.tolist() == [0.0, 10.0] and ends.tolist() == [4.0, 11.0]


def test_window_health_marks_windows_touching_bad_stretches():
    t = T0.timestamp
    windows = pd.DataFrame({"network": "XX", "station": ["A"] * 4 + ["B"], "location": "",
                            "start": to_timestamps([t, t + 10, t + 20, t + 30, t + 10]),
                            "end": to_timestamps([t + 10, t + 20, t + 30, t + 40, t + 20])})
    intervals = pd.DataFrame({"station": "XX.A", "day": "2024-06-01", "channel": ["HHZ", "HHN", "HHE"],
                              "kind": ["dead", "nan", "clipped"], "start": [t + 5, t + 12, t + 30],
                              "end": [t + 15, t + 13, t + 30.05]})
    assert window_health(windows, intervals).tolist() == ["dead", "dead+nan", "ok", "clipped", "ok"]
    assert window_health(windows, intervals.iloc[:0]).tolist() == ["ok"] * 5


# ------------------------------------------------------------------ in the availability table

STATUS = {"station": "XX.A", "day": "2024-06-01", "source": "demo", "status": "ok"}


def test_nan_run_is_a_gap_with_its_seconds_in_the_availability_table():
    from seisclass.quality.availability import chunk_availability

    x = noise().astype(np.float64)
    x[int(600 * FS):int(660 * FS)] = np.nan  # 60 s of NaN inside one hour of data
    x[int(1800 * FS):int(1830 * FS)] = np.nan  # and 30 s more
    row = chunk_availability(trace(x), T0.timestamp, T0.timestamp + 3600, STATUS).iloc[0]
    assert row["gaps"] == 2 and row["gap_s"] == pytest.approx(90.0)
    assert row["covered_s"] == pytest.approx(3510.0) and row["coverage"] == pytest.approx(3510.0 / 3600)
    assert row["nan_runs"] == 2 and row["nan_s"] == pytest.approx(90.0) and row["health"] == "nan"
    clean = chunk_availability(trace(noise()), T0.timestamp, T0.timestamp + 3600, STATUS).iloc[0]
    assert clean["gaps"] == 0 and clean["coverage"] == pytest.approx(1.0) and clean["health"] == "ok"


def test_dead_and_clipped_channels_in_the_availability_table():
    from seisclass.quality.availability import AVAILABILITY_COLUMNS, chunk_availability

    stream = trace(np.full(N, 7, np.int32), channel="HHZ") + trace(np.clip(noise(), -50, 50), channel="HHN")
    table = chunk_availability(stream, T0.timestamp, T0.timestamp + 3600, STATUS)
    assert list(table.columns) == AVAILABILITY_COLUMNS
    table = table.set_index("channel")
    assert table.loc["HHZ", "health"] == "dead" and table.loc["HHZ", "dead_s"] == pytest.approx(3600.0)
    assert table.loc["HHN", "health"] == "clipped" and table.loc["HHN", "clipped_samples"] > 1000
    assert (table["coverage"] == 1.0).all()  # a dead sensor still delivers samples: covered, but flagged


# ------------------------------------------------------------------ training windows and classified output


def test_windows_in_bad_data_are_marked_and_left_out_of_training():
    from seisclass.core.vocabulary import UNLABELED
    from seisclass.data.dataset import assemble, feature_columns, mark_health

    t = T0.timestamp
    starts = t + 10.0 * np.arange(4)
    keys = pd.DataFrame({"network": "XX", "station": "A", "location": "", "channel": "HH?",
                         "start": to_timestamps(starts), "end": to_timestamps(starts + 10)})
    labels = keys.assign(label=["quake", "quake", "noise", UNLABELED], interval=["i1", "i1", "i2", ""])
    intervals = pd.DataFrame({"station": "XX.A", "day": "2024-06-01", "channel": "HHZ", "kind": ["dead"],
                              "start": [t + 12.0], "end": [t + 25.0]})
    marked = mark_health(labels, intervals)
    assert marked["health"].tolist() == ["ok", "dead", "dead", "ok"]
    assert marked["label"].tolist() == ["quake", UNLABELED, UNLABELED, UNLABELED]
    assert marked["interval"].tolist() == ["i1", "", "", ""]
    kept = mark_health(labels, intervals.assign(kind="clipped"), exclude=("dead", "nan"))  # clipped: trained on
    assert kept["health"].tolist() == ["ok", "clipped", "clipped", "ok"] and kept["label"].equals(labels["label"])
    features = keys.assign(snr=np.float32(1.0), Z_rms=np.arange(4, dtype=np.float32))
    table = assemble([features], [marked])
    assert table["health"].tolist() == ["ok", "dead", "dead", "ok"] and feature_columns(table) == ["Z_rms"]


@pytest.fixture(scope="module")
def forest_path(tmp_path_factory) -> str:
    from test_models import CLASSES, RECIPE, labelled_features, synthetic_stream

    from seisclass.learn.forest import ForestParameters, fit_forest

    path = str(tmp_path_factory.mktemp("health_model") / "rf.skops")
    fit_forest(labelled_features(synthetic_stream(50.0)), CLASSES, ForestParameters(n_estimators=10), seed=1,
               recipe=RECIPE).save(path)
    return path


def test_classify_warns_about_a_dead_channel_and_marks_its_windows(forest_path, tmp_path, capsys):
    from test_models import synthetic_stream

    from seisclass.cli import main

    dead = synthetic_stream(100.0, station="DEAD")
    dead.select(channel="HHZ")[0].data[:] = 5.0  # the vertical sensor stopped: constant for the whole file
    clipped = synthetic_stream(100.0, station="CLIP", seed=2)
    for tr in clipped:
        tr.data = np.clip(tr.data, -2.0, 2.0)  # 2 sigma of the noise: some 5 % of the samples at the rails
    good = synthetic_stream(100.0, station="GOOD", seed=4)
    for name, stream in (("dead", dead), ("clipped", clipped), ("good", good)):
        stream.write(str(tmp_path / f"{name}.mseed"), format="MSEED")
    out = tmp_path / "out"
    assert main(["--quiet", "classify", "--model", forest_path, str(tmp_path / "dead.mseed"),
                 str(tmp_path / "clipped.mseed"), str(tmp_path / "good.mseed"), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    table = pd.read_parquet(out / "probabilities.parquet")
    health = table.groupby("station")["health"].agg(set).to_dict()
    assert health == {"DEAD": {"dead"}, "CLIP": {"clipped"}, "GOOD": {"ok"}}
    n_dead = int((table["station"] == "DEAD").sum())
    assert f"XX.DEAD.HHZ 2024-03-01: dead (constant for 1200 s): {n_dead} of {n_dead} window(s) marked" in err
    assert "XX.CLIP.HHN 2024-03-01: clipped (" in err and "GOOD" not in err


def test_true_runs_are_the_half_open_ranges_of_true_samples():
    from seisclass.signal.health import true_runs

    starts, ends = true_runs(np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], bool))
    assert starts.tolist() == [0, 4, 6] and ends.tolist() == [2, 5, 9]
    assert [x.tolist() for x in true_runs(np.zeros(4, bool))] == [[], []]
    assert [x.tolist() for x in true_runs(np.ones(3, bool))] == [[0], [3]]
