"""Rule adapter: vertical waveform of a one-station-day chunk with its window labels."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.acquire.waveforms import read_checked
from seisclass.io import save_figure
from seisclass.plots.data import label_timeline_figure, peak_envelope
from seisclass.runlog import log_to

log_to(snakemake.log[0])
(member,) = snakemake.params.members
day = pd.Timestamp(member["day"], tz="UTC")
times, peaks = peak_envelope(read_checked(snakemake.input.waveforms).select(component="Z"), day.timestamp())
labels = pd.read_parquet(snakemake.input.labels)
labels["start_h"] = (labels["start"] - day).dt.total_seconds() / 3600
labels["end_h"] = (labels["end"] - day).dt.total_seconds() / 3600
title = f"{member['station']['id']} {member['day']}: vertical peak amplitude per second"
save_figure(label_timeline_figure(times, peaks, labels, list(snakemake.params.classes), title), snakemake.output[0])
