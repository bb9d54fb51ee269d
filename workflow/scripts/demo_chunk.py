"""Rule adapter: generate the demo station-day of a chunk (waveforms, annotations, ground truth)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.acquire.demo import demo_station_day
from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import write_chunk

log = log_to(snakemake.log[0])
(day,) = snakemake.params.members  # demo chunks hold one station-day
station = snakemake.params.stations[day.id]
stream, annotations, truth = demo_station_day(day, station.latitude, station.longitude, snakemake.params.demo,
                                              snakemake.params.seed, tuple(snakemake.params.center))
write_chunk(stream, snakemake.output.waveforms)
write_csv(annotations, snakemake.output.annotations)
write_csv(truth, snakemake.output.truth)
log.info("%s: %d annotations, %d true events", day, len(annotations), len(truth))
