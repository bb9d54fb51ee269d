"""Rule adapter: window features of every station-day of a chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_checked
from seisclass.signal.preprocess import read_original_rates

log = log_to(snakemake.log[0])
recipe = snakemake.params.recipe
table, masked = recipe.window_table(read_checked(snakemake.input[0]), snakemake.params.members,
                                    read_original_rates([snakemake.input.notes]))
for row in masked.itertuples():
    log.info("%s %s %s: recorded at %g Hz, %s is NaN in %d window(s) (band above the original Nyquist frequency)",
             row.station, row.day, row.component, row.sampling_rate, row.column, row.windows)
log.info("%d windows, %d columns", len(table), table.shape[1])
write_parquet(table, snakemake.output[0])
