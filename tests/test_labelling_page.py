"""The labelling page: its figures' arrays, its content, keyboard labelling in headless Chromium, the round trip."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import snakemake
from obspy import Stream, Trace, UTCDateTime

from seisclass.core.vocabulary import TIME_FORMAT, epoch_seconds
from seisclass.data.dataset import context_waveforms
from seisclass.data.labels import read_annotations
from seisclass.learn.loading import load_classifier
from seisclass.plots.labelling_page import (
    labelling_html,
    labelling_page,
    min_max_envelope,
    spectrogram_db,
    uniform_grid,
)

CLASSES = ["silence", "tourists", "earthquake"]
HEADER = "network,station,location,channel,start,end,label"
PIXEL = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()  # images are not looked at
needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="Debian's chromium is installed by .ci/run")


def candidate_table(n: int, probabilities: np.ndarray | None = None) -> pd.DataFrame:
    """``n`` candidates on XX.TINY, 10-s windows every 30 s from 12:00:00 UTC."""
    start = pd.date_range("2024-06-01T12:00:00", periods=n, freq="30s", tz="UTC")
    table = pd.DataFrame({"rank": np.arange(1, n + 1), "network": "XX", "station": "TINY", "location": "",
                          "channel": "HH?", "start": start, "end": start + pd.Timedelta(seconds=10)})
    p = np.tile([0.5, 0.3, 0.2], (n, 1)) if probabilities is None else probabilities
    for j, c in enumerate(CLASSES):
        table[f"p_{c}"] = p[:, j]
    table["predicted"] = np.array(CLASSES)[p.argmax(axis=1)]
    table["entropy"] = 1.0
    return table


def press(page: str, keys: list[str], tmp_path, profile: str = "profile") -> tuple[str, str]:
    """``(exported CSV, status line)`` after the keys are pressed on ``page`` in headless Chromium.

    A copy of the page gets a script that dispatches one ``keydown`` per key on the document (as
    typing does); the CSV is what the page's export (key ``e``) wrote into its ``#export`` box.
    Runs with the same ``profile`` share the browser's ``localStorage``.
    """
    script = (f"<script>for (const key of {json.dumps([*keys, 'e'])}) document.dispatchEvent("
              "new KeyboardEvent('keydown', {key: key, bubbles: true}));</script>")
    path = tmp_path / f"page_{len(list(tmp_path.glob('page_*.html')))}.html"
    path.write_text(page.replace("</body>", script + "</body>"))
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / profile}", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    exported = re.search(r'<pre id="export">(.*?)</pre>', dom, re.S)
    status = re.search(r'<p id="status">(.*?)</p>', dom, re.S)
    assert exported and status, dom[-2000:]
    return html.unescape(exported.group(1)), status.group(1)


def csv_line(row, label: str) -> str:
    return f"XX,TINY,,HH?,{row.start:{TIME_FORMAT}},{row.end:{TIME_FORMAT}},{label}"


def test_min_max_envelope_by_hand():
    times = np.array([0.0, 1.0, 2.0, 8.0, 9.0])  # nothing between 2.5 and 7.5 s
    centres, low, high = min_max_envelope(times, np.array([3.0, -1.0, 2.0, 5.0, 4.0]), 0.0, 10.0, n_bins=4)
    np.testing.assert_allclose(centres, [1.25, 3.75, 6.25, 8.75])
    np.testing.assert_array_equal(low, [-1.0, np.nan, np.nan, 4.0])
    np.testing.assert_array_equal(high, [3.0, np.nan, np.nan, 5.0])


def test_uniform_grid_fills_gaps_with_zeros():
    grid = uniform_grid(np.array([0.0, 0.5, 2.0, 7.0]), np.array([1.0, 2.0, 3.0, 9.0]), 0.0, 3.0, fs=2.0)
    np.testing.assert_array_equal(grid, [1.0, 2.0, 0.0, 0.0, 3.0, 0.0])  # 7 s is outside [0, 3)


def test_spectrogram_peaks_at_the_tone():
    fs = 100.0
    t = np.arange(int(60 * fs)) / fs
    _, freqs, power = spectrogram_db(np.sin(2 * np.pi * 12.5 * t), fs, frame_s=2.0)
    assert freqs[np.argmax(power.mean(axis=1))] == pytest.approx(12.5)  # 0.5-Hz bins of 2-s frames


def test_context_waveforms_cross_midnight_and_missing_days(tmp_path):
    fs = 10.0
    files = {}
    for day, t0 in (("2024-06-01", "2024-06-01T23:58:00"), ("2024-06-02", "2024-06-02T00:00:00")):
        trace = Trace(np.arange(1200, dtype=np.float32), header={
            "network": "XX", "station": "A", "location": "", "channel": "HHZ", "sampling_rate": fs,
            "starttime": UTCDateTime(t0)})
        path = tmp_path / f"{day}.mseed"
        Stream([trace]).write(str(path), format="MSEED")
        files[f"XX.A/{day}"] = str(path)
    start = pd.Timestamp("2024-06-01T23:59:55", tz="UTC")
    rows = pd.DataFrame({"network": ["XX", "XX"], "station": ["A", "B"], "location": ["", ""],
                         "start": [start, start], "end": [start + pd.Timedelta(seconds=10)] * 2})
    (times, samples), (none_t, none_x) = context_waveforms(rows, files, before_s=30.0, after_s=20.0)
    t0 = UTCDateTime("2024-06-01T23:59:25").timestamp
    assert times[0] == pytest.approx(t0) and times[-1] == pytest.approx(t0 + 60.0)  # 23:59:25 to 00:00:25
    assert len(times) == 601 and np.allclose(np.diff(times), 0.1, atol=1e-6)  # no gap, no overlap at midnight
    assert samples[0] == 1200 - 350 and samples[-1] == 250  # 35 s before midnight; 25 s after it
    assert len(none_t) == 0 and len(none_x) == 0  # XX.B has no file


def test_page_has_one_block_per_candidate_and_nothing_external():
    p = np.array([[0.61, 0.27, 0.12], [0.05, 0.15, 0.80], [0.34, 0.33, 0.33]])
    table = candidate_table(3, p)
    fs = 20.0
    starts = epoch_seconds(table["start"])
    times = starts[0] - 60 + np.arange(int(140 * fs)) / fs
    traces = [(times, np.sin(times)), (times, np.cos(times)), (np.zeros(0), np.zeros(0))]  # the third: no data
    page = labelling_html(table, traces, CLASSES, fs, context_s=60.0)
    blocks = re.findall(r'<section class="candidate".*?</section>', page, re.S)
    assert len(blocks) == 3
    for block, row in zip(blocks, p, strict=True):
        assert [f"{v:.2f}" for v in row] == re.findall(r'<td class="p">([0-9.]+)</td>', block)
        assert re.findall(r'data-class="(\w+)"', block) == CLASSES
    assert "<kbd>1</kbd> silence <kbd>2</kbd> tourists <kbd>3</kbd> earthquake" in page
    assert not re.search(r"https?://|//cdn|<link|@import|url\(", page)  # loads nothing from anywhere
    assert "no waveform data around this window" in blocks[2] and "<img" not in blocks[2]
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 2 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert all(base64.b64decode(s.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for s in sources)
    assert len(page) < 2 * 150_000  # downsampled traces, palette PNGs
    data = json.loads(re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page).group(1))
    assert data["candidates"][0]["start"] == "2024-06-01T12:00:00.000000Z" and data["classes"] == CLASSES


def test_page_checks_its_inputs_and_says_when_empty():
    page = labelling_page(candidate_table(0), [], CLASSES)
    assert "No candidates" in page and 'class="candidate"' not in page
    with pytest.raises(ValueError, match="2 candidates but 1 images"):
        labelling_page(candidate_table(2), [PIXEL], CLASSES)


# 20 labels with skip, unsure, moves back and forth, a relabel and a clear; on a page of 24 candidates.
KEYS = [*"1231231231", "s", "u", "k", "2", "3", "ArrowDown", "1", "ArrowUp", "ArrowUp", "2", "j",
        *"321321", "u", "k", "k", "0", "3"]
EXPECTED = {**dict(enumerate(["silence", "tourists", "earthquake"] * 3 + ["silence"])),
            11: "tourists", 12: "earthquake", 13: "tourists", 14: "silence",
            15: "earthquake", 16: "tourists", 17: "silence", 18: "earthquake", 19: "tourists", 20: "earthquake"}


@needs_chromium
def test_keys_export_the_expected_csv_which_reads_back_and_persists(tmp_path):
    table = candidate_table(24)
    page = labelling_page(table, [PIXEL] * len(table), CLASSES)
    exported, status = press(page, KEYS, tmp_path)
    rows = list(table.itertuples())
    expected = "\n".join([HEADER, *(csv_line(rows[i], label) for i, label in sorted(EXPECTED.items())),
                          "# unsure: " + csv_line(rows[21], "")[:-1]]) + "\n"
    assert exported == expected
    assert status == "20 labelled, 1 skipped, 1 unsure, 2 to do"
    path = tmp_path / "labels.csv"
    path.write_text(exported)
    read = read_annotations([str(path)], CLASSES)
    assert len(read) == 20 and list(read["label"]) == [EXPECTED[i] for i in sorted(EXPECTED)]
    np.testing.assert_allclose(read["t0"], epoch_seconds(table["start"].iloc[sorted(EXPECTED)]))
    # a reload in the same browser keeps the labels (localStorage); another profile starts empty
    assert press(page, [], tmp_path)[0] == expected
    assert press(page, [], tmp_path, profile="fresh") == (HEADER + "\n", "0 labelled, 0 skipped, 0 unsure, 24 to do")


@pytest.mark.workflow
@needs_chromium
def test_twenty_labels_from_the_page_retrain_the_forest(tiny_run, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(tiny_run, work, symlinks=True)  # keeps mtimes and Snakemake's metadata
    page = (work / "results/active_learning/labelling.html").read_text()
    candidates = pd.read_csv(work / "results/active_learning/candidates.csv", keep_default_na=False)
    assert page.count('<section class="candidate"') == len(candidates) == 20
    keys = [str(1 + i % 3) for i in range(20)]
    exported, status = press(page, keys, tmp_path)
    assert status == "20 labelled, 0 skipped, 0 unsure, 0 to do"
    labels = [CLASSES[i % 3] for i in range(20)]
    assert exported.splitlines() == [HEADER, *(f"XX,TINY,,HH?,{r.start},{r.end},{label}" for r, label in
                                               zip(candidates.itertuples(), labels, strict=True))]
    (work / "config/labelled_candidates.csv").write_text(exported)
    config = yaml.safe_load((work / "config/config.yaml").read_text())
    config["annotations"] = [*config["annotations"], "config/labelled_candidates.csv"]
    (work / "config/config.yaml").write_text(yaml.safe_dump(config))
    dry = snakemake(work, "--dry-run").stdout
    assert all(f"rule {r}:" in dry for r in ("label_windows", "dataset", "train_random_forest", "labelling_page"))
    assert not any(f"rule {r}:" in dry for r in ("preprocess", "features"))
    snakemake(work, "--cores", "2", "results/models/rf.skops")
    dataset = pd.read_parquet(work / "results/features/features.parquet", columns=["start", "label", "split"])
    starts = pd.to_datetime(candidates["start"], utc=True, format="ISO8601")
    assert list(dataset.set_index("start").loc[starts, "label"]) == labels
    card = load_classifier(work / "results/models/rf.skops").metadata["training_data"]
    train = dataset[dataset["split"] == "train"]
    assert card["n_windows"] == len(train)  # fitted on the dataset holding the new labels
    assert card["windows_per_class"] == {c: int((train["label"] == c).sum()) for c in CLASSES}
