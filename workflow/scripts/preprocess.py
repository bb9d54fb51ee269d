"""Rule adapter: preprocess one station-day."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read_inventory

from seisclass.acquire.archives import write_raw
from seisclass.acquire.waveforms import read_day_file
from seisclass.io import write_json
from seisclass.runlog import log_to
from seisclass.signal.preprocess import PreprocessParameters, preprocess_stream
from seisclass.signal.response import ResponseError, remove_instrument_response

log = log_to(snakemake.log[0])
params = PreprocessParameters.from_config(snakemake.params.preprocess)
# An empty chunk (no data) is an empty stream; a corrupt or truncated one raises an error
# naming file, station and day (seisclass.acquire.waveforms).
raw = read_day_file(snakemake.input[0], snakemake.wildcards.station, snakemake.wildcards.day)
if snakemake.params.remove_response and len(raw):
    if not snakemake.input.inventory:
        raise ResponseError(f"station {snakemake.wildcards.station}: preprocess.remove_response is set "
                            "but the station has no StationXML (fdsn, or option/config stationxml)")
    raw = remove_instrument_response(raw, read_inventory(snakemake.input.inventory[0]),
                                     snakemake.params.remove_response, params.freqmin, params.freqmax,
                                     source=snakemake.input.inventory[0])
stream, notes = preprocess_stream(raw, params)
for note in notes:
    log.warning(note)
write_raw(stream, snakemake.output.waveforms)  # float32; empty stream -> empty file
write_json({"notes": notes, "segments": len(stream)}, snakemake.output.notes)
