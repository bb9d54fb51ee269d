"""Rule adapter: read the station-days of a chunk from a local archive (SDS or miniSEED directory)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.acquire.archives import read_archive_chunk, read_mseed_dir_day, read_sds_day
from seisclass.acquire.status import write_status
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import write_chunk

log = log_to(snakemake.log[0])
if snakemake.rule == "sds":
    def read_day(station, t0, t1):
        return read_sds_day(station.option("root"), station, t0, t1)
else:
    index = pd.concat([pd.read_parquet(p) for p in snakemake.input.index], ignore_index=True)

    def read_day(station, t0, t1):
        return read_mseed_dir_day(index, station, t0, t1)
stream, records = read_archive_chunk(snakemake.params.members, snakemake.params.stations, read_day)
write_chunk(stream, snakemake.output.waveforms)
write_status(snakemake.output.status, records)
