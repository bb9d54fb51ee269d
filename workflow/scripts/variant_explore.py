"""Rule adapter: exploration of a preprocessing variant's windows (same settings as the base run)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_csv, write_json
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.data.dataset import feature_columns
from seisclass.explain.correlation import correlated_groups, spearman_matrix
from seisclass.explain.exploration import explore
from seisclass.signal.features import feature_table

log = log_to(snakemake.log[0])
p, seed, recipe = snakemake.params.explore, snakemake.params.seed, snakemake.params.recipe
table = pd.read_parquet(snakemake.input[0])
names = feature_columns(table)
groups = correlated_groups(spearman_matrix(table[names].to_numpy(float), p.correlation_sample, seed), names,
                           p.correlation_threshold)
documentation = feature_table(recipe.components, recipe.features)
units = dict(zip(documentation["name"], documentation["unit"], strict=True))
result = explore(table, names, KEY_COLUMNS, list(snakemake.params.classes), groups, units, p, seed)
log.info("variant %s: %s", snakemake.wildcards.variant, result.stability["verdict"])
write_json(result.stability, snakemake.output.stability)
write_csv(result.hypotheses, snakemake.output.hypotheses, sep="\t")
