"""Rule adapter: the feature documentation table."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to
from seisclass.signal.features import feature_table

log_to(snakemake.log[0])
recipe = snakemake.params.recipe
write_csv(feature_table(recipe.components, recipe.features), snakemake.output[0], sep="\t")
