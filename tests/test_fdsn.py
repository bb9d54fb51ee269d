"""FDSN source: the real ObsPy client against a local FDSN service with injected faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REAL_DATA, make_workdir, snakemake
from fdsnws import FDSNServer, FDSNService
from obspy import UTCDateTime, read, read_inventory

from seisclass.acquire.archives import SourceError
from seisclass.acquire.fdsn import (
    FdsnParameters,
    check_provider,
    download_stationxml,
    download_waveforms,
    make_client,
)
from seisclass.acquire.stations import Station
from seisclass.core.waveforms import read_checked

ESEC = REAL_DATA / "esec"
SPCG = Station("AV.SPCG", "AV", "SPCG", "", "BH?", "fdsn", float("nan"), float("nan"), float("nan"))
DAY0 = UTCDateTime("2014-09-10")


@pytest.fixture(scope="module")
def service():
    svc = FDSNService(sorted(ESEC.glob("waveforms/*/*.mseed")), sorted(ESEC.glob("stations/*/*.xml")))
    with FDSNServer(svc) as server:
        svc.url = server.url
        yield svc


@pytest.fixture
def fast(service) -> FdsnParameters:
    service.faults.clear()
    return FdsnParameters(provider=service.url, timeout_s=1.0, retries=5, backoff_s=0.01)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_download_survives_every_fault_and_equals_the_archive(service, fast, tmp_path):
    service.faults["dataselect"].extend(["500", "truncate", "drop", "slow:1.5", "503"])
    before = service.requests["dataselect"]
    client = make_client(service.url, fast)
    result = download_waveforms(client, SPCG, DAY0, DAY0 + 86400, tmp_path / "day.mseed", fast)
    assert result == {"status": "ok", "message": "", "traces": 3}
    assert service.requests["dataselect"] - before == 6  # five faults, then success
    got = read(str(tmp_path / "day.mseed"))
    for tr in got:
        original = read(str(next(ESEC.glob(f"waveforms/1/{tr.id}__*.mseed"))))[0]
        assert (tr.data == original.data).all() and tr.stats.starttime == original.stats.starttime
    assert leftovers(tmp_path) == []


def test_no_partial_file_survives_a_failed_download(service, fast, tmp_path):
    service.faults["dataselect"].extend(["drop"] * 3 + ["truncate"] * 3)
    with pytest.raises(SourceError, match=r"AV.SPCG .* failed after 6 attempts.*IncompleteRead"):
        download_waveforms(make_client(service.url, fast), SPCG, DAY0, DAY0 + 86400, tmp_path / "d.mseed", fast)
    assert list(tmp_path.iterdir()) == []


def test_204_is_an_empty_chunk_not_an_error(service, fast, tmp_path):
    client = make_client(service.url, fast)
    empty_day = UTCDateTime("2014-09-11")  # no data at the service on that day
    result = download_waveforms(client, SPCG, empty_day, empty_day + 86400, tmp_path / "d.mseed", fast)
    assert result["status"] == "no_data" and "204" in result["message"]
    assert (tmp_path / "d.mseed").stat().st_size == 0 and len(read_checked(tmp_path / "d.mseed")) == 0


def test_stationxml_has_responses_and_wrong_station_code_is_named(service, fast, tmp_path):
    client = make_client(service.url, fast)
    download_stationxml(client, SPCG, DAY0, DAY0 + 86400, tmp_path / "s.xml", fast)
    inventory = read_inventory(str(tmp_path / "s.xml"))
    assert inventory.get_response("AV.SPCG..BHZ", DAY0).instrument_sensitivity.value > 0
    wrong = Station("AV.SPXX", "AV", "SPXX", "", "BH?", "fdsn", 0.0, 0.0, 0.0)
    with pytest.raises(SourceError, match="station AV.SPXX .*knows no such station"):
        download_stationxml(client, wrong, DAY0, DAY0 + 86400, tmp_path / "w.xml", fast)
    assert not (tmp_path / "w.xml").exists()


def test_unknown_provider_is_rejected_by_name():
    assert check_provider("IRIS") == "IRIS"
    assert check_provider("http://127.0.0.1:1") == "http://127.0.0.1:1"
    with pytest.raises(SourceError, match="station XX.A: unknown FDSN provider 'NOPE'"):
        check_provider("NOPE", "XX.A")


@pytest.mark.workflow
def test_workflow_downloads_once_and_resumes(service, fast, tmp_path):
    """Two FDSN stations, two days (one without data): the raw stage runs, then resumes with no request."""
    workdir = make_workdir(tmp_path / "run")
    (workdir / "config" / "stations.tsv").write_text(
        "id\tnetwork\tstation\tlocation\tchannels\tsource\tlatitude\tlongitude\televation\toptions\n"
        f"AV.SPCG\tAV\tSPCG\t\tBH?\tfdsn\t\t\t\tprovider={service.url}\n"
        "AV.SPCP\tAV\tSPCP\t\tBH?\tfdsn\t\t\t\t\n"
    )
    with open(workdir / "config" / "config.yaml", "a") as config:
        config.write(f"fdsn: {{provider: '{service.url}', retries: 4, backoff_s: 0.01, timeout_s: 5}}\n")
    service.faults["dataselect"].extend(["500", "drop"])
    args = ["--cores", "2", "--resources", "fdsn_requests=1", "--config", "start=2014-09-10T19:00:00",
            "end=2014-09-11T01:00:00", "--", "results/availability/availability.tsv"]
    before = dict(service.requests)
    snakemake(workdir, *args)
    assert service.requests["dataselect"] - before.get("dataselect", 0) == 4 + 2  # 4 chunks + 2 retries
    status = json.loads((workdir / "results/raw/fdsn/AV.SPCG/2014-09-11.status.json").read_text())
    assert [r["status"] for r in status["records"]] == ["no_data"]
    table = (workdir / "results/availability/availability.tsv").read_text()
    assert "no_data" in table and "BHZ" in table
    after = dict(service.requests)
    snakemake(workdir, *args)
    assert service.requests == after  # resume: finished chunks are never fetched again


@pytest.mark.slow
def test_command_line_classifies_an_fdsn_station_into_events(service, tmp_path):
    """``seisclass classify --fdsn``: the real ObsPy client against the test service, the shipped model."""
    import pandas as pd

    from seisclass.cli import main

    service.faults.clear()
    service.faults["dataselect"].extend(["503"])  # retried like the workflow's downloads
    model = Path(__file__).resolve().parents[1] / "resources" / "models" / "real_dev.skops"
    out = tmp_path / "out"
    status = main(["--quiet", "classify", "--model", str(model), "--fdsn", service.url, "--stations",
                   "AV.SPCG,AV.SPCP", "--start", "2014-09-10T19:20:00", "--end", "2014-09-10T19:24:00",
                   "--out", str(out)])
    assert status == 0
    windows = pd.read_parquet(out / "probabilities.parquet")
    assert set(windows["station"]) == {"SPCG", "SPCP"} and set(windows["channel"]) == {"BH?"}
    events = pd.read_csv(out / "events.csv", keep_default_na=False)
    assert len(events) >= 1 and set(events["channel"]) <= {"BHZ"}  # picked on the real vertical channel
    assert (out / "network_events.csv").exists() and (out / "events.xml").exists()
    network = pd.read_csv(out / "network_events.csv")
    assert set(network["network_event"]) == set(events["network_event"])  # every station event in one
    # the outburst flood: both stations' windows call it surface, and both stations' events enter the catalogue
    # as one network event (SPCP's emergent rise is not taken for noise: it was dropped at 5.9 dB SNR). SPCP calls
    # it surface; SPCG's first minute (the class span) looks like an earthquake to the shipped model, and so does
    # the network vote (surface with the former 150-s span)
    flood = windows[(windows["start"] >= "2014-09-10T19:22:00Z") & (windows["start"] < "2014-09-10T19:23:00Z")]
    assert flood.groupby("station")[["p_surface", "p_earthquake"]].max().sum(axis=1).min() > 0.9
    spcp = events[events["station"] == "SPCP"]
    assert len(spcp) == 1 and spcp["station_class"].iloc[0] == "surface" and spcp["snr_db"].iloc[0] > 10
    assert set(events["station"]) == {"SPCG", "SPCP"} and events["network_event"].nunique() == 1
    nothing = main(["--quiet", "classify", "--model", str(model), "--fdsn", service.url, "--stations", "AV.NOPE",
                    "--start", "2014-09-10T19:20:00", "--end", "2014-09-10T19:24:00", "--out", str(out)])
    assert nothing == 1


def test_routing_providers_are_known():
    assert check_provider("routing:eida") == "routing:eida"
    assert check_provider("routing:iris-federator") == "routing:iris-federator"
    with pytest.raises(SourceError, match="routing:eida"):
        check_provider("routing:nowhere")


def test_a_station_selected_twice_is_downloaded_once_with_a_note(service, fast, caplog):
    """Overlapping --stations patterns (issue 20, the same data in two requests): one unit per station-day."""
    from seisclass.acquire.units import Selection, fdsn_units

    once, _ = fdsn_units(service.url, Selection.parse("AV.SPCG", None, "2014-09-10", "2014-09-11"), fast, 40.0)
    twice, _ = fdsn_units(service.url, Selection.parse("AV.SPCG,AV.*CG", None, "2014-09-10", "2014-09-11"), fast,
                          40.0)
    assert [str(u) for u in once] == ["AV.SPCG.BH? 2014-09-10"] and twice == once
    assert "--stations AV.SPCG,AV.*CG: AV.SPCG.BH? 2014-09-10 selected more than once: downloaded and " \
        "classified once" in caplog.text


@pytest.mark.parametrize(("fault", "status", "kept"), [("swap:AV.SPCP", "refused", 0), ("extra:AV.SPCP", "partial", 3)])
def test_an_answer_with_another_stations_data_is_refused_and_recorded(service, fast, tmp_path, fault, status, kept):
    """Issue 20: the service answers AV.SPCG with AV.SPCP's data (instead, or as well): never stored as "ok"."""
    from seisclass.quality.availability import chunk_availability

    service.faults["dataselect"].append(fault)
    path = tmp_path / "day.mseed"
    result = download_waveforms(make_client(service.url, fast), SPCG, DAY0, DAY0 + 86400, path, fast)
    assert result == {"status": status, "traces": kept, "message": (
        f"station AV.SPCG {DAY0}-{DAY0 + 86400}: the service answered with AV.SPCP..BHE, AV.SPCP..BHN, AV.SPCP..BHZ, "
        "not the requested AV.SPCG..BH?: refused" + (" (no data of the requested station kept)" if not kept else ""))}
    stored = read_checked(path)
    assert len(stored) == kept and {tr.stats.station for tr in stored} <= {"SPCG"}
    rows = chunk_availability(stored, DAY0.timestamp, DAY0.timestamp + 86400,
                              {"station": "AV.SPCG", "day": "2014-09-10", "source": "fdsn", **result})
    assert set(rows["status"]) == {status} and rows["message"].str.contains("not the requested AV.SPCG").all()
    assert set(rows["channel"]) == ({""} if not kept else {"BHE", "BHN", "BHZ"})


def test_the_command_line_lists_a_refused_answer_as_skipped(service, tmp_path):
    import pandas as pd

    from seisclass.cli import main

    service.faults.clear()
    service.faults["dataselect"].append("swap:AV.SPCP")
    model = Path(__file__).resolve().parents[1] / "resources" / "models" / "real_dev.skops"
    out = tmp_path / "out"
    status = main(["--quiet", "classify", "--model", str(model), "--fdsn", service.url, "--stations", "AV.SPCG",
                   "--start", "2014-09-10T19:20:00", "--end", "2014-09-10T19:24:00", "--out", str(out)])
    assert status == 3  # something was skipped
    skipped = pd.read_csv(out / "skipped.csv")
    assert skipped["input"].tolist() == ["AV.SPCG.BH? 2014-09-10"]
    assert "the service answered with AV.SPCP..BHE, AV.SPCP..BHN, AV.SPCP..BHZ, not the requested AV.SPCG..BH?: " \
        "refused" in skipped["reason"].iloc[0]
    assert len(pd.read_parquet(out / "probabilities.parquet")) == 0  # nothing of AV.SPCP classified as AV.SPCG
