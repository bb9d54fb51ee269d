"""Rule adapter: window features of every station-day of a chunk."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.acquire.waveforms import read_checked
from seisclass.data.dataset import add_context, chunk_features
from seisclass.io import write_parquet
from seisclass.runlog import log_to
from seisclass.signal.context import ContextParameters, chunk_context_features
from seisclass.signal.features import FeatureParameters, mask_unmeasured_bands
from seisclass.signal.preprocess import read_original_rates

log = log_to(snakemake.log[0])
windows = snakemake.params.windows
params = FeatureParameters.from_config(snakemake.params.features)
stream = read_checked(snakemake.input[0])
table = chunk_features(
    stream, snakemake.params.members, windows["length_s"], windows["step_s"],
    list(windows["components"]), snakemake.params.sampling_rate, params,
)
rates = read_original_rates([snakemake.input.notes])
table, masked = mask_unmeasured_bands(table, rates, list(windows["components"]), params)
for row in masked.itertuples():
    log.info("%s %s %s: recorded at %g Hz, %s is NaN in %d window(s) (band above the original Nyquist frequency)",
             row.station, row.day, row.component, row.sampling_rate, row.column, row.windows)
context = ContextParameters.from_config(snakemake.params.context)
if context.enabled:
    table = add_context(table, chunk_context_features(stream, snakemake.params.members, rates, windows["length_s"],
                                                      windows["step_s"], context))
log.info("%d windows, %d columns", len(table), table.shape[1])
write_parquet(table, snakemake.output[0])
