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
