"""Rule adapter: StationXML (response level) of one FDSN station."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.fdsn import download_stationxml, make_client, provider_of
from seisclass.core.runlog import log_to

log = log_to(snakemake.log[0])
station, p = snakemake.params.station, snakemake.params.fdsn
client = make_client(provider_of(station, p.provider), p, station.id)
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
download_stationxml(client, station, t0, t1, snakemake.output[0], p)
log.info("%s: StationXML saved", station.id)
