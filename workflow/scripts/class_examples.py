"""Rule adapter: example waveforms of each class, each with its spectrogram."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import station_id
from seisclass.data.dataset import pick_examples, window_waveforms
from seisclass.plots.data import class_examples_figure

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
fs = snakemake.params.sampling_rate
table = pd.read_parquet(snakemake.input.dataset,
                        columns=["network", "station", "location", "start", "end", "label", "snr"])
picks = pick_examples(table, classes, per_class=4, seed=snakemake.params.seed)
length_s = (picks["end"] - picks["start"]).dt.total_seconds().max() if len(picks) else 0.0
examples = {}
samples = window_waveforms(picks, dict(snakemake.params.files), length_s, fs)
for row, waveform in zip(picks.itertuples(), samples, strict=True):
    if waveform is not None:
        caption = f"{station_id(row.network, row.station, row.location)} {row.start:%H:%M:%S} SNR {row.snr:.1f} dB"
        examples.setdefault(row.label, []).append((caption, waveform))
save_figure(class_examples_figure(examples, fs, classes, snakemake.params.amplitude_unit), snakemake.output[0])
