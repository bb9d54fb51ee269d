"""Rule adapter: waveform thumbnails of the top label-next candidates."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.active_learning import ActiveLearningParameters, thumbnails_figure
from seisclass.dataset import epoch_seconds, windows_at
from seisclass.io import save_figure
from seisclass.runlog import log_to
from seisclass.sources import read_waveforms
from seisclass.stations import station_id

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = ActiveLearningParameters.from_config(snakemake.params.active_learning)
rows = pd.read_csv(snakemake.input.candidates, dtype={"network": str, "station": str, "location": str},
                   keep_default_na=False).head(p.thumbnails)
rows["start"] = pd.to_datetime(rows["start"], utc=True, format="ISO8601")
waveforms, kept, streams = [], [], {}
for i, row in rows.iterrows():  # a handful of thumbnails, not a hot path
    sid = station_id(row["network"], row["station"], row["location"])
    path = next(w for w in snakemake.input.waveforms if f"/{sid}/{row['start']:%Y-%m-%d}." in w)
    t0 = epoch_seconds(pd.Series([row["start"]]))[0]
    streams.setdefault(path, read_waveforms(path))
    _, array = windows_at(streams[path], [t0], snakemake.params.length_s, ["Z"],
                          snakemake.params.sampling_rate)
    if len(array):
        waveforms.append(array[0, 0])
        kept.append(i)
save_figure(thumbnails_figure(waveforms, rows.loc[kept], snakemake.params.sampling_rate, classes), snakemake.output[0])
