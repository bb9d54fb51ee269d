"""Faults and bad input: each has a defined behaviour (a clear error naming the culprit, or handled)."""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, make_workdir, snakemake
from obspy import Stream, Trace, UTCDateTime

from seisclass.acquire.archives import index_mseed_dir
from seisclass.core.records import StationDay
from seisclass.core.waveforms import WaveformReadError, read_chunk
from seisclass.data.dataset import (
    DatasetError,
    assemble,
    label_table,
)
from seisclass.data.split import SplitError, assign_split
from seisclass.quality.availability import skipped_files
from seisclass.signal.features import FeatureParameters, compute_features
from seisclass.signal.preprocess import PreprocessParameters, preprocess_stream
from seisclass.signal.recipe import station_day_features
from seisclass.signal.windows import WindowParameters, cut_station_day

T0 = UTCDateTime("2024-06-01T00:00:00")
FS = 100.0
KEYS = {"network": "XX", "station": "F", "location": "", "channel": "HH?"}


def station_day(t0: float, t1: float) -> StationDay:
    """The test station's record for [t0, t1) (epoch s)."""
    return StationDay("XX", "F", "", "HH?", "2024-01-01", t0, t1)
COMPONENTS = ["Z", "N", "E"]
CLASSES = ["silence", "tourists", "earthquake"]
# Outputs compared by hash between runs: the dataset, the model metrics and the test predictions.
COMPARED = ["results/features/features.parquet", "results/metrics/rf.json", "results/predictions/rf_test.parquet",
            "results/features/XX.TINY/2024-06-01.parquet", "results/labels/XX.TINY/2024-06-01.parquet"]


def trace(component: str, data: np.ndarray, start: UTCDateTime = T0, fs: float = FS) -> Trace:
    header = {"network": "XX", "station": "F", "channel": f"HH{component}", "sampling_rate": fs, "starttime": start}
    return Trace(np.asarray(data, dtype=np.float32), header=header)


def noise(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n).astype(np.float32) * 100.0


def windows_of(stream: Stream, seconds: float) -> np.ndarray:
    """Grid start times (s after T0) of the complete 3-component windows of a preprocessed stream."""
    starts, _ = cut_station_day(stream, T0.timestamp, T0.timestamp + seconds, 10.0, 5.0, COMPONENTS, FS)
    return starts - T0.timestamp


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_of_run(run, workdir, keep: set[str]):
    """A copy of a finished run (Snakemake's metadata and mtimes too) without its logs and without the
    entries of results/ not in ``keep``: the next run makes them again."""
    shutil.copytree(run, workdir, symlinks=True, ignore=shutil.ignore_patterns("report.html", "logs"))
    for path in (workdir / "results").iterdir():
        if path.name not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return workdir


# ------------------------------------------------------------------ configuration


@pytest.mark.workflow
@pytest.mark.parametrize(("override", "key"), [("seed=-1", "seed"), ("windows={length_s: 0}", "length_s")])
def test_schema_violation_names_the_key(tmp_path, override, key):
    result = snakemake(make_workdir(tmp_path / "run"), "-n", "--config", override, check=False, timeout=300)
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error validating config file" in message
    assert f"['{key}']" in message  # the schema path of the offending key


@pytest.mark.workflow
def test_unknown_station_is_named(tmp_path):
    result = snakemake(make_workdir(tmp_path / "run"), "-n", "results/features/XX.NOPE/2024-06-01.parquet",
                       check=False, timeout=300)
    assert result.returncode != 0
    assert "unknown chunk 'XX.NOPE/2024-06-01'" in result.stdout + result.stderr
    assert "XX.TINY" in result.stdout + result.stderr  # the known stations are listed


@pytest.mark.workflow
def test_missing_annotation_file_stops_even_an_up_to_date_run(tiny_run):
    """A configured annotation file that is gone stops every command, naming the key and the path.

    Snakemake alone finds the finished run up to date ("Nothing to be done", exit 0) and keeps
    the labels of the lost file; the check at parse time (workflow/rules/common.smk) refuses.
    """
    result = snakemake(tiny_run, "-n", "--config", "annotations=[config/elsewhere.csv]", check=False, timeout=300)
    message = result.stdout + result.stderr
    assert result.returncode != 0
    assert "annotations: file(s) ['config/elsewhere.csv'] not found" in message
    assert "fix the path, or remove the entry from annotations" in message
    configured = tiny_run / "config" / "annotations.csv"  # the file of the finished run disappears
    moved = configured.rename(configured.with_suffix(".moved"))
    try:
        result = snakemake(tiny_run, "-n", check=False, timeout=300)
    finally:
        moved.rename(configured)
    assert result.returncode != 0
    assert "annotations: file(s) ['config/annotations.csv'] not found" in result.stdout + result.stderr


DECOY = 'raise ImportError("decoy seisclass imported instead of the checkout")\n'


@pytest.fixture(scope="module")
def second_run(tmp_path_factory):
    """A second clean run of the whole tiny workflow, with a decoy seisclass first on PYTHONPATH.

    One run serves two checks: every job imports this checkout's src/ (_bootstrap.py), and every
    result is byte-identical to the first run's (``tiny_run``).
    """
    root = tmp_path_factory.mktemp("second_run")
    decoy = root / "decoy" / "seisclass"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text(DECOY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", str(decoy.parent))
        probe = subprocess.run([sys.executable, "-c", "import seisclass"], capture_output=True, text=True, cwd=root)
        workdir = make_workdir(root / "run")
        result = snakemake(workdir, "--cores", "2", check=False)
    return workdir, probe, result


@pytest.mark.workflow
def test_jobs_run_this_checkouts_code(tiny_run, second_run):
    """With a decoy seisclass first on PYTHONPATH, every job still imports this checkout's src/ (_bootstrap.py)."""
    workdir, probe, result = second_run
    assert "decoy seisclass imported" in probe.stderr  # plain Python does pick the decoy
    assert "decoy seisclass imported" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr[-4000:]
    for name in ("results/features/XX.TINY/2024-06-01.parquet", "results/features/feature_table.tsv"):
        assert sha256(workdir / name) == sha256(tiny_run / name), name


# ------------------------------------------------------------------ waveform files


@pytest.fixture(scope="module")
def day_file(tmp_path_factory):
    """A valid 10-minute, 3-component float32 miniSEED file (4096-byte records)."""
    path = tmp_path_factory.mktemp("mseed") / "good.mseed"
    Stream([trace(c, noise(60000, i)) for i, c in enumerate(COMPONENTS)]).write(
        str(path), format="MSEED", encoding="FLOAT32", reclen=4096)
    return path


def test_valid_file_reads_completely(day_file):
    stream = read_chunk(day_file, ["XX.F"], "chunk XX.F/2024-06-01")
    assert [tr.stats.npts for tr in stream] == [60000] * 3


@pytest.mark.parametrize("kind", ["truncated_in_record", "corrupt_record", "garbage", "cut_header"])
def test_corrupt_or_truncated_file_names_file_and_chunk(day_file, tmp_path, kind):
    data = day_file.read_bytes()
    blob = {
        "truncated_in_record": data[: 40 * 4096 + 1000],  # the last record is cut short
        "corrupt_record": data[: 10 * 4096] + bytes(4096) + data[11 * 4096:],  # one record zeroed
        "garbage": np.random.default_rng(0).bytes(8192),
        "cut_header": data[:300],
    }[kind]
    path = tmp_path / f"{kind}.mseed"
    path.write_bytes(blob)
    with pytest.raises(WaveformReadError) as error:
        read_chunk(path, ["XX.F"], "chunk XX.F/2024-06-01")
    assert str(path) in str(error.value)
    assert "chunk XX.F/2024-06-01" in str(error.value)


def test_no_data_gives_empty_station_day(tmp_path):
    empty = tmp_path / "empty.mseed"
    empty.write_bytes(b"")  # the chunk convention of seisclass.acquire.archives for "no data"
    stream = read_chunk(empty, ["XX.F"])
    assert len(stream) == 0
    processed, _ = preprocess_stream(stream, PreprocessParameters())
    table = station_day_features(processed, station_day(T0.timestamp, T0.timestamp + 3600), WindowParameters(), FS,
                                 FeatureParameters())
    assert len(table) == 0 and "Z_rms" in table.columns
    assert len(label_table(table, pd.DataFrame(columns=["t0", "t1", "label"]), 0.5)) == 0


def test_file_of_another_station_has_no_data_for_this_one(day_file):
    assert len(read_chunk(day_file, ["XX.OTHER"])) == 0


def test_other_files_in_a_miniseed_directory_are_skipped_file_rows(day_file, tmp_path):
    """0-byte, text and PNG files, and miniSEED with codes breaking the SEED rules, next to good miniSEED:
    each an availability row (status skipped_file) with its reason; nothing of them is read."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.mseed").write_bytes(day_file.read_bytes())
    (data / "empty.mseed").write_bytes(b"")
    (data / "README.txt").write_text("station notes\n")
    (data / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(500))
    odd = trace("Z", noise(1000, 0))
    odd.stats.station = "A/B"  # a path character in the station code
    Stream([odd]).write(str(data / "odd.mseed"), format="MSEED", encoding="FLOAT32")
    index = index_mseed_dir(str(data))
    rows = skipped_files(index)
    assert set(rows["status"]) == {"skipped_file"}
    reasons = dict(m.removeprefix(f"{data}/").split(": ", 1) for m in rows["message"])
    assert sorted(reasons) == ["README.txt", "empty.mseed", "map.png", "odd.mseed"]
    assert reasons["empty.mseed"] == "empty file (0 bytes)"
    assert reasons["README.txt"].startswith("not readable as miniSEED")
    assert reasons["map.png"].startswith("not readable as miniSEED")
    assert reasons["odd.mseed"].startswith("invalid SEED codes ['XX.A/B..HHZ']")
    good = index[index["path"].str.endswith("good.mseed")]
    assert len(good) == 3 and (good["error"] == "").all()  # the miniSEED file is indexed as usual


# ------------------------------------------------------------------ gaps, overlaps, rates


def test_gaps_and_overlaps():
    """Z: 0.5-s gap (bridged); N: 60-s gap (windows touching it dropped); E: 2-s overlap (merged)."""
    z = np.delete(noise(120000, 0), np.arange(30000, 30050))
    zt = [trace("Z", z[:30000]), trace("Z", z[30000:], T0 + 300.5)]
    n = noise(120000, 1)
    nt = [trace("N", n[:60000]), trace("N", n[66000:], T0 + 660.0)]
    e = noise(120000, 2)
    et = [trace("E", e[:70000]), trace("E", e[69800:], T0 + 698.0)]  # 200 samples given twice
    out, notes = preprocess_stream(Stream(zt + nt + et), PreprocessParameters())
    assert notes == []
    assert [len(out.select(component=c)) for c in COMPONENTS] == [1, 2, 1]
    assert out.select(component="E")[0].stats.npts == 120000
    starts = windows_of(out, 1200.0)
    # 239 grid windows in 20 min; those starting at 595..655 s touch the N gap [600, 660)
    expected = [s for s in np.arange(0.0, 1191.0, 5.0) if not 590.0 < s < 660.0]
    assert len(expected) == 226
    np.testing.assert_allclose(starts, expected)


def test_non_finite_samples_become_gaps():
    z = noise(120000, 0)
    z[30000:30020] = np.nan  # 0.2 s: bridged
    z[80000:86000] = np.inf  # 60 s: a gap
    stream = Stream([trace("Z", z), trace("N", noise(120000, 1)), trace("E", noise(120000, 2))])
    out, _ = preprocess_stream(stream, PreprocessParameters())
    assert all(np.isfinite(tr.data).all() for tr in out)
    assert len(out.select(component="Z")) == 2
    starts = windows_of(out, 1200.0)
    assert not np.any((starts > 790.0) & (starts < 860.0)) and 300.0 in starts


def test_sampling_rate_change_inside_a_day():
    """40 min at 100 Hz, then 20 min at 50 Hz: the minority (by duration) is dropped with a note."""
    stream = Stream()
    for i, c in enumerate(COMPONENTS):
        stream += trace(c, noise(240000, i))
        stream += trace(c, noise(60000, i + 3)[:60000], T0 + 2400.0, fs=50.0)
    out, notes = preprocess_stream(stream, PreprocessParameters())
    assert len(notes) == 3
    assert all("sampling rate 50.0 Hz differs from 100.0 Hz" in note for note in notes)
    assert {tr.stats.sampling_rate for tr in out} == {100.0}
    starts = windows_of(out, 3600.0)
    assert starts.max() == 2390.0 and len(starts) == 479  # only the 100-Hz part is windowed


# ------------------------------------------------------------------ features and dataset


def test_flat_zero_constant_and_spike_windows_give_finite_features():
    windows = np.zeros((4, 3, 1000), np.float32)
    windows[1] = 7.5  # constant offset
    windows[2, :, 500] = 1e6  # one spike
    windows[3, 0] = noise(1000, 0)  # one live component, two dead ones
    for day in (windows, windows[:2]):  # also a day whose noise reference is zero
        values, snr = compute_features(day, FS, COMPONENTS, FeatureParameters())
        assert np.isfinite(values).all() and np.isfinite(snr).all()


def test_dataset_with_non_finite_feature_is_rejected():
    stream = Stream([trace(c, noise(60000, i)) for i, c in enumerate(COMPONENTS)])
    features = station_day_features(stream, station_day(T0.timestamp, T0.timestamp + 600), WindowParameters(), FS,
                                    FeatureParameters())
    features.loc[7, "N_centroid_hz"] = np.inf
    labels = label_table(features, pd.DataFrame(columns=["t0", "t1", "label"]), 0.5)
    with pytest.raises(DatasetError, match=r"'N_centroid_hz' is inf in 1 window.*XX\.F.*00:00:35"):
        assemble([features], [labels])


def test_class_without_examples_raises_split_error():
    starts = np.arange(0.0, 6 * 3600.0, 5.0)
    labels = np.where((starts // 900) % 2 == 0, "silence", "tourists").astype(object)
    with pytest.raises(SplitError, match="class 'earthquake' occurs in 0 time block"):
        assign_split(starts, starts + 10.0, labels, CLASSES, {"train": 0.8, "validation": 0.1, "test": 0.1},
                     block_s=600, seed=0)


def test_annotation_outside_the_data_span_is_harmless():
    """Annotations before or after the data label nothing and raise nothing."""
    starts = pd.Series(pd.to_datetime(T0.timestamp + 5.0 * np.arange(10), unit="s", utc=True))
    windows = pd.DataFrame({**KEYS, "start": starts, "end": starts + pd.Timedelta(10, "s")})
    annotations = pd.DataFrame({
        **{k: [v] * 3 for k, v in KEYS.items()},
        "t0": [T0.timestamp - 86400, T0.timestamp + 86400 * 30, T0.timestamp + 10.0],
        "t1": [T0.timestamp - 86000, T0.timestamp + 86400 * 31, T0.timestamp + 30.0],
        "label": ["earthquake", "tourists", "silence"],
    })
    labels = label_table(windows, annotations, 0.5)["label"].tolist()
    # only the annotation inside the span labels windows: [10, 30) covers >= 50 % of windows starting 5..25 s
    assert labels == ["unlabeled"] + ["silence"] * 5 + ["unlabeled"] * 4


# ------------------------------------------------------------------ interrupted run


@pytest.mark.workflow
def test_killed_run_resumes_to_identical_outputs(tiny_run, tmp_path):
    """SIGKILL the whole run (snakemake and its job) during the features job; resume; compare hashes.

    The run starts from a copy of the tiny run that keeps only its raw and preprocessed data (and the
    job benchmarks), so the features job is the first to run.
    """
    workdir = copy_of_run(tiny_run, tmp_path / "run", keep={"raw", "preprocessed", "benchmarks"})
    job_log = workdir / "logs/features/XX.TINY/2024-06-01.log"
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--cores", "1", *COMPARED]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not job_log.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before the features job started"
    os.killpg(process.pid, signal.SIGKILL)  # like a node crash: no cleanup at all
    process.wait()
    partial = workdir / "results/features/XX.TINY/2024-06-01.parquet"
    assert not partial.exists(), "a killed job left a file under its final name"  # atomic writes
    # A writer that is not atomic would leave a partial file: Snakemake's incomplete marker
    # must make the resumed run redo the job instead of taking the file as finished.
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PAR1 partial")

    snakemake(workdir, "--unlock")  # the killed Snakemake could not release its lock
    snakemake(workdir, "--cores", "2", "--rerun-incomplete", *COMPARED)
    for name in COMPARED:
        assert sha256(workdir / name) == sha256(tiny_run / name), name


@pytest.mark.workflow
def test_two_clean_runs_give_identical_outputs(tiny_run, second_run):
    """Determinism: every result file of the whole workflow is byte-identical between two clean runs.

    Timings live under results/benchmarks/ (job benchmarks, model timings) and in the logs only.
    PyTorch model files (``.pt``) are the one exception: ``torch.save`` writes a random
    serialization id into every file; their predictions (results/predictions/) must match.
    """
    workdir, _, result = second_run
    assert result.returncode == 0, result.stderr[-4000:]
    files = sorted(p.relative_to(tiny_run) for p in (tiny_run / "results").rglob("*")
                   if p.is_file() and "benchmarks" not in p.parts and p.suffix not in (".html", ".pt"))
    assert len(files) > 50
    differ = [str(f) for f in files if sha256(workdir / f) != sha256(tiny_run / f)]
    assert differ == []


# ------------------------------------------------------------------ optional models

# Stages of the tiny run upstream of the deep inputs (and the job benchmarks), kept by the failed-deep test.
UPSTREAM = {"raw", "preprocessed", "features", "labels", "dataset", "availability", "quality", "benchmarks"}


def test_default_profile_keeps_going():
    """A failed job (e.g. a deep model) stops only what depends on it; the run exits non-zero at the end."""
    profile = yaml.safe_load((REPO / "profiles" / "default" / "config.yaml").read_text())
    assert profile["keep-going"] is True


@pytest.mark.workflow
def test_failed_deep_models_leave_the_forest_and_the_report(tiny_run, tmp_path):
    """Deep inputs damaged to NaN: both deep trainings stop with the cause; everything else finishes,
    the run exits non-zero, and the report is made without the deep models (--omit-from train_deep).

    It starts from a copy of the tiny run that keeps the stages up to the deep inputs (raw data,
    preprocessing, features, labels, dataset, availability, quality) and nothing after them, so every
    job downstream of the dataset runs again beside the failing deep trainings.
    """
    workdir = copy_of_run(tiny_run, tmp_path / "run", keep=UPSTREAM | {"deep"})
    for path in (workdir / "results/deep").iterdir():
        if path.name != "inputs":
            shutil.rmtree(path)
    assert not (workdir / "results/models").exists() and not (workdir / "results/metrics").exists()
    train = np.load(workdir / "results/deep/inputs/train.npy", mmap_mode="r+")
    train[:] = np.nan
    train.flush()
    del train
    result = snakemake(workdir, "--cores", "2", check=False, timeout=1800)
    assert result.returncode != 0
    for kind in ("cnn", "lstm"):
        log = (workdir / f"logs/deep/train_{kind}.log").read_text()
        assert f"{kind}: training stopped: the training loss is nan in epoch 1" in log
        assert "NaN or infinite values" in log
        assert not (workdir / f"results/models/{kind}.pt").exists()
    for name in ("results/models/rf.skops", "results/metrics/rf.json", "results/metrics/rf_cv.json",
                 "results/plots/rf_confusion.png", "results/explain/rf_shap_summary.tsv",
                 "results/explore/stability.json", "results/explore/confounds.tsv",
                 "results/active_learning/candidates.csv", "results/detections/segments.csv"):
        assert (workdir / name).is_file(), name
    for name in ("results/metrics/model_comparison.tsv", "results/headline.html"):  # they need the deep models
        assert not (workdir / name).exists(), name
    result = snakemake(workdir, "--report", "report.html", "--omit-from", "train_deep", check=False)
    assert result.returncode == 0, result.stderr[-4000:]
    assert (workdir / "report.html").stat().st_size > 100_000
