"""Rule adapter: PPSD of the vertical channel of every station of one chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read_inventory

from seisclass.acquire.station_quality import QualityParameters, chunk_ppsds, save_ppsds
from seisclass.acquire.waveforms import read_chunk
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
members = snakemake.params.members
raw = read_chunk(snakemake.input.raw, [m["station"]["id"] for m in members], f"chunk {snakemake.wildcards.chunk}")
ppsds = chunk_ppsds(raw, members, [read_inventory(p) for p in snakemake.input.inventory],
                    QualityParameters.from_config(snakemake.params.quality), snakemake.params.demo_sensitivity)
save_ppsds(ppsds, snakemake.output[0])
