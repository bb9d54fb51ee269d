"""Rule adapter: window features of one station-day."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from obspy import read

from seisclass.dataset import available_components, station_day_features
from seisclass.features import FeatureParameters
from seisclass.io import write_parquet
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
stream = read(snakemake.input[0])
windows = snakemake.params.windows
components = available_components(stream, windows["components"])
if components != list(windows["components"]):
    log.warning("components %s missing; features use %s", set(windows["components"]) - set(components), components)
t0, t1 = snakemake.params.span
table = station_day_features(
    stream, snakemake.params.codes, t0, t1, windows["length_s"], windows["step_s"], components,
    snakemake.params.sampling_rate, FeatureParameters.from_config(snakemake.params.features),
)
log.info("%d windows, %d columns", len(table), table.shape[1])
write_parquet(table, snakemake.output[0])
