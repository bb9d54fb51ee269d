"""Rule adapter: exploration of a preprocessing variant's windows (same settings as the base run)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.data.dataset import feature_columns
from seisclass.explain.correlation import correlated_groups, spearman_matrix
from seisclass.explain.exploration import ExploreParameters, explore
from seisclass.io import write_csv, write_json
from seisclass.runlog import log_to
from seisclass.schema import KEY_COLUMNS
from seisclass.signal.features import FeatureParameters, feature_table

log = log_to(snakemake.log[0])
p = ExploreParameters.from_config(snakemake.params.explore)
seed = snakemake.params.seed
sections = snakemake.params.sections
table = pd.read_parquet(snakemake.input[0])
names = feature_columns(table)
groups = correlated_groups(spearman_matrix(table[names].to_numpy(float), p.correlation_sample, seed), names,
                           p.correlation_threshold)
documentation = feature_table(list(sections["windows"]["components"]),
                              FeatureParameters.from_config(sections["features"]))
units = dict(zip(documentation["name"], documentation["unit"], strict=True))
result = explore(table, names, KEY_COLUMNS, list(snakemake.params.classes), groups, units, p, seed)
log.info("variant %s: %s", snakemake.wildcards.variant, result.stability["verdict"])
write_json(result.stability, snakemake.output.stability)
write_csv(result.hypotheses, snakemake.output.hypotheses, sep="\t")
