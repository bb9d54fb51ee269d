"""The command line (seisclass.cli): classify files or an SDS archive, info, errors."""

from __future__ import annotations

import importlib
import json
import pickle
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from obspy import read_events
from test_models import CLASSES, RECIPE, Payload, labelled_features, synthetic_stream

from seisclass.cli import main
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.events.catalogue import read_events as read_events_csv
from seisclass.events.segments import SEGMENT_COLUMNS
from seisclass.learn.forest import ForestParameters, fit_forest
from seisclass.learn.loading import load_classifier


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> str:
    table = labelled_features(synthetic_stream(50.0))
    path = str(tmp_path_factory.mktemp("cli_model") / "rf.skops")
    fit_forest(table, CLASSES, ForestParameters(n_estimators=20), seed=1, recipe=RECIPE).save(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A directory with two stations' miniSEED files (100 and 200 Hz) and a file that is not miniSEED."""
    root = tmp_path_factory.mktemp("mseed")
    (root / "sub").mkdir()
    streams = {"SYN": synthetic_stream(100.0, bursts=[200.0, 700.0]),
               "SYM": synthetic_stream(200.0, bursts=[400.0], seed=3, station="SYM")}
    streams["SYN"].write(str(root / "a.mseed"), format="MSEED")
    streams["SYM"].write(str(root / "sub" / "b.data"), format="MSEED")  # names do not matter
    (root / "README.txt").write_text("not waveforms")
    return root, streams


def classify(*args: str) -> int:
    return main(["--quiet", "classify", *args])


def test_classify_directory_writes_probabilities_segments_and_events(model_path, inputs, tmp_path):
    root, streams = inputs
    out = tmp_path / "out"
    assert classify("--model", model_path, str(root), "--out", str(out), "--exclude", "quiet") == 0
    table = pd.read_parquet(out / "probabilities.parquet")
    assert list(table.columns) == [*KEY_COLUMNS, "p_quiet", "p_burst", "domain_score", "health"]
    assert (table["health"] == "ok").all()  # clean synthetic noise: no window marked
    np.testing.assert_allclose(table[["p_quiet", "p_burst"]].sum(axis=1), 1.0)
    # unit white noise keeps 19 / (rate / 2) of its power in the 1-20 Hz band: SYN (100 Hz) half the training
    # station's (50 Hz), SYM (200 Hz) a quarter: SYM's band amplitudes are half the training's, all windows outside
    domain = pd.read_csv(out / "domain.csv", keep_default_na=False).set_index("station")
    assert sorted(domain.index) == ["SYM", "SYN"] and domain["windows"].sum() == len(table)
    assert not domain.loc["SYN", "flagged"] and domain.loc["SYN", "domain_score"] < 0.05
    assert domain.loc["SYM", "flagged"] and domain.loc["SYM", "domain_score"] > 0.9
    assert sorted(table["station"].unique()) == ["SYM", "SYN"] and set(table["channel"]) == {"HH?"}
    model = load_classifier(model_path)
    expected = model.window_probabilities(streams["SYN"])
    got = table[table["station"] == "SYN"].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    segments = pd.read_csv(out / "segments.csv", parse_dates=["start", "end", "peak_time"], keep_default_na=False)
    assert list(segments.columns) == SEGMENT_COLUMNS
    assert list(segments.groupby("station").size().items()) == [("SYM", 1), ("SYN", 2)]
    assert set(segments["class"]) == {"burst"} and (segments["model"] == "rf").all()
    # one event per burst (SYN 200 s and 700 s, SYM 400 s), each its own network event (different times)
    events = read_events_csv(out / "events.csv")
    assert sorted(zip(events["station"], events["class"], strict=True)) == [
        ("SYM", "burst"), ("SYN", "burst"), ("SYN", "burst")]
    assert set(events["channel"]) == {"HHZ"}  # the real channel code of the onsets
    t0 = streams["SYN"][0].stats.starttime.timestamp
    onsets = sorted((events["onset"] - pd.Timestamp(t0, unit="s", tz="UTC")).dt.total_seconds())
    assert onsets == pytest.approx([200.0, 400.0, 700.0], abs=3.0)
    network = pd.read_csv(out / "network_events.csv")
    assert len(network) == 3 and (network["n_stations"] == 1).all()
    quakeml = read_events(str(out / "events.xml"))
    assert len(quakeml) == 3 and {e.event_type for e in quakeml} == {"other event"}
    assert all(len(e.picks) == 1 and e.picks[0].waveform_id.channel_code == "HHZ" for e in quakeml)


@pytest.mark.slow
def test_jobs_run_in_parallel_with_the_same_result(model_path, inputs, tmp_path):
    root, _ = inputs
    assert classify("--model", model_path, str(root), "--out", str(tmp_path / "one")) == 0
    assert classify("--model", model_path, str(root), "--out", str(tmp_path / "two"), "--jobs", "2") == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "one" / "probabilities.parquet"),
                                  pd.read_parquet(tmp_path / "two" / "probabilities.parquet"))
    assert (tmp_path / "one" / "segments.csv").read_text() == (tmp_path / "two" / "segments.csv").read_text()


def test_sds_archive_gives_the_file_result(model_path, inputs, tmp_path):
    _, streams = inputs
    sds = tmp_path / "sds"
    for trace in streams["SYN"]:
        folder = sds / "2024" / "XX" / "SYN" / f"{trace.stats.channel}.D"
        folder.mkdir(parents=True)
        trace.write(str(folder / f"XX.SYN..{trace.stats.channel}.D.2024.061"), format="MSEED")
    out = tmp_path / "out"
    assert classify("--model", model_path, "--sds", str(sds), "--stations", "XX.SYN", "--start", "2024-03-01",
                    "--end", "2024-03-02", "--out", str(out)) == 0
    expected = load_classifier(model_path).window_probabilities(streams["SYN"])
    pd.testing.assert_frame_equal(pd.read_parquet(out / "probabilities.parquet"), expected, check_dtype=False)


def test_bad_inputs_fail_with_a_message_and_exit_status_1(model_path, inputs, tmp_path, capsys):
    root, streams = inputs
    out = str(tmp_path / "out")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("no waveforms here")
    cases = [
        ([str(tmp_path / "missing.mseed")], "missing.mseed: no such file or directory"),
        ([str(root / "README.txt")], "README.txt: not readable as miniSEED"),
        ([str(tmp_path / "notes")], "no readable miniSEED file (skipped: " + str(tmp_path / "notes" / "a.txt")),
    ]
    only_z = tmp_path / "z.mseed"
    streams["SYN"].select(component="Z").write(str(only_z), format="MSEED")
    cases.append(([str(only_z)], r"has no ['N', 'E'] component"))
    data = (root / "a.mseed").read_bytes()
    (tmp_path / "cut.mseed").write_bytes(data[: len(data) - 100])
    cases.append(([str(tmp_path / "cut.mseed"), str(only_z)], "cut.mseed: truncated miniSEED"))
    (tmp_path / "empty.mseed").write_bytes(b"")
    cases.append(([str(tmp_path / "empty.mseed"), str(only_z)], "empty.mseed: empty file (0 bytes)"))
    cases.append(([str(root), "--exclude", "volcano"], "--exclude volcano: ['volcano'] not among the model's classes"))
    cases.append(([str(root), "--inventory", str(root / "README.txt")], "README.txt: not StationXML"))
    cases.append(([str(root), "--sds", str(root)], "give one input"))
    cases.append(([str(root), "--stations", "../.."], "--stations: '../..' is not NET.STA"))
    for args, message in cases:
        assert classify("--model", model_path, *args, "--out", out) == 1, args
        assert message in capsys.readouterr().err, args
    assert not (tmp_path / "out" / "events.csv").exists()


def test_selections_that_match_nothing_list_what_the_input_holds(model_path, tmp_path, capsys):
    from conftest import REAL_DATA

    pnsn = sorted((REAL_DATA / "pnsn").glob("*.mseed"))[:2]
    out = str(tmp_path / "out")
    assert classify("--model", model_path, *map(str, pnsn), "--channels", "BH?", "--out", out) == 1
    err = capsys.readouterr().err
    assert "--channels BH?: no such channel in the input; it holds" in err and "EHZ" in err
    assert classify("--model", model_path, *map(str, pnsn), "--stations", "UW.NOPE", "--out", out) == 1
    assert "--stations UW.NOPE: no such station in the input" in capsys.readouterr().err
    assert classify("--model", model_path, *map(str, pnsn), "--start", "2030-01-01", "--out", out) == 1
    assert "--start/--end: no data of the selected stations" in capsys.readouterr().err


def test_one_file_per_channel_classifies_like_one_file(model_path, inputs, tmp_path):
    root, streams = inputs
    split = tmp_path / "split"
    split.mkdir()
    for trace in streams["SYN"]:
        trace.write(str(split / f"{trace.id}.mseed"), format="MSEED")
    assert classify("--model", model_path, str(split), "--out", str(tmp_path / "split_out")) == 0
    whole = tmp_path / "whole.mseed"
    streams["SYN"].write(str(whole), format="MSEED")
    assert classify("--model", model_path, str(whole), "--out", str(tmp_path / "whole_out")) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "split_out" / "probabilities.parquet"),
                                  pd.read_parquet(tmp_path / "whole_out" / "probabilities.parquet"))
    assert (tmp_path / "split_out" / "events.csv").read_text() == (tmp_path / "whole_out" / "events.csv").read_text()
    twice = classify("--model", model_path, str(split), str(whole), "--out", str(tmp_path / "twice_out"))
    assert twice == 0  # the same data twice: one unit, no duplicate rows
    assert len(pd.read_parquet(tmp_path / "twice_out" / "probabilities.parquet")) == 239


def test_keep_going_classifies_the_rest_and_lists_what_it_skipped(model_path, inputs, tmp_path, capsys):
    root, streams = inputs
    folder = tmp_path / "mixed"
    folder.mkdir()
    streams["SYN"].write(str(folder / "good.mseed"), format="MSEED")
    data = (root / "a.mseed").read_bytes()
    (folder / "cut.mseed").write_bytes(data[: len(data) - 100])
    horizontal = streams["SYM"].select(component="N").copy()
    for trace in horizontal:
        trace.stats.station = "HOR"
    horizontal.write(str(folder / "horizontal.mseed"), format="MSEED")
    out = tmp_path / "out"
    assert classify("--model", model_path, str(folder), "--out", str(out)) == 1  # without: the first problem stops
    assert "cut.mseed: truncated miniSEED" in capsys.readouterr().err
    assert classify("--model", model_path, str(folder), "--out", str(out), "--keep-going") == 3
    skipped = pd.read_csv(out / "skipped.csv")
    assert len(skipped) == 2 and skipped["input"].iloc[0].endswith("cut.mseed")
    assert "truncated" in skipped["reason"].iloc[0] and "XX.HOR.HH? 2024-03-01" in skipped["input"].iloc[1]
    assert "has no ['Z', 'E'] component" in skipped["reason"].iloc[1]
    assert set(pd.read_parquet(out / "probabilities.parquet")["station"]) == {"SYN"}


def test_a_pickled_model_is_refused_without_running_it(inputs, tmp_path, capsys):
    root, _ = inputs
    marker = tmp_path / "marker"
    for name in ("evil.joblib", "evil.skops", "evil.pt"):
        (tmp_path / name).write_bytes(pickle.dumps(Payload(marker)))
        assert classify("--model", str(tmp_path / name), str(root), "--out", str(tmp_path / "out")) == 1
        assert f"{name}: a pickle (joblib) file" in capsys.readouterr().err or name == "evil.pt"
    assert not marker.exists()


@pytest.mark.slow
def test_info_prints_the_model_card(model_path):
    run = [sys.executable, "-m", "seisclass", "info", model_path]
    text = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert "classes        quiet, burst" in text and "band-pass 1-20 Hz" in text
    card = json.loads(subprocess.run([*run, "--json"], capture_output=True, text=True, check=True).stdout)
    assert card["classes"] == CLASSES and card["recipe"]["windows"]["components"] == ["Z", "N", "E"]
    failed = subprocess.run([sys.executable, "-m", "seisclass", "info", "nothing.skops"],
                            capture_output=True, text=True)
    assert failed.returncode == 1 and "nothing.skops: no such model file" in failed.stderr


def test_console_script_points_at_main():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    module, name = scripts["seisclass"].split(":")
    assert getattr(importlib.import_module(module), name) is main


@pytest.mark.workflow
def test_cli_on_the_tiny_run_reproduces_the_workflow(tiny_run, tmp_path):
    """The raw demo file through the CLI gives the workflow's probabilities of the same model."""
    out = tmp_path / "out"
    raw = next((tiny_run / "results" / "raw" / "demo").rglob("*.mseed"))
    assert classify("--model", str(tiny_run / "results/models/rf.skops"), str(raw), "--out", str(out)) == 0
    workflow = pd.read_parquet(next((tiny_run / "results" / "probabilities" / "rf").rglob("*.parquet")))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "probabilities.parquet"), workflow, check_dtype=False)


def test_a_zero_length_file_is_refused_before_any_work_or_skipped_with_keep_going(model_path, inputs, tmp_path,
                                                                                   capsys):
    root, _ = inputs
    (tmp_path / "empty.mseed").write_bytes(b"")
    out = tmp_path / "out"
    assert classify("--model", model_path, str(tmp_path / "empty.mseed"), "--out", str(out)) == 1
    assert f"{tmp_path / 'empty.mseed'}: no readable miniSEED file (skipped: " in capsys.readouterr().err
    assert classify("--model", model_path, str(tmp_path / "empty.mseed"), str(root / "a.mseed"), "--out",
                    str(out)) == 1
    assert "empty.mseed: empty file (0 bytes) (use --keep-going" in capsys.readouterr().err
    assert not out.exists()  # checked before any work: nothing written
    assert classify("--model", model_path, str(tmp_path / "empty.mseed"), str(root / "a.mseed"), "--out", str(out),
                    "--keep-going") == 3
    skipped = pd.read_csv(out / "skipped.csv")
    assert skipped.values.tolist() == [[str(tmp_path / "empty.mseed"), "empty file (0 bytes)"]]
    assert len(pd.read_parquet(out / "probabilities.parquet")) == 239  # a.mseed as alone


def test_a_channel_below_the_band_names_the_trace_and_the_nyquist_frequency(model_path, tmp_path, capsys):
    synthetic_stream(1.0, bursts=[], duration=3600.0).write(str(tmp_path / "lh.mseed"), format="MSEED")
    assert classify("--model", model_path, str(tmp_path / "lh.mseed"), "--out", str(tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert "XX.SYN.HH? 2024-03-01: XX.SYN..HH" in err
    assert "sampled at 1 Hz, its Nyquist frequency 0.5 Hz" in err and "low edge 1 Hz of preprocess.bandpass_hz" in err


def test_the_same_data_given_twice_give_the_rows_of_once_with_a_note(model_path, inputs, tmp_path, capsys):
    """Issue 20: one file named three ways (a path with .., a link), or copied under another name (1200 s at
    100 Hz: 120000 samples per channel)."""
    root, _ = inputs
    once = tmp_path / "once"
    assert classify("--model", model_path, str(root / "a.mseed"), "--out", str(once)) == 0
    expected = pd.read_parquet(once / "probabilities.parquet")
    assert len(expected) == 239
    capsys.readouterr()
    (tmp_path / "link.mseed").symlink_to(root / "a.mseed")
    (tmp_path / "copy.mseed").write_bytes((root / "a.mseed").read_bytes())
    named = [str(root / "a.mseed"), str(root / "sub" / ".." / "a.mseed"), str(tmp_path / "link.mseed")]
    cases = {"named": (named, f"{root / 'a.mseed'}: given 3 times ({', '.join(named)}): read once"),
             "copied": ([str(root / "a.mseed"), str(tmp_path / "copy.mseed")],
                        "XX.SYN 2024-03-01: the same data more than once: 120000 sample(s) of XX.SYN..HHE, 120000 "
                        "sample(s) of XX.SYN..HHN, 120000 sample(s) of XX.SYN..HHZ dropped, kept once (files: "
                        f"{root / 'a.mseed'}, {tmp_path / 'copy.mseed'})")}
    for name, (files, note) in cases.items():
        assert classify("--model", model_path, *files, "--out", str(tmp_path / name)) == 0
        err = capsys.readouterr().err
        assert err.count("WARNING") == 1 and note in err, (name, err)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name / "probabilities.parquet"), expected)
        assert pd.read_csv(tmp_path / name / "skipped.csv").empty  # a note, not a skipped input
