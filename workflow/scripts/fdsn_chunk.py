"""Rule adapter: download the station-day of an FDSN chunk (retries; 204 gives an empty chunk)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.fdsn import FdsnParameters, download_waveforms, make_client, provider_of
from seisclass.acquire.stations import Station
from seisclass.acquire.waveforms import status_record, write_status
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
(member,) = snakemake.params.members  # FDSN chunks hold one station-day
station = Station(**member["station"])
p = FdsnParameters.from_config(snakemake.params.fdsn)
provider = provider_of(station, p.provider)
t0, t1 = (UTCDateTime(t) for t in member["span"])
result = download_waveforms(make_client(provider, p, station.id), station, t0, t1, snakemake.output.waveforms, p)
log.info("%s %s from %s: %s", station.id, member["day"], provider, result)
write_status(snakemake.output.status, [status_record(station.id, member["day"], "fdsn", provider=provider, **result)])
