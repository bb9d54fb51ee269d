"""Rule adapter: download one FDSN station-day (retries; 204 gives an empty chunk)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.archives import write_status
from seisclass.acquire.fdsn import FdsnParameters, download_waveforms, make_client, provider_of
from seisclass.acquire.stations import Station
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
station = Station(**snakemake.params.station)
p = FdsnParameters.from_config(snakemake.params.fdsn)
provider = provider_of(station, p.provider)
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
result = download_waveforms(make_client(provider, p, station.id), station, t0, t1, snakemake.output.waveforms, p)
log.info("%s %s from %s: %s", station.id, snakemake.wildcards.day, provider, result)
write_status(snakemake.output.status, station.id, snakemake.wildcards.day, "fdsn", provider=provider, **result)
