"""Bad input of issue 20 (the last raw tracebacks): each gives one clear message naming the file, key or trace.

The command-line cases (``--inventory`` garbage, ``--stations ../..``, ``--exclude volcano``, a
zero-length file) are in test_cli.py next to the other CLI errors.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import REAL_DATA, REPO, snakemake
from obspy import Stream, read
from test_models import CONFIG, DAY, recipe_of, synthetic_stream

from seisclass.core.config import ConfigError
from seisclass.data.dataset import assemble, label_table
from seisclass.data.labels import LabelError, read_annotations
from seisclass.settings import load_settings
from seisclass.signal.context import feature_units
from seisclass.signal.preprocess import PreprocessError, PreprocessParameters, preprocess_stream

HEADER = "network,station,location,channel,start,end,label"


# ------------------------------------------------------------------ empty chunks with context


@pytest.mark.parametrize("case", ["no data", "Z only", "8 s of data"])
def test_an_empty_chunk_with_context_gives_a_typed_empty_table_that_joins(case):
    """A chunk without complete windows (context on) gives 0 rows whose key types match a full chunk's,
    so the dataset of it and a full chunk assembles (no datetime64-vs-object merge error)."""
    recipe = recipe_of({**CONFIG, "context": {"enabled": True}})
    full = synthetic_stream(100.0)
    t0 = full[0].stats.starttime
    raw = {"no data": Stream(), "Z only": full.select(component="Z"),
           "8 s of data": full.copy().trim(t0, t0 + 8)}[case]
    _, empty, _ = recipe.apply(raw.copy(), [DAY])
    _, table, _ = recipe.apply(full.copy(), [DAY])
    assert len(empty) == 0 and list(empty.columns) == list(table.columns)
    assert str(empty["start"].dtype) == str(table["start"].dtype) == "datetime64[us, UTC]"
    context_columns = feature_units(recipe.context)["name"].tolist()
    assert (empty[context_columns].dtypes == np.float32).all()
    no_annotations = pd.DataFrame(columns=["network", "station", "location", "channel", "t0", "t1", "label"])
    dataset = assemble([empty, table],
                       [label_table(empty, no_annotations, 0.5), label_table(table, no_annotations, 0.5)])
    assert len(dataset) == len(table) == 239


# ------------------------------------------------------------------ a channel below the band


def test_a_1_hz_channel_names_the_trace_the_band_and_the_nyquist_frequency():
    stream = synthetic_stream(1.0, bursts=[], duration=3600.0)
    with pytest.raises(PreprocessError) as error:
        preprocess_stream(stream, PreprocessParameters(sampling_rate=40.0, bandpass_hz=(1.0, 15.0)))
    message = str(error.value)
    assert message.startswith("XX.SYN..HH")  # the trace id
    assert "sampled at 1 Hz, its Nyquist frequency 0.5 Hz" in message
    assert "(the band-pass stops at 0.9 x Nyquist, 0.45 Hz) is not above the low edge 1 Hz of preprocess.bandpass_hz" \
        in message
    # a 4-Hz channel keeps 1-1.8 Hz of the band: processed as before
    processed, _ = preprocess_stream(synthetic_stream(4.0, bursts=[], duration=3600.0),
                                     PreprocessParameters(sampling_rate=40.0, bandpass_hz=(1.0, 15.0)))
    assert len(processed) == 3 and processed[0].stats.sampling_rate == 40.0


# ------------------------------------------------------------------ annotation files


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty annotation file (no header); it needs at least the line " + HEADER),
    (b'network,station\n"XX,A\n', "not a CSV annotation table (Error tokenizing data"),
    (bytes(range(128, 256)) * 4, "not a CSV annotation table ('utf-8' codec can't decode"),
])
def test_an_empty_or_non_csv_annotation_file_is_named(tmp_path, content, message):
    path = tmp_path / "labels.csv"
    path.write_bytes(content)
    with pytest.raises(LabelError) as error:
        read_annotations([str(path)], ["silence", "earthquake"])
    assert str(error.value).startswith(f"{path}: ") and message in str(error.value)


# ------------------------------------------------------------------ station tables


def test_a_header_only_or_empty_station_table_is_named(tmp_path):
    header = tmp_path / "stations.tsv"
    header.write_text("id\tnetwork\tstation\tlocation\tchannels\tsource\tlatitude\tlongitude\televation\toptions\n")
    with pytest.raises(ConfigError) as error:
        load_settings({"stations": str(header)})
    assert str(error.value).startswith(f"stations: {header} has no station (a header only) and there is no mseed_dir")
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(ConfigError) as error:
        load_settings({"stations": str(empty)})
    assert f"stations: {empty}: empty file; a station table is a header line" in str(error.value)
    assert load_settings({"stations": str(header), "mseed_dir": str(tmp_path)})  # stations from the directory


# ------------------------------------------------------------------ miniSEED directories (workflow)


@pytest.mark.workflow
def test_a_per_chunk_target_in_a_miniseed_directory_with_a_semicolon_in_its_path(tmp_path):
    """``mseed_dir`` may hold ``;`` (config/README: any character), and a per-chunk target typed on the
    command line plans the directory's index first (no "Rule parameter depends on checkpoint")."""
    data = tmp_path / "data;x $y"
    data.mkdir()
    source = REAL_DATA / "pnsn" / "uw10549638_UW.CMW.EHZ.mseed"
    shutil.copy(source, data)
    day = read(str(source))[0].stats.starttime.strftime("%Y-%m-%d")
    workdir = tmp_path / "run"
    shutil.copytree(REPO / "config", workdir / "config")
    target = f"results/features/UW.CMW/{day}.parquet"
    snakemake(workdir, "--cores", "1", "--configfile", "config/examples/mseed_dir.yaml", "--config",
              f"mseed_dir={data}", f"start={day}", "--", target)
    table = pd.read_parquet(workdir / target)
    assert len(table) > 0 and set(table["station"]) == {"CMW"}
    unknown = snakemake(workdir, "-n", "--configfile", "config/examples/mseed_dir.yaml", "--config",
                        f"mseed_dir={data}", f"start={day}", "--", f"results/features/UW.NOPE/{day}.parquet",
                        check=False)
    assert unknown.returncode != 0
    assert "unknown chunk 'UW.NOPE/" in unknown.stdout + unknown.stderr


# ------------------------------------------------------------------ the same data twice


def test_identical_overlapping_samples_are_kept_once_and_counted():
    from seisclass.acquire.archives import drop_duplicate_samples

    stream = synthetic_stream(100.0, bursts=[], duration=10.0).select(component="Z")  # 1000 samples
    copy = stream[0].copy()
    copy.data = copy.data[200:700]  # samples 200-699 again, at their own times
    copy.stats.starttime += 2.0
    other = stream[0].copy()
    other.data = other.data[200:700] * 2  # the same times, different samples: not a duplicate
    other.stats.starttime += 2.0
    kept, dropped = drop_duplicate_samples(Stream([stream[0].copy(), copy]))
    assert dropped == {"XX.SYN..HHZ": 500} and len(kept) == 1
    np.testing.assert_array_equal(kept[0].data, stream[0].data)
    kept, dropped = drop_duplicate_samples(Stream([stream[0].copy(), other]))
    assert dropped == {} and len(kept) == 2  # left to preprocessing (an overlap)
