"""Rule adapter: download the station-day of an FDSN chunk (retries; 204 gives an empty chunk)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import UTCDateTime

from seisclass.acquire.fdsn import download_waveforms, make_client, provider_of
from seisclass.acquire.status import status_record, write_status
from seisclass.core.runlog import log_to

log = log_to(snakemake.log[0])
(day,) = snakemake.params.members  # FDSN chunks hold one station-day
station = snakemake.params.stations[day.id]
p = snakemake.params.fdsn
provider = provider_of(station, p.provider)
t0, t1 = (UTCDateTime(t) for t in day.span)
result = download_waveforms(make_client(provider, p, station.id), station, t0, t1, snakemake.output.waveforms, p)
log.info("%s from %s: %s", day, provider, result)
write_status(snakemake.output.status, [status_record(day.id, day.day, "fdsn", provider=provider, **result)])
