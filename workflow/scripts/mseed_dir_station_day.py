"""Rule adapter: read one station-day from an indexed miniSEED directory."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd
from obspy import UTCDateTime

from seisclass.acquire.archives import read_mseed_dir_day, write_raw, write_status
from seisclass.acquire.stations import Station
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
station = Station(**snakemake.params.station)
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
stream, notes = read_mseed_dir_day(pd.read_parquet(snakemake.input.index), station, t0, t1)
for note in notes:
    log.warning(note)
status = ("partial" if notes else "ok") if len(stream) else ("unreadable" if notes else "no_data")
log.info("%s %s: %d traces (%s)", station.id, snakemake.wildcards.day, len(stream), status)
write_raw(stream, snakemake.output.waveforms)
write_status(snakemake.output.status, station.id, snakemake.wildcards.day, "mseed_dir", status,
             "; ".join(notes), traces=len(stream))
