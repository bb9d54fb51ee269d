"""The real-data study set is rebuilt from a clone of its source, with provenance (seisclass.data.study_set)."""

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from seisclass.cli import main
from seisclass.data.study_set import LABEL_COLUMNS, StudySetError, build_study_set

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A git clone laid out like the source repository: esec/ (catalogue, 3-component files) and pnsn/."""
    root = tmp_path_factory.mktemp("source")
    shutil.copytree(DATA / "real/esec", root / "esec")
    shutil.copytree(DATA / "study_set/pnsn", root / "pnsn")
    for command in (["init", "-q"], ["add", "."],
                    ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "fixture"]):
        subprocess.run(["git", "-C", str(root), *command], check=True)
    return root


@pytest.fixture(scope="module")
def built(clone, tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    return build_study_set(clone, out), out


def read_labels(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False)


def test_provenance_names_the_source_commit_and_the_rules(clone, built):
    provenance, out = built
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert provenance["source"]["commit"] == head.strip() and "MIT" in provenance["source"]["licence"]
    assert provenance["rules"]["after_onset_s"] == 40.0 and provenance["rules"]["surface_s"] == 90.0
    assert json.loads((out / "provenance.json").read_text()) == json.loads(json.dumps(provenance))


def test_earthquake_labels_reproduce_the_published_set(built):
    _, out = built
    mine = read_labels(out / "labels.csv")
    reference = read_labels(DATA / "study_set/reference_labels.csv")
    key = ["network", "station", "location", "channel", "event", "label"]
    both = reference.merge(mine, on=key, suffixes=("_ref", "_new"), validate="one_to_one")
    assert len(both) == len(reference) == 6  # the same intervals, none missing
    delta = {side: (pd.to_datetime(both[f"{side}_new"]) - pd.to_datetime(both[f"{side}_ref"])).dt.total_seconds()
             for side in ("start", "end")}
    assert (delta["start"].abs() <= 0.5).all() and (delta["end"].abs() <= 0.5).all()
    assert (delta["start"].abs() <= 0.01).sum() >= 5  # one W01 onset is picked 0.3 s later than the reference
    assert not ((mine.station == "B026").any())  # the reference leaves B026 out too


def test_surface_events_start_at_the_catalogue_time_and_silence_precedes_them(built):
    _, out = built
    labels = read_labels(out / "labels.csv")
    assert list(labels.columns) == LABEL_COLUMNS
    surface = labels[labels.label == "surface"]
    assert set(surface.event) == {"esec1", "esec4"}
    start = pd.to_datetime(surface.set_index("event").start)
    assert start["esec1"] == pd.Timestamp("2014-09-10T19:21:15Z")  # catalogue "2014_09_10 192115"
    assert start["esec4"] == pd.Timestamp("2017-06-17T23:39:12Z")
    for event, rows in labels.groupby(["event", "station"]):
        silence, signal = rows[rows.label == "silence"], rows[rows.label != "silence"]
        assert len(silence) == 1 and len(signal) == 1, event
        gap = (pd.to_datetime(signal.start.iloc[0]) - pd.to_datetime(silence.end.iloc[0])).total_seconds()
        # silence ends 10 s before the event (LabelRules.silence_gap_s); an earthquake's interval starts
        # 2 s before its onset (before_onset_s)
        assert gap == pytest.approx(10.0 if signal.label.iloc[0] == "surface" else 8.0, abs=0.01), event


def test_only_vertical_traces_are_written_and_every_left_out_recording_has_a_reason(built):
    provenance, out = built
    written = sorted(p.name for p in (out / "waveforms").glob("*.mseed"))
    assert written and all(name.endswith("Z.mseed") for name in written)
    labels = read_labels(out / "labels.csv")
    assert len(written) == labels.groupby(["event", "network", "station"]).ngroups
    assert provenance["files"] > provenance["vertical_recordings"]  # the horizontals are counted, not used
    skipped = {Path(s["file"]).name: s["reason"] for s in provenance["skipped"]}
    assert len(skipped) + len(written) == provenance["vertical_recordings"]
    assert skipped["uw10829463_PB.B026.EHZ.mseed"].startswith("event RMS only")
    assert all(not name.split("..")[1].startswith(("BHE", "BHN")) for name in skipped if ".." in name)


def test_a_folder_without_recordings_is_a_clear_error(tmp_path):
    with pytest.raises(StudySetError, match="no recordings found"):
        build_study_set(tmp_path, tmp_path / "out")


def test_the_command_line_builds_the_set(clone, tmp_path, capsys):
    assert main(["--quiet", "study-set", str(clone), str(tmp_path / "set")]) == 0
    said = capsys.readouterr().out
    assert "events" in said and "source commit" in said and (tmp_path / "set/labels.csv").is_file()
    assert main(["--quiet", "study-set", str(tmp_path / "nothing"), str(tmp_path / "x")]) == 1
