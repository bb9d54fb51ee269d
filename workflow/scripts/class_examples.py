"""Rule adapter: example waveforms of each class."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.dataset import epoch_seconds, pick_examples, windows_at
from seisclass.io import save_figure
from seisclass.plots import class_examples_figure
from seisclass.runlog import log_to
from seisclass.sources import read_waveforms

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
fs = snakemake.params.sampling_rate
table = pd.read_parquet(snakemake.input.dataset, columns=["network", "station", "location", "start", "end", "label", "snr"])
picks = pick_examples(table, classes, per_class=4, seed=snakemake.params.seed)
streams = {path: read_waveforms(path) for path in snakemake.input.waveforms}
examples = {}
for _, row in picks.iterrows():  # a handful of example windows, not a hot path
    t0 = epoch_seconds(pd.Series([row["start"]]))[0]
    sid = ".".join(x for x in (row["network"], row["station"], row["location"]) if x)
    day = row["start"].strftime("%Y-%m-%d")
    path = next(p for p in streams if f"/{sid}/{day}." in p)
    length = (row["end"] - row["start"]).total_seconds()
    _, array = windows_at(streams[path], [t0], length, ["Z"], fs)
    if len(array):
        caption = f"{sid} {row['start']:%H:%M:%S} SNR {row['snr']:.1f} dB"
        examples.setdefault(row["label"], []).append((caption, array[0, 0]))
save_figure(class_examples_figure(examples, fs, classes), snakemake.output[0])
