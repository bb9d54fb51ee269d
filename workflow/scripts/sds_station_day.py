"""Rule adapter: read one station-day from an SDS archive."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.archives import read_sds_day, write_raw, write_status
from seisclass.acquire.stations import Station
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
station = Station(**snakemake.params.station)
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
stream = read_sds_day(station.option("root"), station, t0, t1)
status = "ok" if len(stream) else "no_data"
message = "" if len(stream) else f"{station.id}: no data in the SDS archive between {t0} and {t1}"
log.info("%s %s: %d traces (%s) %s", station.id, snakemake.wildcards.day, len(stream), status, message)
write_raw(stream, snakemake.output.waveforms)
write_status(snakemake.output.status, station.id, snakemake.wildcards.day, "sds", status, message,
             traces=len(stream))
