"""The window grid, window cutting and labelling from annotations."""

import numpy as np
import pandas as pd
import pytest
from obspy import Stream, Trace, UTCDateTime

from seisclass.core.vocabulary import UNLABELED
from seisclass.data.labels import (
    LabelError,
    annotations_for_station,
    best_annotation,
    check_classes,
    read_annotations,
)
from seisclass.signal.windows import cut_windows, window_starts, windows_at

pytestmark = pytest.mark.unit

CLASSES = ["silence", "tourists", "earthquake"]


def test_grid_starts_on_multiples_of_the_step_inside_the_span():
    starts = window_starts(1003.0, 1060.0, length_s=10.0, step_s=5.0)
    assert starts[0] == 1005.0
    assert starts[-1] + 10.0 <= 1060.0
    assert np.all(np.diff(starts) == 5.0)
    assert len(starts) == 10


def test_grid_is_shared_across_spans():
    a = window_starts(0.0, 3600.0, 10.0, 5.0)
    b = window_starts(1800.0, 7200.0, 10.0, 5.0)
    assert set(a) & set(b) == set(np.arange(1800.0, 3595.0, 5.0))


def test_cut_windows_are_views_at_the_right_samples():
    data = np.arange(1000, dtype=np.float32)
    windows, inside = cut_windows(data, trace_start=100.0, sampling_rate=10.0,
                                  starts=np.array([95.0, 100.0, 105.0, 195.0]), length_s=10.0)
    assert inside.tolist() == [False, True, True, False]
    assert windows[0, 0] == 0 and windows[1, 0] == 50 and windows.shape == (2, 100)


def test_windows_touching_a_gap_or_missing_component_are_dropped():
    fs = 10.0
    t0 = UTCDateTime(1000)
    z1 = Trace(np.ones(300, np.float32), {"sampling_rate": fs, "starttime": t0, "channel": "HHZ"})
    z2 = Trace(np.ones(300, np.float32), {"sampling_rate": fs, "starttime": t0 + 40, "channel": "HHZ"})
    n = Trace(np.ones(700, np.float32), {"sampling_rate": fs, "starttime": t0, "channel": "HHN"})
    starts = window_starts(1000.0, 1070.0, 10.0, 5.0)
    kept, array = windows_at(Stream([z1, z2, n]), starts, 10.0, ["Z", "N"], fs)
    # Z has data 1000-1030 and 1040-1070: windows overlapping 1030-1040 are dropped.
    assert kept.tolist() == [1000.0, 1005.0, 1010.0, 1015.0, 1020.0, 1040.0, 1045.0, 1050.0, 1055.0, 1060.0]
    assert array.shape == (10, 2, 100)


def test_label_goes_to_the_annotation_covering_enough_of_the_window():
    starts = np.array([0.0, 5.0, 10.0, 15.0, 20.0])
    best = best_annotation(starts, starts + 10.0, np.array([8.0, 21.0]), np.array([19.0, 40.0]), min_overlap=0.5)
    # overlaps: w0 2 s, w1 7 s eq, w2 9 s eq, w3 4 s eq / 4 s tourists, w4 9 s tourists
    assert best.tolist() == [-1, 0, 0, -1, 1]


def test_unknown_label_names_file_line_and_classes(tmp_path):
    path = tmp_path / "ann.csv"
    path.write_text("network,station,location,channel,start,end,label\n"
                    "XX,A,,HH?,2024-01-01T00:00:00Z,2024-01-01T00:01:00Z,silence\n"
                    "XX,A,,HH?,2024-01-01T00:02:00Z,2024-01-01T00:03:00Z,volcano\n")
    with pytest.raises(LabelError, match=r"line 3: unknown label 'volcano'.*silence"):
        read_annotations([str(path)], CLASSES)


def test_bad_times_are_reported(tmp_path):
    path = tmp_path / "ann.csv"
    path.write_text("network,station,location,channel,start,end,label\n"
                    "XX,A,,HH?,2024-01-01T00:05:00Z,2024-01-01T00:01:00Z,silence\n")
    with pytest.raises(LabelError, match="line 2: end is not after start"):
        read_annotations([str(path)], CLASSES)


def test_wildcards_select_annotations_for_a_station():
    table = pd.DataFrame({
        "network": ["XX", "*", "YY", "XX"], "station": ["A", "A", "A", "B*"],
        "location": ["", "*", "", ""], "channel": ["HHZ", "*", "HH?", "BH?"],
    })
    picked = annotations_for_station(table, "XX", "A", "", "HH?")
    assert picked.index.tolist() == [0, 1]
    assert annotations_for_station(table, "XX", "B1", "", "BH?").index.tolist() == [3]


def test_class_list_is_checked():
    assert check_classes(["a", "b"]) == ["a", "b"]
    with pytest.raises(LabelError, match="reserved"):
        check_classes(["a", UNLABELED])
    with pytest.raises(LabelError, match="duplicated"):
        check_classes(["a", "a"])


def test_window_waveforms_reads_each_needed_day_once_and_marks_missing(tmp_path):
    from seisclass.data.dataset import window_waveforms

    fs, t0 = 10.0, UTCDateTime("2024-06-01T00:00:00")
    path = tmp_path / "XX.A" / "2024-06-01.mseed"
    path.parent.mkdir()
    header = {"network": "XX", "station": "A", "channel": "HHZ", "sampling_rate": fs, "starttime": t0}
    Stream([Trace(np.arange(600, dtype=np.float32), header)]).write(str(path), format="MSEED")
    rows = pd.DataFrame({"network": ["XX", "XX", "XX"], "station": ["A", "B", "A"], "location": ["", "", ""],
                         "start": pd.to_datetime(["2024-06-01T00:00:20Z", "2024-06-01T00:00:20Z",
                                                  "2024-06-01T00:00:55Z"], utc=True)})
    out = window_waveforms(rows, {"XX.A/2024-06-01": str(path)}, 10.0, fs)
    assert out[0].tolist() == list(range(200, 300))  # samples from 20 s
    assert out[1] is None  # no file for station B
    assert out[2] is None  # the window runs past the end of the data


def test_context_extends_windows_on_both_sides_with_zeros_beyond_the_trace():
    fs, t0 = 10.0, UTCDateTime("2024-06-01T00:00:00")
    trace = Trace(np.arange(1, 601, dtype=np.float32), {"network": "XX", "station": "A", "channel": "HHZ",
                                                        "sampling_rate": fs, "starttime": t0})
    starts = t0.timestamp + np.array([0.0, 20.0, 50.0, 55.0])
    kept, array = windows_at(Stream([trace]), starts, 10.0, ["Z"], fs, context_s=5.0)
    assert list(kept - t0.timestamp) == [0.0, 20.0, 50.0]  # the grid window itself must be in the trace
    assert array.shape == (3, 1, 200)
    assert (array[0, 0, :50] == 0).all() and array[0, 0, 50] == 1.0  # context before the trace: zeros
    assert array[1, 0].tolist() == list(range(151, 351))  # 15 s to 35 s
    assert array[2, 0, -50:].tolist() == [0.0] * 50  # context after the trace: zeros


# ------------------------------------------------------------------ precedence of overlapping annotations


def _label_windows(tmp_path, rows: list[str], start: str, end: str, header: str = "", files: int = 1):
    """Labels of the 10-s grid windows (5-s step) of station XX.A in [start, end) from annotation rows."""
    from seisclass.core.vocabulary import to_timestamps
    from seisclass.data.dataset import label_table

    paths = []
    for i, part in enumerate([rows] if files == 1 else rows):
        path = tmp_path / f"ann{i}.csv"
        path.write_text("network,station,location,channel,start,end,label" + header + "\n" + "\n".join(part) + "\n")
        paths.append(str(path))
    t0, t1 = UTCDateTime(start).timestamp, UTCDateTime(end).timestamp
    starts = window_starts(t0, t1, 10.0, 5.0)
    windows = pd.DataFrame({"network": "XX", "station": "A", "location": "", "channel": "HH?",
                            "start": to_timestamps(starts), "end": to_timestamps(starts + 10.0)})
    labels = label_table(windows, read_annotations(paths, CLASSES), 0.5)
    return pd.Series(labels["label"].to_numpy(), index=[UTCDateTime(s).strftime("%H:%M:%S") for s in starts])


NESTED = ["XX,A,,HH?,2024-06-01T12:30:00Z,2024-06-01T12:50:00Z,silence",
          "XX,A,,HH?,2024-06-01T12:40:00Z,2024-06-01T12:41:00Z,earthquake"]


def test_the_shorter_interval_inside_a_longer_one_wins(tmp_path):
    """Issue 20: silence 12:30-12:50 with an earthquake 12:40-12:41 inside; ties used to go to the first row."""
    labels = _label_windows(tmp_path, NESTED, "2024-06-01T12:30:00", "2024-06-01T12:50:00")
    quake = labels[labels == "earthquake"].index.tolist()
    # every window with at least half of it in 12:40-12:41 (the half-and-half ones too: the shorter interval wins)
    assert quake == [f"12:{m:02d}:{s:02d}" for m, s in [(39, 55)] + [(40, s) for s in range(0, 60, 5)]]
    assert (labels.drop(quake) == "silence").all() and len(labels) == 239
    # the same rows listed the other way round, or in two files (user, catalogue) in either order: the same
    assert _label_windows(tmp_path, NESTED[::-1], "2024-06-01T12:30:00", "2024-06-01T12:50:00").equals(labels)
    for files in ([NESTED[:1], NESTED[1:]], [NESTED[1:], NESTED[:1]]):
        assert _label_windows(tmp_path, files, "2024-06-01T12:30:00", "2024-06-01T12:50:00", files=2).equals(labels)


def test_a_priority_column_overrides_the_length_rule(tmp_path):
    rows = [NESTED[0] + ",1", NESTED[1] + ","]  # silence priority 1, the earthquake empty = 0
    labels = _label_windows(tmp_path, rows, "2024-06-01T12:38:00", "2024-06-01T12:43:00", header=",priority")
    assert (labels == "silence").all()
    rows = [NESTED[0] + ",1", NESTED[1] + ",2"]
    labels = _label_windows(tmp_path, rows, "2024-06-01T12:38:00", "2024-06-01T12:43:00", header=",priority")
    assert labels["12:40:00":"12:40:50"].eq("earthquake").all() and labels["12:38:00":"12:39:50"].eq("silence").all()
    with pytest.raises(LabelError, match=r"ann0.csv line 3: priority 'high' is not an integer"):
        _label_windows(tmp_path, [NESTED[0] + ",1", NESTED[1] + ",high"], "2024-06-01T12:38:00",
                       "2024-06-01T12:43:00", header=",priority")


def test_overlapping_intervals_of_equal_length_and_priority_are_an_error_naming_both(tmp_path):
    rows = ["XX,A,,HH?,2024-06-01T12:30:00Z,2024-06-01T12:31:00Z,silence",
            "XX,A,,HH?,2024-06-01T12:30:30Z,2024-06-01T12:31:30Z,earthquake"]
    with pytest.raises(LabelError) as error:
        _label_windows(tmp_path, rows, "2024-06-01T12:29:00", "2024-06-01T12:33:00")
    path = tmp_path / "ann0.csv"
    assert str(error.value) == (
        "overlapping annotations of different classes with the same length and priority: "
        f"{path} line 2 (2024-06-01T12:30:00Z to 2024-06-01T12:31:00Z, silence, priority 0) and "
        f"{path} line 3 (2024-06-01T12:30:30Z to 2024-06-01T12:31:30Z, earthquake, priority 0); give one a higher "
        "priority (column priority, integer, higher wins) or change its times (the shorter interval wins)")
    # the same class twice, or a priority on one of them: no error
    same = [rows[0], rows[1].replace("earthquake", "silence")]
    assert (_label_windows(tmp_path, same, "2024-06-01T12:29:00", "2024-06-01T12:33:00")
            ["12:30:00":"12:31:20"] == "silence").all()


def test_intervals_side_by_side_go_by_the_larger_share():
    """Without overlap the precedence does not apply: a window takes the annotation covering most of it."""
    # silence 0-12 s (shorter), earthquake 12-30 s; window 8-18 s: 4 s silence, 6 s earthquake
    best = best_annotation(np.array([8.0]), np.array([18.0]), np.array([0.0, 12.0]), np.array([12.0, 30.0]),
                           min_overlap=0.3, labels=np.array(["silence", "earthquake"]))
    assert best.tolist() == [1]


def test_precedence_matches_a_sample_by_sample_reference():
    """Random overlapping annotations: the vectorized labels equal painting the time line at 0.25-s resolution,
    then taking the class holding the most of the window, of it the annotation holding the most."""
    rng = np.random.default_rng(5)
    n = 80
    t0 = rng.integers(0, 590, n).astype(float)
    t1 = t0 + rng.permutation(np.arange(1, 120))[:n]  # distinct lengths: no ties
    priority = rng.integers(0, 2, n)
    labels = rng.choice(CLASSES, n)
    starts = np.arange(0.0, 600.0, 5.0)
    best = best_annotation(starts, starts + 10.0, t0, t1, 0.5, priority=priority, labels=labels)
    times = np.arange(0.0, 610.0, 0.25) + 0.125
    covers = (t0[None, :] <= times[:, None]) & (t1[None, :] > times[:, None])
    key = np.where(covers, -priority[None, :] * 1e4 + (t1 - t0)[None, :], np.inf)  # priority, then length
    owner = np.where(covers.any(axis=1), key.argmin(axis=1), -1)
    expected = []
    for s in starts:  # the reference loops; the library does not
        inside = owner[(times > s) & (times < s + 10.0)]
        inside = inside[inside >= 0]
        per_class = {c: int((labels[inside] == c).sum()) for c in CLASSES}
        top = max(per_class.values())
        if top < 20:  # 20 samples = 5 s = half the window
            expected.append(-1)
            continue
        owners = [j for j in set(inside.tolist()) if per_class[labels[j]] == top]
        expected.append(min(owners, key=lambda j: (-(inside == j).sum(), -priority[j], t1[j] - t0[j])))
    assert best.tolist() == expected
    assert (best >= 0).sum() > 50 and len(set(best.tolist())) > 10  # the case is not trivial
