"""Rule adapter: class probabilities of every window of one station-day (forest or CNN/LSTM)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.io import write_parquet
from seisclass.learn.detections import check_bundle, deep_window_probabilities, window_probabilities
from seisclass.learn.forest import load_model
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
path = snakemake.input.model
classes = list(snakemake.params.classes)
features = pd.read_parquet(snakemake.input.features).sort_values("start", ignore_index=True)
if path.endswith(".joblib"):
    bundle = load_model(path)
    check_bundle(bundle, path, classes, snakemake.params.length_s, snakemake.params.sampling_rate)
    table = window_probabilities(bundle, features, path)
else:
    from obspy import read

    table = deep_window_probabilities(path, read(snakemake.input.waveforms), features, classes,
                                      snakemake.params.length_s, snakemake.params.sampling_rate)
log.info("%s %s: %d windows classified with %s", snakemake.wildcards.station, snakemake.wildcards.day,
         len(table), path)
write_parquet(table, snakemake.output[0])
