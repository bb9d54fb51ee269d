"""Rule adapter: window features of one station-day."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.acquire.archives import read_waveforms
from seisclass.data.dataset import available_components, station_day_features
from seisclass.io import write_parquet
from seisclass.runlog import log_to
from seisclass.signal.features import FeatureParameters

log = log_to(snakemake.log[0])
stream = read_waveforms(snakemake.input[0])
windows = snakemake.params.windows
components = available_components(stream, windows["components"])
if components != list(windows["components"]):
    log.warning("components %s missing; features use %s", set(windows["components"]) - set(components), components)
t0, t1 = snakemake.params.span
if not components:  # none of the configured components in the data (or no data): an empty table
    log.warning("none of the components %s in the data: no windows", windows["components"])
    stream, components, t1 = stream[:0], list(windows["components"]), t0
table = station_day_features(
    stream, snakemake.params.codes, t0, t1, windows["length_s"], windows["step_s"], components,
    snakemake.params.sampling_rate, FeatureParameters.from_config(snakemake.params.features),
)
log.info("%d windows, %d columns", len(table), table.shape[1])
write_parquet(table, snakemake.output[0])
