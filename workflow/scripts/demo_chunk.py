"""Rule adapter: generate the demo station-day of a chunk (waveforms, annotations, ground truth)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.demo import DemoParameters, demo_station_day
from seisclass.acquire.waveforms import write_chunk
from seisclass.io import write_csv
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
(member,) = snakemake.params.members  # demo chunks hold one station-day
station = member["station"]
stream, annotations, truth = demo_station_day(
    member["keys"], station["latitude"], station["longitude"], member["day"],
    *(UTCDateTime(t) for t in member["span"]), DemoParameters.from_config(snakemake.params.demo),
    snakemake.params.seed, tuple(snakemake.params.center))
write_chunk(stream, snakemake.output.waveforms)
write_csv(annotations, snakemake.output.annotations)
write_csv(truth, snakemake.output.truth)
log.info("%s %s: %d annotations, %d true events", station["id"], member["day"], len(annotations), len(truth))
