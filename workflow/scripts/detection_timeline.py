"""Rule adapter: a station-day's waveform with detected segments as coloured bands."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import station_ids
from seisclass.core.waveforms import read_checked
from seisclass.events.segments import probability_classes
from seisclass.plots.data import peak_envelope
from seisclass.plots.detections import timeline_figure

log_to(snakemake.log[0])
(station_day,) = snakemake.params.members  # one-station-day chunks
day = pd.Timestamp(station_day.day, tz="UTC")
next_day = day + pd.Timedelta(days=1)
times, peaks = peak_envelope(read_checked(snakemake.input.waveforms).select(component="Z"), day.timestamp())
windows = pd.read_parquet(snakemake.input.windows)
classes = probability_classes(windows)  # the applied model's classes
windows = windows[(station_ids(windows) == station_day.id) & (windows["end"] > day) & (windows["start"] < next_day)]
segments = pd.read_csv(snakemake.input.segments, parse_dates=["start", "end"], dtype={"location": str},
                       keep_default_na=False)
segments = segments[(station_ids(segments) == station_day.id) & (segments["end"] > day)
                    & (segments["start"] < next_day)]
title = f"{station_day}: vertical component, peak per second, {snakemake.wildcards.run} as bands"
save_figure(timeline_figure(times, peaks, windows, segments, classes, day, title, snakemake.params.amplitude_label),
            snakemake.output[0])
