"""Rule adapter: generate one demo station-day (waveforms, annotations, ground truth)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd
from obspy import UTCDateTime

from seisclass.acquire.demo import DemoParameters, earthquake_catalogue, generate_station_day
from seisclass.io import atomic_path, write_csv
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
p = DemoParameters.from_config(snakemake.params.demo)
keys = snakemake.params.codes
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
day = snakemake.wildcards.day
catalogue = earthquake_catalogue(day, p, snakemake.params.seed, tuple(snakemake.params.center))
previous = earthquake_catalogue(str((UTCDateTime(day) - 86400).date), p, snakemake.params.seed,
                                tuple(snakemake.params.center))
events = pd.concat([previous, catalogue], ignore_index=True)
stream, annotations, truth = generate_station_day(
    keys["network"], keys["station"], keys["location"], keys["channel"],
    *snakemake.params.coordinates, t0, t1, events, p, snakemake.params.seed,
)
with atomic_path(snakemake.output.waveforms) as tmp:
    stream.write(str(tmp), format="MSEED", encoding="FLOAT32")
write_csv(annotations, snakemake.output.annotations)
write_csv(truth, snakemake.output.truth)
log.info("%s: %d annotations, %d true events", snakemake.wildcards, len(annotations), len(truth))
