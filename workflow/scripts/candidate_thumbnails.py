"""Rule adapter: waveform thumbnails of the top label-next candidates."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.data.dataset import window_waveforms
from seisclass.plots.active_learning import thumbnails_figure

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.active_learning
rows = pd.read_csv(snakemake.input.candidates, dtype={"network": str, "station": str, "location": str},
                   keep_default_na=False).head(p.thumbnails)
rows["start"] = pd.to_datetime(rows["start"], utc=True, format="ISO8601")
samples = window_waveforms(rows, dict(snakemake.params.files), snakemake.params.length_s,
                           snakemake.params.sampling_rate)
kept = [i for i, waveform in zip(rows.index, samples, strict=True) if waveform is not None]
waveforms = [w for w in samples if w is not None]
save_figure(thumbnails_figure(waveforms, rows.loc[kept], snakemake.params.sampling_rate, classes,
                              snakemake.params.amplitude_unit), snakemake.output[0])
