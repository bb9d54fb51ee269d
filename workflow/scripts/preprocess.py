"""Rule adapter: preprocess one station-day."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read

from seisclass.io import atomic_path, write_json
from seisclass.preprocess import PreprocessParameters, preprocess_stream
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
stream, notes = preprocess_stream(read(snakemake.input[0]), PreprocessParameters.from_config(snakemake.params.preprocess))
for note in notes:
    log.warning(note)
with atomic_path(snakemake.output.waveforms) as tmp:
    stream.write(str(tmp), format="MSEED", encoding="FLOAT32")
write_json({"notes": notes, "segments": len(stream)}, snakemake.output.notes)
