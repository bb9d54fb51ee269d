"""Rule adapter: preprocess one chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read_inventory

from seisclass.core.io import write_json
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_chunk, write_chunk
from seisclass.signal.health import describe, station_day_health

log = log_to(snakemake.log[0])
days, recipe = snakemake.params.members, snakemake.params.recipe
# An empty chunk (no data) is an empty stream; a corrupt or truncated one raises an error naming it.
raw = read_chunk(snakemake.input.raw, [day.id for day in days], f"chunk {snakemake.wildcards.chunk}")
inventories = {path: read_inventory(path) for path in snakemake.input.inventory}
stream, notes = recipe.preprocess_days(raw, days, inventories)
for note in notes:
    log.warning(note)
write_chunk(stream, snakemake.output.waveforms)  # float32; empty stream -> empty file
# Sampling rates before resampling: the features mark bands above their Nyquist frequency as missing.
rates = recipe.native_rates(raw, days)
# Sensor health of the raw samples: windows touching a dead, clipped or NaN stretch are not trained on.
health, intervals = station_day_health(raw, days, snakemake.params.health)
for record in health:
    if record["health"] != "ok":
        log.warning("%s %s %s: %s", record["station"], record["day"], record["channel"], describe(record))
write_json({"notes": notes, "segments": len(stream), "original_sampling_rates": rates.to_dict("records"),
            "health": health, "health_intervals": intervals.to_dict("records")}, snakemake.output.notes)
