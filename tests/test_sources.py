"""Local sources on the real recordings: miniSEED directories, SDS archives, availability, bad input."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import REAL_DATA
from obspy import Stream, UTCDateTime, read

from seisclass.acquire.archives import (
    SourceError,
    days_with_data,
    index_mseed_dir,
    read_archive_chunk,
    read_mseed_dir_day,
    read_sds_day,
    stations_from_index,
)
from seisclass.acquire.planning import add_mseed_dirs, continuous_plan, pack_chunks
from seisclass.acquire.stations import Station, StationTableError, parse_options, read_station_table
from seisclass.core.records import StationDay
from seisclass.core.waveforms import read_checked, write_chunk
from seisclass.data.labels import read_annotations
from seisclass.quality.availability import chunk_availability, interval_stats, unmatched_annotations
from seisclass.signal.preprocess import PreprocessParameters, preprocess_stream

pytestmark = pytest.mark.unit

FMW_FILES = sorted((REAL_DATA / "pnsn").glob("*_UW.FMW.EHZ.mseed"))


@pytest.fixture(scope="module")
def index():
    return index_mseed_dir(str(REAL_DATA))


def station(sid: str, channels: str, source: str = "mseed_dir", options: str = "") -> Station:
    net, sta = sid.split(".")[:2]
    return Station(sid, net, sta, "", channels, source, np.nan, np.nan, np.nan, options)


def test_index_reads_every_miniseed_header_whatever_the_name(index):
    good = index[index["error"] == ""]
    assert len(good) == 59 and good["path"].str.endswith(".mseed").all()
    bad = index[index["error"] != ""]  # README.md, events.csv, StationXML: listed with the reason
    assert {p.rsplit("/", 1)[-1] for p in bad["path"]} >= {"README.md", "events.csv", "AV.SPCG.xml"}
    assert bad["error"].str.startswith("not readable as miniSEED").all()
    row = good[(good["station"] == "M02C") & (good["channel"] == "BHZ")].iloc[0]
    assert row["sampling_rate"] == 40.0 and row["endtime"] - row["starttime"] == pytest.approx(180.025)


def test_index_cache_rereads_only_changed_files(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FMW_FILES[0], data / "anything.bin")
    cache = str(tmp_path / "index.parquet")
    first = index_mseed_dir(str(data), cache)
    assert len(first) == 1 and first["station"].iloc[0] == "FMW"
    shutil.copy(REAL_DATA / "pnsn" / "uw10551388_UW.AUG.EHZ.mseed", data / "x")
    second = index_mseed_dir(str(data), cache)
    assert sorted(second["station"]) == ["AUG", "FMW"]
    pd.testing.assert_frame_equal(second, index_mseed_dir(str(data), cache))


def test_stations_and_days_derived_from_the_index(index):
    stations = {s.id: s for s in stations_from_index(index)}
    assert len(stations) == 8 + 20  # ESEC: 5 AV, 2 TA, 1 DK; PNSN: 20 UW stations
    assert stations["UW.FMW"].channels == "EH?" and stations["AV.SPBG"].channels == "BH?"
    assert days_with_data(index, stations["UW.FMW"]) == ["2002-02-19", "2002-05-14"]
    t0, t1 = UTCDateTime("2002-05-01").timestamp, UTCDateTime("2003-01-01").timestamp
    assert days_with_data(index, stations["UW.FMW"], t0, t1) == ["2002-05-14"]


def test_several_files_per_station_day_are_read_with_their_gap(index):
    fmw = station("UW.FMW", "EH?")
    t0 = UTCDateTime("2002-02-19")
    stream, notes = read_mseed_dir_day(index, fmw, t0, t0 + 86400)
    assert notes == [] and len(stream) == 2
    originals = [read(str(f))[0] for f in FMW_FILES if "1055161" in f.name or "1055168" in f.name]
    for tr, original in zip(sorted(stream, key=lambda t: t.stats.starttime), originals, strict=True):
        assert np.array_equal(tr.data, original.data)
    row = chunk_availability(stream, t0.timestamp, (t0 + 86400).timestamp,
                             {"station": "UW.FMW", "day": "2002-02-19", "source": "mseed_dir", "status": "ok"})
    assert row["gaps"].iloc[0] == 1
    gap = UTCDateTime("2002-02-19T18:41:39.104") - UTCDateTime("2002-02-19T18:09:00.6855")
    assert row["gap_s"].iloc[0] == pytest.approx(gap, abs=0.02)
    assert row["coverage"].iloc[0] == pytest.approx(300.0 / 86400, rel=1e-3)


def test_corrupt_miniseed_is_skipped_and_named(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    good, damaged = FMW_FILES[0], bytearray(FMW_FILES[1].read_bytes())
    damaged[4096 + 64 : 4096 + 512] = b"\xff" * 448  # garbage inside the 2nd record's Steim frames
    shutil.copy(good, data / "good.mseed")
    (data / "bad.mseed").write_bytes(bytes(damaged))
    (data / "header.mseed").write_bytes(b"\0" * 48 + bytes(damaged[48:]))  # broken fixed header
    index = index_mseed_dir(str(data))
    assert "not readable" in index.set_index(index["path"].str.rsplit("/", n=1).str[-1]).loc["header.mseed", "error"]
    t0 = UTCDateTime(read(str(FMW_FILES[1]))[0].stats.starttime.date)
    stream, notes = read_mseed_dir_day(index, station("UW.FMW", "EH?"), t0, t0 + 86400)
    assert len(notes) == 1 and "skipped" in notes[0] and "bad.mseed" in notes[0] and "corrupt" in notes[0]
    expect = 1 if read(str(good))[0].stats.starttime.date == t0.date else 0
    assert len(stream) == expect


def test_overlapping_files_with_different_sampling_rates_keep_one_rate():
    original = read(str(FMW_FILES[0]))[0]
    other = original.copy().resample(50.0)
    other.stats.starttime += 30.0  # overlaps the 100 Hz file
    stream = Stream([original.copy(), other])
    row = chunk_availability(stream, original.stats.starttime.timestamp, original.stats.starttime.timestamp + 300,
                             {"station": "UW.FMW", "day": "x", "source": "mseed_dir", "status": "ok"}).iloc[0]
    assert row["sampling_rate_hz"] == "50/100" and row["overlaps"] == 1
    assert row["overlap_s"] == pytest.approx(120.0, abs=0.05)
    out, notes = preprocess_stream(stream, PreprocessParameters(sampling_rate=40.0, bandpass_hz=(1.0, 15.0)))
    assert len(out) == 1 and out[0].stats.sampling_rate == 40.0
    assert len(notes) == 1 and "UW.FMW..EHZ" in notes[0] and "sampling rate 100.0 Hz differs from 50.0 Hz" in notes[0]


def test_sds_archive_reads_the_same_samples(tmp_path):
    for f in (REAL_DATA / "esec" / "waveforms" / "3").glob("TA.M02C..BH?__*.mseed"):
        tr = read(str(f))[0]
        s = tr.stats
        path = tmp_path / f"{s.starttime.year}/{s.network}/{s.station}/{s.channel}.D"
        path.mkdir(parents=True, exist_ok=True)
        tr.write(str(path / f"{tr.id}.D.{s.starttime.year}.{s.starttime.julday:03d}"), format="MSEED")
    m02c = station("TA.M02C", "BH?", "sds", f"root={tmp_path}")
    t0 = UTCDateTime("2014-09-20")
    stream, notes = read_sds_day(m02c.option("root"), m02c, t0, t0 + 86400)
    assert notes == [] and sorted(tr.stats.channel for tr in stream) == ["BHE", "BHN", "BHZ"]
    original = read(str(next((REAL_DATA / "esec/waveforms/3").glob("TA.M02C..BHZ__*"))))[0]
    assert np.array_equal(stream.select(channel="BHZ")[0].data, original.data)
    assert len(read_sds_day(str(tmp_path), m02c, t0 + 86400, t0 + 2 * 86400)[0]) == 0  # no data: empty
    with pytest.raises(SourceError, match="TA.M02C: SDS root"):
        read_sds_day(str(tmp_path / "missing"), m02c, t0, t0 + 86400)


def test_empty_chunk_round_trip(tmp_path):
    write_chunk(Stream(), tmp_path / "e.mseed")
    assert (tmp_path / "e.mseed").stat().st_size == 0 and len(read_checked(tmp_path / "e.mseed")) == 0


def test_truncated_or_zeroed_archive_files_are_skipped_with_the_reason(tmp_path):
    """A truncated file is skipped by the index; a file with a zeroed record is skipped when read."""
    data = tmp_path / "data"
    data.mkdir()
    good = FMW_FILES[0].read_bytes()
    (data / "cut.mseed").write_bytes(good[: len(good) - 700])  # the last record cut short
    zeroed = bytearray(good)
    zeroed[4096:8192] = b"\0" * 4096  # one record zeroed
    (data / "zeroed.mseed").write_bytes(bytes(zeroed))
    (data / "empty.mseed").write_bytes(b"")
    (data / "notes.txt").write_text("not miniSEED")
    index = index_mseed_dir(str(data))
    errors = index.set_index(index["path"].str.rsplit("/", n=1).str[-1])["error"]
    assert "truncated" in errors["cut.mseed"] and "empty file" in errors["empty.mseed"]
    assert "not readable" in errors["notes.txt"] and "corrupt" in errors["zeroed.mseed"]
    assert (index["error"] != "").all()  # nothing of these files is used


def test_a_file_that_fails_to_decode_makes_the_station_day_unreadable(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    damaged = bytearray(FMW_FILES[0].read_bytes())
    damaged[4096 + 64 : 4096 + 512] = b"\xff" * 448  # garbage inside a record's Steim frames
    (data / "bad.mseed").write_bytes(bytes(damaged))
    index = index_mseed_dir(str(data))
    fmw = station("UW.FMW", "EH?")
    t0 = UTCDateTime(read(str(FMW_FILES[0]))[0].stats.starttime.date)
    day = StationDay(fmw.network, fmw.station, fmw.location, fmw.band_code, str(t0.date), t0.timestamp,
                     t0.timestamp + 86400, fmw.source)
    stream, records = read_archive_chunk([day], {fmw.id: fmw}, lambda s, a, b: read_mseed_dir_day(index, s, a, b))
    assert len(stream) == 0 and records[0]["status"] == "unreadable"
    assert "bad.mseed" in records[0]["message"] and "not readable as miniSEED" in records[0]["message"]


def test_chunks_pack_station_days_up_to_the_sample_budget():
    days = [("XX.B", "2020-01-02", 40), ("XX.A", "2020-01-01", 60), ("XX.A", "2020-01-02", 50),
            ("XX.C", "2020-01-01", 500)]
    chunks = pack_chunks(days, "mseed_dir", max_samples=100)
    assert [c.id for c in chunks] == ["XX.A/2020-01-01", "XX.A/2020-01-02+1", "XX.C/2020-01-01"]
    assert chunks[1].members == (("XX.A", "2020-01-02"), ("XX.B", "2020-01-02")) and chunks[1].samples == 90
    assert sum(len(c.members) for c in chunks) == len(days)


def test_interval_stats_hand_computed():
    # [0,10) and [15,20) and [18,30) in [0,40): covered 10 + 5 + 10 = 25 s, one gap of 5 s, one overlap of 2 s
    stats = interval_stats(np.array([0.0, 15.0, 18.0]), np.array([10.0, 20.0, 30.0]), 0.0, 40.0, 0.01)
    assert stats == {"coverage": 25.0 / 40.0, "covered_s": 25.0, "gaps": 1, "gap_s": 5.0, "overlaps": 1,
                     "overlap_s": 2.0}


def test_options_column_format():
    assert parse_options(" root = /data/sds ; stationxml=/x.xml ") == {"root": "/data/sds", "stationxml": "/x.xml"}
    with pytest.raises(StationTableError, match="not of the form key=value"):
        parse_options("root")


def test_station_table_options_are_checked(tmp_path):
    table = tmp_path / "stations.tsv"
    header = "id\tnetwork\tstation\tlocation\tchannels\tsource\tlatitude\tlongitude\televation\toptions\n"
    table.write_text(header + "TA.M02C\tTA\tM02C\t\tBH?\tsds\t\t\t\t\n")
    with pytest.raises(StationTableError, match=r"line 2: source 'sds' needs option\(s\) \['root'\]"):
        read_station_table(str(table))
    table.write_text(header + "TA.M02C\tTA\tM02C\t\tBH?\tfdsn\t\t\t\tprovder=IRIS\n")
    with pytest.raises(StationTableError, match=r"line 2: unknown option\(s\) \['provder'\]"):
        read_station_table(str(table))


def test_plan_rejects_wrong_station_code_unknown_provider_and_empty_span(index):
    wrong = station("UW.FMX", "EH?", options=f"path={REAL_DATA / 'pnsn'}")
    indexes = {str((REAL_DATA / "pnsn").resolve()): index, str(REAL_DATA.resolve()): index}
    with pytest.raises(SourceError,
                       match="station UW.FMX \\(EH\\?\\): no data in .* between 2002-02-19 and 2002-02-20"):
        add_mseed_dirs(continuous_plan({wrong.id: wrong}, ["2002-02-19"], "IRIS", False), indexes, None,
                       "2002-02-19", "2002-02-20", 10**6, False)
    with pytest.raises(SourceError, match="station XX.A: unknown FDSN provider 'NOWHERE'"):
        continuous_plan({"XX.A": station("XX.A", "HH?", "fdsn", "provider=NOWHERE")}, ["2002-02-19"], "IRIS", False)
    with pytest.raises(SourceError, match="no miniSEED data between 1990-01-01"):
        add_mseed_dirs(continuous_plan({}, ["1990-01-01"], "IRIS", False), indexes, str(REAL_DATA),
                       "1990-01-01", "1990-01-02", 10**6, False)
    plan = add_mseed_dirs(continuous_plan({}, ["2002-02-19"], "IRIS", False), indexes, str(REAL_DATA),
                          "2002-02-19", "2002-02-20", 10**6, False)
    assert sorted(plan.stations) == ["UW.FMW", "UW.GHW", "UW.GLK", "UW.GSM", "UW.KOS", "UW.LMW"]
    assert plan.days("UW.FMW") == ["2002-02-19"]
    assert len(plan.chunks) == 1  # six short station-days fit one job


def test_unmatched_annotation_rows_are_listed(tmp_path):
    csv = tmp_path / "a.csv"
    csv.write_text("network,station,location,channel,start,end,label\n"
                   "UW,FMW,*,*,2002-02-19T18:07:00Z,2002-02-19T18:08:00Z,surface\n"
                   "UW,NODATA,*,*,2002-02-19T18:07:00Z,2002-02-19T18:08:00Z,surface\n"
                   "UW,FMW,*,*,2003-01-01T00:00:00Z,2003-01-01T00:01:00Z,silence\n")
    table = pd.DataFrame({"station": ["UW.FMW", "UW.GHW"], "day": ["2002-02-19", "2002-02-20"], "traces": [2, 0]})
    unmatched = unmatched_annotations(read_annotations([str(csv)], ["silence", "surface"]), table)
    assert list(unmatched["station"]) == ["NODATA", "FMW"] and list(unmatched["label"]) == ["surface", "silence"]
