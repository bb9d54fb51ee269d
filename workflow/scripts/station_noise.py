"""Rule adapter: PPSD of the vertical channel of every station of one chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read_inventory

from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_chunk
from seisclass.quality.stations import chunk_ppsds, save_ppsds

log = log_to(snakemake.log[0])
days = snakemake.params.members
raw = read_chunk(snakemake.input.raw, [day.id for day in days], f"chunk {snakemake.wildcards.chunk}")
ppsds = chunk_ppsds(raw, days, [read_inventory(p) for p in snakemake.input.inventory], snakemake.params.quality,
                    snakemake.params.demo_sensitivity)
save_ppsds(ppsds, snakemake.output[0])
