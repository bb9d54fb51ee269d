"""STA/LTA onsets and annotations: a synthetic onset and hand-picked onsets of real PNSN files."""

from __future__ import annotations

import numpy as np
import obspy
import pytest
from conftest import REAL_DATA
from obspy import Stream, Trace, UTCDateTime
from triggers import TriggerParameters, sta_lta_annotations, sta_lta_onset

from seisclass.core.vocabulary import ANNOTATION_COLUMNS
from seisclass.data.labels import read_annotations

pytestmark = pytest.mark.unit

T0 = UTCDateTime("2020-01-01T00:00:00")


def synthetic(onset_s: float, length_s: float = 120.0, sr: float = 100.0, seed: int = 0) -> Trace:
    """Unit white noise with a 5 Hz wavelet of amplitude 20 decaying over 5 s from ``onset_s``."""
    t = np.arange(int(length_s * sr)) / sr
    data = np.random.default_rng(seed).normal(size=t.size)
    after = t >= onset_s
    data[after] += 20 * np.sin(2 * np.pi * 5 * (t[after] - onset_s)) * np.exp(-(t[after] - onset_s) / 5)
    header = {"network": "XX", "station": "SYN", "location": "00", "channel": "HHZ",
              "sampling_rate": sr, "starttime": T0}
    return Trace(data=data, header=header)


def test_onset_of_a_synthetic_event():
    onset = sta_lta_onset(synthetic(60.0))
    assert onset is not None and abs((onset - T0) - 60.0) < 0.2


def test_noise_alone_does_not_trigger():
    assert sta_lta_onset(synthetic(1e9)) is None  # onset after the end: noise only
    assert sta_lta_annotations(Stream([synthetic(1e9)]), "earthquake", "silence").empty


def test_annotations_span_background_and_coda(tmp_path):
    table = sta_lta_annotations(Stream([synthetic(60.0), synthetic(100.0, seed=1)]), "earthquake", "silence",
                                coda_s=40.0, margin_s=5.0)
    assert list(table.columns) == list(ANNOTATION_COLUMNS)
    assert list(table["label"]) == ["silence", "earthquake", "silence", "earthquake"]
    assert (table[["network", "station", "location", "channel"]] == ["XX", "SYN", "00", "HHZ"]).all().all()
    table.to_csv(tmp_path / "labels.csv", index=False)
    read = read_annotations([str(tmp_path / "labels.csv")], ["silence", "earthquake"])
    t0, t1 = read["t0"].to_numpy() - T0.timestamp, read["t1"].to_numpy() - T0.timestamp
    np.testing.assert_allclose(t0, [0.0, 60.0, 0.0, 100.0], atol=0.2)
    # background ends margin_s before the onset; the coda is cut at the trace end (119.99 s)
    np.testing.assert_allclose(t1, [55.0, 100.0, 95.0, 119.99], atol=0.2)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="XX.SYN.00.HHZ"):
        sta_lta_onset(synthetic(60.0), TriggerParameters(sta_s=5.0, lta_s=5.0))
    with pytest.raises(ValueError, match="coda_s"):
        sta_lta_annotations(Stream([synthetic(60.0)]), "earthquake", "silence", coda_s=0.0)


# Onsets read by eye from the raw (demeaned) vertical traces, in s after the file start
# (0.1 s grid): the first motion above the pre-event noise.
HAND_PICKS = {"uw10551613_UW.FMW.EHZ.mseed": 51.7, "uw10555603_UW.VLL.EHZ.mseed": 53.2}


@pytest.mark.parametrize("name", sorted(HAND_PICKS))
def test_onset_of_real_local_earthquakes(name):
    trace = obspy.read(str(REAL_DATA / "pnsn" / name))[0]
    onset = sta_lta_onset(trace)
    assert onset is not None
    assert abs((onset - trace.stats.starttime) - HAND_PICKS[name]) < 0.5
