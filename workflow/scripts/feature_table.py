"""Rule adapter: the feature documentation table."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.io import write_csv
from seisclass.runlog import log_to
from seisclass.signal.features import FeatureParameters, feature_table

log_to(snakemake.log[0])
table = feature_table(list(snakemake.params.components), FeatureParameters.from_config(snakemake.params.features))
write_csv(table, snakemake.output[0], sep="\t")
