"""Rule adapter: preprocess one chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read_inventory

from seisclass.acquire.waveforms import read_chunk, write_chunk
from seisclass.io import write_json
from seisclass.runlog import log_to
from seisclass.signal.preprocess import (
    PreprocessParameters,
    original_sampling_rates,
    preprocess_chunk,
)

log = log_to(snakemake.log[0])
params = PreprocessParameters.from_config(snakemake.params.preprocess)
# An empty chunk (no data) is an empty stream; a corrupt or truncated one raises an error naming it.
members = snakemake.params.members
raw = read_chunk(snakemake.input.raw, [m["station"]["id"] for m in members], f"chunk {snakemake.wildcards.chunk}")
inventories = {path: read_inventory(path) for path in snakemake.input.inventory}
stream, notes = preprocess_chunk(raw, params, members, inventories, snakemake.params.preprocess["remove_response"])
for note in notes:
    log.warning(note)
write_chunk(stream, snakemake.output.waveforms)  # float32; empty stream -> empty file
# Sampling rates before resampling: the features mark bands above their Nyquist frequency as missing.
write_json({"notes": notes, "segments": len(stream), "original_sampling_rates": original_sampling_rates(raw, members)},
           snakemake.output.notes)
