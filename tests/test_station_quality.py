"""Station reliability: PPSD noise against Peterson's models, day/night in the demo, responses, ranking."""

import numpy as np
import pandas as pd
import pytest
from conftest import REAL_DATA
from obspy import Stream, Trace, UTCDateTime, read, read_inventory

from seisclass.acquire.demo import DemoParameters, ambient_noise
from seisclass.core.records import StationDay
from seisclass.quality.stations import (
    STATION_COLUMNS,
    QualityParameters,
    band_mask,
    chunk_ppsds,
    load_ppsds,
    nlnm_at,
    noise_by_hour,
    noise_db_vs_nlnm,
    rank_stations,
    response_of,
    save_ppsds,
    station_table,
)

BAND = (1.0, 8.0)  # below the 10 Hz Nyquist frequency of the 20 Hz test data
P = QualityParameters(noise_band_hz=BAND)
DEMO = DemoParameters(sampling_rate=20.0)


def demo_noise(start: str, hours: float, station="DEMO1", seed=0) -> Stream:
    """The demo's ambient noise (no events), in counts, for ``hours`` from ``start``."""
    t0 = UTCDateTime(start)
    data = ambient_noise(t0.timestamp, int(hours * 3600 * DEMO.sampling_rate), DEMO, np.random.default_rng(seed))
    return Stream([Trace((data[c] * DEMO.sensitivity).astype(np.float32),
                         header={"network": "XX", "station": station, "channel": "HH" + comp,
                                 "sampling_rate": DEMO.sampling_rate, "starttime": t0})
                   for c, comp in enumerate("ZNE")])


def members(station="DEMO1", source="demo"):
    return [StationDay("XX", station, "", "HH?", "2024-06-01", 0.0, 0.0, source)]


def peterson_level(level: float) -> float:
    """Mean over the band's period bins of level x (NHNM - NLNM): where the demo puts its noise, dB re NLNM."""
    from obspy.signal.spectral_estimation import get_nhnm

    periods = np.geomspace(1 / BAND[1], 1 / BAND[0], 50)
    high_p, high_db = get_nhnm()
    high = np.interp(np.log10(periods), np.log10(high_p[::-1]), high_db[::-1])  # ObsPy: periods decreasing
    return float(np.mean(level * (high - nlnm_at(periods))))


@pytest.fixture(scope="module")
def day_and_night():
    """PPSD of the demo noise around 02 h (night, no cultural noise) and around 14 h (full day)."""
    stream = demo_noise("2024-06-01T01:00:00", 2.0) + demo_noise("2024-06-01T13:00:00", 2.0, seed=1)
    ppsds = chunk_ppsds(stream, members(), [], P, DEMO.sensitivity)
    (channel,) = ppsds
    return channel, ppsds[channel]


@pytest.mark.unit
def test_demo_day_and_night_noise_show_in_the_ppsd(day_and_night):
    """The demo's noise sits at noise_level_night / _day between NLNM and NHNM (in dB): the PPSD finds it."""
    channel, (ppsd, response) = day_and_night
    assert channel == "XX.DEMO1..HHZ" and response == "demo sensitivity"
    night = noise_db_vs_nlnm(ppsd, BAND, hours=(1, 3))
    day = noise_db_vs_nlnm(ppsd, BAND, hours=(13, 15))
    assert night == pytest.approx(peterson_level(DEMO.noise_level_night), abs=2.0)
    assert day == pytest.approx(peterson_level(DEMO.noise_level_day), abs=2.0)
    assert day - night > 8.0  # ~ (0.5 - 0.3) x (NHNM - NLNM): some 12 dB at 1-8 Hz
    hourly = noise_by_hour(ppsd, BAND)
    assert set(hourly.index) == {1, 2, 13, 14}
    assert hourly.loc[[13, 14]].min() > hourly.loc[[1, 2]].max() + 8.0
    assert np.isnan(noise_db_vs_nlnm(ppsd, (12.0, 15.0)))  # above the 10 Hz Nyquist: no period bin


@pytest.mark.unit
def test_ppsd_bundles_of_two_chunks_merge_per_channel(tmp_path, day_and_night):
    morning = chunk_ppsds(demo_noise("2024-06-01T01:00:00", 2.0), members(), [], P, DEMO.sensitivity)
    evening = chunk_ppsds(demo_noise("2024-06-01T13:00:00", 2.0, seed=1), members(), [], P, DEMO.sensitivity)
    save_ppsds(morning, tmp_path / "a.zip")
    save_ppsds(evening, tmp_path / "b.zip")
    merged = load_ppsds([tmp_path / "a.zip", tmp_path / "b.zip"])
    ppsd, response = merged["XX.DEMO1..HHZ"]
    assert response == "demo sensitivity"
    together = day_and_night[1][0]
    assert len(ppsd.times_processed) == len(together.times_processed) > 0
    assert noise_db_vs_nlnm(ppsd, BAND) == pytest.approx(noise_db_vs_nlnm(together, BAND), abs=1e-6)


@pytest.mark.unit
def test_response_from_stationxml_unit_response_and_short_traces():
    """Real BHZ data: the StationXML response and the unit response differ by the channel's gain (in dB)."""
    inventory = read_inventory(REAL_DATA / "esec/stations/3/TA.M02C.xml")
    stream = read(str(REAL_DATA / "esec/waveforms/3/TA.M02C..BHZ__20140920T204808Z__20140920T205108Z.mseed"))
    short = QualityParameters(ppsd_length_s=60.0)
    members_ta = [StationDay("TA", "M02C", "", "BH?", "2014-09-20", 0.0, 0.0, "mseed_dir")]
    real = chunk_ppsds(stream, members_ta, [inventory], short)["TA.M02C..BHZ"]
    counts = chunk_ppsds(stream, members_ta, [], short)["TA.M02C..BHZ"]
    assert (real[1], counts[1]) == ("stationxml", "unit (counts)")
    gain = inventory.get_response("TA.M02C..BHZ", stream[0].stats.starttime).instrument_sensitivity.value
    difference = noise_db_vs_nlnm(counts[0], (1.0, 10.0)) - noise_db_vs_nlnm(real[0], (1.0, 10.0))
    assert difference == pytest.approx(20 * np.log10(gain), abs=3.0)  # flat broadband response at 1-10 Hz
    assert -20 < noise_db_vs_nlnm(real[0], (1.0, 10.0)) < 100  # between the models, give or take
    too_long = chunk_ppsds(stream, members_ta, [inventory], QualityParameters(ppsd_length_s=600.0))
    assert len(too_long["TA.M02C..BHZ"][0].times_processed) == 0  # a 3-min file has no 600-s segment
    assert response_of("TA.M02C..BHZ", [], 4.8e8)[1] == "demo sensitivity"
    assert response_of("TA.M04C..BHZ", [inventory], None)[1] == "unit (counts)"  # other station, no response


@pytest.mark.unit
def test_ranking_prefers_available_quiet_stations_with_loud_events(day_and_night):
    channel, (ppsd, response) = day_and_night
    loud = chunk_ppsds(demo_noise("2024-06-01T13:00:00", 1.0, station="LOUD"), members("LOUD"), [], P,
                       DEMO.sensitivity / 30)  # same counts, 30x lower gain: 30 dB more ground noise
    ppsds = {channel: (ppsd, response), **loud}
    availability = pd.DataFrame({"station": ["XX.DEMO1", "XX.LOUD", "XX.LOUD"], "day": ["2024-06-01"] * 3,
                                 "channel": ["HHZ", "HHZ", "HHN"], "coverage": [1.0, 0.6, 0.9],
                                 "gaps": [0, 3, 0]})
    dataset = pd.DataFrame({"network": "XX", "station": ["DEMO1"] * 3 + ["LOUD"] * 3, "location": "",
                            "label": ["earthquake", "tourists", "silence"] * 2,
                            "snr": [20.0, 10.0, 0.0, 6.0, 4.0, 0.0]})
    table = station_table(ppsds, availability, dataset, ["silence", "tourists", "earthquake"], P)
    assert list(table.columns) == STATION_COLUMNS
    assert list(table["station"]) == ["DEMO1", "LOUD"] and list(table["rank"]) == [1, 2]
    best, worst = table.iloc[0], table.iloc[1]
    assert best["availability"] == 1.0 and worst["availability"] == 0.6 and worst["gaps"] == 3  # HHZ rows
    assert best["median_event_snr_db"] == 15.0 and best["n_event_windows"] == 2  # silence left out
    assert worst["median_noise_db_vs_nlnm"] - noise_db_vs_nlnm(ppsd, BAND, hours=(13, 15)) == pytest.approx(
        20 * np.log10(30), abs=1.5)


@pytest.mark.unit
def test_rank_puts_missing_criteria_last():
    table = pd.DataFrame({"availability": [1.0, 1.0, 0.5], "median_noise_db_vs_nlnm": [10.0, np.nan, 5.0],
                          "gaps": [0, 0, 9], "median_event_snr_db": [np.nan, 30.0, 1.0]})
    # a: ranks (1.5, 2, 1.5, 3) -> 2.0; b: (1.5, 3, 1.5, 1) -> 1.75; c: (3, 1, 3, 2) -> 2.25
    np.testing.assert_array_equal(rank_stations(table), [2, 1, 3])
    assert band_mask(np.array([0.05, 0.1, 0.5, 1.0, 2.0]), (1.0, 10.0)).tolist() == [False, True, True, True, False]


@pytest.mark.unit
def test_ppsd_figure_draws_the_chosen_stations(day_and_night):
    import matplotlib

    matplotlib.use("Agg")
    from seisclass.plots.quality import ppsd_panel

    channel, (ppsd, response) = day_and_night
    table = pd.DataFrame([{"network": "XX", "station": "DEMO1", "location": "", "channel": "HHZ", "rank": 1,
                           "median_noise_db_vs_nlnm": 20.0}])
    fig = ppsd_panel({channel: (ppsd, response)}, table, BAND, 4)
    assert len(fig.axes) >= 2


@pytest.mark.workflow
def test_tiny_run_ranks_its_station(tiny_run):
    table = pd.read_csv(tiny_run / "results/quality/stations.tsv", sep="\t", keep_default_na=False)
    assert list(table.columns) == STATION_COLUMNS
    row = table.iloc[0]
    assert (row["network"], row["station"], row["channel"], row["rank"]) == ("XX", "TINY", "HHZ", 1)
    assert row["response"] == "demo sensitivity" and row["n_psd"] >= 5  # one hour of 600-s segments
    assert 0 < float(row["median_noise_db_vs_nlnm"]) < 60 and float(row["availability"]) == pytest.approx(1.0)
    assert (tiny_run / "results/quality/ppsd.png").stat().st_size > 10_000


@pytest.mark.unit
def test_dead_or_clipped_station_is_never_ranked_best():
    """A constant channel has no noise at all (far below NLNM) and full coverage: it used to tie for rank 1."""
    from seisclass.quality.availability import chunk_availability

    good = demo_noise("2024-06-01T01:00:00", 1.0, station="GOOD")
    dead = demo_noise("2024-06-01T01:00:00", 1.0, station="DEAD")
    for tr in dead:
        tr.data = np.full(tr.stats.npts, 123.0, np.float32)
    clipped = demo_noise("2024-06-01T01:00:00", 1.0, station="CLIP")
    for tr in clipped:
        limit = 0.5 * np.abs(tr.data).max()
        tr.data = np.clip(tr.data, -limit, limit)
    ppsds = {}
    rows = []
    for name, stream in (("GOOD", good), ("DEAD", dead), ("CLIP", clipped)):
        ppsds.update(chunk_ppsds(stream, members(name), [], P, DEMO.sensitivity))
        t0 = stream[0].stats.starttime.timestamp
        rows.append(chunk_availability(stream, t0, t0 + 3600, {"station": f"XX.{name}", "day": "2024-06-01",
                                                               "source": "demo", "status": "ok"}))
    availability = pd.concat(rows, ignore_index=True)
    table = station_table(ppsds, availability, None, ["silence", "tourists", "earthquake"], P)
    assert list(table.columns) == STATION_COLUMNS and table["station"].iloc[0] == "GOOD"
    table = table.set_index("station")
    assert table.loc["GOOD", "rank"] == 1 and table.loc["GOOD", "health"] == "ok" and table.loc["GOOD", "note"] == ""
    assert set(table.loc[["DEAD", "CLIP"], "rank"]) == {2, 3}  # both after the healthy station
    assert table.loc["DEAD", "health"] == "dead" and table.loc["DEAD", "note"].startswith("ranked last: dead (HH")
    assert table.loc["CLIP", "health"] == "clipped" and "ranked last: clipped" in table.loc["CLIP", "note"]
    assert (table["availability"] == 1.0).all()  # all three deliver every sample
    assert table.loc["DEAD", "pct_below_nlnm"] == 100.0 and table.loc["DEAD", "pct_above_nhnm"] == 0.0
    assert table.loc["GOOD", "pct_below_nlnm"] < 5.0 and table.loc["GOOD", "pct_above_nhnm"] < 5.0
    # without the health column (an older availability table) the dead station would tie for the best rank
    old = availability.drop(columns=["health"])
    assert station_table(ppsds, old, None, [], P).set_index("station").loc["DEAD", "rank"] == 1
