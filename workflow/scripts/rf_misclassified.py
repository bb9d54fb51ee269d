"""Rule adapter: the forest's most confident wrong out-of-fold windows of each true class."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import station_id
from seisclass.data.dataset import window_waveforms
from seisclass.learn.metrics import most_confident_errors
from seisclass.plots.data import misclassified_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
fs = snakemake.params.sampling_rate
picks = most_confident_errors(pd.read_parquet(snakemake.input.predictions), classes, snakemake.params.per_class)
log.info("%d misclassified windows shown", len(picks))
length_s = (picks["end"] - picks["start"]).dt.total_seconds().max() if len(picks) else 0.0
examples = {}
samples = window_waveforms(picks, dict(snakemake.params.files), length_s, fs)
for row, waveform in zip(picks.itertuples(), samples, strict=True):
    if waveform is not None:
        caption = (f"{station_id(row.network, row.station, row.location)} {row.start:%Y-%m-%d %H:%M:%S}\n"
                   f"true {row.label}, predicted {row.predicted} (p {row.p_predicted:.2f})")
        examples.setdefault(row.label, []).append((caption, waveform))
save_figure(misclassified_figure(examples, fs, classes, snakemake.params.amplitude_unit), snakemake.output[0])
