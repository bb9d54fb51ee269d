"""Events (seisclass.events): per-station extent and class on synthetic probabilities and envelopes,
association across stations, the catalogue files and event metrics against hand-computed cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from obspy import Stream, Trace, UTCDateTime, read_events

from seisclass.events.associate import associate, distances_km, locate
from seisclass.events.catalogue import build_catalogue, merge_across_days
from seisclass.events.catalogue import read_events as read_event_csv
from seisclass.events.detect import Envelope, EventParameters, station_events
from seisclass.events.evaluate import covered_by, event_metrics, reference_events

pytestmark = pytest.mark.unit

CLASSES = ["silence", "surface", "earthquake"]
T0 = 1_700_000_000.0  # an epoch second on the window grid
P = EventParameters()


def windows(probabilities: np.ndarray, t0: float = T0, station: str = "A") -> pd.DataFrame:
    """A station's window table on the 10-s / 5-s grid from rows of class probabilities."""
    start = pd.to_datetime((t0 + 5.0 * np.arange(len(probabilities))) * 1e6, unit="us", utc=True)
    table = pd.DataFrame({"network": "XX", "station": station, "location": "", "channel": "HH?", "start": start,
                          "end": start + pd.Timedelta(seconds=10)})
    for j, c in enumerate(CLASSES):
        table[f"p_{c}"] = probabilities[:, j]
    return table


def envelope(segments: list[tuple[float, float, float]], t0: float = T0, duration: float = 600.0) -> Envelope:
    """Frames every second, power 1 (noise) plus ``(start s, end s, power)`` boxes relative to ``t0``."""
    times = t0 + np.arange(0, duration, 1.0) + 1.0
    power = np.ones_like(times)
    for a, b, level in segments:
        power[(times >= t0 + a) & (times < t0 + b)] = level
    return Envelope(times, power, "HHZ")


def quake_then_coda(n: int = 60) -> np.ndarray:
    """Silence, then an earthquake at window 20 (t = 100 s) whose coda windows look like surface."""
    p = np.tile([0.95, 0.03, 0.02], (n, 1))
    p[20:28] = [0.02, 0.10, 0.88]  # the onset and 40 s after: earthquake
    p[28:40] = [0.10, 0.60, 0.30]  # the coda: surface-like
    return p


def test_one_event_per_earthquake_with_its_coda_and_one_class():
    # envelope: noise, a 100x rise at 103 s decaying to noise level at 200 s
    env = envelope([(103.0, 150.0, 100.0), (150.0, 200.0, 4.0)])
    events = station_events(windows(quake_then_coda()), CLASSES, env, P, 10.0, 5.0)
    assert len(events) == 1
    row = events.iloc[0]
    assert row["class"] == "earthquake" and row["channel"] == "HHZ"  # the coda does not vote
    assert (row["onset"] - pd.Timestamp(T0 + 103.0, unit="s", tz="UTC")).total_seconds() == pytest.approx(0.5, abs=1.0)
    # the end: the last frame above end_db (3 dB: power 4 is 6 dB) before 5 s of quiet
    assert (row["end"] - pd.Timestamp(T0 + 200.0, unit="s", tz="UTC")).total_seconds() == pytest.approx(1.0, abs=1.5)
    assert row["snr_db"] > 10 and row["probability"] == pytest.approx(row["p_earthquake"])
    assert row[["p_silence", "p_surface", "p_earthquake"]].sum() == pytest.approx(1.0)


def test_without_an_envelope_the_extent_is_the_windows():
    events = station_events(windows(quake_then_coda()), CLASSES, None, P, 10.0, 5.0)
    assert len(events) == 1 and np.isnan(events["snr_db"].iloc[0])
    assert events["onset"].iloc[0] == pd.Timestamp(T0 + 95.0, unit="s", tz="UTC")  # first window above off


def test_weak_short_and_quiet_candidates_are_dropped():
    p = np.tile([0.95, 0.03, 0.02], (60, 1))
    p[10:13] = [0.30, 0.05, 0.65]   # reaches on_probability, but the envelope barely moves: below min_snr_db
    p[40:44] = [0.6, 0.2, 0.2]      # never reaches on_probability (0.5): no candidate
    env = envelope([(52.0, 64.0, 2.0)])
    assert len(station_events(windows(p), CLASSES, env, P, 10.0, 5.0)) == 0
    loud = envelope([(52.0, 64.0, 50.0)])
    assert len(station_events(windows(p), CLASSES, loud, P, 10.0, 5.0)) == 1


def test_close_candidates_merge_and_a_nested_event_needs_an_onset():
    p = np.tile([0.95, 0.03, 0.02], (80, 1))
    p[10:40] = [0.05, 0.85, 0.10]   # 150 s of surface event (people, a rock fall...)
    p[22:26] = [0.05, 0.15, 0.80]   # an earthquake inside it, 110-140 s
    p[42:46] = [0.05, 0.85, 0.10]   # after a 5-s dip: the same event (merge_gap_s 20)
    flat = envelope([(50.0, 232.0, 30.0)])
    events = station_events(windows(p), CLASSES, flat, P, 10.0, 5.0)
    assert list(events["class"]) == ["surface"]  # no jump of the envelope: no nested event
    jump = envelope([(50.0, 232.0, 30.0), (112.0, 132.0, 3000.0)])
    events = station_events(windows(p), CLASSES, jump, P, 10.0, 5.0)
    assert list(events["class"]) == ["surface", "earthquake"]
    quake = events.iloc[1]
    assert ((quake["onset"] - pd.Timestamp(T0 + 112.0, unit="s", tz="UTC")).total_seconds()
            == pytest.approx(0.5, abs=1.5))


def test_only_nested_classes_are_events_inside_events():
    """An earthquake whose S arrival jumps the envelope and whose coda windows look like surface: one earthquake
    (surface is not in the default nested_classes); with surface nestable, the jump makes a second event."""
    p = np.tile([0.95, 0.03, 0.02], (80, 1))
    p[20:28] = [0.02, 0.10, 0.88]   # the P onset at 100 s and 40 s after: earthquake
    p[28:44] = [0.05, 0.80, 0.15]   # after the S jump at 140 s, 80 s of surface-like coda
    quake = envelope([(103.0, 140.0, 30.0), (140.0, 170.0, 3000.0), (170.0, 220.0, 100.0)])
    assert P.nested_classes == ("earthquake",)
    events = station_events(windows(p), CLASSES, quake, P, 10.0, 5.0)
    assert list(events["class"]) == ["earthquake"]
    nestable = EventParameters.from_config({**P.to_config(), "nested_classes": ["surface", "earthquake"]})
    events = station_events(windows(p), CLASSES, quake, nestable, 10.0, 5.0)
    assert list(events["class"]) == ["earthquake", "surface"]


def test_envelope_of_a_stream_uses_the_vertical_channel():
    t = np.arange(0, 300, 0.01)
    data = np.random.default_rng(0).normal(size=len(t))
    data[(t > 100) & (t < 130)] *= 30
    stream = Stream([Trace(data.astype(np.float32), {"network": "XX", "station": "A", "channel": c,
                                                     "sampling_rate": 100.0, "starttime": UTCDateTime(T0)})
                     for c in ("HHN", "HHZ")])
    env = Envelope.of_stream(stream, P, (1.0, 20.0))
    assert env.channel == "HHZ" and np.all(np.diff(env.times) == 1.0)
    level = env.level(env.noise(T0 + 100, P))
    inside = (env.times > T0 + 105) & (env.times < T0 + 125)
    assert level[inside].min() > 25 and np.abs(level[env.times < T0 + 90]).max() < 5


def emergent(plateau_db: float) -> Envelope:
    """Noise (power 1) until 50 s, a rise linear in dB to ``plateau_db`` at 110 s, the plateau until 250 s."""
    times = T0 + np.arange(0, 600, 1.0) + 1.0
    since = times - T0
    db = np.where(since < 50, 0.0, np.where(since < 110, plateau_db * (since - 50) / 60, plateau_db))
    db[since >= 250] = 0.0
    return Envelope(times, 10 ** (db / 10), "HHZ")


def test_an_emergent_event_is_measured_against_the_noise_before_its_rise():
    """The windows see an emergent flood only from 100 s, when its rise began at 50 s: the noise reference is
    the quiet before the rise, so its level, extent and SNR are those of the plateau over the noise."""
    p = np.tile([0.95, 0.03, 0.02], (60, 1))
    p[20:48] = [0.05, 0.85, 0.10]  # 100-250 s
    for plateau in (P.min_snr_db + 1.5, 20.0):
        env = emergent(plateau)
        assert 10 * np.log10(env.noise(T0 + 100.0, P)) == pytest.approx(0.0, abs=0.5)  # not the rise's median
        events = station_events(windows(p), CLASSES, env, P, 10.0, 5.0)
        assert list(events["class"]) == ["surface"]  # 1.5 dB above min_snr_db: kept
        row = events.iloc[0]
        assert plateau - 1.5 < row["snr_db"] < plateau + 0.5  # the class span starts on the last of the rise
        # the onset: where the rise passes onset_db (6 dB), or the search's start when that is earlier (10 s
        # before the first likely window: 95 s, its smoothed probability 0.35 above off_probability)
        onset = max(50 + 60 * 6 / plateau, 85.0)
        assert (row["onset"] - pd.Timestamp(T0 + onset, unit="s", tz="UTC")).total_seconds() == pytest.approx(0, abs=2)
        assert (row["end"] - pd.Timestamp(T0 + 250.0, unit="s", tz="UTC")).total_seconds() == pytest.approx(0, abs=2)


def station_table(rows: list[tuple[str, float, str, float]]) -> pd.DataFrame:
    """Per-station events from ``(station, onset s after T0, class, p_class)``."""
    out = []
    for station, onset, cls, prob in rows:
        rest = (1 - prob) / 2
        probs = {f"p_{c}": (prob if c == cls else rest) for c in CLASSES}
        t = pd.Timestamp(T0 + onset, unit="s", tz="UTC")
        out.append({"network": "XX", "station": station, "location": "", "channel": "HHZ", "class": cls,
                    "start": t, "end": t + pd.Timedelta(seconds=60), "onset": t, "probability": prob,
                    "snr_db": 20.0, "n_windows": 12, **probs})
    return pd.DataFrame(out)


def test_association_groups_one_event_per_station_and_votes_the_class():
    events = station_table([("A", 0.0, "earthquake", 0.9), ("B", 8.0, "surface", 0.5), ("C", 12.0, "earthquake", 0.7),
                            ("A", 30.0, "earthquake", 0.9),   # a second event at A: never merged with the first
                            ("B", 500.0, "surface", 0.8)])
    kept, network = associate(events, CLASSES, P)
    assert len(network) == 3 and list(network["n_stations"]) == [3, 1, 1]
    first = kept[kept["network_event"] == network["network_event"].iloc[0]]
    assert sorted(first["station"]) == ["A", "B", "C"] and set(first["class"]) == {"earthquake"}
    assert first.loc[first["station"] == "B", "station_class"].item() == "surface"  # its own class is kept
    assert network["probability"].iloc[0] == pytest.approx((0.9 + 0.25 + 0.7) / 3)
    few = associate(events, CLASSES, EventParameters.from_config({"min_stations": 2}))[1]
    assert len(few) == 1


def test_travel_time_tolerance_with_coordinates():
    events = station_table([("A", 0.0, "earthquake", 0.9), ("B", 40.0, "earthquake", 0.9)])
    near = {"XX.A": (46.0, 7.0), "XX.B": (46.0, 7.1)}     # 7.7 km: at most 7.7 / 2 + 10 s apart
    far = {"XX.A": (46.0, 7.0), "XX.B": (47.0, 7.0)}      # 111 km: up to 66 s
    assert len(associate(events, CLASSES, P, near)[1]) == 2
    assert len(associate(events, CLASSES, P, far)[1]) == 1
    assert distances_km(np.array([46.0]), np.array([7.0]), 47.0, 7.0)[0] == pytest.approx(111.2, abs=0.2)


def test_locate_finds_a_known_epicentre():
    lat, lon = np.array([46.0, 46.5, 46.0, 46.6]), np.array([7.0, 7.2, 7.6, 7.7])
    source, v, origin = (46.3, 7.3), 6.0, 100.0
    onsets = origin + distances_km(lat, lon, *source) / v
    la, lo, t = locate(lat, lon, onsets, v, grid=81)
    assert la == pytest.approx(source[0], abs=0.03) and lo == pytest.approx(source[1], abs=0.03)
    assert t == pytest.approx(origin, abs=1.0)
    assert np.isnan(locate(lat[:2], lon[:2], onsets[:2], v)[0])


def test_catalogue_files_round_trip_with_machine_readable_probabilities(tmp_path):
    events = station_table([("A", 0.0, "earthquake", 0.9), ("B", 5.0, "earthquake", 0.8),
                            ("C", 9.0, "earthquake", 0.7)])
    coordinates = {"XX.A": (46.0, 7.0), "XX.B": (46.5, 7.2), "XX.C": (46.0, 7.6)}
    catalogue = build_catalogue(events, CLASSES, P, coordinates, "rf")
    paths = catalogue.write(tmp_path)
    table = read_event_csv(paths["events"])
    assert list(table.columns[:9]) == ["network", "station", "location", "channel", "class", "start", "end",
                                       "onset", "probability"]
    assert {"p_silence", "p_surface", "p_earthquake", "network_event", "station_class"} <= set(table.columns)
    (event,) = read_events(str(paths["quakeml"]))
    assert event.event_type == "earthquake" and len(event.picks) == 3
    assert {p.waveform_id.channel_code for p in event.picks} == {"HHZ"} and event.preferred_origin() is not None
    summary = json.loads(event.comments[0].text)
    assert summary["class"] == "earthquake" and summary["probabilities"]["earthquake"] == pytest.approx(0.8, abs=1e-4)
    assert event.extra["probability"]["value"] == "0.8000"
    first = paths["quakeml"].read_bytes()
    catalogue.write(tmp_path / "again")  # resource ids come from the events, not ObsPy's random ids
    assert (tmp_path / "again/events.xml").read_bytes() == first
    assert all(p.resource_id.id.startswith(event.resource_id.id + "/pick/") for p in event.picks)


def test_an_event_cut_at_midnight_is_one_event():
    midnight = np.ceil(T0 / 86400) * 86400
    late = station_table([("A", midnight - T0 - 40, "earthquake", 0.9)])
    late["end"] = pd.Timestamp(midnight - 0.5, unit="s", tz="UTC")
    early = station_table([("A", midnight - T0 + 0.5, "earthquake", 0.7)])
    merged = merge_across_days(pd.concat([late, early], ignore_index=True), CLASSES)
    assert len(merged) == 1 and merged["end"].iloc[0] == early["end"].iloc[0]
    assert merged["p_earthquake"].iloc[0] == pytest.approx(0.8)


def test_event_metrics_of_a_hand_computed_case():
    t = lambda s: pd.Timestamp(T0 + s, unit="s", tz="UTC")  # noqa: E731
    reference = pd.DataFrame({"network": "XX", "station": ["A", "A", "B"], "location": "",
                              "start": [t(0), t(200), t(0)], "end": [t(40), t(290), t(40)],
                              "label": ["earthquake", "surface", "earthquake"]})
    background = pd.DataFrame({"network": "XX", "station": ["A"], "location": "", "start": [t(-100)],
                               "end": [t(-10)], "label": ["silence"]})
    reported = pd.DataFrame({"network": "XX", "station": ["A", "A", "A", "A", "B"], "location": "",
                             "start": [t(2), t(60), t(210), t(-80), t(1000)],
                             "end": [t(55), t(90), t(280), t(-60), t(1010)],
                             "class": ["earthquake", "surface", "surface", "earthquake", "earthquake"]})
    m = event_metrics(reported, reference, ["surface", "earthquake"], background)
    eq, sf = m["classes"]["earthquake"], m["classes"]["surface"]
    assert eq["recall"] == pytest.approx(0.5) and sf["recall"] == 1.0  # B's earthquake missed
    assert eq["precision"] == pytest.approx(1 / 3) and eq["precision_labelled"] == pytest.approx(0.5)
    assert sf["precision"] == pytest.approx(0.5)  # the coda event at 60 s overlaps nothing
    assert m["missed"] == 1 and m["reported_per_reference"] == 1.0
    assert m["coda_as_other"] == pytest.approx(1 / 3)  # A's earthquake has a surface event in its coda


def test_reference_events_prefer_the_truth_of_stations_that_have_one():
    annotations = pd.DataFrame({"network": "XX", "station": ["A", "B"], "location": "", "channel": "HH?",
                                "start": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"],
                                "end": ["2024-01-01T00:01:00Z", "2024-01-01T00:01:00Z"],
                                "label": ["earthquake", "silence"], "t0": [1704067200.0, 1704067200.0],
                                "t1": [1704067260.0, 1704067260.0]})
    truth = pd.DataFrame({"network": ["XX"], "station": ["B"], "location": [""], "channel": ["HH?"],
                          "start": ["2024-01-01T00:00:10Z"], "end": ["2024-01-01T00:00:20Z"], "label": ["earthquake"],
                          "detail": ["M1"]})
    reference, background = reference_events(annotations, truth, ["earthquake"], ["silence"])
    assert sorted(reference["station"]) == ["A", "B"] and len(background) == 1


def test_only_reference_events_the_cross_validation_predicted_are_scored():
    t = lambda s: pd.Timestamp(T0 + s, unit="s", tz="UTC")  # noqa: E731
    reference = pd.DataFrame({"network": "XX", "station": ["A", "A", "B"], "location": "",
                              "start": [t(0), t(500), t(0)], "end": [t(40), t(540), t(40)], "label": "earthquake"})
    predicted = windows(np.tile([0.9, 0.05, 0.05], (20, 1)), t0=T0 - 30)  # station A, 30 s before to 75 s after
    assert covered_by(reference, predicted).index.tolist() == [0]
