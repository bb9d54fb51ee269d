"""Rule adapter: vertical waveform of a one-station-day chunk with its window labels."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_checked
from seisclass.plots.data import label_timeline_figure, peak_envelope

log_to(snakemake.log[0])
(station_day,) = snakemake.params.members
day = pd.Timestamp(station_day.day, tz="UTC")
times, peaks = peak_envelope(read_checked(snakemake.input.waveforms).select(component="Z"), day.timestamp())
labels = pd.read_parquet(snakemake.input.labels)
labels["start_h"] = (labels["start"] - day).dt.total_seconds() / 3600
labels["end_h"] = (labels["end"] - day).dt.total_seconds() / 3600
title = f"{station_day}: vertical component, peak per second, window labels as bands"
save_figure(label_timeline_figure(times, peaks, labels, list(snakemake.params.classes), title,
                                  snakemake.params.amplitude_label), snakemake.output[0])
